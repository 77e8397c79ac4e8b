"""Shared parsing and output for the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.program import RUPIAH_MAX_DIGITS, check_jkn_date, check_jkn_month


def parse_month(field: str, text: str) -> Month:
    """A month of the JKN era (`rules.program`), written YYYY-MM."""
    try:
        month = Month.parse(text)
    except ValueError as e:
        raise RuleInputError(field, "a month is written YYYY-MM", str(e)) from None
    return check_jkn_month(field, month)


def parse_date(field: str, text: str, *, jkn: bool = True) -> dt.date:
    """A date written YYYY-MM-DD; with `jkn` (the default), of the JKN era (`rules.program`)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise RuleInputError(field, "a date is written YYYY-MM-DD", f"got {_shown(text)}") from None
    return check_jkn_date(field, day) if jkn else day


def parse_rupiah(field: str, text: str) -> int:
    """A whole Rupiah amount above 0, digits only, of at most `RUPIAH_MAX_DIGITS` digits."""
    digits = text.strip()
    if not (digits.isdigit() and digits.isascii()) or int(digits) <= 0:
        rule = "an amount is a whole number of Rupiah above 0, digits only"
        raise RuleInputError(field, rule, f"got {_shown(digits)}")
    if len(digits) > RUPIAH_MAX_DIGITS:
        rule = f"a whole Rupiah amount of at most {RUPIAH_MAX_DIGITS} digits"
        raise RuleInputError(field, rule, f"got {len(digits)}")
    return int(digits)


def _shown(text: str, width: int = 40) -> str:
    """A value the user typed, as a message may repeat it: quoted, cut to `width` characters."""
    return repr(text if len(text) <= width else text[:width] + "…")


def emit(obj: Any) -> None:
    """Write one JSON document to stdout."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
