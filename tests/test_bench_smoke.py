"""CI runs the branch benchmark at a small scale as a smoke test: every figure is measured and printed."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_branch.py"


def _postgres_reachable() -> bool:
    url = os.environ.get("IURAN_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        with create_engine(url.replace("postgresql://", "postgresql+psycopg://")).connect() as c:
            c.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def test_the_benchmark_runs_at_a_small_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not _postgres_reachable():
        if os.environ.get("IURAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required for the benchmark smoke test")
        pytest.skip("PostgreSQL unreachable")
    spec = importlib.util.spec_from_file_location("bench_branch", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_branch"] = bench
    spec.loader.exec_module(bench)
    name = f"iuran_bench_smoke_{os.getpid()}"
    results = bench.main(
        [
            "--scale",
            "0.001",
            "--payments",
            "500",
            "--max-months",
            "1",
            "--single",
            "100",
            "--smoke",
            "--database",
            name,
            "--out",
            str(tmp_path),
        ]
    )
    bench.drop_database(name)
    out = capsys.readouterr().out
    for figure in (
        "cycle_s",
        "cycle_over_bare",
        "payments_per_s",
        "payments_over_floor",
        "single_p50_ms",
        "report_s",
        "rss_mib",
    ):
        assert figure in out and figure in results["figures"]
    assert all(i["floor_seconds"] > 0 for i in results["imports"]) and "floor (COPY" in out
    assert results["ledger_ok"] is True
    assert results["payments_imported"] > 0
    assert results["single_payments"]["payments"] == 100 and "single payments" in out


def test_the_history_benchmark_runs_at_a_small_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Thirteen months of a tiny branch: every growth figure (month 12 against the last) is measured and printed."""
    if not _postgres_reachable():
        if os.environ.get("IURAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required for the benchmark smoke test")
        pytest.skip("PostgreSQL unreachable")
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("bench_history", BENCH.parent / "bench_history.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    name = f"iuran_bench_history_smoke_{os.getpid()}"
    args = ["--scale", "0.0005", "--months", "13", "--smoke", "--drop", "--database", name, "--out", str(tmp_path)]
    results = bench.main(args)
    out = capsys.readouterr().out
    for figure in ("cycle_growth", "import_growth", "report arrears --by segment growth", "import_over_floor_last"):
        assert figure in out and figure in results["figures"]
    assert results["verify_full_ok"] is True and "ledger verify --full" in out
    assert len(results["months"]) == 13
