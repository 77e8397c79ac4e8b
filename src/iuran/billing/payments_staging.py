"""The working tables of a payments settlement and the load of the payments into them.

The tables are temporary, private to the connection. A bank's file (`bulk`) gets them new and drops them at the
end (PostgreSQL: at commit or rollback); one payment (a bank's call, the counter) keeps them on its pooled
connection and empties them before use, because creating eight tables costs more than the payment itself.
PostgreSQL receives the lines with `COPY ... FROM STDIN`; SQLite with `executemany` in chunks. Either way a file
streams through: only one chunk of lines is in memory at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Connection, text

from iuran.billing.payments_file import PaymentLine
from iuran.db.engine import is_postgres

CHUNK = 20_000


@dataclass(frozen=True)
class Dialect:
    """What differs between PostgreSQL and SQLite in the import's SQL."""

    postgres: bool
    bulk: bool = True  # a file, up to millions of payments; False: a payment or a few

    @classmethod
    def of(cls, conn: Connection, *, bulk: bool = True) -> Dialect:
        return cls(is_postgres(conn), bulk)

    @property
    def timestamp(self) -> str:
        # SQLite keeps date-times as text in SQLAlchemy's format, so the ORM reads back what the import wrote.
        return "TIMESTAMP" if self.postgres else "TEXT"

    @property
    def date(self) -> str:
        return "DATE" if self.postgres else "TEXT"

    @property
    def boolean(self) -> str:
        return "BOOLEAN" if self.postgres else "INTEGER"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.postgres else f"MAX({a}, {b})"

    def date_literal(self, day: dt.date) -> str:
        """A date as an SQL literal that compares with the date columns."""
        return f"DATE '{day.isoformat()}'" if self.postgres else f"'{day.isoformat()}'"

    def from_until(self, day: str, since: dt.date, until: dt.date | None) -> str:
        """`day` (an SQL date) is on or after `since` and, when given, before `until`: a rule's days in force."""
        later = f" AND {day} < {self.date_literal(until)}" if until else ""
        return f"{day} >= {self.date_literal(since)}{later}"

    def day_of_month(self, day: str) -> str:
        """The day of the month of a date column, as an integer."""
        return f"EXTRACT(DAY FROM {day})" if self.postgres else f"CAST(strftime('%d', {day}) AS INTEGER)"

    def among(self, column: str, select: str) -> str:
        """`column` is one of the values `select` returns. PostgreSQL: an array, so that the big table is probed
        by its index for those values only (a join would hash every row of it); SQLite probes by index anyway."""
        if self.postgres:
            return f"{column} = ANY(ARRAY({select}))"
        return f"{column} IN ({select})"

    def same_time(self, a: str, b: str) -> str:
        """Two date-times are the same instant (SQLite: whatever text format each was written in)."""
        if self.postgres:
            return f"{a} = {b}"
        return f"strftime('%Y-%m-%d %H:%M:%f', {a}) = strftime('%Y-%m-%d %H:%M:%f', {b})"

    def create_temp(self, conn: Connection, name: str, columns: str) -> None:
        if not self.postgres:
            conn.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))
            conn.execute(text(f"CREATE TEMPORARY TABLE {name} ({columns})"))
        elif self.bulk:
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))  # one a payment left on this connection
            conn.execute(text(f"CREATE TEMPORARY TABLE {name} ({columns}) ON COMMIT DROP"))
        else:
            conn.execute(text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns})"))
            self.empty(conn, name)

    def empty(self, conn: Connection, name: str) -> None:
        """A bulk table is truncated; a payment's few rows are deleted (cheaper than a TRUNCATE of a temporary
        table, whose dead rows `stage_lines` clears from time to time)."""
        conn.execute(text(f"TRUNCATE {name}" if self.postgres and self.bulk else f"DELETE FROM {name}"))

    def analyze(self, conn: Connection, name: str) -> None:
        """Give PostgreSQL's planner the size of a working table of a file (autovacuum never analyzes temporary
        ones); a payment's few rows need no statistics."""
        if self.postgres and self.bulk:
            conn.execute(text(f"ANALYZE {name}"))


# Every line of the file, as read: rejected lines carry their reason already.
STAGE_COLUMNS = (
    "line_no",
    "reference",
    "va",
    "account_ref",
    "amount",
    "paid_at",
    "paid_on",
    "paid_month",
    "arrears_cap",
    "channel",
    "reason",
    "detail",
)
# Their PostgreSQL types, as `payimp_line` declares them (for the binary COPY).
STAGE_TYPES = ("int4", "text", "text", "int8", "int8", "timestamp", "date", "int4", "int4", "text", "text", "text")


