"""PostgreSQL keeps the charges and the charge lines in one partition per month (migration 0015): a month's rows
and their indexes are its own, whatever the years of history beside them. SQLite keeps plain tables.

Each table has a default partition for rows of a month without one (tests, charges of odd months); a month whose
rows are already there keeps them there (creating its partition would have to move them: the books never move).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from iuran.db.engine import is_postgres

# The tables partitioned by month, each by its column `month`.
BY_MONTH = ("charge", "charge_line")


def partition_name(table: str, month: int) -> str:
    return f"{table}_{month}"


def ensure_month_partition(conn: Connection, table: str, month: int) -> None:
    """The partition of `table`'s rows of `month`, created (append-only, as the rest) when it is not there yet."""
    if not is_postgres(conn):
        return
    name = partition_name(table, month)
    if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None:
        return
    waiting = text(f"SELECT 1 FROM {table}_default WHERE month = :m LIMIT 1")
    if conn.execute(waiting, {"m": month}).first() is not None:
        return
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ({month}) TO ({month + 1})"))
    conn.execute(
        text(
            f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )
    )


def month_table(conn: Connection, table: str, month: int) -> str:
    """Where `table`'s rows of `month` are: their partition on PostgreSQL when it is there, else the table (for
    statistics of a month's new rows, which need not sample every month before it)."""
    if not is_postgres(conn):
        return table
    name = partition_name(table, month)
    return name if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None else table
