"""The API fuzzed from its own OpenAPI schema (schemathesis) over the running server: whatever a caller sends, the
answer is a SNAP reply, never a 5xx, never a stack trace, never a secret. The bodies are fuzzed twice: as sent by
anyone (refused at the door), and signed by the registered bank with a valid token (so that they reach the
parsing of the VA, the amounts and the dates, and the books)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings

import snap_client as bank

WIB = ZoneInfo("Asia/Jakarta")
EXTERNAL = itertools.count(700_000)


def _check(response: Any) -> None:
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text and bank.SECRET not in response.text
    body = response.json()
    assert isinstance(body, dict) and "responseCode" in body, response.text


def test_no_call_gets_a_server_error_or_a_stack_trace(served: dict[str, Any]) -> None:
    base = served["base"]
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {bank.TOKEN_PATH, bank.INQUIRY_PATH, bank.PAYMENT_PATH}
    headers, body = bank.Bank().token_request(dt.datetime.now(WIB))
    token = httpx.post(f"{base}{bank.TOKEN_PATH}", headers=headers, content=body).json()["accessToken"]

    for operation in operations:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def anyone(case: Any) -> None:
            _check(case.call(base_url=base))

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def the_bank(case: Any) -> None:
            path = case.operation.path
            content = json.dumps(case.body, separators=(",", ":"))
            ts = bank.stamp(dt.datetime.now(WIB))
            signed = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "X-TIMESTAMP": ts,
                "X-SIGNATURE": bank.hmac_signature(bank.SECRET, "POST", path, token, content, ts),
                "X-PARTNER-ID": "BANKMANDIRI",
                "X-EXTERNAL-ID": str(next(EXTERNAL)),
                "CHANNEL-ID": "95221",
            }
            _check(httpx.post(f"{base}{path}", headers=signed, content=content))

        anyone()
        if operation.path != bank.TOKEN_PATH:
            the_bank()
