"""`iuran synth`: Synthetic branches to demonstrate and benchmark iuran."""

from __future__ import annotations

import typer

app = typer.Typer(help="Synthetic branches to demonstrate and benchmark iuran.", no_args_is_help=True)
