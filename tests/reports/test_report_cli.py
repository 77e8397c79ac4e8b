"""`iuran report …` end to end: output on stdout, bad input as one line on stderr with exit 2."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

if TYPE_CHECKING:
    from conftest import RunIuran


@pytest.fixture
def database(kalteng: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IURAN_DATABASE_URL", db_url)
    return db_url


def test_coverage_table_on_stdout(database: str, run_iuran: RunIuran) -> None:
    code, out, err = run_iuran("report", "coverage", "--as-of", "2023-11-15", "--branch", "PLK")
    assert (code, err) == (0, "")
    assert out.startswith("Cakupan Kepesertaan JKN per Kabupaten/Kota\nPosisi 1 Nov 2023")
    assert "101,80%" in out and "Kabupaten/Kota" in out


@pytest.mark.parametrize(
    ("argv", "first_key"),
    [
        (["report", "activeness", "--by", "kabupaten"], "kabkota_code"),
        (["report", "arrears", "--by", "segment"], "segment"),
        (["report", "collectibility", "--by", "segment"], "month"),
    ],
)
def test_each_report_in_json(database: str, run_iuran: RunIuran, argv: list[str], first_key: str) -> None:
    code, out, _ = run_iuran(*argv, "--as-of", "2023-11-20", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["snapshot_month"] == "2023-11"
    assert next(iter(doc["rows"][0])) == first_key


def test_csv_output(database: str, run_iuran: RunIuran) -> None:
    code, out, _ = run_iuran("report", "arrears", "--as-of", "2023-11-20", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "bucket,bucket_label,accounts,persons,amount"
    assert out.splitlines()[1] == "1,1 bulan,1213,8500,401434567"


def test_output_is_deterministic(database: str, run_iuran: RunIuran) -> None:
    argv = ["report", "collectibility", "--as-of", "2023-11-20", "--by", "segment"]
    assert run_iuran(*argv) == run_iuran(*argv)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["report", "coverage", "--as-of", "15-11-2023"],
            "iuran: as_of: a date is written YYYY-MM-DD (got '15-11-2023')",
        ),
        (
            ["report", "coverage", "--as-of", "2023-11-15", "--by", "segment"],
            "iuran: by: the coverage report is broken down by kabupaten or kecamatan (got 'segment')",
        ),
        (
            ["report", "arrears", "--as-of", "2023-11-15", "--branch", "BDG"],
            "iuran: branch: a branch code from table branch (got 'BDG'; known: PLK, SPT)",
        ),
        (
            ["report", "activeness", "--as-of", "2023-11-15", "--format", "xml"],
            "iuran: format: one of table, json, csv (got 'xml')",
        ),
        (
            ["report", "coverage", "--as-of", "2023-01-31"],
            "iuran: as_of: a report reads the snapshot of a finished monthly cycle (no cycle has run for 2023-01 or "
            "any month before it; run `iuran cycle run --month 2023-01`)",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(database: str, run_iuran: RunIuran, argv: list[str], message: str) -> None:
    code, out, err = run_iuran(*argv)
    assert (code, out) == (2, "")
    assert err == message + "\n"


def test_as_of_is_required(database: str, run_iuran: RunIuran) -> None:
    code, _, err = run_iuran("report", "coverage")
    assert code == 2
    assert err.startswith("iuran: --as-of:") and err.count("\n") == 1


def test_database_option_and_population_scale(
    kalteng: Engine, db_url: str, run_iuran: RunIuran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IURAN_DATABASE_URL", raising=False)
    argv = ["report", "coverage", "--as-of", "2023-11-15", "--database", db_url, "--format", "json"]
    code, out, _ = run_iuran(*argv, "--population-scale", "1/2")
    assert code == 0
    assert json.loads(out)["summary"]["population_scale"] == "0.5000"
    code, _, err = run_iuran(*argv, "--population-scale", "abc")
    rule = "a decimal or a fraction from 0.0001 to 1.0, e.g. 0.01 or 1/100"
    assert (code, err) == (2, f"iuran: population_scale: {rule} (got 'abc')\n")
