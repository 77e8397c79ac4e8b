"""Sealed months on both databases: an untouched ledger verifies; a sealed row altered (triggers set aside),
deleted or back-dated makes `iuran ledger verify` exit 1 naming the month and the table; a rewritten seal breaks
the chain; an exported month re-verifies from its Parquet files, and a changed file is caught."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Connection, Engine, text

from iuran.db.engine import is_postgres

if TYPE_CHECKING:
    from conftest import RunIuran

# kalteng-2023 plays August to November 2023: the opening period and August to October are sealed, November open.
SEALED = (0, 202308, 202309, 202310)


@pytest.fixture
def branch(db_url: str, run_iuran: RunIuran) -> str:
    code, _, err = run_iuran(
        "synth", "--scenario", "kalteng-2023", "--scale", "0.002", "--seed", "1", "--database", db_url
    )
    assert code == 0, err
    return db_url


@contextmanager
def triggers_set_aside(engine: Engine) -> Iterator[Connection]:
    """A connection on which the append-only triggers do not fire: what someone with database access can do."""
    with engine.begin() as c:
        if is_postgres(c):
            c.execute(text("SET LOCAL session_replication_role = replica"))
            yield c
            return
        names = [r[0] for r in c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))]
        sql = {r[0]: r[1] for r in c.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))}
        for name in names:
            c.execute(text(f"DROP TRIGGER {name}"))
        yield c
        for name in names:
            c.execute(text(sql[name]))


def verify(run_iuran: RunIuran, url: str, *args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run_iuran("ledger", "verify", "--database", url, *args)
    return code, json.loads(out)


def test_an_untouched_ledger_verifies_daily_and_in_full(branch: str, run_iuran: RunIuran, engine: Engine) -> None:
    with engine.connect() as c:
        assert [r[0] for r in c.execute(text("SELECT month FROM ledger_seal ORDER BY month"))] == list(SEALED)
        assert c.execute(text("SELECT max(month) FROM ledger_period")).scalar() == 202311
        if is_postgres(c):  # each cycle opened its month's partitions, and the next month's for charges
            partitions = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            parts = {r[0] for r in c.execute(text(f"{partitions} WHERE i.inhparent = 'charge'::regclass"))}
            assert parts == {"charge_default"} | {f"charge_{m}" for m in (202308, 202309, 202310, 202311, 202312)}
            lines = {r[0] for r in c.execute(text(f"{partitions} WHERE i.inhparent = 'charge_line'::regclass"))}
            assert lines == {"charge_line_default"} | {f"charge_line_{m}" for m in (202308, 202309, 202310, 202311)}
    for args in ((), ("--full",)):
        code, out = verify(run_iuran, branch, *args)
        assert code == 0 and out["ok"], out
        assert out["sealed"]["month"] == 202310  # type: ignore[index]
    _, daily = verify(run_iuran, branch)
    _, full = verify(run_iuran, branch, "--full")
    assert daily["totals"] == full["totals"]  # the daily totals add the seals' to what was posted since


TAMPERING = {
    # a value no balance depends on: only the seal sees it
    "update": (
        "payment",
        "UPDATE payment SET channel = 'teller' WHERE id = (SELECT min(id) FROM payment WHERE period = {m})",
    ),
    "update_line": (
        "charge_line",
        "UPDATE charge_line SET segment = 'pbpu' WHERE month = {m} AND person_id = "
        "(SELECT min(person_id) FROM charge_line WHERE month = {m} AND segment <> 'pbpu')",
    ),
    "delete": ("allocation", "DELETE FROM allocation WHERE id = (SELECT max(id) FROM allocation WHERE period = {m})"),
    "backdated_insert": (
        "payment",
        "INSERT INTO payment (reference, account_id, amount, paid_at, channel, period)"
        " SELECT 'BACKDATED-1', min(account_id), 1000, '2023-09-15 10:00:00', 'teller', {m} FROM payment",
    ),
}


@pytest.mark.unbalanced_books
@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_a_tampered_sealed_month_is_named(branch: str, run_iuran: RunIuran, engine: Engine, how: str) -> None:
    table, sql = TAMPERING[how]
    with triggers_set_aside(engine) as c:
        assert c.execute(text(sql.format(m=202309))).rowcount == 1
    code, out = verify(run_iuran, branch, "--full")
    assert code == 1
    assert ["202309", table] == out["problems"]["sealed_rows_changed"][0][:2]  # type: ignore[index]


@pytest.mark.unbalanced_books
def test_the_daily_proof_counts_the_latest_seal(branch: str, run_iuran: RunIuran, engine: Engine) -> None:
    """The daily proof counts and sums the latest seal's rows again: a sealed row deleted is seen the next day; an
    edit that keeps the count and the amounts is left to `--full`, which recomputes the digests."""
    _, delete = TAMPERING["delete"]
    with triggers_set_aside(engine) as c:
        c.execute(text(delete.format(m=202310)))
    code, out = verify(run_iuran, branch)
    assert code == 1 and out["full"] is False
    assert out["problems"]["sealed_rows_changed"] == [["202310", "allocation", "450", "449"]]


@pytest.mark.unbalanced_books
def test_an_edit_that_keeps_the_amounts_is_the_full_proofs(branch: str, run_iuran: RunIuran, engine: Engine) -> None:
    _, update = TAMPERING["update"]
    with triggers_set_aside(engine) as c:
        c.execute(text(update.format(m=202310)))
    code, out = verify(run_iuran, branch)
    assert code == 0 and out["full"] is False
    code, out = verify(run_iuran, branch, "--full")
    assert code == 1
    assert out["problems"]["sealed_rows_changed"] == [["202310", "payment", "367", "367"]]


@pytest.mark.unbalanced_books
def test_a_rewritten_seal_breaks_the_chain(branch: str, run_iuran: RunIuran, engine: Engine) -> None:
    with triggers_set_aside(engine) as c:
        c.execute(text("UPDATE ledger_seal_table SET rows = rows - 1 WHERE month = 202309 AND table_name = 'payment'"))
    code, out = verify(run_iuran, branch)
    assert code == 1
    assert out["problems"]["seal_chain_broken"][0][0] == "202309"  # type: ignore[index]


def test_an_exported_month_reverifies_from_its_files(
    branch: str, run_iuran: RunIuran, engine: Engine, tmp_path: Path
) -> None:
    for month in ("2023-09", "2023-10"):
        code, out, err = run_iuran(
            "ledger", "export", "--month", month, "--output", str(tmp_path), "--database", branch
        )
        assert code == 0, err
    with engine.connect() as c:
        digest = c.execute(text("SELECT digest FROM ledger_seal WHERE month = 202310")).scalar()
    assert json.loads(out)["digest"] == digest
    code, result = verify(run_iuran, branch, "--archive", str(tmp_path))
    assert code == 0 and result["ok"], result

    # A changed value in an exported file is caught, naming the month and the table.
    path = tmp_path / "ledger-202309" / "charge.parquet"
    data = pq.read_table(path)
    amounts = data.column("amount").to_pylist()
    amounts[0] += 1
    pq.write_table(data.set_column(data.schema.get_field_index("amount"), "amount", [amounts]), path)
    code, result = verify(run_iuran, branch, "--archive", str(tmp_path))
    assert code == 1
    assert result["problems"]["archive_rows_changed"] == [["202309", "charge"]]


def test_an_open_month_cannot_be_exported(branch: str, run_iuran: RunIuran, tmp_path: Path) -> None:
    out = tmp_path / "archive"
    code, _, err = run_iuran("ledger", "export", "--month", "2023-11", "--output", str(out), "--database", branch)
    assert code == 2 and "month" in err and "not sealed" in err
    assert not out.exists()


AUDIT = Path(__file__).parents[2] / "docs" / "audit.md"


def audit_script(tmp_path: Path) -> Path:
    """The script of docs/audit.md, as an auditor saves it."""
    text_ = AUDIT.read_text(encoding="utf-8")
    script = text_.split("```python\n", 1)[1].split("```\n", 1)[0]
    assert "iuran" not in "".join(line for line in script.splitlines() if line.startswith(("import", "from")))
    path = tmp_path / "recompute_seal.py"
    path.write_text(script, encoding="utf-8")
    return path


def test_the_audit_script_recomputes_a_seal_from_the_files_alone(
    branch: str, run_iuran: RunIuran, engine: Engine, tmp_path: Path
) -> None:
    code, _, err = run_iuran("ledger", "export", "--month", "2023-09", "--output", str(tmp_path), "--database", branch)
    assert code == 0, err
    script = audit_script(tmp_path)
    folder = tmp_path / "ledger-202309"
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(folder)], capture_output=True, text=True, cwd=tmp_path
    )
    with engine.connect() as c:
        digest = c.execute(text("SELECT digest FROM ledger_seal WHERE month = 202309")).scalar()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1] == digest

    # One row less in a file: the script names the month and the table, and fails.
    path = folder / "payment.parquet"
    pq.write_table(pq.read_table(path).slice(1), path)
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(folder)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 1
    assert "202309 payment" in done.stderr


@pytest.mark.unbalanced_books
def test_the_daily_proof_sees_a_wrong_posting_since_the_seal(branch: str, run_iuran: RunIuran, engine: Engine) -> None:
    """An allocation posted in the open period that pays an old charge twice over: the daily proof, which reads only
    what was posted since the latest seal, finds the charge overpaid and its open item wrong."""
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on, period)"
                " SELECT a.payment_id, a.charge_id, a.account_id, a.month, a.amount, a.allocated_on, 202311"
                " FROM allocation a WHERE a.id = (SELECT min(id) FROM allocation WHERE period = 202308)"
            )
        )
    code, out = verify(run_iuran, branch)
    assert code == 1 and out["full"] is False
    assert out["problems"]["charge_overpaid"] and out["problems"]["payment_overallocated"]
