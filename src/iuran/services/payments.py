"""Use cases: a bank's payments file, and one payment (at the counter, or a bank's call).

Both settle through `iuran.billing.payments` in one transaction of the unit of work, at its time and under its
rules; a file's rejections report appears only once the books are committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iuran.billing import payments
from iuran.billing.payments import ImportResult, PaymentRejected, PaymentRequest, PostedPayment
from iuran.rules.errors import RuleInputError
from iuran.services.unit_of_work import UnitOfWork

__all__ = [
    "ImportResult",
    "Imported",
    "PaymentRejected",
    "PaymentRequest",
    "PostedPayment",
    "import_payments",
    "post_payment",
]


@dataclass(frozen=True)
class Imported:
    result: ImportResult
    report_path: Path | None


def import_payments(uow: UnitOfWork, source: Path, *, report_path: Path | None = None) -> Imported:
    """Import a bank's payments CSV, all or nothing; importing it again changes nothing in the books."""
    if report_path is not None:
        _check_report_path(report_path, source)
    partial = report_path.with_name(report_path.name + ".partial") if report_path is not None else None
    try:
        result = payments.import_payments(uow.conn, source, now=uow.now, rules=uow.rules, report_path=partial)
        uow.commit()
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    if partial is not None and report_path is not None:
        partial.replace(report_path)  # the report appears only once the books are committed
    return Imported(result, report_path)


def _check_report_path(report_path: Path, source: Path) -> None:
    """Before anything is posted: the rejections report can be written, and not over the bank's file."""
    if not report_path.parent.is_dir():
        raise RuleInputError("report", "the folder of the rejections report must exist", str(report_path.parent))
    if report_path.is_dir():
        raise RuleInputError("report", "the rejections report is a file, not a folder", str(report_path))
    if report_path.exists() and source.exists() and report_path.samefile(source):
        raise RuleInputError(
            "report", "the rejections report is a file of its own, never the bank's file", str(report_path)
        )


def post_payment(uow: UnitOfWork, request: PaymentRequest) -> PostedPayment:
    """Post one payment; the same reference again returns the first result. Raises `PaymentRejected`."""
    posted = payments.post_payment(uow.conn, request, now=uow.now, rules=uow.rules)
    uow.commit()
    return posted
