"""Posting payments: a bank's file (`import_payments`) or one payment (`post_payment`), one settlement.

The contract is docs/ledger.md, "Payments". Either is one transaction, the caller's: the accepted payments, their
allocations and write-offs, the open items and account statuses they change (and for a file the batch row with
every rejection) are written together or not at all. A reference already posted with the same content is a
duplicate (counted, nothing written), so a file imported again, or a payment sent again, changes nothing in the
books. Every line of a file is counted once: accepted + rejected + duplicates = lines.

The lines stream into a working table (PostgreSQL `COPY`, SQLite `executemany`) and everything after that is
set-based SQL (`payments_settle`), for one payment as for a million; no Python loop runs per payment beyond reading
its line. Nothing personal (names, NIK, virtual accounts) is logged or written to the rejection report.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from iuran.billing import late_fee, month_state
from iuran.billing import payments_settle as settle
from iuran.billing.payments_file import (
    ArrearsCap,
    PaymentFileError,
    PaymentLine,
    Rejection,
    file_sha256,
    read_payment,
    read_payment_lines,
)
from iuran.billing.payments_staging import Dialect, create_working_tables, drop_working_tables, stage_lines
from iuran.billing.quote import MonthAmount
from iuran.billing.turns import turn_of_payment
from iuran.db.months import from_db
from iuran.db.values import as_datetime
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import first_payment_window
from iuran.rules.payment_policy import WHOLE_BILL, payers_settling
from iuran.rules.reactivation import arrears_cap
from iuran.rules.rulebook import Rulebook, RuleNotInForce

__all__ = [
    "ImportResult",
    "PaymentFileError",
    "PaymentRejected",
    "PaymentRequest",
    "PostedPayment",
    "Rejection",
    "import_payments",
    "post_payment",
]

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

    @property
    def lines(self) -> int:
        return self.accepted + self.rejected + self.duplicates


def import_payments(
    conn: Connection, source: Path, *, now: dt.datetime, rules: Rulebook, report_path: Path | None = None
) -> ImportResult:
    """Import a payments CSV in the caller's transaction; write the rejected lines to `report_path` if given.

    `now` is the time of the import: it is recorded on the batch, and a payment dated after it is rejected.
    Raises `PaymentFileError` (nothing written) when the file cannot be read as a payments CSV at all.

    Example:
        `import_payments(conn, Path("bank-2024-03-05.csv"), now=datetime(2024, 3, 6, 8, 0), rules=rules)` gives
        `ImportResult(batch_id=12, accepted=9980, rejected=15, duplicates=5, ...)`; the same call again gives
        `accepted=0, rejected=15, duplicates=9985` and leaves the books as they were.
    """
    sha256 = file_sha256(source)
    lines = read_payment_lines(source, now=now, arrears_cap=_arrears_cap(rules))
    d = Dialect.of(conn)
    if d.postgres:
        # Sorts and hashes over a million payments fit in memory; the plans are simple enough not to be worth
        # compiling (this transaction only).
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(text("SET LOCAL jit = off"))
        # The open items and statuses of the accounts paying are in memory: probing them by account is cheaper
        # than hashing every open item of the branch (PostgreSQL's default prices disk seeks).
        conn.execute(text("SET LOCAL random_page_cost = 1.1"))
        # The working tables' statistics need only their size and rough spread: a small sample.
        conn.execute(text("SET LOCAL default_statistics_target = 10"))
    batch_id = _open_batch(conn, source, sha256, now)
    staged, settled = _settle(conn, d, lines, batch_id, now, rules)
    settle.record_rejections(conn, batch_id)
    result = _close_batch(conn, batch_id, now, staged, settled)
    if report_path is not None:
        _write_report(conn, report_path)
    drop_working_tables(conn, d)
    return result


@dataclass(frozen=True)
class PaymentRequest:
    """One payment as a bank or the counter sends it: to a family's virtual account or an account id."""

    reference: str
    amount: int
    paid_at: dt.datetime
    channel: str
    va: str | None = None
    account_id: int | None = None


