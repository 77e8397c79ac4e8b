"""The cycle's collection snapshot: the collectibility report read from it agrees with the ledger read whole.

A small branch is played through real cycles and payment imports on both databases: families in two kabupaten/kota,
an employer, the central government and the Pemdas, a month skipped and paid later, a bank file imported after the
next cycle with payments dated before it, and a death reported late (reversals, released money).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterable
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, Engine, text

from cycle_fixtures import employer_with_workers, family, pbi
from iuran.db.migrate import _config, current, head, upgrade
from iuran.db.months import to_db
from iuran.registry.enrolment import NewPerson, register_family
from iuran.reports import collectibility_report, render
from iuran.rules.month import Month, month_range
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment
from usecases import import_payments, report_death, run_cycle

JAN, JUN = Month(2024, 1), Month(2024, 6)
KOTIM_DESA = "62.02.01.1009"  # Kotawaringin Timur (branch SPT); the other accounts are in Palangka Raya (PLK)
_ref = itertools.count(1)
# (by, branch): the month totals, the payer breakdown, a branch that is most of the accounts (the others are
# subtracted) and one that is few of them (its own accounts are read).
VIEWS = [(None, None), ("segment", None), (None, "PLK"), ("segment", "SPT")]


def kotim_family(conn: Connection, size: int, kelas: int) -> int:
    members = [
        NewPerson(
            nik=make_nik("62.02.01", dt.date(1985 + i, 2, 2), "M", 900 + i),
            name=f"Warga {i}",
            card_number=f"{9_000_000 + i:013d}",
            desa_code=KOTIM_DESA,
            registered_on=dt.date(2014, 1, 1),
        )
        for i in range(size)
    ]
    return register_family(
        conn, "6202010000000901", members, Segment.PBPU, kelas, billing_from=JAN, activated_on=dt.date(2014, 1, 1)
    )


def pay(engine: Engine, path: Path, payments: Iterable[tuple[int, dt.datetime]], now: dt.datetime) -> None:
    """Each account pays its whole bill on the day (every open month up to the month paid), as a bank quotes it."""
    rows = []
    with engine.connect() as c:
        for account, paid_at in payments:
            va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar()
            amount = c.execute(
                text("SELECT COALESCE(sum(amount_open), 0) FROM open_item WHERE account_id = :a AND month <= :m"),
                {"a": account, "m": to_db(Month.of(paid_at.date()))},
            ).scalar_one()
            if amount:
                rows.append([f"REF{next(_ref)}", va or "", "" if va else account, amount, paid_at.isoformat(), "bank"])
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["reference", "va", "account", "amount", "paid_at", "channel"])
        w.writerows(rows)
    result = import_payments(engine, path, now=now)
    assert (result.accepted, result.rejected) == (len(rows), 0)


def reports(conn: Connection, days: Iterable[dt.date]) -> list[str]:
    return [
        render(collectibility_report(conn, day, by=by, branch=branch), "json") for day in days for by, branch in VIEWS
    ]


def assert_snapshot_agrees_with_ledger(engine: Engine, days: Iterable[dt.date]) -> None:
    """Every report from the snapshots is the report from the ledger read whole (without the snapshots' marks)."""
    days = list(days)
    with engine.connect() as c:
        fast = reports(c, days)
        c.execute(text("DELETE FROM snapshot_collection_mark"))
        whole = reports(c, days)
        c.rollback()
    cases = [(day, by, branch) for day in days for by, branch in VIEWS]
    for case, from_snapshot, from_ledger in zip(cases, fast, whole, strict=True):
        assert from_snapshot == from_ledger, case


def branches(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(text("INSERT INTO branch (id, code, name) VALUES (1, 'PLK', 'Palangka Raya'), (2, 'SPT', 'Sampit')"))
        c.execute(text("INSERT INTO branch_region (branch_id, kabkota_code) VALUES (1, '62.71'), (2, '62.02')"))


def month_days(m: Month) -> list[dt.date]:
    return [m.first_day(), m.day(14), m.last_day()]


def test_the_report_from_snapshots_is_the_report_from_the_ledger(engine: Engine, tmp_path: Path) -> None:
    branches(engine)
    with engine.begin() as c:
        a = family(c, 3, 3, billing_from=JAN)
        b = family(c, 2, 1, billing_from=JAN)
        k = kotim_family(c, 2, 3)
        employer = employer_with_workers(c, [4_000_000, 9_000_000], JAN)
        central = pbi(c, 5, JAN)
        a_nik, b_nik = (
            c.execute(
                text("SELECT min(p.nik) FROM person p JOIN account a ON a.family_id = p.family_id WHERE a.id = :a"),
                {"a": x},
            ).scalar_one()
            for x in (a, b)
        )

    def pemda() -> int:
        with engine.connect() as c:
            return int(c.execute(text("SELECT id FROM account WHERE pemda_code = '62.71'")).scalar_one())

    for m in month_range(JAN, JUN):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 1))
        if m == Month(2024, 5):
            # April's last days, in a bank file that arrives after the May cycle: dated before its snapshot's day.
            late = [(b, dt.datetime(2024, 4, 29, 10)), (employer, dt.datetime(2024, 4, 30, 16))]
            pay(engine, tmp_path / "late-2024-04.csv", late, now=dt.datetime(2024, 5, 2, 8))
            # A death reported on 30 April, recorded after the cycle: April (paid, its money released) and May are
            # reversed on a day before the snapshot's.
            assert report_death(engine, a_nik, dt.date(2024, 3, 10), dt.date(2024, 4, 30)) > 0
        payments = [
            (employer, m.day(5)),
            (a, m.day(10)),
            *([(b, m.day(12))] if m in (JAN, Month(2024, 3), Month(2024, 5)) else []),  # skips Feb and Jun
            *([(k, m.day(15))] if m <= Month(2024, 2) else []),  # stops paying in March
            (central, m.day(20)),
            *([(pemda(), m.day(25))] if m != JAN else []),
        ]
        if m == Month(2024, 4):
            payments = [(x, day) for x, day in payments if x not in (b, employer)]  # they pay on the 29th/30th, late
        stamped = [(x, dt.datetime.combine(day, dt.time(9))) for x, day in payments]
        pay(engine, tmp_path / f"payments-{m}.csv", stamped, now=dt.datetime.combine(m.last_day(), dt.time(23)))
        if m == JUN:
            # Died in May, reported on 15 June: June, unpaid, is reversed.
            assert report_death(engine, b_nik, dt.date(2024, 5, 20), dt.date(2024, 6, 15)) > 0
        assert_snapshot_agrees_with_ledger(engine, [m.first_day(), m.last_day()])

    with engine.connect() as c:
        steps = dict(c.execute(text("SELECT month, rows FROM cycle_step WHERE step = 'collection'")).all())
        assert sorted(steps) == [to_db(m) for m in month_range(JAN, JUN)] and all(steps.values())
        late = c.execute(
            text(
                "SELECT count(*) FROM allocation WHERE allocated_on < '2024-05-01' AND id > ("
                "SELECT allocation_id FROM snapshot_collection_mark WHERE month = 202405)"
            )
        ).scalar_one()
        assert late > 0  # the late bank file and released money: posted after the May snapshot, dated before it
    assert_snapshot_agrees_with_ledger(engine, [d for m in month_range(JAN, Month(2024, 8)) for d in month_days(m)])


