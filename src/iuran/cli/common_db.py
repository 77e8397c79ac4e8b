"""Command-line access to the database: which one, and the clock read at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from sqlalchemy import Engine

from iuran.db.bootstrap import open_database

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", envvar="IURAN_DATABASE_URL", help="Database URL (default: var/iuran.sqlite)."),
]
NowOpt = Annotated[str | None, typer.Option("--now", help="Timestamp to record, ISO (default: the current time).")]


def engine_for(database: str | None) -> Engine:
    return open_database(database)


def now_from(text: str | None) -> dt.datetime:
    """The recording time: given, or read once here at the edge (never inside the rules or the books)."""
    return dt.datetime.fromisoformat(text) if text else dt.datetime.now().replace(microsecond=0)
