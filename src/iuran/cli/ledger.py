"""`iuran ledger`: Prove the books balance."""

from __future__ import annotations

import typer

from iuran.billing.ledger import verify
from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt, engine_for

app = typer.Typer(help="Prove the books balance.", no_args_is_help=True)


@app.command("verify")
def ledger_verify(database: DatabaseOpt = None) -> None:
    """Check every account, charge, payment and allocation; exit 1 on any discrepancy."""
    with engine_for(database).connect() as conn:
        result = verify(conn)
    emit(
        {
            "ok": result.ok,
            "totals": result.totals,
            "problems": {k: [list(map(str, r)) for r in v] for k, v in result.problems.items() if v},
        }
    )
    if not result.ok:
        raise typer.Exit(1)
