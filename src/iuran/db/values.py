"""Values coming back from SQL, the same on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def as_int(value: object) -> int:
    """An integer from SQL: PostgreSQL's sum() of BIGINT is NUMERIC (Decimal); a float is refused."""
    if value is None:
        return 0
    if isinstance(value, (bool, float)):
        raise TypeError(f"expected an integer from SQL, got {value!r}")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise TypeError(f"expected an integer from SQL, got {value!r}")
        return int(value)
    if isinstance(value, int):
        return value
    raise TypeError(f"expected an integer from SQL, got {value!r}")


def as_date(value: object) -> dt.date:
    """A date from SQL: PostgreSQL gives a date, SQLite the ISO text SQLAlchemy wrote."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def as_datetime(value: object) -> dt.datetime:
    """A date-time from SQL: PostgreSQL gives a datetime, SQLite the ISO text SQLAlchemy wrote."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
