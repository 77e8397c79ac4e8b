"""The unit of work: one transaction, with the context of the operation (when, under which rules, by whom).

    with UnitOfWork(engine, now=now, rules=rules, actor=Actor.cli()) as uow:
        result = post_payment(uow, payment)   # the use case commits when its work is whole

Leaving the block without `commit()` rolls everything back. A read (`read_only=True`) takes no write lock: on
SQLite it begins a deferred transaction (WAL readers never wait for the writer), on PostgreSQL a REPEATABLE READ
READ ONLY one, so that every query of a report sees the same books.

The transaction begins when the connection is first used, so a unit of work that only hands its context to
siblings holds no lock. Work that runs as several transactions (the monthly cycle's steps, side by side on
PostgreSQL) asks for siblings with `fork()`: each its own transaction, the same time, rules and actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import Connection, Engine

from iuran.db.engine import READ_ONLY, is_postgres
from iuran.rules.rulebook import Rulebook, default_rulebook


@dataclass(frozen=True)
class Actor:
    """Who does the work: a user of the branch, a bank partner, a scheduled job, the command line."""

    kind: str  # "user" | "partner" | "job" | "cli"
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"

    @classmethod
    def cli(cls, name: str = "operator") -> Actor:
        return cls("cli", name)

    @classmethod
    def job(cls, name: str) -> Actor:
        return cls("job", name)


class UnitOfWorkClosed(RuntimeError):
    """The unit of work's connection is used outside its `with` block."""


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        *,
        now: dt.datetime,
        actor: Actor,
        rules: Rulebook | None = None,
        read_only: bool = False,
    ) -> None:
        self.engine = engine
        self.now = now
        self.rules = rules or default_rulebook()
        self.actor = actor
        self.read_only = read_only
        self._conn: Connection | None = None
        self._entered = False

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def postgres(self) -> bool:
        return is_postgres(self.engine)

    @property
    def conn(self) -> Connection:
        """The unit of work's connection, in its transaction (begun on first use)."""
        if not self._entered:
            raise UnitOfWorkClosed("the unit of work is used outside its `with` block")
        if self._conn is None:
            conn = self.engine.connect()
            if self.read_only:
                options: dict[str, object] = {READ_ONLY: True}
                if self.postgres:
                    options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
                conn = conn.execution_options(**options)
            conn.begin()
            self._conn = conn
        return self._conn

    def fork(self, *, read_only: bool | None = None) -> UnitOfWork:
        """A sibling unit of work: its own transaction, the same time, rules and actor."""
        return UnitOfWork(
            self.engine,
            now=self.now,
            actor=self.actor,
            rules=self.rules,
            read_only=self.read_only if read_only is None else read_only,
        )

    def __enter__(self) -> UnitOfWork:
        self._entered = True
        return self

    def commit(self) -> None:
        """Make the work done so far durable; the unit of work goes on in a new transaction."""
        if self.read_only:
            raise UnitOfWorkClosed("a read-only unit of work has nothing to commit")
        if self._conn is not None:
            self._conn.commit()
            self._conn.begin()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, self._conn, self._entered = self._conn, None, False
        if conn is not None:
            try:
                conn.rollback()  # what was not committed is not kept
            finally:
                conn.close()
