"""`iuran cycle`: The monthly billing cycle."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import Progress

from iuran.cli.common import emit, parse_month
from iuran.cli.common_db import DatabaseOpt, NowOpt, now_from, unit_of_work
from iuran.rules.program import check_month_not_ahead
from iuran.services.cycle import STEPS, refresh_month, run_cycle

app = typer.Typer(help="The monthly billing cycle.", no_args_is_help=True)


@app.command("run")
def cycle_run(
    month: Annotated[str, typer.Option("--month", help="The month to bill, YYYY-MM.")],
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Bill every account for the month, suspend and reactivate, age the arrears. Safe to rerun."""
    m = check_month_not_ahead("month", parse_month("month", month), now_from(now).date())
    with unit_of_work(database, now=now) as uow:
        if sys.stderr.isatty():
            with Progress(transient=True) as bar:
                task = bar.add_task(f"Siklus {m}", total=len(STEPS))
                result = run_cycle(uow, m, progress=lambda step, done, _n: bar.update(task, completed=done))
        else:
            result = run_cycle(uow, m)
    emit({"month": str(result.month), "rows": result.rows, "skipped": list(result.skipped)})


@app.command("refresh")
def cycle_refresh(
    month: Annotated[str, typer.Option("--month", help="The month whose derived state to write again, YYYY-MM.")],
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Write a month's derived state again from the books: the subsidy of the newly active, the snapshots.

    Payments dated before the 1st but posted after the cycle do this themselves; this is the same on demand."""
    m = check_month_not_ahead("month", parse_month("month", month), now_from(now).date())
    with unit_of_work(database, now=now) as uow:
        result = refresh_month(uow, m)
    emit({"month": str(result.month), "rows": result.rows})
