"""Reports: coverage (cakupan), activeness (keaktifan), arrears (tunggakan) and collectibility (kolektibilitas).

Each report is a pure function of the database and `as_of` (never the clock): it reads the snapshot of the
latest cycle month ≤ month(as_of) and aggregates in SQL. `render(report, fmt)` writes it as a table for people,
or as JSON or CSV for machines.

Example:
    >>> with engine.connect() as conn:  # doctest: +SKIP
    ...     print(render(coverage_report(conn, dt.date(2023, 11, 1)), "table"))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection

from iuran.reports.activeness import activeness_report
from iuran.reports.arrears import arrears_report
from iuran.reports.collectibility import collectibility_report
from iuran.reports.coverage import coverage_report
from iuran.reports.credit import credit_report
from iuran.reports.model import Column, Fact, Kind, Ratio, Report, Row
from iuran.reports.rendering import FORMATS, render
from iuran.reports.scope import NoCycle, snapshot_month
from iuran.rules.errors import RuleInputError

ReportFunction = Callable[..., Report]

REPORTS: dict[str, ReportFunction] = {
    "coverage": coverage_report,
    "activeness": activeness_report,
    "arrears": arrears_report,
    "collectibility": collectibility_report,
    "credit": credit_report,
}


def build_report(
    conn: Connection, name: str, as_of: dt.date, by: str | None = None, branch: str | None = None, **options: object
) -> Report:
    """The report called `name`; `by` None gives that report's default breakdown; `options` go to that report
    (e.g. `population_scale` for coverage)."""
    if name not in REPORTS:
        raise RuleInputError("report", "one of " + ", ".join(REPORTS), f"got {name!r}")
    kwargs: dict[str, object] = {"branch": branch, **options}
    if by is not None:
        kwargs["by"] = by
    return REPORTS[name](conn, as_of, **kwargs)


__all__ = [
    "FORMATS",
    "REPORTS",
    "Column",
    "Fact",
    "Kind",
    "NoCycle",
    "Ratio",
    "Report",
    "Row",
    "activeness_report",
    "arrears_report",
    "build_report",
    "collectibility_report",
    "coverage_report",
    "credit_report",
    "render",
    "snapshot_month",
]
