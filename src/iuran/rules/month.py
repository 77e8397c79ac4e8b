"""A calendar month as a value type (`2024-05`), not a date with a day."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A month of the Gregorian calendar.

    Example:
        >>> Month.parse("2024-05") + 8
        Month(2025-01)
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"year must be 1900..2999, got {self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(text.strip())
        if not m:
            raise ValueError(f"expected YYYY-MM, got {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        """Inverse of `index`: months since year 0."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since January of year 0; differences of indexes count months."""
        return self.year * 12 + self.month - 1

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def day(self, day: int) -> dt.date:
        """The given day of this month, clamped to the month's last day."""
        return dt.date(self.year, self.month, min(day, calendar.monthrange(self.year, self.month)[1]))

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: int) -> Month:
        return Month.from_index(self.index - other)

    def months_until(self, other: Month) -> int:
        """Number of months from self to other (other - self)."""
        return other.index - self.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({self})"


def month_range(start: Month, end: Month) -> Iterator[Month]:
    """Months from start to end, both included."""
    for i in range(start.index, end.index + 1):
        yield Month.from_index(i)
