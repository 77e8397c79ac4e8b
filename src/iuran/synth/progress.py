"""Figures in the synthetic branch's progress lines, written the Indonesian way (as `iuran.reports.formatting`
writes them for the reports, which the synth may not import): 27.738 persons, Rp1.121.969.094."""

from __future__ import annotations


def count(n: int) -> str:
    """A whole number with dots between thousands.

    Example:
        >>> count(27_738), count(-1_500)
        ('27.738', '-1.500')
    """
    return ("-" if n < 0 else "") + f"{abs(int(n)):,}".replace(",", ".")


def rupiah(amount: int) -> str:
    """Whole Rupiah: Rp1.121.969.094.

    Example:
        >>> rupiah(1_121_969_094)
        'Rp1.121.969.094'
    """
    return ("-" if amount < 0 else "") + "Rp" + count(abs(amount))
