"""The month stays consistent when a bank file comes late or arrives while the cycle runs (issue 10, findings 1–3).

A synthetic Kalimantan Tengah branch (August–November 2023 played), then a bank file of November payments, dated
30 November, for every family that owes for November. Whatever the order (the file before December's cycle, after
it, or while it runs) the books and reports of December come out the same, up to the dates and ids of the rows;
`ledger verify` proves it, and catches derived state altered by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from iuran.billing.ledger import verify
from iuran.billing.payable import due_items, sql_among
from iuran.billing.payments_staging import Dialect
from iuran.db.engine import make_engine
from iuran.rules.month import Month
from iuran.rules.payment_policy import WHOLE_BILL, payers_settling
from iuran.rules.reactivation import arrears_cap
from iuran.rules.rulebook import default_rulebook
from iuran.services import reports
from iuran.services.cycle import CycleError, refresh_month, run_cycle
from iuran.services.unit_of_work import UnitOfWork
from iuran.synth.build import build_scenario
from iuran.synth.play import HEADER
from usecases import TEST, import_payments
from usecases import run_cycle as cycle_of

DEC = Month(2023, 12)
NOV = Month(2023, 11)
CYCLE_AT = dt.datetime(2023, 12, 1, 1, 0)
IMPORT_AT = dt.datetime(2023, 12, 1, 9, 0)
SCALE = 0.003
TRIES = 20

# Every family that owes for November: its whole bill as of 30 November (what its bank would take).
_OWING = """(
  SELECT a.id AS line_no, a.id AS account_id, CASE WHEN {whole_bill} THEN 1 ELSE 0 END AS whole_bill,
         CAST(:cap AS INTEGER) AS arrears_cap, CAST(:m AS INTEGER) AS paid_month, {paid_on} AS paid_on, 0 AS amount
  FROM account a WHERE a.kind = 'family' AND a.activated_on IS NOT NULL
    AND EXISTS (SELECT 1 FROM open_item o WHERE o.account_id = a.id AND o.month = :m)
)"""


def _late_file(engine: Engine, path: Path) -> int:
    rules = default_rulebook()
    day = dt.date(2023, 11, 30)
    with engine.connect() as conn, path.open("w", newline="", encoding="utf-8") as f:
        d = Dialect.of(conn)
        payers = _OWING.format(
            whole_bill=sql_among("a.kind", payers_settling(WHOLE_BILL, day, rules)),
            paid_on="CAST(:day AS DATE)" if d.postgres else ":day",
        )
        rows = conn.execute(
            text(
                "SELECT a.va, sum(u.amount_open) FROM (" + due_items(d, payers, rules) + ") u"
                " JOIN account a ON a.id = u.account_id WHERE u.writes_off = 0 GROUP BY a.id, a.va ORDER BY a.id"
            ),
            {"m": 202311, "cap": arrears_cap(day, rules), "day": day},
        ).all()
        out = csv.writer(f)
        out.writerow(HEADER)
        for i, (va, amount) in enumerate(rows):
            out.writerow((f"LATE-{i}", va, "", int(amount), "2023-11-30 16:00:00", "teller"))
    return len(rows)


# The books and the month's state, without the ids and dates of rows (the only things a serial order changes).
_FINGERPRINT = {
    "charges": "SELECT account_id, month, kind, sum(members), sum(amount) FROM charge GROUP BY account_id, month, kind",
    "open": "SELECT account_id, month, sum(amount_open) FROM open_item GROUP BY account_id, month",
    "allocated": "SELECT account_id, month, sum(amount) FROM allocation GROUP BY account_id, month",
    "written_off": "SELECT account_id, month, sum(amount) FROM writeoff GROUP BY account_id, month",
    "payments": "SELECT account_id, sum(amount), count(*) FROM payment GROUP BY account_id",
    "statuses": "SELECT account_id, active, months_in_arrears, arrears_amount, unpaid_since, as_of_month"
    " FROM account_status",
    "coverage": "SELECT * FROM snapshot_coverage",
    "arrears": "SELECT * FROM snapshot_arrears",
    "steps": "SELECT month, step FROM cycle_step",
}
_REPORTS = ("coverage", "activeness", "arrears", "collectibility")


def fingerprint(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        got: dict[str, object] = {k: sorted(tuple(r) for r in conn.execute(text(q))) for k, q in _FINGERPRINT.items()}
    with UnitOfWork(engine, now=IMPORT_AT, actor=TEST, read_only=True) as uow:
        for name in _REPORTS:
            got[f"report {name}"] = reports.report(uow, name, dt.date(2023, 12, 15)).rows
    return got


@pytest.fixture(scope="module")
def branch(fresh_engine: Callable[[str], Engine], request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(backend, URL) of the built branch, before December: the template every try copies."""
    backend = request.param
    engine = fresh_engine(backend)
    build_scenario(engine, "kalteng-2023", SCALE, 3)
    engine.dispose()  # a template is copied only when nobody is connected to it
    yield backend, engine.url.render_as_string(hide_password=False)


