"""Sealed periods (docs/ledger.md, "Periods and seals"): once the cycle of a month has opened its period, every
period before it is closed and sealed, a digest over each of its rows (`iuran.billing.canonical`) chained to the
previous seal.

Corrections after a seal are new rows in the open period (allocations, reversals, write-offs), never edits: a sealed
row that is altered, deleted or added (even with the append-only triggers set aside) changes its table's digest, and
`recompute` names the period and the table. The chain (`chain_problems`) proves no seal was rewritten or left out
without its successors; its head is what an auditor keeps outside the database (`iuran ledger verify` prints it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.billing.canonical import (
    CHUNK,
    TABLES,
    SealedTable,
    TableDigest,
    chunk_digests_of_lines,
    chunks_digest,
    line_sql,
    seal_digest,
)
from iuran.billing.period import OPENING, periods
from iuran.db.engine import is_postgres


@dataclass(frozen=True)
class Seal:
    month: int
    previous: str
    digest: str
    tables: dict[str, TableDigest]


def _tally(conn: Connection, table: SealedTable, period: int) -> tuple[int, int]:
    """The rows of `table` posted in `period` and the sum of their amounts."""
    amount = f"COALESCE(sum({table.amount}), 0)" if table.amount else "0"
    rows, total = conn.execute(
        text(f"SELECT count(*), {amount} FROM {table.name} WHERE {table.period} = :p"), {"p": period}
    ).one()
    return int(rows), int(total)


def table_digest(conn: Connection, table: SealedTable, period: int) -> TableDigest:
    """The rows, amount and digest of one table's rows of `period`, as they are now."""
    p = {"p": period}
    where = f"{table.period} = :p"
    rows, total = _tally(conn, table, period)
    key = ", ".join(table.key)
    if is_postgres(conn):
        # The lines are cut into chunks and each chunk hashed in the server: only 32 bytes a chunk come back.
        chunks = conn.execute(
            text(
                f"SELECT sha256(convert_to(string_agg(line, chr(10) ORDER BY n), 'UTF8')) FROM"
                f" (SELECT {line_sql(table, True)} AS line, row_number() OVER (ORDER BY {key}) - 1 AS n"
                f"  FROM {table.name} WHERE {where}) q GROUP BY n / {CHUNK} ORDER BY n / {CHUNK}"
            ),
            p,
        )
        digest = chunks_digest(bytes(r[0]) for r in chunks)
    else:
        lines = conn.execute(text(f"SELECT {line_sql(table, False)} FROM {table.name} WHERE {where} ORDER BY {key}"), p)
        digest = chunks_digest(chunk_digests_of_lines(r[0] for r in lines))
    return TableDigest(rows, total, digest)


def period_digests(conn: Connection, period: int) -> dict[str, TableDigest]:
    return {t.name: table_digest(conn, t, period) for t in TABLES}


def seals(conn: Connection) -> list[Seal]:
    """Every seal, in order, as stored."""
    tables: dict[int, dict[str, TableDigest]] = {}
    for month, name, rows, amount, digest in conn.execute(
        text("SELECT month, table_name, rows, amount, digest FROM ledger_seal_table")
    ):
        tables.setdefault(int(month), {})[name] = TableDigest(int(rows), int(amount), digest)
    return [
        Seal(int(m), previous, digest, tables.get(int(m), {}))
        for m, previous, digest in conn.execute(text("SELECT month, previous, digest FROM ledger_seal ORDER BY month"))
    ]


def seal_period(conn: Connection, period: int, previous: str, now: dt.datetime) -> Seal:
    tables = period_digests(conn, period)
    digest = seal_digest(period, previous, tables)
    conn.execute(
        text("INSERT INTO ledger_seal (month, previous, digest, sealed_at) VALUES (:m, :p, :d, :t)"),
        {"m": period, "p": previous, "d": digest, "t": now},
    )
    conn.execute(
        text("INSERT INTO ledger_seal_table (month, table_name, rows, amount, digest) VALUES (:m, :n, :r, :a, :d)"),
        [{"m": period, "n": n, "r": d.rows, "a": d.amount, "d": d.digest} for n, d in tables.items()],
    )
    return Seal(period, previous, digest, tables)


