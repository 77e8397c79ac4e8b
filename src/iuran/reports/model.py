"""What a report is: typed columns and rows of exact values, rendered later as a table, JSON or CSV.

Cells hold integers (counts, Rupiah), exact ratios, months, flags or text, never floats: the arithmetic stays
exact until the last step, where `formatting` rounds half up for people and `render` writes 4-decimal strings
for machines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from iuran.rules.month import Month


@dataclass(frozen=True, slots=True)
class Ratio:
    """numerator ÷ denominator, kept exact (coverage, activeness, collection rate).

    Example:
        >>> Ratio(320_826, 315_153).scaled(4)
        10180
    """

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        for part in (self.numerator, self.denominator):
            if not isinstance(part, int) or isinstance(part, bool):
                raise TypeError(f"a ratio is made of integers, got {part!r}")
        if self.denominator < 0:
            raise ValueError(f"a ratio's denominator is not negative, got {self.denominator}")

    @property
    def defined(self) -> bool:
        return self.denominator > 0

    def scaled(self, places: int) -> int:
        """The ratio × 10^places, rounded half up (away from zero) to an integer."""
        if not self.defined:
            raise ZeroDivisionError("ratio with a zero denominator")
        n = abs(self.numerator) * int(10**places)
        q = (2 * n + self.denominator) // (2 * self.denominator)
        return -q if self.numerator < 0 else q

    def at_least_bp(self, threshold_bp: int) -> bool:
        """Whether the ratio is ≥ threshold_bp / 10,000, exactly (no rounding)."""
        return self.defined and self.numerator * 10_000 >= threshold_bp * self.denominator


def ratio(numerator: int, denominator: int | None) -> Ratio | None:
    """The ratio, or None where there is no denominator (no population figure, nothing billed)."""
    if denominator is None or denominator <= 0:
        return None
    return Ratio(numerator, denominator)


class Kind(StrEnum):
    """How a column's cells are written."""

    TEXT = "text"
    COUNT = "count"  # people, accounts: 2.706.950
    RUPIAH = "rupiah"  # Rp1.234.567
    RATIO = "ratio"  # 98,12% (table), "0.9812" (json, csv)
    FLAG = "flag"  # ya / tidak
    MONTH = "month"  # Nov 2023 (table), "2023-11" (json, csv)


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # English snake_case: the JSON key and the CSV header
    header: str | None  # Bahasa Indonesia table header; None: in JSON and CSV only (codes)
    kind: Kind


Cell = str | int | bool | Ratio | Month | None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a report; a subtotal sums the detail rows of its group above it."""

    cells: Mapping[str, Cell]
    subtotal: bool = False

    def __getitem__(self, key: str) -> Cell:
        return self.cells[key]


@dataclass(frozen=True, slots=True)
class Fact:
    """A single figure stated above the table (e.g. the national coverage target)."""

    key: str
    label: str
    kind: Kind
    value: Cell


@dataclass(frozen=True, slots=True)
class Branch:
    code: str
    name: str
    kabkota_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A report as of a day, read from the snapshot of the cycle month `position` (state on its 1st)."""

    name: str  # coverage | activeness | arrears | collectibility
    title: str
    as_of: dt.date
    position: Month
    by: str | None
    branch: Branch | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None
    facts: tuple[Fact, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def detail_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.subtotal)

    def subtotal_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.subtotal)

    def find(self, **match: Cell) -> Row:
        """The one detail row whose cells equal `match` (for callers that pick a line, e.g. one kabupaten)."""
        found = [r for r in self.detail_rows() if all(r.cells.get(k) == v for k, v in match.items())]
        if len(found) != 1:
            raise LookupError(f"{len(found)} rows match {match}")
        return found[0]
