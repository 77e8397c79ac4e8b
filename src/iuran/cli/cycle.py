"""`iuran cycle`: The monthly billing cycle."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import Progress

from iuran.billing.cycle import STEPS, run_cycle
from iuran.cli.common import emit, parse_month
from iuran.cli.common_db import DatabaseOpt, NowOpt, engine_for, now_from

app = typer.Typer(help="The monthly billing cycle.", no_args_is_help=True)


@app.command("run")
def cycle_run(
    month: Annotated[str, typer.Option("--month", help="The month to bill, YYYY-MM.")],
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Bill every account for the month, suspend and reactivate, age the arrears. Safe to rerun."""
    m = parse_month("month", month)
    engine = engine_for(database)
    if sys.stderr.isatty():
        with Progress(transient=True) as bar:
            task = bar.add_task(f"Siklus {m}", total=len(STEPS))
            result = run_cycle(
                engine, m, now=now_from(now), progress=lambda step, done, _n: bar.update(task, completed=done)
            )
    else:
        result = run_cycle(engine, m, now=now_from(now))
    emit({"month": str(result.month), "rows": result.rows, "skipped": list(result.skipped)})
