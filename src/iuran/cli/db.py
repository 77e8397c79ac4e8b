"""`iuran db`: Database schema and reference data."""

from __future__ import annotations

import typer

from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt
from iuran.services.database import upgrade_database

app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)


@app.command("init")
def db_init(database: DatabaseOpt = None) -> None:
    """Create the schema (or bring it up to date) and load the region codes and population."""
    _upgrade(database)


@app.command("upgrade")
def db_upgrade(database: DatabaseOpt = None) -> None:
    """Apply the migrations this iuran has and the database lacks; every other command asks for it first."""
    _upgrade(database)


def _upgrade(database: str | None) -> None:
    done = upgrade_database(database)
    emit({"database": done.database, "from": done.before, "revision": done.revision})