def _copy(branch: tuple[str, str], tmp_path: Path) -> Engine:
    backend, url = branch
    if backend == "sqlite":
        path = tmp_path / f"{uuid.uuid4().hex[:8]}.sqlite"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        return make_engine(f"sqlite:///{path}")
    name = f"iuran_c_{uuid.uuid4().hex[:12]}"
    template = url.rsplit("/", 1)[1]
    admin = make_engine(url.rsplit("/", 1)[0] + "/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return make_engine(url.rsplit("/", 1)[0] + "/" + name)


def _drop(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    if engine.dialect.name == "postgresql":
        admin = make_engine(url.rsplit("/", 1)[0] + "/postgres").execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
        admin.dispose()


def _assert_books_prove(engine: Engine) -> None:
    with engine.connect() as c:
        result = verify(c)
    assert result.ok, {k: v for k, v in result.problems.items() if v}


@pytest.mark.parametrize("branch", ["sqlite", "postgresql"], indirect=True)
def test_a_late_file_gives_december_the_books_and_reports_of_a_file_on_time(
    branch: tuple[str, str], tmp_path: Path
) -> None:
    on_time, late = _copy(branch, tmp_path), _copy(branch, tmp_path)
    try:
        path = tmp_path / "late.csv"
        assert _late_file(on_time, path) > 10  # the branch has families that owe for November
        import_payments(on_time, path, now=dt.datetime(2023, 11, 30, 20))
        cycle_of(on_time, DEC, now=CYCLE_AT)

        cycle_of(late, DEC, now=CYCLE_AT)
        before = fingerprint(late)
        result = import_payments(late, path, now=IMPORT_AT)
        assert result.accepted > 10 and result.rejected == 0
        after = fingerprint(late)
        assert after["report activeness"] != before["report activeness"]  # the file changed December
        assert after == fingerprint(on_time)
        _assert_books_prove(late)
        # Re-running the cycle changes nothing; refreshing the month on demand changes nothing either.
        cycle_of(late, DEC, now=IMPORT_AT)
        with UnitOfWork(late, now=IMPORT_AT, actor=TEST) as uow:
            refresh_month(uow, DEC)
        assert fingerprint(late) == after
    finally:
        _drop(on_time)
        _drop(late)


@pytest.mark.parametrize("branch", ["postgresql"], indirect=True)
def test_a_file_imported_while_the_cycle_runs_ends_as_a_serial_order(branch: tuple[str, str], tmp_path: Path) -> None:
    serial = _copy(branch, tmp_path)
    path = tmp_path / "late.csv"
    try:
        _late_file(serial, path)
        started = time.monotonic()
        cycle_of(serial, DEC, now=CYCLE_AT)
        cycle_seconds = time.monotonic() - started
        import_payments(serial, path, now=IMPORT_AT)
        want = fingerprint(serial)  # cycle then file; the file then the cycle is the same (the test above)
    finally:
        _drop(serial)
    rng = random.Random(10)
    for attempt in range(TRIES):
        engine = _copy(branch, tmp_path)
        try:
            delay = rng.uniform(0, cycle_seconds)
            errors = _race(engine, path, delay)
            assert not errors, (attempt, errors)
            assert fingerprint(engine) == want, f"try {attempt}: the import {delay:.2f} s into the cycle"
            _assert_books_prove(engine)
        finally:
            _drop(engine)


def _race(engine: Engine, path: Path, delay: float) -> list[BaseException]:
    """December's cycle, and `delay` seconds after it starts the late file: the errors either raised."""
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as e:  # reported by the caller
            errors.append(e)

    cycle = threading.Thread(target=run, args=(lambda: cycle_of(engine, DEC, now=CYCLE_AT),))
    cycle.start()
    time.sleep(delay)
    run(lambda: import_payments(engine, path, now=IMPORT_AT))
    cycle.join()
    return errors


@pytest.mark.parametrize("branch", ["sqlite", "postgresql"], indirect=True)
def test_a_second_cycle_of_the_month_says_one_is_running(branch: tuple[str, str], tmp_path: Path) -> None:
    engine = _copy(branch, tmp_path)
    try:
        errors: list[BaseException] = []
        results = []

        def run() -> None:
            try:
                results.append(cycle_of(engine, DEC, now=CYCLE_AT))
            except CycleError as e:
                errors.append(e)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # One ran the month; the other either said a cycle is running or found the month finished.
        assert len(results) >= 1
        assert all("a cycle is running on this database already" in str(e) for e in errors)
        with UnitOfWork(engine, now=CYCLE_AT, actor=TEST) as uow:
            assert run_cycle(uow, DEC).rows == {}  # finished, whole
        _assert_books_prove(engine)
    finally:
        _drop(engine)


@pytest.mark.parametrize("branch", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE account_status SET active = NOT active WHERE account_id = (SELECT min(account_id) FROM open_item)",
        "UPDATE account_status SET arrears_amount = arrears_amount + 1"
        " WHERE account_id = (SELECT max(account_id) FROM account_status)",
        "UPDATE snapshot_coverage SET active = active + 1"
        " WHERE month = 202312 AND kecamatan_code = (SELECT min(kecamatan_code) FROM snapshot_coverage)",
        "UPDATE snapshot_arrears SET amount = amount - 1000 WHERE month = 202312 AND bucket = '1'",
        "DELETE FROM open_item WHERE charge_id = (SELECT max(id) FROM charge WHERE kind = 'subsidy_central')",
    ],
)
@pytest.mark.unbalanced_books
def test_verify_fails_on_derived_state_altered_by_hand(branch: tuple[str, str], tmp_path: Path, tamper: str) -> None:
    engine = _copy(branch, tmp_path)
    try:
        cycle_of(engine, DEC, now=CYCLE_AT)
        _assert_books_prove(engine)
        with engine.begin() as c:
            assert c.execute(text(tamper)).rowcount >= 1
        with engine.connect() as c:
            assert not verify(c).ok
    finally:
        _drop(engine)
