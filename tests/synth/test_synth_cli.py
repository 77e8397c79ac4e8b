"""`iuran synth`: builds a branch into an empty database, prints the picture as JSON, refuses a used registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

IURAN = Path(sys.executable).parent / "iuran"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IURAN), "synth", *args], capture_output=True, text=True, timeout=120, check=False)


def test_synth_builds_then_refuses_a_database_with_persons(tmp_path: Path, sqlite_template: Path) -> None:
    db = tmp_path / "iuran.sqlite"
    shutil.copy(sqlite_template, db)
    url = f"sqlite:///{db}"
    first = run("--scenario", "bogor-2024", "--scale", "0.0005", "--seed", "2", "--database", url)
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["scenario_month"] == "2024-07" and out["opening_month"] == "2024-04"
    assert out["generated"]["persons"] == round(5_300_000 * 0.0005)
    assert out["picture"]["activeness"] == pytest.approx(0.76, abs=0.01)

    again = run("--scenario", "bogor-2024", "--scale", "0.0005", "--database", url)
    assert again.returncode == 2
    assert again.stdout == ""
    assert again.stderr.strip().endswith(
        "already holds 2,650 persons; a synthetic branch is built only into an empty registry (use a fresh database)"
    )


def test_unknown_scenario_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run("--scenario", "atlantis", "--database", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "unknown 'atlantis'" in result.stderr
