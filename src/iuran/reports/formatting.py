"""Numbers the Indonesian way, for people: Rp1.234.567, 2.706.950, 98,12%, 1 Nov 2023.

Money and counts are integers, ratios exact: every function refuses a float, so that no Rupiah is ever rounded
by binary arithmetic on the way to the page.
"""

from __future__ import annotations

import datetime as dt

from iuran.reports.model import Ratio
from iuran.rules.month import Month

DASH = "-"  # a figure that does not exist (no population for a kecamatan, nothing billed)

MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _require_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__} {value!r}")
    return value


def format_count(n: int) -> str:
    """A count with dots between thousands.

    Example:
        >>> format_count(2_706_950)
        '2.706.950'
    """
    n = _require_int(n, "a count")
    return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", ".")


def format_rupiah(amount: int) -> str:
    """Whole Rupiah, the way BPJS and the banks write them; a negative amount gets its sign first.

    Example:
        >>> format_rupiah(1_234_567), format_rupiah(-42_000)
        ('Rp1.234.567', '-Rp42.000')
    """
    amount = _require_int(amount, "a Rupiah amount")
    return ("-" if amount < 0 else "") + "Rp" + format_count(abs(amount))


def format_percent(r: Ratio | None) -> str:
    """A ratio as a percentage with two decimals and a decimal comma, rounded half up; "-" if undefined.

    Example:
        >>> format_percent(Ratio(320_826, 315_153)), format_percent(Ratio(1, 8)), format_percent(None)
        ('101,80%', '12,50%', '-')
    """
    if r is None:
        return DASH
    if not isinstance(r, Ratio):
        raise TypeError(f"a percentage is formatted from a Ratio, got {type(r).__name__} {r!r}")
    if not r.defined:
        return DASH
    q = r.scaled(4)  # hundredths of a percent
    whole, hundredths = divmod(abs(q), 100)
    return ("-" if q < 0 else "") + f"{format_count(whole)},{hundredths:02d}%"


def format_bp(bp: int) -> str:
    """Basis points as a percentage: 9800 → 98,00%."""
    return format_percent(Ratio(_require_int(bp, "basis points"), 10_000))


def decimal_string(r: Ratio | None) -> str | None:
    """A ratio as a decimal string with 4 decimals (half up), for JSON and CSV; None if undefined.

    Example:
        >>> decimal_string(Ratio(9_812, 10_000)), decimal_string(Ratio(-1, 3))
        ('0.9812', '-0.3333')
    """
    if r is None:
        return None
    if not isinstance(r, Ratio):
        raise TypeError(f"a decimal is formatted from a Ratio, got {type(r).__name__} {r!r}")
    if not r.defined:
        return None
    q = r.scaled(4)
    whole, frac = divmod(abs(q), 10_000)
    return ("-" if q < 0 else "") + f"{whole}.{frac:04d}"


def format_month(m: Month) -> str:
    """Nov 2023."""
    return f"{MONTHS_ID[m.month - 1]} {m.year}"


def format_date(d: dt.date) -> str:
    """1 Nov 2023."""
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def format_flag(flag: bool | None) -> str:
    if flag is None:
        return DASH
    return "ya" if flag else "tidak"
