"""`iuran registry`: Members, families and life events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date
from iuran.cli.common_db import DatabaseOpt, unit_of_work
from iuran.services.registry import register_families, report_death

app = typer.Typer(help="Members, families and life events.", no_args_is_help=True)


@app.command("death")
def registry_death(
    nik: Annotated[str, typer.Option("--nik", help="NIK of the deceased.")],
    died_on: Annotated[str, typer.Option("--died-on", help="Date of death, YYYY-MM-DD.")],
    reported_on: Annotated[str, typer.Option("--reported-on", help="Date reported, YYYY-MM-DD.")],
    database: DatabaseOpt = None,
) -> None:
    """Record a death: billing stops after that month; later charges are reversed."""
    died, reported = parse_date("died_on", died_on), parse_date("reported_on", reported_on)
    with unit_of_work(database) as uow:
        reversed_ = report_death(uow, nik, died, reported)
    emit({"reversed": reversed_})


@app.command("import")
def registry_import(
    file: Annotated[
        Path, typer.Argument(help="CSV: kk,nik,name,card_number,desa_code,segment,kelas,registered_on,...")
    ],
    database: DatabaseOpt = None,
) -> None:
    """Register PBPU/BP families from a file, all or nothing: a bad line names itself and the rule, exit 2."""
    with unit_of_work(database) as uow:
        counts = register_families(uow, file)
    emit(counts)
