"""What a payer account owes on a day: the quote every face asks (a bank's inquiry, the counter, a family).

The months come from the same statement that settles payments (`iuran.billing.payable.due_items`), over a request
of one row, so the quote is exactly what a payment that day must bring: each open month at the amount billed that
month (the rate in force then), the months in arrears beyond the reactivation cap shown as written off on payment,
and the current month. The status on the day is the rules' (`iuran.rules.status.is_active`) over the account's
open months and the months it settled this month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.billing.payable import DEFERS, WRITES_OFF, due_items
from iuran.billing.payments_staging import Dialect
from iuran.db.months import from_db, to_db
from iuran.db.values import as_date
from iuran.rules.month import Month
from iuran.rules.payment_policy import WHOLE_BILL, payment_policy
from iuran.rules.reactivation import arrears_cap, late_fee
from iuran.rules.rulebook import Rulebook
from iuran.rules.status import BilledMonth, is_active


@dataclass(frozen=True)
class MonthAmount:
    """An amount of one month: what it owes, what a payment settled or wrote off of it."""

    month: Month
    amount: int


@dataclass(frozen=True)
class Quote:
    """`total` is what the payer pays on `on` to be active (a family) or to settle every open month (the others,
    who may also pay their oldest months: `settles` is the payment policy)."""

    account_id: int
    on: dt.date
    settles: str
    months: tuple[MonthAmount, ...]  # billed months before the current one, oldest first
    written_off: tuple[MonthAmount, ...]  # months in arrears beyond the cap: written off with the payment
    current_month: MonthAmount
    active: bool
    unpaid_since: Month | None
    # Months owed but not due to be active (Perpres 64/2020 Pasal 42(3a)): paid by what a payment brings beyond
    # `total`, oldest first, in whole months.
    deferred: tuple[MonthAmount, ...] = ()
    late_fee: int = 0  # on the months in arrears, before July 2016 (iuran.billing.late_fee)

    @property
    def total(self) -> int:
        return sum(m.amount for m in self.months) + self.current_month.amount + self.late_fee


def quote(
    conn: Connection, account_id: int, kind: str, on: dt.date, rules: Rulebook, *, activated_on: dt.date | None
) -> Quote:
    """The quote of one account on `on`. `activated_on`: a family's first payment day (None: it has not paid yet,
    and a family is covered only from its first payment)."""
    policy = payment_policy(kind, on, rules)
    whole_bill = policy.settles == WHOLE_BILL
    current = Month.of(on)
    d = Dialect.of(conn)
    request = (
        "(SELECT 1 AS line_no, CAST(:account AS BIGINT) AS account_id, CAST(:whole_bill AS INTEGER) AS whole_bill,"
        " CAST(:cap AS INTEGER) AS arrears_cap, CAST(:month AS INTEGER) AS paid_month,"
        f" {'CAST(:on AS DATE)' if d.postgres else ':on'} AS paid_on, 0 AS amount)"
    )
    rows = conn.execute(
        text(
            f"SELECT month, writes_off, sum(amount_open) FROM ({due_items(d, request, rules)}) u"
            " GROUP BY month, writes_off ORDER BY month"
        ),
        {
            "account": account_id,
            "whole_bill": int(whole_bill),
            "cap": arrears_cap(on, rules) if whole_bill else None,
            "month": to_db(current),
            "on": on,
        },
    ).all()
    months, written_off, deferred, now_due = [], [], [], 0
    for m, writes_off, amount in rows:
        month = from_db(int(m))
        if writes_off == WRITES_OFF:
            written_off.append(MonthAmount(month, int(amount)))
        elif writes_off == DEFERS:
            deferred.append(MonthAmount(month, int(amount)))
        elif month == current:
            now_due = int(amount)
        else:
            months.append(MonthAmount(month, int(amount)))
    billed = [
        *(BilledMonth(m.month) for m in (*months, *written_off)),
        *_deferred(conn, account_id, {m.month for m in deferred}),
        *_settled_this_month(conn, account_id, on),
    ]
    if now_due:
        billed.append(BilledMonth(current))
    arrears = [m.month for m in (*written_off, *deferred, *months) if m.month < current]
    return Quote(
        account_id=account_id,
        on=on,
        settles=policy.settles,
        months=tuple(months),
        written_off=tuple(written_off),
        current_month=MonthAmount(current, now_due),
        active=False
        if kind == "family" and activated_on is None
        else is_active(on, billed, activated_on, rules, payer=kind),
        unpaid_since=min(arrears) if arrears else None,
        deferred=tuple(deferred),
        late_fee=late_fee(kind, sum(m.amount for m in months), len(months), on, rules)[0] if whole_bill else 0,
    )


def _deferred(conn: Connection, account_id: int, months: set[Month]) -> list[BilledMonth]:
    """The open months `months` of the account as the rules see them: deferred (to the end of their due month) by
    the payment that deferred them, or not deferred yet (a reactivation today would defer them)."""
    rows = conn.execute(
        text("SELECT month, deferred_on, due_month FROM arrears_deferral WHERE account_id = :a"), {"a": account_id}
    ).all()
    known = {from_db(int(m)): (as_date(on), from_db(int(due)).last_day()) for m, on, due in rows}
    return [BilledMonth(m, None, *known[m]) if m in known else BilledMonth(m) for m in sorted(months)]


def _settled_this_month(conn: Connection, account_id: int, on: dt.date) -> list[BilledMonth]:
    """The months the account's payments from the 1st of the month of `on` up to `on` settled or wrote off."""
    rows = conn.execute(
        text(
            "SELECT s.month, max(s.day) FROM ("
            " SELECT a.month, a.allocated_on AS day FROM payment p JOIN allocation a ON a.payment_id = p.id"
            "  WHERE p.account_id = :a AND p.paid_at >= :first AND p.paid_at < :after AND a.amount > 0"
            " UNION ALL SELECT w.month, w.written_off_on FROM payment p JOIN writeoff w ON w.payment_id = p.id"
            "  WHERE p.account_id = :a AND p.paid_at >= :first AND p.paid_at < :after) s GROUP BY s.month"
        ),
        {
            "a": account_id,
            "first": dt.datetime.combine(Month.of(on).first_day(), dt.time()),
            "after": dt.datetime.combine(on + dt.timedelta(days=1), dt.time()),
        },
    ).all()
    return [BilledMonth(from_db(int(m)), as_date(d)) for m, d in rows]
