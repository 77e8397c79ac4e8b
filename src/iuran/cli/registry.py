"""`iuran registry`: Members, families and life events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date
from iuran.cli.common_db import DatabaseOpt, NowOpt, unit_of_work
from iuran.rules.errors import RuleInputError
from iuran.services.registry import correct_death_report, register_families, report_death

app = typer.Typer(help="Members, families and life events.", no_args_is_help=True)


@app.command("death")
def registry_death(
    nik: Annotated[str, typer.Option("--nik", help="NIK of the deceased.")],
    died_on: Annotated[str | None, typer.Option("--died-on", help="Date of death, YYYY-MM-DD.")] = None,
    reported_on: Annotated[str | None, typer.Option("--reported-on", help="Date reported, YYYY-MM-DD.")] = None,
    correct: Annotated[
        bool, typer.Option("--correct", help="Undo a death reported by mistake (with --reason): billing resumes.")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the death report was wrong (--correct).")] = None,
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Record a death: billing stops after that month; later charges are reversed. `--correct` undoes a death
    reported by mistake, on the record: the memberships are put back and the next cycles bill the person again."""
    if correct:
        if died_on is not None or reported_on is not None:
            raise RuleInputError("correct", "a correction takes --nik and --reason, no dates")
        if reason is None:
            raise RuleInputError("reason", "a correction says why the death report was wrong: give --reason")
        with unit_of_work(database, now=now) as uow:
            done = correct_death_report(uow, nik.strip(), reason)
        emit({"corrected": True, "restored": done.restored, "not_billed": [str(m) for m in done.not_billed]})
        return
    if died_on is None or reported_on is None:
        missing = "died_on" if died_on is None else "reported_on"
        raise RuleInputError(missing, "a death is recorded with --died-on and --reported-on, YYYY-MM-DD")
    died, reported = parse_date("died_on", died_on), parse_date("reported_on", reported_on)
    with unit_of_work(database, now=now) as uow:
        reversed_ = report_death(uow, nik.strip(), died, reported)
    emit({"reversed": reversed_})


@app.command("import")
def registry_import(
    file: Annotated[
        Path, typer.Argument(help="CSV: kk,nik,name,card_number,desa_code,segment,kelas,registered_on,...")
    ],
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Register PBPU/BP families from a file, all or nothing: a bad line names itself and the rule, exit 2.

    The file is UTF-8 CSV with the header kk,nik,name,card_number,desa_code,segment,kelas,registered_on,channel,
    phone: one line per person, the head of the family first on each KK; kelas 1-3, segment pbpu or bp,
    registered_on YYYY-MM-DD (not after today), channel and phone may be empty."""
    with unit_of_work(database, now=now) as uow:
        counts = register_families(uow, file)
    emit(counts)
