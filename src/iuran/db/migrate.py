"""Bring a database to the newest schema with Alembic."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from iuran.db.engine import READ_ONLY


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("iuran.db").joinpath("migrations")))
    return cfg


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at; read without a write lock (on SQLite: a deferred transaction)."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every migration not applied yet; a database at head is left as it is.

    On SQLite the migrations run with foreign keys off (a table rebuilt to change a constraint would otherwise
    take the rows that reference it along), and every reference is checked before they commit.
    """
    if current(engine) == head():
        return
    cfg = _config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, where SQLite lets it change
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").first()):
                    raise RuntimeError(f"migration: a row of {broken[0]} references a missing {broken[2]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