@dataclass(frozen=True)
class PostedPayment:
    """A payment in the books: what it settled and wrote off, and the account's status after it.

    `duplicate`: the reference was posted before with the same content; this is that first payment's result (what
    it settled and wrote off), with `active` the account's status as it stands now.
    """

    payment_id: int
    reference: str
    account_id: int
    amount: int
    paid_at: dt.datetime
    channel: str
    settled: tuple[MonthAmount, ...]
    written_off: tuple[MonthAmount, ...]
    late_fee: int  # the late fee it paid with its months in arrears (before July 2016, iuran.billing.late_fee)
    credit: int  # what it brought beyond the months it settled, held for the coming months (iuran.billing.credit)
    active: bool
    duplicate: bool


class PaymentRejected(RuleInputError):
    """A single payment the rules do not take; nothing is written. `reason` is the stable `Rejection` code."""

    def __init__(self, reason: str, field: str, detail: str) -> None:
        self.reason = reason
        super().__init__(field, _RULE[Rejection(reason)], detail)


_RULE = {
    Rejection.MISSING_FIELD: "a payment has a reference, a va or an account, an amount, paid_at and a channel",
    Rejection.INVALID_AMOUNT: "an amount is a whole number of Rupiah above 0",
    Rejection.INVALID_DATE: "paid_at is an ISO date-time under the JKN rules, not after now",
    Rejection.DUPLICATE_REFERENCE: "a reference is used for one payment only",
    Rejection.UNKNOWN_ACCOUNT: "a payment goes to a registered family virtual account or account id",
    Rejection.WAITING_PERIOD: "a new family pays for the first time after its waiting period",
    Rejection.NOTHING_DUE: "an employer's or a government's payment settles open months of the account",
    Rejection.AMOUNT_MISMATCH: "the amount is what the payment policy of the account accepts",
}
_FIELD = {
    Rejection.INVALID_AMOUNT: "amount",
    Rejection.INVALID_DATE: "paid_at",
    Rejection.DUPLICATE_REFERENCE: "reference",
    Rejection.UNKNOWN_ACCOUNT: "va",
    Rejection.WAITING_PERIOD: "paid_at",
    Rejection.NOTHING_DUE: "va",
    Rejection.AMOUNT_MISMATCH: "amount",
}


def post_payment(conn: Connection, request: PaymentRequest, *, now: dt.datetime, rules: Rulebook) -> PostedPayment:
    """Post one payment in the caller's transaction, through the same settlement as a file of one line.

    The same reference with the same content again returns the first result and posts nothing; a payment the rules
    refuse raises `PaymentRejected` naming the field and the rule (the caller rolls back: nothing is written).
    """
    fields = (
        request.reference,
        request.va or "",
        "" if request.account_id is None else str(request.account_id),
        str(request.amount),
        request.paid_at.isoformat(sep=" "),
        request.channel,
    )
    line = read_payment(fields, now=now, arrears_cap=_arrears_cap(rules))
    d = Dialect.of(conn, bulk=False)
    _settle(conn, d, (line,), None, now, rules)
    outcome = conn.execute(
        text(
            "SELECT c.outcome, COALESCE(r.reason, c.reason), COALESCE(r.detail, c.detail) FROM payimp_checked c"
            " LEFT JOIN payimp_refused r ON r.line_no = c.line_no"
        )
    ).one()
    drop_working_tables(conn, d)
    if outcome[1] is not None:
        reason, detail = str(outcome[1]), str(outcome[2] or "")
        field = detail.split(":", 1)[0] if reason == Rejection.MISSING_FIELD else _FIELD[Rejection(reason)]
        if field == "va" and request.va is None:  # the payment named an account id (unknown, or nothing open)
            field = "account"
        raise PaymentRejected(reason, field, detail)
    return posted_payment(conn, request.reference, duplicate=outcome[0] == settle.DUPLICATE)


