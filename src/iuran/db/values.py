"""Values coming back from SQL, the same on both databases."""

from __future__ import annotations

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
