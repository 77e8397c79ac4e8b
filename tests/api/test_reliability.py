"""The biller under stress, for real over HTTP: concurrent notifications for one VA take turns, and a server killed
(SIGKILL) in the middle of a stream of payments loses nothing and doubles nothing once the bank resends what it
did not see acknowledged. The books balance after (the fixture proves them)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, text

import snap_client as bank

WIB = ZoneInfo("Asia/Jakarta")
BANK = bank.Bank()


def _token(base: str) -> str:
    headers, body = BANK.token_request(dt.datetime.now(WIB))
    return str(httpx.post(f"{base}{bank.TOKEN_PATH}", headers=headers, content=body).json()["accessToken"])


def _pay(base: str, token: str, va: str, request_id: str, amount: int, external_id: str) -> httpx.Response:
    body = bank.payment_body(va, request_id, amount, dt.datetime.now(WIB) - dt.timedelta(seconds=5))
    headers, content = BANK.signed(bank.PAYMENT_PATH, token, body, dt.datetime.now(WIB), external_id)
    return httpx.post(f"{base}{bank.PAYMENT_PATH}", headers=headers, content=content, timeout=30)


def _bill(base: str, token: str, va: str, external_id: str) -> int:
    headers, content = BANK.signed(
        bank.INQUIRY_PATH, token, bank.inquiry_body(va, f"Q{external_id}"), dt.datetime.now(WIB), external_id
    )
    reply = httpx.post(f"{base}{bank.INQUIRY_PATH}", headers=headers, content=content).json()
    return int(reply["virtualAccountData"]["totalAmount"]["value"][:-3])


def test_concurrent_notifications_for_one_va_take_turns(served: dict[str, Any], engine: Engine) -> None:
    base, va = served["base"], served["va"]
    token = _token(base)
    total = _bill(base, token, va, "9000")
    # Eight notifications at once: four retries of one request, four other requests for the same bill.
    calls = [("SAME", str(9100 + i)) for i in range(4)] + [(f"OTHER-{i}", str(9200 + i)) for i in range(4)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda c: _pay(base, token, va, c[0], total, c[1]), calls))
    codes = [r.json()["responseCode"] for r in replies]
    assert all(c in ("2002500", "4042514") for c in codes), codes
    paid = [r.json()["virtualAccountData"]["referenceNo"] for r in replies if r.status_code == 200]
    assert len(set(paid)) == 1  # one payment, whichever request came first; the rest found the bill paid
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*), sum(amount) FROM payment")).one() == (1, total)


def _start(db_url: str, port: int, key: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"IURAN_SECRET_KEY_FILE": str(key)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "iuran"), "serve", "--port", str(port), "--database", db_url], env=env
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return server
        except httpx.TransportError:
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)


@pytest.mark.families(40)
def test_a_server_killed_mid_stream_loses_nothing_and_doubles_nothing(
    served: dict[str, Any], engine: Engine, db_url: str
) -> None:
    base, families = served["base"], served["families"]
    port = int(base.rsplit(":", 1)[1])
    key = served["dir"] / "secret.key"
    token = _token(base)
    bills = {va: _bill(base, token, va, f"8{n:03d}") for n, va in enumerate(families)}
    acknowledged: set[str] = set()
    external = iter(range(10_000, 99_999))
    server = served["server"]

    def stream(vas: list[str]) -> None:
        def one(va: str) -> None:
            try:
                reply = _pay(base, token, va, f"K-{va}", bills[va], str(next(external)))
            except httpx.TransportError:
                return  # never acknowledged: the bank will resend it
            if reply.status_code == 200:
                acknowledged.add(va)

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(one, vas))

    with ThreadPoolExecutor(max_workers=1) as killer:

        def kill_after_ten() -> None:
            deadline = time.monotonic() + 60
            while len(acknowledged) < 10 and time.monotonic() < deadline:
                time.sleep(0.005)
            os.kill(server.pid, signal.SIGKILL)

        future = killer.submit(kill_after_ten)
        stream(families)
        future.result()
    server.wait(timeout=10)
    served["server"] = _start(db_url, port, key)  # the fixture stops whichever server runs at the end
    unacknowledged = [va for va in families if va not in acknowledged]
    assert 10 <= len(acknowledged) < len(families)  # killed in the middle of the stream
    token = _token(base)
    for va in unacknowledged:  # the bank resends what it did not see acknowledged, under new external ids
        reply = _pay(base, token, va, f"K-{va}", bills[va], str(next(external)))
        assert reply.status_code == 200 and reply.json()["responseCode"] == "2002500", reply.text
    with engine.connect() as c:
        posted = c.execute(text("SELECT reference, amount FROM payment")).all()
    assert sorted(r for r, _ in posted) == sorted(f"SNAP:{BANK.client_id}:K-{va}" for va in families)
    assert sum(a for _, a in posted) == sum(bills.values())
