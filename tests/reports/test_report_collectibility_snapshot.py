"""Kolektibilitas read from the cycle's collection snapshot gives the figures of the ledger read whole.

The ledger of conftest (Kalimantan Tengah) with the collection snapshot written as the cycle's last step would.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, Engine, text

from iuran.billing.collection_figures import write_collection_snapshot
from iuran.reports import collectibility_report, render
from iuran.rules.month import Month

NOV_20 = dt.date(2023, 11, 20)
DAYS = [
    dt.date(2023, 11, 1),  # the snapshot's day
    NOV_20,
    dt.date(2023, 11, 30),
    dt.date(2023, 12, 31),  # after the last cycle: December is read from the ledger
    dt.date(2024, 1, 31),  # the release of 8 Jan 2024
    dt.date(2024, 9, 30),  # the snapshot's first months have left the window
]
VIEWS = [(None, None), ("segment", None), (None, "PLK"), ("segment", "PLK"), (None, "SPT"), ("segment", "SPT")]


def snapshot(engine: Engine, *cycle_months: Month) -> None:
    for m in cycle_months:
        with engine.begin() as c:
            write_collection_snapshot(c, m, dt.datetime(m.year, m.month, 1, 1))


def reports(conn: Connection) -> list[str]:
    return [render(collectibility_report(conn, d, by, branch), "json") for d in DAYS for by, branch in VIEWS]


def from_the_ledger(engine: Engine) -> list[str]:
    with engine.connect() as c:
        c.execute(text("DELETE FROM snapshot_collection_mark"))  # no snapshot: the ledger read whole
        whole = reports(c)
        c.rollback()
    return whole


@pytest.mark.parametrize(
    "cycle_months", [[Month(2023, 11)], [Month(2023, 10), Month(2023, 11)]], ids=["nov", "oct-then-nov"]
)
def test_the_snapshot_gives_the_figures_of_the_ledger(kalteng: Engine, cycle_months: list[Month]) -> None:
    whole = from_the_ledger(kalteng)
    snapshot(kalteng, *cycle_months)
    with kalteng.connect() as c:
        assert c.execute(text("SELECT count(*) FROM snapshot_collection WHERE month = 202311")).scalar_one() > 0
        assert reports(c) == whole
        report = collectibility_report(c, NOV_20)
    assert [(str(r["month"]), r["billed"], r["collected"], r["cash"]) for r in report.rows] == [
        ("2023-09", 126_000, 126_000, 126_000),
        ("2023-10", 426_000, 426_000, 252_000),
        ("2023-11", 52_518_000, 46_918_000, 47_494_000),
    ]


def test_money_posted_after_the_snapshot_but_dated_before_it_counts(kalteng: Engine) -> None:
    snapshot(kalteng, Month(2023, 11))
    # The Pemda's Kelas III share of November, paid on 31 October late in the evening, in a bank file imported
    # after the November snapshot.
    with kalteng.begin() as c:
        c.execute(
            text(
                "INSERT INTO payment (id, reference, account_id, amount, paid_at, channel)"
                " VALUES (9, 'REF9', 4, 1400000, :t, 'bank')"
            ),
            {"t": dt.datetime(2023, 10, 31, 22)},
        )
        c.execute(
            text(
                "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on)"
                " VALUES (9, 9, 4, 202311, 1400000, :d)"
            ),
            {"d": dt.date(2023, 10, 31)},
        )
        c.execute(text("DELETE FROM open_item WHERE charge_id = 9"))
    whole = from_the_ledger(kalteng)
    with kalteng.connect() as c:
        assert reports(c) == whole
        report = collectibility_report(c, NOV_20)
    assert [(str(r["month"]), r["billed"], r["collected"], r["cash"]) for r in report.rows] == [
        ("2023-09", 126_000, 126_000, 126_000),
        ("2023-10", 426_000, 426_000, 1_652_000),  # + the payment of 31 October
        ("2023-11", 52_518_000, 48_318_000, 47_494_000),  # + its allocation to November
    ]


@pytest.mark.parametrize("posted", ["before", "after"])
def test_a_month_of_migrated_arrears_only_shows_its_cash(kalteng: Engine, posted: str) -> None:
    """August 2023 has only an opening charge (no cycle billed it): its payment is cash of October, and nothing of
    it is billed or collected, whether it was posted before the November snapshot or after it."""
    if posted == "after":
        snapshot(kalteng, Month(2023, 11))
    with kalteng.begin() as c:
        c.execute(
            text(
                "INSERT INTO charge (id, account_id, month, kind, members, amount, created_at)"
                " VALUES (20, 2, 202308, 'opening', 2, 300000, :t)"
            ),
            {"t": dt.datetime(2023, 1, 1)},
        )
        c.execute(
            text(
                "INSERT INTO payment (id, reference, account_id, amount, paid_at, channel)"
                " VALUES (10, 'REF10', 2, 300000, :t, 'bank')"
            ),
            {"t": dt.datetime(2023, 10, 20, 9)},
        )
        c.execute(
            text(
                "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on)"
                " VALUES (10, 20, 2, 202308, 300000, :d)"
            ),
            {"d": dt.date(2023, 10, 20)},
        )
    if posted == "before":
        snapshot(kalteng, Month(2023, 11))
    whole = from_the_ledger(kalteng)
    with kalteng.connect() as c:
        assert reports(c) == whole
        report = collectibility_report(c, NOV_20)
    assert [(str(r["month"]), r["billed"], r["collected"], r["cash"]) for r in report.rows] == [
        ("2023-09", 126_000, 126_000, 126_000),
        ("2023-10", 426_000, 426_000, 552_000),
        ("2023-11", 52_518_000, 46_918_000, 47_494_000),
    ]
