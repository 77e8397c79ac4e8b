"""`iuran report`: Coverage, activeness, arrears and collection reports."""

from __future__ import annotations

import typer

app = typer.Typer(help="Coverage, activeness, arrears and collection reports.", no_args_is_help=True)
