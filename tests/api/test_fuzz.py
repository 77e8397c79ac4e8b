"""The API fuzzed from its own OpenAPI schema (schemathesis) over the running server: whatever a caller sends, the
answer is never a 5xx, never a stack trace, never a secret."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

import snap_client as bank


@pytest.fixture
def api_schema(served: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_url(f"{served['base']}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_call_gets_a_server_error_or_a_stack_trace(case: Any) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text and bank.SECRET not in response.text
    body = response.json()
    assert isinstance(body, dict) and ("responseCode" in body or "detail" in body), response.text
