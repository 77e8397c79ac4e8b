"""`iuran ledger`: Prove the books balance."""

from __future__ import annotations

import typer

from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt, unit_of_work
from iuran.services.ledger import verify_books

app = typer.Typer(help="Prove the books balance.", no_args_is_help=True)


@app.command("verify")
def ledger_verify(database: DatabaseOpt = None) -> None:
    """Check every account, charge, payment and allocation; exit 1 on any discrepancy."""
    with unit_of_work(database, read_only=True) as uow:
        result = verify_books(uow)
    emit(
        {
            "ok": result.ok,
            "totals": result.totals,
            "problems": {k: [list(map(str, r)) for r in v] for k, v in result.problems.items() if v},
        }
    )
    if not result.ok:
        raise typer.Exit(1)
