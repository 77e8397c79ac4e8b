"""`iuran payments import` from the command line: a JSON summary, or one clear line and exit 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from payments_checks import assert_books_balance
from payments_ledger import KELAS3, bill, family, months, status_as_of, write_csv
from sqlalchemy import Engine

if TYPE_CHECKING:
    from conftest import RunIuran

VA = "8888801000000001"


def test_import_prints_a_summary_and_writes_the_rejections_report(
    engine: Engine, db_url: str, tmp_path: Path, run_iuran: RunIuran
) -> None:
    with engine.begin() as c:
        payer = family(c, VA)
        bill(c, payer, months("2024-04", "2024-05"), KELAS3)
        status_as_of(c, payer, 202405, since=dt.date(2024, 5, 1))
    source = write_csv(
        tmp_path / "bank.csv",
        [
            ("TRX-1", VA, "", 4 * KELAS3, "2024-05-06", "bank"),
            ("TRX-2", VA, "", "12.000", "2024-05-06", "bank"),
        ],
    )
    report = tmp_path / "rejects.csv"

    code, out, _ = run_iuran(
        "payments", "import", str(source), "--report", str(report), "--database", db_url, "--now", "2024-05-20T09:00"
    )

    assert code == 0
    summary = json.loads(out)
    assert {k: summary[k] for k in ("lines", "accepted", "rejected", "duplicates", "amount_accepted")} == {
        "lines": 2,
        "accepted": 1,
        "rejected": 1,
        "duplicates": 0,
        "amount_accepted": 4 * KELAS3,
    }
    assert summary["rejections"] == {"invalid_amount": 1}
    assert (
        report.read_text().splitlines()[1] == '3,TRX-2,invalid_amount,"amount: a whole number of Rupiah, digits only"'
    )
    assert_books_balance(engine)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"reference,va,amount,paid_at\nX,1,2,2024-01-01\n", "iuran: header: a payments file starts with the header"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb1\xd2\xff\n", "iuran: file: a payments file is UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_exits_2_with_one_line(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    run_iuran: RunIuran,
    content: bytes,
    expected: str,
) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes(content)

    code, out, err = run_iuran("payments", "import", str(path), "--database", db_url, "--now", "2024-05-20T09:00")

    assert code == 2
    assert out == ""
    assert err.startswith(expected)
    assert len(err.splitlines()) == 1


def test_a_missing_file_or_a_bad_now_exits_2(db_url: str, tmp_path: Path, run_iuran: RunIuran) -> None:
    code, _, err = run_iuran("payments", "import", str(tmp_path / "none.csv"), "--database", db_url)
    assert code == 2
    assert err.startswith("iuran: file: the payments file must exist")
    path = write_csv(tmp_path / "bank.csv", [])
    code, _, err = run_iuran("payments", "import", str(path), "--database", db_url, "--now", "yesterday")
    assert code == 2
    assert err.startswith("iuran: --now: an ISO date-time")
