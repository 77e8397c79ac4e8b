"""`iuran ledger`: Prove the books balance."""

from __future__ import annotations

import typer

app = typer.Typer(help="Prove the books balance.", no_args_is_help=True)
