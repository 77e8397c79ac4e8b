"""The books balance: checked straight from the ledger tables (to be replaced by `iuran ledger verify`)."""

from __future__ import annotations

from sqlalchemy import Engine, text

_BALANCES = """
SELECT c.id,
       c.amount - COALESCE(al.amount, 0) - COALESCE(w.amount, 0) - COALESCE(rv.amount, 0) AS balance,
       o.amount_open
FROM charge c
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM allocation GROUP BY charge_id) al ON al.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM writeoff GROUP BY charge_id) w ON w.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM reversal GROUP BY charge_id) rv ON rv.charge_id = c.id
LEFT JOIN open_item o ON o.charge_id = c.id
"""


def assert_books_balance(engine: Engine) -> None:
    """For every charge, amount − Σallocation − Σwriteoff − Σreversal = its open item (0 ⇒ no open item);
    no open item without its charge; no payment allocated beyond its amount."""
    with engine.connect() as c:
        charges = c.execute(text(_BALANCES)).all()
        orphans = c.execute(
            text("SELECT o.charge_id FROM open_item o LEFT JOIN charge c ON c.id = o.charge_id WHERE c.id IS NULL")
        ).all()
        overallocated = c.execute(
            text(
                "SELECT p.id FROM payment p JOIN allocation a ON a.payment_id = p.id"
                " GROUP BY p.id, p.amount HAVING sum(a.amount) > p.amount"
            )
        ).all()
    wrong = [
        (charge, balance, open_)
        for charge, balance, open_ in charges
        if balance < 0 or (balance == 0 and open_ is not None) or (balance > 0 and open_ != balance)
    ]
    assert not wrong, f"charges whose balance is not their open item: {wrong}"
    assert not orphans, f"open items without a charge: {orphans}"
    assert not overallocated, f"payments allocated beyond their amount: {overallocated}"
