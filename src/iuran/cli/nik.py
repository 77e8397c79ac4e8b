"""`iuran nik parse`: read a NIK against the real region codes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date
from iuran.rules.nik import parse_nik
from iuran.wilayah import default_wilayah

app = typer.Typer(help="NIK (Nomor Induk Kependudukan) tools.", no_args_is_help=True)


@app.command("parse")
def nik_parse(
    nik: Annotated[str, typer.Argument(help="16-digit NIK")],
    reference: Annotated[
        str | None, typer.Option("--reference", help="Date the NIK was registered (resolves the century), YYYY-MM-DD")
    ] = None,
) -> None:
    """Region, birth date and sex encoded in a NIK; an invalid NIK exits 2 with the reason."""
    # The century of the birth year is resolved against the registration date; without one, against today,
    # which is the command line's only clock read and is explicit here at the edge, not in the rules.
    ref = parse_date("reference", reference, jkn=False) if reference else dt.date.today()
    emit(parse_nik(nik, default_wilayah(), ref).to_json())
