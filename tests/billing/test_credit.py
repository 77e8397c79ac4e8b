"""Money with no month yet (issue 10, finding 4): a family paying months ahead, or paying again once settled.

The payment is accepted; what it brings beyond its bill is the account's credit, which each coming cycle applies to
the new month when it covers it whole; `ledger verify` proves the credit against the payments, and the credit
report lists it, with what is beyond the months the rules let a family pay ahead (to refund).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from cycle_fixtures import family
from iuran.billing.ledger import verify
from iuran.rules.contribution import family_due
from iuran.rules.month import Month
from iuran.services.payments import PaymentRequest, PostedPayment, post_payment
from iuran.services.reports import report
from iuran.services.unit_of_work import UnitOfWork
from usecases import TEST, run_cycle

JAN, FEB, MAR, APR = (Month(2024, m) for m in (1, 2, 3, 4))


def _va(conn: Connection, account: int) -> str:
    return str(conn.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar_one())


def _pay(engine: Engine, va: str, amount: int, reference: str, at: dt.datetime) -> PostedPayment:
    with UnitOfWork(engine, now=at, actor=TEST) as uow:
        return post_payment(uow, PaymentRequest(reference, amount, at, "teller", va=va))


def _open(engine: Engine, account: int) -> list[int]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT month FROM open_item WHERE account_id = :a ORDER BY month"), {"a": account})
        return [int(m) for (m,) in rows]


def test_a_family_paying_two_months_ahead_is_settled_by_the_next_two_cycles(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        account = family(c, 3, 2, billing_from=JAN)
        va = _va(c, account)
    monthly = family_due(JAN, 2, 3)
    run_cycle(engine, JAN, now=dt.datetime(2024, 1, 1, 1))

    posted = _pay(engine, va, 3 * monthly, "AHEAD-1", dt.datetime(2024, 1, 5, 9))

    assert [str(m.month) for m in posted.settled] == ["2024-01"] and posted.credit == 2 * monthly
    for month in (FEB, MAR):
        run_cycle(engine, month, now=dt.datetime(month.year, month.month, 1, 1))
        assert _open(engine, account) == []  # the credit paid the month as it was billed
    run_cycle(engine, APR, now=dt.datetime(2024, 4, 1, 1))
    assert _open(engine, account) == [202404]  # the credit is spent: April is the family's to pay
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM payment_credit")).scalar_one() == 0
        active = c.execute(text("SELECT active FROM account_status WHERE account_id = :a"), {"a": account})
        assert active.scalar_one()  # never a month in arrears
        assert verify(c).ok


def test_a_payment_after_the_bill_is_settled_is_credit_and_the_report_lists_it(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 1, 3, billing_from=JAN)
        va = _va(c, account)
    monthly = family_due(JAN, 3, 1)
    run_cycle(engine, JAN, now=dt.datetime(2024, 1, 1, 1))
    _pay(engine, va, monthly, "BILL-1", dt.datetime(2024, 1, 5, 9))

    again = _pay(engine, va, 20 * monthly, "AGAIN-1", dt.datetime(2024, 1, 6, 9))  # the bank sent it twice, and more

    assert (again.settled, again.credit) == ((), 20 * monthly)
    with UnitOfWork(engine, now=dt.datetime(2024, 1, 7), actor=TEST, read_only=True) as uow:
        credit = report(uow, "credit", dt.date(2024, 1, 7))
    [row] = [r for r in credit.rows if r["account"] == account]
    assert (row["credit"], row["monthly"], row["months_ahead"]) == (20 * monthly, monthly, 12)
    assert row["to_refund"] == 8 * monthly  # beyond the 12 months a family may pay ahead
    with engine.connect() as c:
        assert verify(c).ok


def test_verify_catches_credit_altered_by_hand(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 1, 3, billing_from=JAN)
        va = _va(c, account)
    run_cycle(engine, JAN, now=dt.datetime(2024, 1, 1, 1))
    _pay(engine, va, 10 * family_due(JAN, 3, 1), "AHEAD-2", dt.datetime(2024, 1, 5, 9))
    with engine.begin() as c:
        c.execute(text("UPDATE payment_credit SET amount = amount + 1"))
    with engine.connect() as c:
        assert verify(c).problems["credit_disagrees_with_payments"]
    with engine.begin() as c:
        c.execute(text("UPDATE payment_credit SET amount = amount - 1"))
