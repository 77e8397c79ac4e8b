"""A statement kept once: its lines written in the transaction of the import, under its SHA-256; importing the same
file again finds it and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Connection, text

from iuran.db.values import as_date
from iuran.statements.lines import StatementLine

BATCH = 10_000


@dataclass(frozen=True)
class Statement:
    id: int
    format: str
    filename: str
    channel: str
    first_day: dt.date | None
    last_day: dt.date | None
    lines: int
    new: bool  # written by this import (False: imported before)


def _statement(conn: Connection, sha256: str, *, new: bool) -> Statement | None:
    row = conn.execute(
        text("SELECT id, format, filename, channel, first_day, last_day, lines FROM bank_statement WHERE sha256 = :s"),
        {"s": sha256},
    ).first()
    if row is None:
        return None
    return Statement(
        int(row.id),
        str(row.format),
        str(row.filename),
        str(row.channel),
        as_date(row.first_day) if row.first_day is not None else None,
        as_date(row.last_day) if row.last_day is not None else None,
        int(row.lines),
        new,
    )


def keep_statement(
    conn: Connection,
    *,
    sha256: str,
    format: str,
    filename: str,
    channel: str,
    lines: Iterable[StatementLine],
    payment_reference: Callable[[str], str],
    now: dt.datetime,
) -> Statement:
    """The statement of `sha256`: found, or written with its lines (each with the reference of the payment it
    names in the books, `payment_reference` of the bank's)."""
    known = _statement(conn, sha256, new=False)
    if known is not None:
        return known
    statement_id = int(
        conn.execute(
            text(
                "INSERT INTO bank_statement (sha256, format, filename, channel, lines, imported_at)"
                " VALUES (:s, :f, :n, :c, 0, :t) RETURNING id"
            ),
            {"s": sha256, "f": format, "n": filename[:400], "c": channel, "t": now},
        ).scalar_one()
    )
    insert = text(
        "INSERT INTO bank_statement_line (statement_id, line_no, booked_on, amount, reference, payment_reference)"
        " VALUES (:s, :n, :d, :a, :r, :p)"
    )
    it = iter(lines)
    while batch := list(islice(it, BATCH)):
        conn.execute(
            insert,
            [
                {
                    "s": statement_id,
                    "n": line.line_no,
                    "d": line.booked_on,
                    "a": line.amount,
                    "r": line.reference,
                    "p": payment_reference(line.reference),
                }
                for line in batch
            ],
        )
    conn.execute(
        text(
            "UPDATE bank_statement SET (lines, first_day, last_day) ="
            " (SELECT count(*), min(booked_on), max(booked_on) FROM bank_statement_line WHERE statement_id = :s)"
            " WHERE id = :s"
        ),
        {"s": statement_id},
    )
    found = _statement(conn, sha256, new=True)
    assert found is not None
    return found
