"""Database connection: `IURAN_DATABASE_URL` names PostgreSQL in production; SQLite file otherwise."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from iuran.rules.errors import RuleInputError

DEFAULT_SQLITE = Path("var") / "iuran.sqlite"
# Execution option of a connection that only reads: on SQLite its transactions begin DEFERRED (no write lock).
READ_ONLY = "iuran_read_only"
# How long a writer on SQLite waits for another writer's lock before it gives up ("database is locked").
SQLITE_BUSY_SECONDS = 60.0
# The engines iuran runs on, and the driver names a URL may give for each.
DRIVERS = {"sqlite": ("sqlite", "sqlite+pysqlite"), "postgresql": ("postgresql", "postgresql+psycopg")}
URL_FORMS = "sqlite:///PATH or postgresql://USER@HOST:PORT/NAME"


class DatabaseUrlError(RuleInputError):
    """`--database` (or `IURAN_DATABASE_URL`) is not a database iuran can open: names the rule, never a password."""


def database_url(url: str | None = None) -> str:
    """The URL in use: the argument, else `IURAN_DATABASE_URL`, else the embedded SQLite file."""
    if url:
        return url
    env = os.environ.get("IURAN_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{DEFAULT_SQLITE}"


def parse_database_url(url: str | None = None) -> URL:
    """The URL in use (see `database_url`), checked: a URL of an engine iuran runs on, or `DatabaseUrlError`."""
    raw = database_url(url)
    try:
        parsed = make_url(raw.strip())
    except ArgumentError:
        raise DatabaseUrlError("database", f"a database URL: {URL_FORMS}", "got something that is not a URL") from None
    for backend, drivers in DRIVERS.items():
        if parsed.drivername in drivers:
            return parsed.set(drivername=f"{backend}+psycopg" if backend == "postgresql" else backend)
    raise DatabaseUrlError(
        "database", f"iuran runs on SQLite or PostgreSQL: {URL_FORMS}", f"got the engine {parsed.drivername!r}"
    )


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL and for a SQLite database in memory."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database.removeprefix("file:").split("?", 1)[0])


def make_engine(url: str | None = None, *, must_exist: bool = False) -> Engine:
    """An engine on the database of `url` (see `database_url`). `must_exist`: a SQLite file that is not there is
    an error (`DatabaseUrlError`) rather than a new empty database; otherwise its folder is created."""
    parsed = parse_database_url(url)
    path = sqlite_file(parsed)
    if path is not None and path.is_dir():
        raise DatabaseUrlError("database", "a SQLite database is a file", f"a folder at {path}")
    if path is not None and must_exist and not path.is_file():
        raise DatabaseUrlError(
            "database", "a branch database that exists; run `iuran db init` to create one", f"no file at {path}"
        )
    if path is not None and not must_exist:
        path.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        # Parameters are never printed with an error: they carry NIKs, names and card numbers.
        engine = create_engine(parsed, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        # `BEGIN` is issued here so that a whole step is one transaction; a writer takes the write lock at once
        # (IMMEDIATE), a reader takes none (readers of a WAL database never wait for the writer).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # Batch work joins and groups millions of rows and keeps working tables: give it memory (per session, on
    # demand) rather than let PostgreSQL's small defaults spill hash tables to disk.
    options = "-c temp_buffers=512MB -c work_mem=256MB"
    return create_engine(parsed, hide_parameters=True, pool_pre_ping=True, connect_args={"options": options})


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
