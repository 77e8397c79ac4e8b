"""The SNAP virtual-account biller's routes: each reads the call as it came (the signatures are over its bytes),
asks the use case, and writes the reply. The schema in `/openapi.json` describes the headers and bodies; the use
cases check them, so that every refusal is a SNAP reply (never FastAPI's own error shape)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from iuran.services.partners import Vault
from iuran.services.snap import SnapCall, SnapPolicy, SnapReply, access_token, va_inquiry, va_payment
from iuran.services.unit_of_work import Actor, UnitOfWork

TOKEN_PATH = "/v1.0/access-token/b2b"
INQUIRY_PATH = "/v1.0/transfer-va/inquiry"
PAYMENT_PATH = "/v1.0/transfer-va/payment"

_AMOUNT = {
    "type": "object",
    "properties": {"value": {"type": "string", "example": "150000.00"}, "currency": {"type": "string"}},
}
_VA = {
    "partnerServiceId": {"type": "string", "example": "   88888"},
    "customerNo": {"type": "string", "example": "01944358911"},
    "virtualAccountNo": {"type": "string", "example": "   8888801944358911"},
}


def _headers(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "header", "required": True, "schema": {"type": "string"}} for n in names]


_SIGNED = _headers("Authorization", "X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID", "X-EXTERNAL-ID", "CHANNEL-ID")


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _reply(reply: SnapReply) -> JSONResponse:
    return JSONResponse(reply.body, status_code=reply.http)


def router(engine: Engine, vault: Vault, policy: SnapPolicy, clock: Callable[[], dt.datetime]) -> APIRouter:
    """The routes over `engine`; `clock` gives the branch's wall-clock time (read at this edge only)."""
    api = APIRouter()

    async def answer(request: Request, use_case: Callable[[UnitOfWork, SnapCall], SnapReply]) -> JSONResponse:
        """The call as it came, to the use case in a unit of work of its own (off the event loop), its reply out."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = SnapCall(request.method, request.url.path, headers, await request.body())

        def work() -> SnapReply:
            with UnitOfWork(engine, now=clock(), actor=Actor("partner", "snap")) as uow:
                return use_case(uow, call)

        return _reply(await run_in_threadpool(work))

    @api.post(
        TOKEN_PATH,
        summary="Access token (B2B)",
        openapi_extra={
            "parameters": _headers("X-CLIENT-KEY", "X-TIMESTAMP", "X-SIGNATURE"),
            "requestBody": _body({"grantType": {"type": "string", "enum": ["client_credentials"]}}, ["grantType"]),
        },
    )
    async def token(request: Request) -> JSONResponse:
        return await answer(request, lambda uow, call: access_token(uow, call, policy))

    @api.post(
        INQUIRY_PATH,
        summary="Virtual account inquiry: the family's bill today",
        openapi_extra={
            "parameters": _SIGNED,
            "requestBody": _body(
                {**_VA, "inquiryRequestId": {"type": "string"}},
                [*_VA, "inquiryRequestId"],
            ),
        },
    )
    async def inquiry(request: Request) -> JSONResponse:
        return await answer(request, lambda uow, call: va_inquiry(uow, call, vault, policy))

    @api.post(
        PAYMENT_PATH,
        summary="Virtual account payment: the family's bill paid",
        openapi_extra={
            "parameters": _SIGNED,
            "requestBody": _body(
                {
                    **_VA,
                    "paymentRequestId": {"type": "string"},
                    "paidAmount": _AMOUNT,
                    "trxDateTime": {"type": "string", "example": "2024-05-06T10:00:00+07:00"},
                    "flagAdvise": {"type": "string", "enum": ["Y", "N"]},
                    "referenceNo": {"type": "string"},
                },
                [*_VA, "paymentRequestId", "paidAmount", "trxDateTime"],
            ),
        },
    )
    async def payment(request: Request) -> JSONResponse:
        return await answer(request, lambda uow, call: va_payment(uow, call, vault, policy))

    return api
