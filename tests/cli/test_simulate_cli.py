"""The `iuran` command line contract: JSON with fixed keys on stdout, exit 0; bad input exits 2 with one line.

The real console script is run in a subprocess for each command and each kind of bad input; further cases
run `iuran.cli.main.main(argv)` in-process (each subprocess costs about half a second).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import RunIuran


IURAN = Path(sys.executable).parent / "iuran"


def run(command: str) -> subprocess.CompletedProcess[str]:
    """Run the real `iuran` console script with the words of `command` as arguments."""
    return subprocess.run([str(IURAN), *command.split()], capture_output=True, text=True, timeout=60, check=False)


def run_json(command: str) -> Any:
    result = run(command)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def assert_one_line_error(code: int, out: str, err: str, field: str) -> None:
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    assert field in lines[0], f"{field!r} not named in {lines[0]!r}"


def test_console_script_is_installed() -> None:
    assert IURAN.exists()


# --- JSON contract, through the real console script -------------------------------------------------


def test_simulate_contribution_prints_the_contract_keys_for_kelas_three_2021() -> None:
    doc = run_json("simulate contribution --segment pbpu --month 2021-01 --kelas 3")
    assert set(doc) == {"month", "segment", "total", "shares", "basis"}
    assert set(doc["shares"]) == {"participant", "government", "employer", "worker"}
    assert doc["month"] == "2021-01"
    assert doc["segment"] == "pbpu"
    assert doc["total"] == 42_000
    assert doc["shares"] == {"participant": 35_000, "government": 7_000, "employer": 0, "worker": 0}
    assert "Perpres 64/2020" in doc["basis"]


def test_simulate_contribution_for_a_ppu_worker_earning_5_million() -> None:
    doc = run_json("simulate contribution --segment ppu-bu --month 2024-01 --wage 5000000 --umk 4000000")
    assert set(doc) == {"month", "segment", "total", "shares", "basis"}
    assert doc["total"] == 250_000
    assert doc["shares"] == {"participant": 0, "government": 0, "employer": 200_000, "worker": 50_000}


def test_simulate_contribution_below_the_umk_raises_a_private_wage_not_a_civil_servants() -> None:
    bu = run_json("simulate contribution --segment ppu-bu --month 2024-05 --wage 2500000 --umk 3181013")
    assert (bu["total"], bu["shares"]["employer"], bu["shares"]["worker"]) == (159_051, 127_241, 31_810)
    pn = run_json("simulate contribution --segment ppu-pn --month 2024-05 --wage 2500000 --umk 3181013")
    assert (pn["total"], pn["shares"]["employer"], pn["shares"]["worker"]) == (125_000, 100_000, 25_000)
    assert pn == run_json("simulate contribution --segment ppu-pn --month 2024-05 --wage 2500000")


def test_simulate_contribution_of_a_pensioner_and_of_a_veteran() -> None:
    doc = run_json("simulate contribution --segment bp-pens --month 2024-05 --pension 4567891")
    assert doc["total"] == 228_395  # 5% = 228,394.55, rounded once; the pensioner's 2% = 91,357.82
    assert doc["shares"] == {"participant": 0, "government": 137_037, "employer": 0, "worker": 91_358}
    vet = run_json("simulate contribution --segment bp-vet --month 2024-05")
    assert vet["shares"] == {"participant": 0, "government": 77_875, "employer": 0, "worker": 0}
    assert "PP 5/2024" in vet["basis"]


def test_simulate_reactivation_of_fifty_unpaid_months_bills_24() -> None:
    doc = run_json(
        "simulate reactivation --segment pbpu --kelas 3 --members 1 --unpaid-since 2020-01 --as-of 2024-03-05"
    )
    assert doc == {
        "months_in_arrears": 50,
        "months_billed": 24,
        "written_off_months": 26,
        "arrears_amount": 840_000,
        "current_month_amount": 35_000,
        "late_fee": 0,
        "deferred_months": 0,
        "deferred_amount": 0,
        "remainder_due": None,
        "total": 875_000,
        "basis": "Perpres 64/2020 Pasal 42 ayat (3); Perpres 19/2016 Pasal 17A.1: no late fee on contributions since"
        " 1 July 2016 (the service penalty instead)",
    }


def test_simulate_reactivation_in_2020_bills_6_months_and_defers_the_rest_to_the_end_of_2021() -> None:
    doc = run_json(
        "simulate reactivation --segment pbpu --kelas 2 --members 1 --unpaid-since 2019-09 --as-of 2020-08-03"
    )
    # 2019-09 .. 2020-07: 11 months; the latest 6 (2020-02 .. 2020-07) and August reactivate.
    assert (doc["months_in_arrears"], doc["months_billed"], doc["deferred_months"]) == (11, 6, 5)
    assert doc["remainder_due"] == "2021-12-31"
    # 2020-02, 2020-03 at Rp110,000 (Perpres 75/2019), 2020-04 .. 06 at Rp51,000, 2020-07 and 08 at Rp100,000.
    assert (doc["arrears_amount"], doc["current_month_amount"]) == (2 * 110_000 + 3 * 51_000 + 100_000, 100_000)
    assert doc["deferred_amount"] == 4 * 51_000 + 110_000  # 2019-09 .. 2019-12 and 2020-01
    assert "Perpres 64/2020 Pasal 42 ayat (3a)" in doc["basis"]


def test_simulate_penalty_of_inacbg_5_million_and_3_months_is_750000() -> None:
    doc = run_json(
        "simulate penalty --inacbg 5000000 --months-in-arrears 3 --reactivated 2021-01-02 --admitted 2021-02-16"
    )
    assert doc == {"penalty": 750_000, "rate": 0.05, "months_counted": 3, "in_window": True, "capped": False}


def test_simulate_rehab_2_schedule() -> None:
    doc = run_json(
        "simulate rehab --segment pbpu --kelas 3 --members 1 --unpaid-since 2024-01 --as-of 2025-03-05 --version 2025"
    )
    assert set(doc) == {"eligible", "reason", "installments", "total"}
    assert doc["eligible"] is True
    assert len(doc["installments"]) == 7
    assert all(set(i) == {"due", "amount"} for i in doc["installments"])
    assert doc["installments"][0] == {"due": "2025-04-10", "amount": 110_000}
    assert doc["installments"][1]["due"] == "2025-05-13"
    assert doc["total"] == 7 * 110_000


def test_nik_parse_reads_the_domain_example() -> None:
    doc = run_json("nik parse 3273056010900009 --reference 2024-01-01")
    assert set(doc) == {"valid", "province", "kabupaten_kota", "kecamatan", "birth_date", "sex"}
    assert doc == {
        "valid": True,
        "province": {"code": "32", "name": "Jawa Barat"},
        "kabupaten_kota": {"code": "32.73", "name": "Kota Bandung"},
        "kecamatan": {"code": "32.73.05", "name": "Andir"},
        "birth_date": "1990-10-20",
        "sex": "F",
    }


# --- bad input, through the real console script ----------------------------------------------------

BAD_INPUT = [
    pytest.param("simulate contribution --segment askes --month 2024-01 --kelas 3", "segment", id="unknown-segment"),
    pytest.param("simulate contribution --segment pbpu --month 2024-01 --kelas 5", "kelas", id="kelas-5"),
    pytest.param("simulate contribution --segment pbpu --month 2024-13 --kelas 3", "month", id="month-13"),
    pytest.param("simulate contribution --segment ppu-bu --month 2024-01 --umk 4000000", "wage", id="ppu-no-wage"),
    pytest.param("nik parse 3273056010900000 --reference 2024-01-01", "nik", id="invalid-nik"),
    pytest.param(
        "simulate penalty --inacbg 5000000 --months-in-arrears 3 --reactivated 2021-01-02 --admitted 2021-02-30",
        "admitted",
        id="malformed-date",
    ),
    pytest.param(
        "simulate reactivation --segment pbpu --kelas 3 --members 1 --unpaid-since 2020-01 --as-of 05/03/2024",
        "as_of",
        id="malformed-as-of",
    ),
    pytest.param(
        "simulate rehab --segment pbpu --kelas 3 --members 1 --unpaid-since 2024-01 --as-of 2025-02-02 --version 2025",
        "version",
        id="rehab-2-before-it-takes-effect",
    ),
]


@pytest.mark.parametrize(("args", "field"), BAD_INPUT)
def test_bad_input_exits_2_with_one_line_naming_the_field(args: str, field: str) -> None:
    result = run(args)
    assert_one_line_error(result.returncode, result.stdout, result.stderr, field)


# --- more cases in-process --------------------------------------------------------------------------


def test_in_process_run_matches_the_console_script(run_iuran: RunIuran) -> None:
    code, out, err = run_iuran("simulate", "contribution", "--segment", "pbi-apbn", "--month", "2019-08")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["total"] == 42_000
    assert doc["shares"] == {"participant": 0, "government": 42_000, "employer": 0, "worker": 0}


@pytest.mark.parametrize(
    ("segment", "kelas", "members", "total"),
    [("pbpu", "1", "4", 600_000), ("bp", "2", "1", 100_000), ("PBPU", "3", "2", 84_000)],
)
def test_contribution_for_families(run_iuran: RunIuran, segment: str, kelas: str, members: str, total: int) -> None:
    args = f"simulate contribution --segment {segment} --month 2024-05 --kelas {kelas} --members {members}"
    code, out, _ = run_iuran(*args.split())
    assert code == 0
    assert json.loads(out)["total"] == total


def test_penalty_over_the_cap_reports_capped(run_iuran: RunIuran) -> None:
    args = "simulate penalty --inacbg 60000000 --months-in-arrears 20 --reactivated 2021-01-02 --admitted 2021-01-05"
    code, out, _ = run_iuran(*args.split())
    assert code == 0
    assert json.loads(out) == {
        "penalty": 30_000_000,
        "rate": 0.05,
        "months_counted": 12,
        "in_window": True,
        "capped": True,
    }


def test_penalty_on_day_46_is_zero(run_iuran: RunIuran) -> None:
    args = "simulate penalty --inacbg 5000000 --months-in-arrears 3 --reactivated 2021-01-02 --admitted 2021-02-17"
    code, out, _ = run_iuran(*args.split())
    assert code == 0
    assert json.loads(out) == {"penalty": 0, "rate": 0.05, "months_counted": 3, "in_window": False, "capped": False}


def test_rehab_with_three_months_is_not_eligible_and_says_why(run_iuran: RunIuran) -> None:
    args = "simulate rehab --segment pbpu --kelas 3 --members 1 --unpaid-since 2024-03 --as-of 2024-06-05"
    code, out, _ = run_iuran(*args.split())
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"eligible", "reason", "installments", "total"}
    assert (doc["eligible"], doc["installments"], doc["total"]) == (False, [], 0)
    assert "4–24 billed months" in doc["reason"]


def test_nik_with_an_unknown_kecamatan_is_valid_with_a_null_kecamatan(run_iuran: RunIuran) -> None:
    code, out, _ = run_iuran("nik", "parse", "3273996010900009", "--reference", "2024-01-01")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"valid", "province", "kabupaten_kota", "kecamatan", "birth_date", "sex"}
    assert doc["kecamatan"] is None


MORE_BAD_INPUT = [
    ("simulate contribution --segment pbpu --month 2024-05", "kelas"),
    ("simulate contribution --segment pbpu --month 2024-05 --kelas 0", "kelas"),
    ("simulate contribution --segment pbpu --month 2024-05 --kelas x", "kelas"),
    ("simulate contribution --segment pbpu --month May-2024 --kelas 3", "month"),
    ("simulate contribution --segment pbpu --kelas 3", "month"),
    ("simulate contribution --segment pbpu --month 2024-05 --kelas 3 --members 0", "members"),
    ("simulate contribution --segment pbpu --month 2013-12 --kelas 3", "month"),
    ("simulate contribution --segment ppu-bu --month 2024-05 --wage 5000000", "umk"),  # PPU PN needs none
    ("simulate contribution --segment ppu-pn --month 2024-05 --wage -1 --umk 1", "wage"),
    ("simulate contribution --segment bp-pens --month 2024-05", "pension"),
    ("simulate contribution --segment bp-pens --month 2024-05 --pension 0", "pension"),
    ("simulate contribution --segment bp-pens --month 2024-05 --pension 3000000 --kelas 3", "kelas"),
    ("simulate contribution --segment bp-pens --month 2024-05 --pension 3000000 --members 2", "members"),
    ("simulate contribution --segment bp-vet --month 2013-12", "month"),  # before the first salary table
    (
        "simulate reactivation --segment ppu-bu --kelas 3 --members 1 --unpaid-since 2020-01 --as-of 2024-03-05",
        "segment",
    ),
    (
        "simulate reactivation --segment pbpu --kelas 3 --members 1 --unpaid-since 2024-04 --as-of 2024-03-05",
        "unpaid_since",
    ),
    (
        "simulate rehab --segment pbpu --kelas 3 --members 1 --unpaid-since 2024-01 --as-of 2025-03-05 --version 2030",
        "version",
    ),
    ("simulate penalty --inacbg -5 --months-in-arrears 3 --reactivated 2021-01-02 --admitted 2021-01-05", "inacbg"),
    ("nik parse 3273056010900009 --reference 2024-13-01", "reference"),
    ("nik parse 9973056010900009 --reference 2024-01-01", "nik.province"),
    ("nik parse 3273058010900009 --reference 2024-01-01", "nik.birth_date"),
    ("nik parse 3273-05-6010900009", "nik"),
]


@pytest.mark.parametrize(("args", "field"), MORE_BAD_INPUT)
def test_more_bad_input_exits_2_with_one_line_naming_the_field(run_iuran: RunIuran, args: str, field: str) -> None:
    code, out, err = run_iuran(*args.split())
    assert_one_line_error(code, out, err, field)