def seal_closed(conn: Connection, month: int, now: dt.datetime) -> int:
    """Seal every period before `month` not sealed yet, in order; returns the rows sealed. The cycle runs it once
    `month`'s period is open (`iuran.billing.period.open_month`), beside its bill: no row is posted in a period
    before the open one after that (every writer reads the open period in its own turn on the books,
    `iuran.billing.turns`, and the opening waited for the writers before it)."""
    done = seals(conn)
    previous = done[-1].digest if done else ""
    sealed_months = {s.month for s in done}
    rows = 0
    for period in periods(conn) or [OPENING]:
        if period >= month or period in sealed_months:
            continue
        seal = seal_period(conn, period, previous, now)
        previous = seal.digest
        rows += sum(d.rows for d in seal.tables.values())
    return rows


# --- proofs ----------------------------------------------------------------------------------------------------


def chain_problems(conn: Connection, stored: list[Seal]) -> list[tuple[object, ...]]:
    """Of the seals `stored` (in order), those that do not follow from what they record, or do not chain to the seal
    before them; and the periods left unsealed between them: (month, why)."""
    problems: list[tuple[object, ...]] = []
    previous = ""
    for seal in stored:
        if seal.previous != previous:
            problems.append((seal.month, "previous digest is not the digest of the seal before it"))
        elif set(seal.tables) != {t.name for t in TABLES} or seal.digest != seal_digest(
            seal.month, seal.previous, seal.tables
        ):
            problems.append((seal.month, "digest does not follow from the tables it records"))
        previous = seal.digest
    # Every period before the latest seal is sealed. (Periods a migration found, after the latest seal and before
    # the open one, are sealed by the next cycle.)
    sealed = {s.month for s in stored}
    last = max(sealed, default=None)
    problems += [
        (m, "a period before the latest seal is not sealed")
        for m in periods(conn)
        if last is not None and m < last and m not in sealed
    ]
    return problems


def recompute(conn: Connection, stored: list[Seal]) -> list[tuple[object, ...]]:
    """The tables of the seals `stored` whose rows are not the rows sealed: (month, table, rows sealed, rows now)."""
    problems: list[tuple[object, ...]] = []
    for seal in stored:
        for table in TABLES:
            now = table_digest(conn, table, seal.month)
            was = seal.tables.get(table.name)
            if was != now:
                problems.append((seal.month, table.name, was.rows if was else None, now.rows))
    return problems


def tally_problems(conn: Connection, latest: Seal) -> list[tuple[object, ...]]:
    """The daily proof's check of the latest seal: each table's rows of its period counted and summed again (one
    pass over the period's index or partition, no canonical text, no sort) against what it recorded: a sealed row
    deleted or inserted, or an amount changed. An edit that keeps the count and the amounts is `recompute`'s
    (`--full`). (month, table, rows sealed, rows now)."""
    problems: list[tuple[object, ...]] = []
    for table in TABLES:
        rows, total = _tally(conn, table, latest.month)
        was = latest.tables.get(table.name)
        if was is None or (was.rows, was.amount) != (rows, total):
            problems.append((latest.month, table.name, was.rows if was else None, rows))
    return problems


def rows_outside_periods(conn: Connection, *, full: bool) -> list[tuple[object, ...]]:
    """Rows posted in a period that was never opened: (table, period, rows). Without `full`, only those posted
    after the open period (an index lookup); `full` reads every row's period."""
    opened = periods(conn) or [OPENING]
    problems: list[tuple[object, ...]] = []
    where = f"p.month IS NULL AND t.period <> {OPENING}" if full else f"t.period > {opened[-1]}"
    for table in TABLES:
        if table.period != "period":  # the lines: a month of its own, checked against its charge by verify
            continue
        problems += [
            (table.name, r[0], r[1])
            for r in conn.execute(
                text(
                    f"SELECT t.period, count(*) FROM {table.name} t LEFT JOIN ledger_period p ON p.month = t.period"
                    f" WHERE {where} GROUP BY t.period"
                )
            )
        ]
    return problems
