"""Shared parsing and output for the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month


def parse_month(field: str, text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as e:
        raise RuleInputError(field, "a month is written YYYY-MM", str(e)) from None


def parse_date(field: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise RuleInputError(field, "a date is written YYYY-MM-DD", f"got {text!r}") from None


def emit(obj: Any) -> None:
    """Write one JSON document to stdout."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