def test_the_report_reads_the_snapshot_of_its_cycle_month(engine: Engine, tmp_path: Path) -> None:
    branches(engine)
    with engine.begin() as c:
        account = family(c, 2, 3, billing_from=JAN)
    for m in month_range(JAN, Month(2024, 3)):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 1))
        pay(
            engine,
            tmp_path / f"p-{m}.csv",
            [(account, dt.datetime(m.year, m.month, 9, 9))],
            now=dt.datetime(m.year, m.month, 28),
        )
    as_of = dt.date(2024, 3, 20)
    with engine.connect() as c:
        before = collectibility_report(c, as_of)
        # A figure changed in February's row of the March snapshot shows in the report: it is read, not the ledger.
        c.execute(
            text(
                "UPDATE snapshot_collection SET billed = billed + 1"
                " WHERE month = 202403 AND period = 202402 AND kind = 'family'"
            )
        )
        after = collectibility_report(c, as_of)
        c.rollback()
    feb = next(r for r in before.rows if str(r["month"]) == "2024-02")
    feb_after = next(r for r in after.rows if str(r["month"]) == "2024-02")
    assert feb_after["billed"] == feb["billed"] + 1  # type: ignore[operator]
    assert feb_after["collected"] == feb["collected"]


def test_cycles_finished_before_the_migration_keep_running(engine: Engine, db_url: str) -> None:
    """A database whose cycles ran before 0003: their collection step counts as done, the report reads the ledger
    for them, and the next cycle builds its snapshot from the ledger whole."""
    branches(engine)
    with engine.begin() as c:
        family(c, 2, 3, billing_from=JAN)
    for m in month_range(JAN, Month(2024, 2)):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 1))
    cfg = _config()
    with engine.begin() as c:
        cfg.attributes["connection"] = c
        command.downgrade(cfg, "0002")
    assert current(engine) == "0002"
    upgrade(engine)
    assert current(engine) == head()
    with engine.connect() as c:
        done = c.execute(text("SELECT month, rows FROM cycle_step WHERE step = 'collection' ORDER BY month")).all()
        assert [tuple(r) for r in done] == [(202401, 0), (202402, 0)]
        assert c.execute(text("SELECT count(*) FROM snapshot_collection_mark")).scalar_one() == 0
    run_cycle(engine, Month(2024, 3), now=dt.datetime(2024, 3, 1, 1))
    with engine.connect() as c:
        marks = [r[0] for r in c.execute(text("SELECT month FROM snapshot_collection_mark"))]
    assert marks == [202403]
    assert_snapshot_agrees_with_ledger(engine, [dt.date(2024, 2, 10), dt.date(2024, 3, 1), dt.date(2024, 4, 30)])
