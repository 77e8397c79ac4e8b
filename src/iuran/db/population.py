"""Which population figures describe a day: the Dukcapil release (semester) loaded in the `population` table.

Dukcapil publishes the population twice a year, for the end of each semester (30 June, 31 December). A figure
for a day is read from the latest release whose semester ended on or before that day; when every release loaded
is later than the day (iuran packages only semester II 2024), the earliest one is used and `after_day` says so,
for the report to note it. Coverage reports and synthetic branches read the population through here, so that a
branch built for a day and a report of that day divide by the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

from iuran.db.values import as_date, as_int


@dataclass(frozen=True)
class PopulationRelease:
    source: str  # as in `population.source`: who published it and how it came here
    semester: str  # e.g. "semester II 2024"
    as_of: dt.date  # the day the figures describe: the semester's last day
    after_day: bool = False  # every release loaded describes a later day than the one asked for

    def describes(self, day: dt.date) -> bool:
        return self.as_of <= day


_RELEASES_SQL = """
SELECT r.source, r.semester, r.as_of FROM population_release r
WHERE EXISTS (SELECT 1 FROM population p WHERE p.source = r.source)
ORDER BY r.as_of, r.source
"""


def population_release(conn: Connection, day: dt.date) -> PopulationRelease | None:
    """The release for `day`: the latest one at or before it, else the earliest (marked `after_day`); None if the
    database holds no population figures.

    Example:
        >>> release = population_release(conn, dt.date(2023, 11, 1))  # doctest: +SKIP
        >>> release.semester, release.as_of, release.after_day  # doctest: +SKIP
        ('semester II 2024', datetime.date(2024, 12, 31), True)
    """
    releases = [
        PopulationRelease(str(source), str(semester), as_date(as_of))
        for source, semester, as_of in conn.execute(text(_RELEASES_SQL))
    ]
    return choose_release(releases, day)


def choose_release(releases: Collection[PopulationRelease], day: dt.date) -> PopulationRelease | None:
    """The latest release describing a day at or before `day`, else the earliest one, marked `after_day`.

    Example:
        >>> june = PopulationRelease("a", "semester I 2024", dt.date(2024, 6, 30))
        >>> dec = PopulationRelease("b", "semester II 2024", dt.date(2024, 12, 31))
        >>> choose_release([june, dec], dt.date(2024, 11, 1)).source
        'a'
        >>> found = choose_release([june, dec], dt.date(2023, 11, 1))
        >>> found.source, found.after_day
        ('a', True)
    """
    ordered = sorted(releases, key=lambda r: (r.as_of, r.source))
    if not ordered:
        return None
    earlier = [r for r in ordered if r.describes(day)]
    if earlier:
        return earlier[-1]
    first = ordered[0]
    return PopulationRelease(first.source, first.semester, first.as_of, after_day=True)


def population_totals(conn: Connection, release: PopulationRelease, codes: Collection[str]) -> dict[str, int]:
    """The total population of each region code of the release (those it has)."""
    rows = conn.execute(
        text("SELECT code, total FROM population WHERE source = :source AND code IN :codes").bindparams(
            bindparam("codes", expanding=True)
        ),
        {"source": release.source, "codes": list(codes)},
    )
    return {str(code): as_int(total) for code, total in rows}
