"""`iuran payments`: Import payments from banks and payment points."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iuran.billing.payments import import_payments
from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt, NowOpt, engine_for, now_from
from iuran.rules.errors import RuleInputError

app = typer.Typer(help="Import payments from banks and payment points.", no_args_is_help=True)


@app.callback()
def payments() -> None:
    """Import payments from banks and payment points."""


@app.command("import")
def payments_import(
    file: Annotated[Path, typer.Argument(help="CSV with the header reference,va,account,amount,paid_at,channel.")],
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the rejected lines (line, reference, reason) here.")
    ] = None,
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Import a payments file in one transaction; print a JSON summary. Importing it again changes nothing."""
    try:
        at = now_from(now)
    except ValueError:
        raise RuleInputError("--now", "an ISO date-time, e.g. 2024-03-06T08:00", f"got {now!r}") from None
    result = import_payments(engine_for(database), file, now=at, report_path=report)
    emit(
        {
            "batch_id": result.batch_id,
            "lines": result.lines,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "duplicates": result.duplicates,
            "amount_accepted": result.amount_accepted,
            "amount_written_off": result.amount_written_off,
            "rejections": dict(result.rejections),
            "report": str(result.report_path) if result.report_path else None,
        }
    )
