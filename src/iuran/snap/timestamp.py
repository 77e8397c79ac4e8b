"""SNAP timestamps: ISO 8601 with the partner's offset (`2024-05-01T10:00:00+07:00`, milliseconds allowed). A
request's `X-TIMESTAMP` must be within a tolerance of the biller's clock, so that a captured request cannot be
replayed later.

Example:
    >>> parse("2024-05-01T10:00:00+07:00", "X-TIMESTAMP").isoformat()
    '2024-05-01T10:00:00+07:00'
"""

from __future__ import annotations

import datetime as dt
import re

from iuran.snap.codes import Case, SnapError

_FORM = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z)")


def parse(value: str | None, field: str) -> dt.datetime:
    """An aware date-time, or `SnapError` naming `field`."""
    if not value:
        raise SnapError(Case.MISSING_FIELD, field)
    if not _FORM.fullmatch(value):
        raise SnapError(Case.INVALID_FIELD, field)
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SnapError(Case.INVALID_FIELD, field) from None


def check_fresh(value: str | None, now: dt.datetime, tolerance: dt.timedelta, field: str = "X-TIMESTAMP") -> None:
    """`value` within `tolerance` of `now` (aware), or `SnapError` naming `field`."""
    if abs(parse(value, field) - now) > tolerance:
        raise SnapError(Case.INVALID_FIELD, field)


def format_time(at: dt.datetime) -> str:
    """An aware date-time as SNAP writes it (seconds, offset)."""
    return at.isoformat(timespec="seconds")
