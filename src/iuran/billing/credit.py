"""Credit: money a payment brought beyond what it settled, held for its account (docs/ledger.md, "Credit").

A family may pay months ahead (the rule data's `months_ahead`), or pay again once settled; a reversal may release a
month it had paid. That money is the payment's credit: `payment.amount − Σ allocations`, kept per payment in
`payment_credit` (derived state, proved by `ledger verify`). The cycle's bill step applies it to the account's new
month when it covers the whole month and nothing older is open (a family's bill is whole), oldest payment first.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from iuran.billing.payable import sql_among
from iuran.billing.period import OPEN_PERIOD
from iuran.db.engine import create_temp_as

# Each (payment, charge) pair and what the payment's credit pays of the charge: the month's open items and the
# credits of an account laid end to end, oldest first; each pair gets the length where they overlap.
_APPLIED = """
SELECT c.payment_id, i.charge_id, i.account_id, i.month,
       (CASE WHEN i.upto < c.upto THEN i.upto ELSE c.upto END)
       - (CASE WHEN i.upto - i.amount_open > c.upto - c.amount THEN i.upto - i.amount_open ELSE c.upto - c.amount END)
       AS amount
FROM (SELECT o.charge_id, o.account_id, o.month, o.amount_open,
             sum(o.amount_open) OVER (PARTITION BY o.account_id ORDER BY o.charge_id) AS upto
      FROM open_item o JOIN cycle_credit_account k ON k.account_id = o.account_id WHERE o.month = :m) i
JOIN (SELECT p.payment_id, p.account_id, p.amount,
             sum(p.amount) OVER (PARTITION BY p.account_id ORDER BY p.payment_id) AS upto
      FROM payment_credit p JOIN cycle_credit_account k ON k.account_id = p.account_id) c
  ON c.account_id = i.account_id
"""


def apply_credit(conn: Connection, p: dict[str, object], whole_bill_payers: Sequence[str]) -> int:
    """Settle the month :m of every whole-bill account whose credit covers it and that owes nothing older, from
    its credit (allocations dated the 1st, :first). Returns the accounts settled."""
    # From the few accounts holding credit, each probed by its open items (the month's new items are many, and
    # their statistics not taken yet).
    create_temp_as(
        conn,
        "cycle_credit_account",
        "SELECT c.account_id FROM (SELECT account_id, sum(amount) AS credit FROM payment_credit"
        "   GROUP BY account_id) c"
        " JOIN account a ON a.id = c.account_id"
        f" WHERE {sql_among('a.kind', whole_bill_payers)}"
        " AND EXISTS (SELECT 1 FROM open_item o WHERE o.account_id = c.account_id AND o.month = :m)"
        " AND c.credit >= (SELECT sum(o.amount_open) FROM open_item o WHERE o.account_id = c.account_id"
        "                  AND o.month = :m)"
        " AND NOT EXISTS (SELECT 1 FROM open_item e WHERE e.account_id = c.account_id AND e.month < :m)",
        p,
    )
    accounts = int(conn.execute(text("SELECT count(*) FROM cycle_credit_account")).scalar_one())
    if accounts:
        create_temp_as(conn, "cycle_credit_applied", f"SELECT * FROM ({_APPLIED}) x WHERE amount > 0", p)
        conn.execute(
            text(
                "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on, period)"
                f" SELECT payment_id, charge_id, account_id, month, amount, :first, {OPEN_PERIOD}"
                " FROM cycle_credit_applied"
                " ORDER BY payment_id, charge_id"
            ),
            p,
        )
        used = "SELECT payment_id, sum(amount) AS amount FROM cycle_credit_applied GROUP BY payment_id"
        conn.execute(
            text(
                "DELETE FROM payment_credit WHERE payment_id IN"
                f" (SELECT u.payment_id FROM ({used}) u JOIN payment_credit c ON c.payment_id = u.payment_id"
                "  WHERE u.amount >= c.amount)"
            )
        )
        conn.execute(
            text(
                f"UPDATE payment_credit SET amount = payment_credit.amount - u.amount FROM ({used}) u"
                " WHERE payment_credit.payment_id = u.payment_id"
            )
        )
        conn.execute(
            text(
                "DELETE FROM open_item WHERE month = :m AND account_id IN (SELECT account_id FROM cycle_credit_account)"
            ),
            p,
        )
        conn.execute(text("DROP TABLE cycle_credit_applied"))
    conn.execute(text("DROP TABLE cycle_credit_account"))
    return accounts


def held(conn: Connection, account_id: int) -> int:
    """The account's credit as it stands: what its payments brought beyond what they settled."""
    total = conn.execute(
        text("SELECT COALESCE(sum(amount), 0) FROM payment_credit WHERE account_id = :a"), {"a": account_id}
    ).scalar_one()
    return int(total)


def release(conn: Connection, payment_id: int, account_id: int, amount: int) -> None:
    """`amount` of what `payment_id` paid is released (a reversed month): it is the payment's credit again."""
    conn.execute(
        text(
            "INSERT INTO payment_credit (payment_id, account_id, amount) VALUES (:p, :a, :x)"
            " ON CONFLICT (payment_id) DO UPDATE SET amount = payment_credit.amount + excluded.amount"
        ),
        {"p": payment_id, "a": account_id, "x": amount},
    )
