"""Months in the database are integers `yyyymm` (202405): readable by an auditor, ordered, indexable."""

from __future__ import annotations

from iuran.rules.month import Month


def to_db(month: Month) -> int:
    return month.year * 100 + month.month


def from_db(value: int) -> Month:
    return Month(value // 100, value % 100)


def index_sql(column: str) -> str:
    """SQL for the month's running index (months since year 0), so that differences count months."""
    return f"(({column}) / 100 * 12 + ({column}) % 100 - 1)"
