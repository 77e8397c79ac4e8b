"""Reversals: charges that should not have been made, e.g. months billed after a death reported late (docs/rules.md §4).

A reversal is a new ledger row; the charge stays. If the month was already paid, the allocation is released
(a negative allocation) and the money becomes the payment's credit on the account (`iuran.billing.credit`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.billing import account_status, credit
from iuran.billing.period import OPEN_PERIOD
from iuran.db.months import to_db
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook


def reverse_person_charges(
    conn: Connection, person_id: int, after: Month, reason: str, reversed_on: dt.date, rules: Rulebook
) -> int:
    """Reverse the person's charge lines for every month after `after`; returns the Rupiah reversed."""
    params = {"p": person_id, "m": to_db(after), "reason": reason, "d": reversed_on}
    conn.execute(
        text(
            "INSERT INTO reversal (charge_id, person_id, account_id, month, amount, reason, reversed_on, period) "
            f"SELECT l.charge_id, l.person_id, c.account_id, l.month, l.amount, :reason, :d, {OPEN_PERIOD} "
            "FROM charge_line l JOIN charge c ON c.id = l.charge_id AND c.month = l.month "
            "WHERE l.person_id = :p AND l.month > :m AND l.amount > 0 "
            "AND NOT EXISTS (SELECT 1 FROM reversal r WHERE r.charge_id = l.charge_id AND r.person_id = l.person_id)"
        ),
        params,
    )
    reversed_ = conn.execute(
        text(
            "SELECT r.charge_id, r.amount, COALESCE(o.amount_open, 0) FROM reversal r "
            "LEFT JOIN open_item o ON o.charge_id = r.charge_id "
            "WHERE r.person_id = :p AND r.month > :m AND r.reason = :reason AND r.reversed_on = :d"
        ),
        params,
    ).all()
    total = 0
    for charge_id, amount, open_amount in reversed_:  # one row per month billed after the death: a few
        total += amount
        if amount < open_amount:
            conn.execute(
                text("UPDATE open_item SET amount_open = amount_open - :a WHERE charge_id = :c"),
                {"a": amount, "c": charge_id},
            )
            continue
        conn.execute(text("DELETE FROM open_item WHERE charge_id = :c"), {"c": charge_id})
        release = amount - open_amount
        if release:
            paid = conn.execute(
                text(
                    "SELECT payment_id, account_id, month FROM allocation WHERE charge_id = :c AND amount > 0"
                    " ORDER BY payment_id DESC LIMIT 1"
                ),
                {"c": charge_id},
            ).one()
            conn.execute(
                text(
                    "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on,"
                    f" period) VALUES (:p, :c, :a, :m, -:r, :d, {OPEN_PERIOD})"
                ),
                {
                    "p": paid.payment_id,
                    "c": charge_id,
                    "a": paid.account_id,
                    "m": paid.month,
                    "r": release,
                    "d": reversed_on,
                },
            )
            credit.release(conn, int(paid.payment_id), int(paid.account_id), release)
    account_status.restate(conn, _REVERSED_ACCOUNTS, params, reversed_on, rules)
    return total


_REVERSED_ACCOUNTS = "SELECT account_id FROM reversal WHERE person_id = :p AND month > :m AND reason = :reason"
