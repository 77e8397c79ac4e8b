"""Command-line access to the branch: which database, the clock read at the edge, the unit of work."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from iuran.rules.errors import RuleInputError
from iuran.services.database import open_branch
from iuran.services.unit_of_work import Actor, UnitOfWork

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", envvar="IURAN_DATABASE_URL", help="Database URL (default: var/iuran.sqlite)."),
]
NowOpt = Annotated[str | None, typer.Option("--now", help="Timestamp to record, ISO (default: the current time).")]


def now_from(text: str | None) -> dt.datetime:
    """The recording time: given, or read once here at the edge (never inside the rules or the books)."""
    if not text:
        return dt.datetime.now().replace(microsecond=0)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise RuleInputError("--now", "an ISO date-time, e.g. 2024-03-06T08:00", f"got {text!r}") from None


@contextmanager
def unit_of_work(database: str | None, *, now: str | None = None, read_only: bool = False) -> Iterator[UnitOfWork]:
    """A unit of work on the branch's database (its schema at the newest revision), by the operator at the
    command line, at `--now` or the current time."""
    at = now_from(now)
    engine = open_branch(database)
    try:
        with UnitOfWork(engine, now=at, actor=Actor.cli(getpass.getuser()), read_only=read_only) as uow:
            yield uow
    finally:
        engine.dispose()
