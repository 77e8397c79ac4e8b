"""Shared parsing and output for the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.program import check_jkn_date, check_jkn_month


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


def _shown(text: str, width: int = 40) -> str:
    """A value the user typed, as a message may repeat it: quoted, cut to `width` characters."""
    return repr(text if len(text) <= width else text[:width] + "…")


def emit(obj: Any) -> None:
    """Write one JSON document to stdout."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
