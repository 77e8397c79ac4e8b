"""`iuran registry`: Members, families and life events."""

from __future__ import annotations

import typer

app = typer.Typer(help="Members, families and life events.", no_args_is_help=True)
