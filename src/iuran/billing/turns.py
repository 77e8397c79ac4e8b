"""The monthly cycle's steps and the payments take turns on the books (docs/ledger.md, "Concurrency").

A step of the cycle reads and rewrites state every payment touches (open items, statuses, the month's derived
state); a payment settles open items and moves statuses. Were they to overlap, a step could see half of a file's
payments and the result would be no serial order at all. So on PostgreSQL each takes the lock of `books_gate` (an
empty table) for its transaction: a step in SHARE mode, a payment in ROW EXCLUSIVE mode. Steps side by side share
it, payments side by side share it, and a step and a payment exclude each other: a payment waits for the running
step, a step for the running payments. Each takes it first, before any other lock, so that neither waits holding
something the other needs.

SQLite has one writer at a time: every transaction that writes began with BEGIN IMMEDIATE, which is the turn.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from iuran.db.engine import is_postgres


def turn_of_step(conn: Connection) -> None:
    """Wait for the payments being posted; keep new ones out until this transaction ends."""
    if is_postgres(conn):
        conn.execute(text("LOCK TABLE books_gate IN SHARE MODE"))


def turn_of_payment(conn: Connection) -> None:
    """Wait for the cycle's running step; keep the next one out until this transaction ends."""
    if is_postgres(conn):
        conn.execute(text("LOCK TABLE books_gate IN ROW EXCLUSIVE MODE"))
