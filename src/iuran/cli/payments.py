"""`iuran payments`: Import payments from banks and payment points."""

from __future__ import annotations

import typer

app = typer.Typer(help="Import payments from banks and payment points.", no_args_is_help=True)
