"""A statement against the books: each credit line matched to the payment its reference names (same Rupiah), or
not; and the payments of the statement's channel and days that no line names. Set-based SQL, both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.db.engine import is_postgres
from iuran.db.values import as_date
from iuran.statements.store import Statement


@dataclass(frozen=True)
class Tally:
    count: int
    amount: int


@dataclass(frozen=True)
class Discrepancy:
    kind: str  # missing_in_books | missing_at_bank | amount_mismatch
    reference: str
    day: dt.date
    bank_amount: int | None
    books_amount: int | None
    line_no: int | None
    payment_id: int | None


@dataclass(frozen=True)
class DayTotal:
    day: dt.date
    bank: int
    books: int


@dataclass(frozen=True)
class Reconciliation:
    statement: Statement
    matched: Tally
    missing_in_books: Tally
    missing_at_bank: Tally
    amount_mismatch: Tally
    days: tuple[DayTotal, ...]
    discrepancies: tuple[Discrepancy, ...]

    @property
    def reconciled(self) -> bool:
        return not self.discrepancies


_LINES = "FROM bank_statement_line l LEFT JOIN payment p ON p.reference = l.payment_reference WHERE l.statement_id = :s"


def reconcile(conn: Connection, statement: Statement) -> Reconciliation:
    day = "CAST(p.paid_at AS DATE)" if is_postgres(conn) else "substr(p.paid_at, 1, 10)"
    first, last = statement.first_day, statement.last_day
    params = {
        "s": statement.id,
        "c": statement.channel,
        "from": dt.datetime.combine(first or dt.date.min, dt.time()),
        "to": dt.datetime.combine((last or dt.date.min) + dt.timedelta(days=1), dt.time()),
    }
    at_bank = (
        "FROM payment p WHERE p.channel = :c AND p.paid_at >= :from AND p.paid_at < :to AND NOT EXISTS"
        " (SELECT 1 FROM bank_statement_line l WHERE l.statement_id = :s AND l.payment_reference = p.reference)"
    )
    kinds = (
        ("matched", f"SELECT count(*), COALESCE(sum(l.amount), 0) {_LINES} AND p.amount = l.amount"),
        ("missing_in_books", f"SELECT count(*), COALESCE(sum(l.amount), 0) {_LINES} AND p.id IS NULL"),
        ("amount_mismatch", f"SELECT count(*), COALESCE(sum(l.amount), 0) {_LINES} AND p.amount <> l.amount"),
        ("missing_at_bank", f"SELECT count(*), COALESCE(sum(p.amount), 0) {at_bank}"),
    )
    tallies = {k: Tally(*(int(v) for v in conn.execute(text(sql), params).one())) for k, sql in kinds}
    discrepancies = [
        Discrepancy(str(kind), str(ref), as_date(d), _int(bank), _int(books), _int(line), _int(pid))
        for kind, ref, d, bank, books, line, pid in conn.execute(
            text(
                "SELECT CASE WHEN p.id IS NULL THEN 'missing_in_books' ELSE 'amount_mismatch' END, l.reference,"
                f" l.booked_on, l.amount, p.amount, l.line_no, p.id {_LINES} AND (p.id IS NULL OR p.amount <> l.amount)"
                f" UNION ALL SELECT 'missing_at_bank', p.reference, {day}, NULL, p.amount, NULL, p.id {at_bank}"
                " ORDER BY 3, 2"
            ),
            params,
        )
    ]
    days = conn.execute(
        text(
            "SELECT d, sum(bank), sum(books) FROM ("
            " SELECT l.booked_on AS d, l.amount AS bank, 0 AS books FROM bank_statement_line l"
            "  WHERE l.statement_id = :s"
            f" UNION ALL SELECT {day}, 0, p.amount FROM payment p"
            "  WHERE p.channel = :c AND p.paid_at >= :from AND p.paid_at < :to) t GROUP BY d ORDER BY d"
        ),
        params,
    )
    return Reconciliation(
        statement,
        tallies["matched"],
        tallies["missing_in_books"],
        tallies["missing_at_bank"],
        tallies["amount_mismatch"],
        tuple(DayTotal(as_date(d), int(b), int(k)) for d, b, k in days),
        tuple(discrepancies),
    )


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
