"""The branch's database: open it at the schema this iuran needs, or bring it there when asked.

Migrations run only when asked (`iuran db init`, `iuran db upgrade`): every other use finds the schema at the
newest revision or stops with one line that says what to run, and a SQLite file that is not there is an error, not
a new empty branch. Reading the revision takes no write lock.

An error of the database itself becomes one line (`database_error_line`) that never carries the statement's
parameters nor the values a constraint names (they are NIKs, names and card numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError

from iuran.db import engine as db_engine
from iuran.db.engine import make_engine
from iuran.db.migrate import current, head, upgrade
from iuran.registry.regions import load_regions


class SchemaNotCurrent(RuntimeError):
    """The database is not at the schema this iuran needs: names the revisions and the command to run."""


@dataclass(frozen=True)
class Upgraded:
    database: str
    before: str | None
    revision: str | None


def open_branch(url: str | None = None) -> Engine:
    """An engine on the branch's database, which must exist and whose schema must be at the newest revision."""
    engine = make_engine(url, must_exist=True)
    try:
        found, wanted = current(engine), head()
    except BaseException:
        engine.dispose()
        raise
    if found != wanted:
        engine.dispose()
        if found is None:
            raise SchemaNotCurrent("database: it holds no iuran schema; run `iuran db init` first")
        raise SchemaNotCurrent(
            f"database: the schema is at revision {found} and this iuran needs {wanted}; run `iuran db upgrade`"
        )
    return engine


def upgrade_database(url: str | None = None) -> Upgraded:
    """Apply the migrations not applied yet and load the reference data (region codes, population)."""
    engine = make_engine(url)
    try:
        before = current(engine)
        upgrade(engine)
        with engine.begin() as conn:
            load_regions(conn)
        return Upgraded(engine.url.render_as_string(hide_password=True), before, current(engine))
    finally:
        engine.dispose()


_LOCKED = ("database is locked", "database table is locked")


def database_error_line(error: DBAPIError) -> str | None:
    """The one line to print for an error the database raised, or None for a fault of iuran itself (a bug: its
    traceback is kept, without parameters). Never repeats a value of the data: a driver's message is cut before
    its first `: ` (PostgreSQL's `DETAIL: Key (nik)=(…)`, `invalid input syntax …: "…"`)."""
    message = str(error.orig)
    if any(word in message for word in _LOCKED):
        return (
            "database: another iuran command is writing to this database (waited "
            f"{db_engine.SQLITE_BUSY_SECONDS:g} s for it); run this again when it is done"
        )
    if isinstance(error, DataError | IntegrityError):
        return f"database: it refused the data ({type(error.orig).__name__}: {_reason(message)})"
    if isinstance(error, OperationalError | InterfaceError):
        if error.statement is None:  # connecting failed: the driver names the server and database, not the password
            return f"database: cannot connect ({' '.join(message.split())})"
        return f"database: {_reason(message)}"
    return None


def _reason(message: str) -> str:
    first = " ".join(message.split("\n", 1)[0].split())
    return first.split(": ", 1)[0] or "no reason given"
