"""`iuran db`: Database schema and reference data."""

from __future__ import annotations

import typer

from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt, engine_for
from iuran.db.engine import database_url
from iuran.db.migrate import current

app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)


@app.command("init")
def db_init(database: DatabaseOpt = None) -> None:
    """Create or upgrade the schema and load the region codes and population."""
    engine = engine_for(database)
    url = engine.url.render_as_string(hide_password=True)
    emit({"database": url if database else database_url(), "revision": current(engine)})
