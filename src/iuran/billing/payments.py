"""Importing a payments file from banks and payment points: `import_payments`.

The contract is docs/ledger.md, "Payments". A whole file is one transaction: the accepted payments, their
allocations and write-offs, the open items and account statuses they change, and the batch row with every
rejection are written together or not at all. A reference already imported with the same content is a duplicate
(counted, nothing written), so importing the same file again changes nothing in the books. Every line is counted
once: accepted + rejected + duplicates = lines.

The file streams into a working table (PostgreSQL `COPY`, SQLite `executemany`) and everything after that is
set-based SQL (`payments_settle`); no Python loop runs per payment beyond reading its line.
Nothing personal (names, NIK, virtual accounts) is logged or written to the rejection report.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from iuran.billing import payments_settle as settle
from iuran.billing.payments_file import ArrearsCap, PaymentFileError, Rejection, file_sha256, read_payment_lines
from iuran.billing.payments_staging import Dialect, create_working_tables, drop_working_tables, stage_lines
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import first_payment_window
from iuran.rules.rulebook import Rulebook, RuleNotInForce, default_rulebook, in_force

__all__ = ["ImportResult", "PaymentFileError", "Rejection", "import_payments"]

REPORT_COLUMNS = ("line", "reference", "reason", "detail")


class ImportCountMismatch(RuntimeError):
    """The import would count a line twice or lose one; it is rolled back."""


@dataclass(frozen=True)
class ImportResult:
    """What one import did. `rejections` counts the rejected lines by reason code."""

    batch_id: int
    accepted: int
    rejected: int
    duplicates: int
    amount_accepted: int
    amount_written_off: int
    rejections: tuple[tuple[str, int], ...]
    report_path: Path | None

    @property
    def lines(self) -> int:
        return self.accepted + self.rejected + self.duplicates


def import_payments(
    engine: Engine,
    source: Path,
    *,
    now: dt.datetime,
    report_path: Path | None = None,
    rules: Rulebook | None = None,
) -> ImportResult:
    """Import a payments CSV in one transaction; write the rejections report if `report_path` is given.

    `now` is the time of the import: it is recorded on the batch, and a payment dated after it is rejected.
    Raises `PaymentFileError` (nothing written) when the file cannot be read as a payments CSV at all.

    Example:
        `import_payments(engine, Path("bank-2024-03-05.csv"), now=datetime(2024, 3, 6, 8, 0))` gives
        `ImportResult(batch_id=12, accepted=9980, rejected=15, duplicates=5, ...)`; the same call again gives
        `accepted=0, rejected=15, duplicates=9985` and leaves the books as they were.
    """
    rb = rules or default_rulebook()
    if report_path is not None and not report_path.parent.is_dir():
        raise RuleInputError("report", "the folder of the rejections report must exist", str(report_path.parent))
    sha256 = file_sha256(source)
    lines = read_payment_lines(source, now=now, arrears_cap=_arrears_cap(rb))
    partial = report_path.with_name(report_path.name + ".partial") if report_path is not None else None
    try:
        with engine.begin() as conn:
            d = Dialect.of(conn)
            if d.postgres:
                # Sorts and hashes over a million payments fit in memory; the plans are simple enough not to be
                # worth compiling (this transaction only).
                conn.execute(text("SET LOCAL work_mem = '256MB'"))
                conn.execute(text("SET LOCAL jit = off"))
                # The open items and statuses of the accounts paying are in memory: probing them by account is
                # cheaper than hashing every open item of the branch (PostgreSQL's default prices disk seeks).
                conn.execute(text("SET LOCAL random_page_cost = 1.1"))
                # The working tables' statistics need only their size and rough spread: a small sample.
                conn.execute(text("SET LOCAL default_statistics_target = 10"))
            batch_id = _open_batch(conn, source, sha256, now)
            create_working_tables(conn, d)
            staged = stage_lines(conn, d, lines)
            settle.lock_books(conn, d)
            rounds = settle.classify(conn, d)
            settle.load_waiting_periods(conn, _first_payment_day(rb))
            settled = settle.Settled()
            for r in range(1, rounds + 1):
                settled += settle.settle_round(conn, d, r, batch_id)
            settle.record_rejections(conn, batch_id)
            result = _close_batch(conn, batch_id, now, staged, settled, report_path)
            if partial is not None:
                _write_report(conn, partial)
            drop_working_tables(conn, d)
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    if partial is not None and report_path is not None:
        # The report appears only once the books are committed.
        partial.replace(report_path)
    return result


def _write_report(conn: Connection, path: Path) -> None:
    """The rejected lines as CSV (`line,reference,reason,detail`), in file order; nothing personal in it."""
    rows = conn.execution_options(yield_per=10_000).execute(
        text(f"SELECT line_no, reference, reason, detail FROM ({settle.REJECTED_LINES}) r ORDER BY line_no")
    )
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(REPORT_COLUMNS)
        out.writerows(rows)


def _arrears_cap(rules: Rulebook) -> ArrearsCap:
    def cap(day: dt.date) -> int | None:
        # The rule behind iuran.rules.reactivation.billable_arrears; in the rulebook 0 means no cap.
        return in_force(rules.reactivation, day, "reactivation").max_months_in_arrears or None

    return cap


def _first_payment_day(rules: Rulebook) -> settle.FirstPaymentDay:
    def first_day(opened_on: dt.date) -> dt.date | None:
        try:
            return first_payment_window(opened_on, rules)[0]
        except RuleNotInForce:  # registered before the rule existed: no waiting period to keep
            return None

    return first_day


def _open_batch(conn: Connection, source: Path, sha256: str, now: dt.datetime) -> int:
    return int(
        conn.execute(
            text("INSERT INTO import_batch (filename, sha256, started_at) VALUES (:f, :s, :t) RETURNING id"),
            {"f": source.name[:400], "s": sha256, "t": now},
        ).scalar_one()
    )


def _close_batch(
    conn: Connection,
    batch_id: int,
    now: dt.datetime,
    staged: int,
    settled: settle.Settled,
    report_path: Path | None,
) -> ImportResult:
    accepted = settled.payments
    by_reason = tuple(
        (str(reason), int(n))
        for reason, n in conn.execute(
            text(f"SELECT reason, count(*) FROM ({settle.REJECTED_LINES}) r GROUP BY reason ORDER BY reason")
        )
    )
    rejected = sum(n for _, n in by_reason)
    duplicates = int(
        conn.execute(text(f"SELECT count(*) FROM payimp_checked WHERE outcome = '{settle.DUPLICATE}'")).scalar_one()
    )
    # Nothing lost, nothing counted twice.
    if accepted + rejected + duplicates != staged:
        raise ImportCountMismatch(
            f"lines: {staged} read but {accepted} accepted + {rejected} rejected + {duplicates} duplicates"
        )
    conn.execute(
        text("UPDATE import_batch SET finished_at = :t, accepted = :a, rejected = :r, duplicates = :d WHERE id = :b"),
        {"t": now, "a": accepted, "r": rejected, "d": duplicates, "b": batch_id},
    )
    return ImportResult(
        batch_id=batch_id,
        accepted=accepted,
        rejected=rejected,
        duplicates=duplicates,
        amount_accepted=settled.amount,
        amount_written_off=settled.written_off,
        rejections=by_reason,
        report_path=report_path,
    )
