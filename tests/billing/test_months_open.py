"""The cycle's status step adds the month before's open items to the statuses of that month
(`iuran.billing.months_open`): the same months, Rupiah, first month and counting months as summing every open item
whole, on both databases (and the statuses it writes are proved against the open items after every test)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from iuran.billing.deferral import deferred_join
from iuran.billing.months_open import _WHOLE, months_open_sql

if TYPE_CHECKING:
    from conftest import RunIuran


def test_the_statuses_plus_a_month_are_the_open_items_summed_whole(
    db_url: str, run_iuran: RunIuran, engine: Engine
) -> None:
    code, _, err = run_iuran(
        "synth", "--scenario", "kalteng-2023", "--scale", "0.002", "--seed", "3", "--database", db_url
    )
    assert code == 0, err
    # The branch's statuses are of November 2023; the next cycle is December's.
    p = {"m": 202312, "previous": 202311, "first": "2023-12-01"}
    with engine.connect() as c:
        added = months_open_sql(c, 202312, 202311)
        assert "account_status" in added  # the statuses are of the month before: only November is added
        whole = _WHOLE.format(deferred=deferred_join("i", ":m", ":first"), only="")
        incremental = {r[0]: tuple(r[1:]) for r in c.execute(text(added), p) if r[1]}
        summed = {r[0]: tuple(r[1:]) for r in c.execute(text(whole), p)}
        # A status of another month: everything is summed whole.
        assert months_open_sql(c, 202401, 202312) == whole
    assert incremental == summed and len(summed) > 100
