"""`iuran cycle`: The monthly billing cycle."""

from __future__ import annotations

import typer

app = typer.Typer(help="The monthly billing cycle.", no_args_is_help=True)
