"""Work that must run alone on a database (one monthly cycle at a time): a lock held for a whole block.

PostgreSQL: a session advisory lock on a connection of its own, released when the block ends or the process dies.
SQLite: an exclusive `flock` on a file beside the database (`<database>.<name>.lock`), released the same way.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from iuran.db.engine import is_postgres


class AlreadyHeld(RuntimeError):
    """Another process or thread holds the lock."""


@contextmanager
def held_alone(engine: Engine, name: str) -> Iterator[None]:
    """Hold the lock `name` on the database for the block; raise `AlreadyHeld` at once if another holds it."""
    if is_postgres(engine):
        with engine.connect() as conn:
            key = {"k": f"iuran.{name}"}
            got = conn.execute(text("SELECT pg_try_advisory_lock(hashtextextended(:k, 0))"), key).scalar_one()
            conn.commit()  # the lock is the session's: no transaction stays open while the block runs
            if not got:
                raise AlreadyHeld(name)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), key)
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # a private database: nobody else can run beside
        return
    with Path(f"{database}.{name}.lock").open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyHeld(name) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
