"""PostgreSQL keeps the charge lines in one partition per month (migration 0015): a month's lines and their index
are its own, whatever the years of history beside them. SQLite keeps one plain table."""

from __future__ import annotations

from sqlalchemy import Connection, text

from iuran.db.engine import is_postgres


def line_partition(month: int) -> str:
    return f"charge_line_{month}"


def ensure_line_partition(conn: Connection, month: int) -> None:
    """The partition of `month`'s charge lines, created (append-only, as the rest) when it is not there yet."""
    if not is_postgres(conn):
        return
    name = line_partition(month)
    if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None:
        return
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF charge_line FOR VALUES FROM ({month}) TO ({month + 1})"))
    conn.execute(
        text(
            f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
    )
