"""The application `iuran serve` runs: the SNAP routes, and one answer for whatever goes wrong inside (a SNAP
"General Error", no stack trace, nothing of the request echoed)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from iuran.api import snap
from iuran.services.partners import Vault
from iuran.services.snap import Service, SnapPolicy, general_error

log = logging.getLogger("iuran.api")

_SERVICE_OF_PATH = {
    snap.TOKEN_PATH: Service.TOKEN,
    snap.INQUIRY_PATH: Service.INQUIRY,
    snap.PAYMENT_PATH: Service.PAYMENT,
}


def create_app(
    engine: Engine, vault: Vault, policy: SnapPolicy, clock: Callable[[], dt.datetime] | None = None
) -> FastAPI:
    """The app over `engine`. `clock`: the branch's wall-clock time, naive (default: the machine's clock read in
    the policy's time zone)."""

    def wall_clock() -> dt.datetime:
        return dt.datetime.now(policy.zone).replace(tzinfo=None)

    app = FastAPI(title="iuran", summary="JKN contributions: the SNAP virtual-account biller of a BPJS branch")
    app.include_router(snap.router(engine, vault, policy, clock or wall_clock))

    @app.exception_handler(Exception)
    async def fault(request: Request, error: Exception) -> JSONResponse:
        # The fault is logged by its kind only: a request may carry personal data and secrets.
        log.error("fault in %s: %s", request.url.path, type(error).__name__)
        reply = general_error(_SERVICE_OF_PATH.get(request.url.path, Service.PAYMENT))
        return JSONResponse(reply.body, status_code=reply.http)

    return app
