"""`iuran serve`: the HTTP face (the SNAP virtual-account biller) on uvicorn, over the configured database."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
import uvicorn

from iuran.api.app import create_app
from iuran.cli.common_db import DatabaseOpt
from iuran.rules.errors import RuleInputError
from iuran.services.database import open_branch
from iuran.services.partners import Vault, key_file
from iuran.services.snap import SnapPolicy


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    zone: Annotated[
        str, typer.Option("--timezone", envvar="IURAN_TIMEZONE", help="The branch's time zone.")
    ] = "Asia/Jakarta",
    database: DatabaseOpt = None,
) -> None:
    """Serve the SNAP API (OpenAPI at /openapi.json) until interrupted."""
    try:
        policy = SnapPolicy(zone=ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleInputError("timezone", "an IANA time zone, e.g. Asia/Jakarta", f"got {zone!r}") from None
    engine = open_branch(database)
    vault = Vault.at(key_file(), create=True)
    app = create_app(engine, vault, policy)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
