"""Use cases of the books' proof: verify them (`iuran ledger verify`), in one consistent read; export a sealed month
and verify exported months (`iuran ledger export`, `iuran ledger verify --archive`)."""

from __future__ import annotations

from pathlib import Path

from iuran.billing.archive import Exported, export_month, verify_archive
from iuran.billing.ledger import Verification, verify
from iuran.db.months import to_db
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork


def verify_books(uow: UnitOfWork, *, full: bool = False) -> Verification:
    """The daily proof of `iuran.billing.ledger.verify` (or, `full`, every row and every seal) over one snapshot of
    the books; writes nothing."""
    return verify(uow.conn, uow.rules, full=full)


def export_sealed_month(uow: UnitOfWork, month: Month | None, directory: Path) -> Exported:
    """Write a sealed month (None: the opening period) as Parquet with its seal; writes nothing to the books."""
    return export_month(uow.conn, 0 if month is None else to_db(month), directory)


def verify_exported(uow: UnitOfWork, directory: Path) -> dict[str, list[tuple[object, ...]]]:
    """The exported months under `directory` from their files and against the books' seals (an auditor without the
    database runs docs/audit.md's script instead)."""
    return verify_archive(directory, uow.conn)
