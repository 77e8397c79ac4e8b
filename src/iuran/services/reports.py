"""Use case: a report of the branch (coverage, activeness, arrears, collectibility) on a date, read-only."""

from __future__ import annotations

import datetime as dt

from iuran.db.columns import check_text
from iuran.reports import build_report
from iuran.reports.model import Report
from iuran.services.unit_of_work import UnitOfWork


def report(
    uow: UnitOfWork, name: str, as_of: dt.date, *, by: str | None = None, branch: str | None = None, **options: object
) -> Report:
    """The report `name` as of `as_of` (never the clock), every query over one snapshot of the books."""
    code = None if branch is None else check_text("branch", branch, "branch.code")
    return build_report(uow.conn, name, as_of, by=by, branch=code, **options)
