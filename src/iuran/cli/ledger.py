"""`iuran ledger`: prove the books balance and are untouched since they were sealed; export sealed months."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_month
from iuran.cli.common_db import DatabaseOpt, unit_of_work
from iuran.services.ledger import export_sealed_month, verify_books, verify_exported

app = typer.Typer(
    help="Prove the books balance and are untouched since sealed; export sealed months.", no_args_is_help=True
)

OPENING = "opening"


@app.command("verify")
def ledger_verify(
    database: DatabaseOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-prove every row and recompute every seal (default: since the last seal).")
    ] = False,
    archive: Annotated[
        Path | None, typer.Option("--archive", help="Check the months exported to this folder instead.")
    ] = None,
) -> None:
    """Prove the books: the chain of seals, the latest seal's rows counted again and what was posted since it
    (`--full`: every row, every seal recomputed); or exported months (`--archive`). Prints the proof's seconds.
    Exit 1 on any discrepancy, naming the month and the table."""
    if archive is not None:
        with unit_of_work(database, read_only=True) as uow:
            problems = verify_exported(uow, archive)
        ok = not any(problems.values())
        emit(
            {
                "ok": ok,
                "archive": str(archive),
                "problems": {k: [list(map(str, r)) for r in v] for k, v in problems.items() if v},
            }
        )
        if not ok:
            raise typer.Exit(1)
        return
    started = time.perf_counter()
    with unit_of_work(database, read_only=True) as uow:
        result = verify_books(uow, full=full)
    emit(
        {
            "ok": result.ok,
            "full": result.full,
            "seconds": round(time.perf_counter() - started, 1),
            "sealed": {"month": result.head[0], "digest": result.head[1]} if result.head else None,
            "totals": result.totals,
            "problems": {k: [list(map(str, r)) for r in v] for k, v in result.problems.items() if v},
        }
    )
    if not result.ok:
        raise typer.Exit(1)


@app.command("export")
def ledger_export(
    month: Annotated[str, typer.Option("--month", help=f"The sealed month, YYYY-MM (or {OPENING!r}).")],
    output: Annotated[Path, typer.Option("--output", help="Folder to write ledger-YYYYMM/ into.")] = Path("archive"),
    database: DatabaseOpt = None,
) -> None:
    """Write a sealed month as Parquet, one file per table of the books, with its seal (seal.json)."""
    wanted = None if month == OPENING else parse_month("--month", month)
    with unit_of_work(database, read_only=True) as uow:
        done = export_sealed_month(uow, wanted, output)
    emit({"month": done.month, "folder": str(done.folder), "digest": done.digest, "rows": done.rows})