def hold_account(conn: Connection, account_id: int, reference: str) -> None:
    """Take the payment's turn and its locks before reading the account's bill: until the caller's transaction
    ends, no other payment, file or cycle step changes what this account owes, and another notification of the same
    reference waits. SQLite: the transaction already holds the only write lock."""
    turn_of_payment(conn)
    if Dialect.of(conn).postgres:
        settle.lock_one(conn, account_id, reference)


def payment_of_reference(conn: Connection, reference: str) -> PostedPayment | None:
    """The payment posted under `reference` (as a repeat of it would see it), or None."""
    found = conn.execute(text("SELECT 1 FROM payment WHERE reference = :r"), {"r": reference}).first()
    return None if found is None else posted_payment(conn, reference, duplicate=True)


def posted_payment(conn: Connection, reference: str, *, duplicate: bool = False) -> PostedPayment:
    """The payment posted under `reference`, as it stands in the books."""
    p = conn.execute(
        text("SELECT id, account_id, amount, paid_at, channel FROM payment WHERE reference = :r"), {"r": reference}
    ).one()
    months = conn.execute(
        text(
            "SELECT 1, l.month, sum(l.amount) FROM allocation l"
            " JOIN charge c ON c.id = l.charge_id AND c.month = l.month"
            f" WHERE l.payment_id = :p AND c.kind <> '{late_fee.KIND}' GROUP BY l.month"
            " UNION ALL SELECT 0, month, sum(amount) FROM writeoff WHERE payment_id = :p GROUP BY month"
            " ORDER BY 2"
        ),
        {"p": p.id},
    ).all()
    fee = conn.execute(
        text(
            "SELECT COALESCE(sum(l.amount), 0) FROM allocation l"
            " JOIN charge c ON c.id = l.charge_id AND c.month = l.month"
            f" WHERE l.payment_id = :p AND c.kind = '{late_fee.KIND}'"
        ),
        {"p": p.id},
    ).scalar_one()
    active = conn.execute(text("SELECT active FROM account_status WHERE account_id = :a"), {"a": p.account_id})
    return PostedPayment(
        payment_id=int(p.id),
        reference=reference,
        account_id=int(p.account_id),
        amount=int(p.amount),
        paid_at=as_datetime(p.paid_at),
        channel=str(p.channel),
        settled=tuple(MonthAmount(from_db(int(m)), int(a)) for paid, m, a in months if paid),
        late_fee=int(fee),
        credit=int(p.amount) - int(fee) - sum(int(a) for paid, _, a in months if paid),
        written_off=tuple(MonthAmount(from_db(int(m)), int(a)) for paid, m, a in months if not paid),
        active=bool(active.scalar()),
        duplicate=duplicate,
    )


def _settle(
    conn: Connection,
    d: Dialect,
    lines: Iterable[PaymentLine],
    batch_id: int | None,
    now: dt.datetime,
    rules: Rulebook,
) -> tuple[int, settle.Settled]:
    """Stage the lines and settle them, round after round; the working tables stay for the caller to read."""
    turn_of_payment(conn)  # first, before any other lock: the cycle's steps and the payments take turns
    create_working_tables(conn, d)
    staged = stage_lines(conn, d, lines)
    settle.lock_books(conn, d, staged)
    rounds = settle.classify(conn, d, payers_settling(WHOLE_BILL, now.date(), rules))
    settle.load_waiting_periods(conn, _first_payment_day(rules))
    settled = settle.Settled()
    for r in range(1, rounds + 1):
        settled += settle.settle_round(conn, d, r, batch_id, rules)
    # A payment dated before the 1st of a month whose state is written (a late file) changes that month.
    month_state.absorb(conn, settled.earliest, now, rules)
    return staged, settled


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
    return lambda day: arrears_cap(day, rules)


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
    conn: Connection, batch_id: int, now: dt.datetime, staged: int, settled: settle.Settled
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
    )
