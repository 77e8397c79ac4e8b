"""`iuran serve` for real (tests/api/conftest.py), called over HTTP by a bank signing with the standard's own recipe
(`snap_client`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, text

import snap_client as bank

WIB = ZoneInfo("Asia/Jakarta")
BANK = bank.Bank()


def _token(base: str) -> str:
    headers, body = BANK.token_request(dt.datetime.now(WIB))
    reply = httpx.post(f"{base}{bank.TOKEN_PATH}", headers=headers, content=body)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["accessToken"])


def _signed(base: str, path: str, token: str, body: dict[str, Any], external_id: str) -> httpx.Response:
    headers, content = BANK.signed(path, token, body, dt.datetime.now(WIB), external_id)
    return httpx.post(f"{base}{path}", headers=headers, content=content)


def test_a_bank_gets_a_token_asks_the_bill_and_pays_it_over_http(served: dict[str, Any], engine: Engine) -> None:
    base, va = served["base"], served["va"]
    schema = httpx.get(f"{base}/openapi.json").json()
    assert {bank.TOKEN_PATH, bank.INQUIRY_PATH, bank.PAYMENT_PATH} <= set(schema["paths"])
    token = _token(base)
    inquiry = _signed(base, bank.INQUIRY_PATH, token, bank.inquiry_body(va, "Q-1"), "1001")
    assert inquiry.status_code == 200 and inquiry.json()["responseCode"] == "2002400", inquiry.text
    total = int(inquiry.json()["virtualAccountData"]["totalAmount"]["value"][:-3])
    paid_at = dt.datetime.now(WIB) - dt.timedelta(seconds=5)
    body = bank.payment_body(va, "P-1", total, paid_at)
    payment = _signed(base, bank.PAYMENT_PATH, token, body, "1002")
    assert payment.status_code == 200 and payment.json()["responseCode"] == "2002500", payment.text
    again = _signed(base, bank.PAYMENT_PATH, token, body, "1003")  # a retry: the first result, nothing posted
    assert again.json()["virtualAccountData"] == payment.json()["virtualAccountData"]
    replay = _signed(base, bank.PAYMENT_PATH, token, body, "1003")  # the same external id today
    assert replay.status_code == 409 and replay.json()["responseCode"] == "4092500"
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*), sum(amount) FROM payment")).one() == (1, total)


def test_a_malformed_call_gets_a_snap_reply_never_a_stack_trace(served: dict[str, Any]) -> None:
    base = served["base"]
    token = _token(base)
    headers, _ = BANK.signed(bank.INQUIRY_PATH, token, {}, dt.datetime.now(WIB), "2001")
    for content in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        reply = httpx.post(f"{base}{bank.INQUIRY_PATH}", headers=headers, content=content)
        assert reply.status_code in (400, 401) and reply.json()["responseCode"][3:5] == "24", reply.text
        assert "Traceback" not in reply.text and BANK.secret not in reply.text
    no_token = httpx.post(f"{base}{bank.PAYMENT_PATH}", content=b"{}")
    assert no_token.status_code == 401 and no_token.json()["responseCode"] == "4012501"
