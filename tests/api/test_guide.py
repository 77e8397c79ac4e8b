"""The bank integrator's guide (docs/snap.md) works as written: its curl and openssl script, run with bash against a
served branch, gets a token and the family's bill."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import snap_client as bank

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "snap.md"


def test_the_guides_first_call_gets_the_bill(served: dict[str, Any]) -> None:
    (script,) = re.findall(r"^```bash\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.S | re.M)
    env = os.environ | {"BASE": served["base"], "VA": served["va"], "SECRET": bank.SECRET}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=served["dir"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["responseCode"] == "2002400"
    assert reply["virtualAccountData"]["virtualAccountNo"].strip() == served["va"]
