"""The branch served for real: uvicorn on loopback (`iuran serve`) over each database, the bank registered from
the command line. The server reads its own clock: the family is billed for the month it is in Jakarta now."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import Engine, text

import snap_client as bank
from cycle_fixtures import family
from iuran.rules.month import Month
from usecases import run_cycle

if TYPE_CHECKING:
    from conftest import RunIuran

WIB = ZoneInfo("Asia/Jakarta")
BANK = bank.Bank()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(
    request: pytest.FixtureRequest,
    engine: Engine,
    db_url: str,
    run_iuran: RunIuran,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, Any]]:
    """A family billed this month (and `@pytest.mark.families(n)` more), the bank registered from the command line,
    and the server running."""
    key = tmp_path / "secret.key"
    monkeypatch.setenv("IURAN_SECRET_KEY_FILE", str(key))
    month = Month.of(dt.datetime.now(WIB).date())
    with engine.begin() as c:
        account = family(c, 2, 3, billing_from=month)
        va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar_one()
        more = request.node.get_closest_marker("families")
        others = [family(c, 1, 3, billing_from=month) for _ in range(more.args[0] if more else 0)]
        vas = [c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": a}).scalar_one() for a in others]
    run_cycle(engine, month, now=dt.datetime.combine(month.first_day(), dt.time(1)))
    pem = tmp_path / "bank.pem"
    pem.write_text(bank.public_pem())
    private = bank.private_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "bank.key").write_bytes(private)
    code, out, err = run_iuran(
        "partner", "add", "--client-id", BANK.client_id, "--name", "Bank Mandiri", "--client-secret", BANK.secret,
        "--public-key", str(pem), "--channel-id", BANK.channel_id, "--database", db_url,
    )  # fmt: skip
    assert code == 0, err
    assert BANK.secret not in out and '"client_id": "BANKMANDIRI"' in out
    port = _free_port()
    env = os.environ | {"IURAN_SECRET_KEY_FILE": str(key)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "iuran"), "serve", "--port", str(port), "--database", db_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    served = {"base": base, "va": va, "account": account, "server": server, "dir": tmp_path, "families": vas}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode() if server.stderr else "no server") from None
                time.sleep(0.1)
        yield served
    finally:
        running = served["server"]  # a test may have restarted it
        running.terminate()
        running.wait(timeout=10)
