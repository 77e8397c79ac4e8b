"""Database connection: `IURAN_DATABASE_URL` names PostgreSQL in production; SQLite file otherwise."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

DEFAULT_SQLITE = Path("var") / "iuran.sqlite"
# Execution option of a connection that only reads: on SQLite its transactions begin DEFERRED (no write lock).
READ_ONLY = "iuran_read_only"


def database_url(url: str | None = None) -> str:
    """The URL in use: the argument, else `IURAN_DATABASE_URL`, else the embedded SQLite file."""
    if url:
        return url
    env = os.environ.get("IURAN_DATABASE_URL")
    if env:
        return env
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        # `BEGIN` is issued here so that a whole step is one transaction; a writer takes the write lock at once
        # (IMMEDIATE), a reader takes none (readers of a WAL database never wait for the writer).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # Batch work joins and groups millions of rows and keeps working tables: give it memory (per session, on
    # demand) rather than let PostgreSQL's small defaults spill hash tables to disk.
    options = "-c temp_buffers=512MB -c work_mem=256MB"
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly (see make_engine)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-200000")
    cur.close()


def is_postgres(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "postgresql"


def scalar(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar()


def create_temp_as(conn: Connection, name: str, select: str, params: dict[str, Any] | None = None) -> None:
    """A working table private to the connection, filled by one query, with planner statistics.

    `CREATE TABLE … AS` (unlike `INSERT … SELECT`) lets PostgreSQL run the query with parallel workers.
    """
    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    conn.execute(text(f"CREATE TEMPORARY TABLE {name} AS {select}"), params or {})
    if is_postgres(conn):
        conn.execute(text(f"ANALYZE {name}"))
