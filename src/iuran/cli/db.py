"""`iuran db`: Database schema and reference data."""

from __future__ import annotations

import typer

app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)
