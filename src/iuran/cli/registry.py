"""`iuran registry`: Members, families and life events."""

from __future__ import annotations

from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date
from iuran.cli.common_db import DatabaseOpt, engine_for
from iuran.registry.death import report_death

app = typer.Typer(help="Members, families and life events.", no_args_is_help=True)


@app.command("death")
def registry_death(
    nik: Annotated[str, typer.Option("--nik", help="NIK of the deceased.")],
    died_on: Annotated[str, typer.Option("--died-on", help="Date of death, YYYY-MM-DD.")],
    reported_on: Annotated[str, typer.Option("--reported-on", help="Date reported, YYYY-MM-DD.")],
    database: DatabaseOpt = None,
) -> None:
    """Record a death: billing stops after that month; later charges are reversed."""
    with engine_for(database).begin() as conn:
        reversed_ = report_death(conn, nik, parse_date("died_on", died_on), parse_date("reported_on", reported_on))
    emit({"reversed": reversed_})