def create_working_tables(conn: Connection, d: Dialect) -> None:
    d.create_temp(
        conn,
        "payimp_line",
        "line_no INTEGER PRIMARY KEY, reference TEXT, va TEXT, account_ref BIGINT, amount BIGINT,"
        f" paid_at {d.timestamp}, paid_on {d.date}, paid_month INTEGER, arrears_cap INTEGER, channel TEXT,"
        " reason TEXT, detail TEXT",
    )
    # Each line classified: 'duplicate', 'rejected' (with reason) or 'pending'; a pending line's round is its
    # rank among the account's payments in this file by (paid_at, line). `whole_bill` is the account's payment
    # policy (1: the whole bill of the day, 0: the oldest whole months). A family not yet activated carries the
    # day it registered (its waiting period runs from it).
    d.create_temp(
        conn,
        "payimp_checked",
        "line_no INTEGER PRIMARY KEY, reference TEXT, account_id BIGINT, kind TEXT, whole_bill INTEGER,"
        f" amount BIGINT, paid_at {d.timestamp}, paid_on {d.date}, paid_month INTEGER, arrears_cap INTEGER,"
        f" channel TEXT, outcome TEXT NOT NULL, reason TEXT, detail TEXT, round INTEGER, new_family_since {d.date}",
    )
    # First payment day of new PBPU families by registration day (Peraturan BPJS Kesehatan 1/2015).
    d.create_temp(
        conn, "payimp_window", f"opened_on {d.date} PRIMARY KEY, first_day {d.date} NOT NULL, first_day_text TEXT"
    )
    # The open items a round's payments meet: what each would settle or write off.
    d.create_temp(
        conn,
        "payimp_due",
        "line_no INTEGER NOT NULL, charge_id BIGINT NOT NULL, account_id BIGINT NOT NULL, month INTEGER NOT NULL,"
        " amount_open BIGINT NOT NULL, amount BIGINT NOT NULL, writes_off INTEGER NOT NULL, cum BIGINT NOT NULL",
    )
    if not d.postgres:
        # SQLite joins by nested loops: it needs the index that PostgreSQL's hash joins do without.
        conn.execute(text("CREATE INDEX temp.payimp_due_line ON payimp_due (line_no)"))
    # The payments of the round made by new families before their first payment day.
    d.create_temp(conn, "payimp_waiting", "line_no INTEGER PRIMARY KEY, first_day_text TEXT NOT NULL")
    # The decision on each payment of the round; accepted ones carry their payment id.
    d.create_temp(
        conn,
        "payimp_round",
        "line_no INTEGER PRIMARY KEY, account_id BIGINT NOT NULL, kind TEXT NOT NULL, whole_bill INTEGER NOT NULL,"
        " reference TEXT NOT NULL,"
        f" amount BIGINT NOT NULL, paid_at {d.timestamp} NOT NULL, paid_on {d.date} NOT NULL,"
        " paid_month INTEGER NOT NULL, channel TEXT NOT NULL, arrears_cap INTEGER, reason TEXT, detail TEXT,"
        " payment_id BIGINT, bill BIGINT NOT NULL, late_fee BIGINT NOT NULL,"
        # the status month (the later of the cycle's and the payment's) and the status before the payment
        f" written_off BIGINT NOT NULL, ref_month INTEGER NOT NULL, was_active {d.boolean} NOT NULL,"
        " has_status INTEGER NOT NULL, months_before INTEGER, arrears_before BIGINT, unpaid_before INTEGER,"
        " as_of_before INTEGER",
    )
    # The payments refused in their round, round after round.
    d.create_temp(
        conn, "payimp_refused", "line_no INTEGER PRIMARY KEY, reference TEXT, reason TEXT NOT NULL, detail TEXT"
    )
    # The accounts a round's accepted payments settled whose state after it differs from the stored status (or
    # that have none yet), with that state.
    d.create_temp(
        conn,
        "payimp_settled",
        f"account_id BIGINT PRIMARY KEY, paid_on {d.date} NOT NULL, ref_month INTEGER NOT NULL,"
        f" has_status INTEGER NOT NULL, active {d.boolean} NOT NULL, months_in_arrears INTEGER NOT NULL,"
        " arrears_amount BIGINT NOT NULL, unpaid_since INTEGER",
    )


WORKING_TABLES = (
    "payimp_line",
    "payimp_checked",
    "payimp_window",
    "payimp_due",
    "payimp_waiting",
    "payimp_round",
    "payimp_refused",
    "payimp_settled",
)


# Payments between two truncations of a connection's kept working tables (their deleted rows, never vacuumed).
TRUNCATE_EVERY = 100


def drop_working_tables(conn: Connection, d: Dialect) -> None:
    """A file's working tables go (PostgreSQL drops them at commit); a payment's stay for the next one, truncated
    from time to time so that the rows deleted before each payment do not pile up."""
    if not d.postgres:
        for name in WORKING_TABLES:
            conn.execute(text(f"DROP TABLE temp.{name}"))
    elif not d.bulk:
        info = conn.connection.info
        info["payimp_uses"] = info.get("payimp_uses", 0) + 1
        if info["payimp_uses"] % TRUNCATE_EVERY == 0:
            conn.execute(text(f"TRUNCATE {', '.join(WORKING_TABLES)}"))


def stage_lines(conn: Connection, d: Dialect, lines: Iterable[PaymentLine]) -> int:
    """Load every line of the file into `payimp_line`; returns how many lines there were."""
    n = 0
    raw = conn.connection.driver_connection
    assert raw is not None, "a live database connection"
    if d.postgres:
        # Binary COPY: the values go as they are typed, without formatting each one as text (half the time).
        columns = ", ".join(STAGE_COLUMNS)
        with raw.cursor() as cur, cur.copy(f"COPY payimp_line ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(STAGE_TYPES))
            for line in lines:
                copy.write_row(line)
                n += 1
    else:
        placeholders = ", ".join("?" for _ in STAGE_COLUMNS)
        cur = raw.cursor()
        try:
            for chunk in _chunks((_sqlite_row(line) for line in lines), CHUNK):
                cur.executemany(f"INSERT INTO payimp_line VALUES ({placeholders})", chunk)
                n += len(chunk)
        finally:
            cur.close()
    d.analyze(conn, "payimp_line")
    return n


def _sqlite_row(line: PaymentLine) -> tuple[object, ...]:
    if line.paid_at is None or line.paid_on is None:
        return tuple(line)
    # SQLAlchemy's SQLite DateTime storage format, with microseconds; dates as ISO text.
    paid_at, paid_on = line.paid_at.isoformat(" ", "microseconds"), line.paid_on.isoformat()
    return (*line[:5], paid_at, paid_on, *line[7:])


def _chunks(rows: Iterator[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    while chunk := list(islice(rows, size)):
        yield chunk
