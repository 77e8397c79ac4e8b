"""Proof that the books balance: `verify` checks every account, charge, payment and allocation.

Each check is one SQL query that returns the offending rows (at most a sample); an empty result everywhere means
the ledger balances: for every charge `amount − allocations − write-offs − reversals` is ≥ 0 and equals its open
item, every allocation points at a real charge of the same account and month and at a real payment, every charge
and payment at a real account, and no payment is allocated beyond its amount. The derived state too: every
account's status agrees with its open items, and the latest month's snapshots and subsidies with the books as of
its 1st (`iuran.billing.month_state.proofs`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from iuran.billing import month_state
from iuran.billing.billable import month_params
from iuran.billing.suspension import months_tolerated_sql
from iuran.rules.rulebook import Rulebook, default_rulebook

SAMPLE = 20

# Per charge: what was settled against it, by kind.
_SETTLED = """
SELECT c.id, c.account_id, c.month, c.kind, c.members, c.amount,
       COALESCE(al.amount, 0) AS allocated, COALESCE(w.amount, 0) AS written_off,
       COALESCE(rv.amount, 0) AS reversed
FROM charge c
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM allocation GROUP BY charge_id) al ON al.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM writeoff GROUP BY charge_id) w ON w.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM reversal GROUP BY charge_id) rv ON rv.charge_id = c.id
"""

_BALANCE = "(s.amount - s.allocated - s.written_off - s.reversed)"

CHECKS: dict[str, str] = {
    # References that PostgreSQL does not check row by row on the bulk-written tables (migration 0004).
    "charge_without_account": """
        SELECT c.id FROM charge c LEFT JOIN account a ON a.id = c.account_id WHERE a.id IS NULL""",
    "payment_without_account": """
        SELECT p.id FROM payment p LEFT JOIN account a ON a.id = p.account_id WHERE a.id IS NULL""",
    "allocation_without_payment": """
        SELECT a.id FROM allocation a LEFT JOIN payment p ON p.id = a.payment_id WHERE p.id IS NULL""",
    "writeoff_without_payment": """
        SELECT w.id FROM writeoff w LEFT JOIN payment p ON p.id = w.payment_id
        WHERE w.payment_id IS NOT NULL AND p.id IS NULL""",
    "status_without_account": """
        SELECT s.account_id FROM account_status s LEFT JOIN account a ON a.id = s.account_id WHERE a.id IS NULL""",
    "charge_overpaid": f"SELECT s.id, {_BALANCE} FROM ({_SETTLED}) s WHERE {_BALANCE} < 0",
    "open_item_mismatch": f"""
        SELECT s.id, {_BALANCE}, o.amount_open FROM ({_SETTLED}) s
        LEFT JOIN open_item o ON o.charge_id = s.id
        WHERE ({_BALANCE} > 0 AND (o.amount_open IS NULL OR o.amount_open <> {_BALANCE}))
           OR ({_BALANCE} <= 0 AND o.charge_id IS NOT NULL)""",
    "open_item_orphan": """
        SELECT o.charge_id FROM open_item o LEFT JOIN charge c ON c.id = o.charge_id
        WHERE c.id IS NULL OR c.account_id <> o.account_id OR c.month <> o.month""",
    "lines_disagree_with_charge": """
        SELECT c.id, c.amount, l.amount, c.members, l.members FROM charge c
        LEFT JOIN (SELECT charge_id, sum(amount) AS amount, count(*) AS members FROM charge_line
                   GROUP BY charge_id) l ON l.charge_id = c.id
        WHERE c.kind = 'contribution' AND (l.charge_id IS NULL OR l.amount <> c.amount OR l.members <> c.members)""",
    "line_without_person": """
        SELECT l.charge_id, l.person_id FROM charge_line l LEFT JOIN person p ON p.id = l.person_id
        WHERE p.id IS NULL""",
    "line_without_charge": """
        SELECT l.charge_id, l.person_id FROM charge_line l LEFT JOIN charge c ON c.id = l.charge_id
        WHERE c.id IS NULL OR l.month <> c.month""",
    "allocation_without_charge": """
        SELECT a.id FROM allocation a LEFT JOIN charge c ON c.id = a.charge_id
        WHERE c.id IS NULL OR c.account_id <> a.account_id OR c.month <> a.month""",
    "allocation_to_other_account": """
        SELECT a.id FROM allocation a JOIN payment p ON p.id = a.payment_id WHERE p.account_id <> a.account_id""",
    "payment_without_batch": """
        SELECT p.id FROM payment p LEFT JOIN import_batch b ON b.id = p.batch_id
        WHERE p.batch_id IS NOT NULL AND b.id IS NULL""",
    "payment_overallocated": """
        SELECT p.id, p.amount, sum(a.amount) FROM payment p JOIN allocation a ON a.payment_id = p.id
        GROUP BY p.id, p.amount HAVING sum(a.amount) > p.amount OR sum(a.amount) < 0""",
    "writeoff_without_charge": """
        SELECT w.id FROM writeoff w LEFT JOIN charge c ON c.id = w.charge_id
        WHERE c.id IS NULL OR c.account_id <> w.account_id OR c.month <> w.month""",
    "reversal_without_line": """
        SELECT r.id FROM reversal r
        LEFT JOIN charge_line l ON l.charge_id = r.charge_id AND l.person_id = r.person_id
        LEFT JOIN charge c ON c.id = r.charge_id
        WHERE l.charge_id IS NULL OR r.amount > l.amount OR c.account_id <> r.account_id OR c.month <> r.month""",
    # Every service penalty is the penalty of one recorded claim: its account, month of admission and amount
    # (iuran.billing.service_penalty); every claim with a penalty has its charge.
    "penalty_disagrees_with_claim": """
        SELECT c.id, e.id, c.amount, e.penalty FROM charge c LEFT JOIN claim_event e ON e.charge_id = c.id
        WHERE c.kind = 'service_penalty'
          AND (e.id IS NULL OR e.account_id <> c.account_id OR e.month <> c.month OR e.penalty <> c.amount)
        UNION ALL
        SELECT e.charge_id, e.id, NULL, e.penalty FROM claim_event e LEFT JOIN charge c ON c.id = e.charge_id
        WHERE e.charge_id IS NOT NULL AND (c.id IS NULL OR c.kind <> 'service_penalty')""",
    # Derived state: each payment's credit is what it brought beyond its allocations (iuran.billing.credit).
    "credit_disagrees_with_payments": """
        SELECT p.id, p.amount - COALESCE(a.amount, 0), c.amount FROM payment p
        LEFT JOIN (SELECT payment_id, sum(amount) AS amount FROM allocation GROUP BY payment_id) a
          ON a.payment_id = p.id
        LEFT JOIN payment_credit c ON c.payment_id = p.id
        WHERE p.amount - COALESCE(a.amount, 0) <> COALESCE(c.amount, 0) OR c.account_id <> p.account_id
        UNION ALL
        SELECT c.payment_id, NULL, c.amount FROM payment_credit c LEFT JOIN payment p ON p.id = c.payment_id
        WHERE p.id IS NULL""",
    # A month a reactivation deferred (iuran.billing.deferral) is a month of the account, deferred by one of its
    # payments.
    "deferral_disagrees_with_charge": """
        SELECT f.charge_id, f.payment_id FROM arrears_deferral f
        LEFT JOIN charge c ON c.id = f.charge_id LEFT JOIN payment p ON p.id = f.payment_id
        WHERE c.id IS NULL OR p.id IS NULL OR c.account_id <> f.account_id OR c.month <> f.month
           OR p.account_id <> f.account_id""",
}


def _status_check(rules: Rulebook) -> str:
    """Derived state: each account's status says what its open items say (months, Rupiah and the first month in
    arrears before its status month), and an active account has no more months open before it than its suspension
    rule tolerates."""
    tolerated = months_tolerated_sql("a.kind", "s.as_of_month", rules, day_of_month=None)
    return f"""
        SELECT s.account_id, s.months_in_arrears, COALESCE(o.months, 0), s.arrears_amount, COALESCE(o.amount, 0)
        FROM account_status s
        JOIN account a ON a.id = s.account_id
        LEFT JOIN (SELECT i.account_id, count(DISTINCT i.month) AS months, sum(i.amount_open) AS amount,
                          min(i.month) AS since,
                          count(DISTINCT CASE WHEN f.charge_id IS NULL THEN i.month END) AS counting
                   FROM open_item i JOIN account_status t ON t.account_id = i.account_id AND i.month < t.as_of_month
                   LEFT JOIN arrears_deferral f ON f.charge_id = i.charge_id AND f.due_month >= t.as_of_month
                   GROUP BY i.account_id) o ON o.account_id = s.account_id
        WHERE s.months_in_arrears <> COALESCE(o.months, 0) OR s.arrears_amount <> COALESCE(o.amount, 0)
           OR COALESCE(s.unpaid_since, 0) <> COALESCE(o.since, 0)
           OR (s.active AND COALESCE(o.counting, 0) > {tolerated})"""


@dataclass(frozen=True)
class Verification:
    problems: dict[str, list[tuple[object, ...]]]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def verify(conn: Connection, rules: Rulebook | None = None) -> Verification:
    """Run every check (the statuses by the suspension rules of `rules`, the shipped ones by default); return the
    offending rows (a sample of each) and the ledger's totals."""
    rules = rules or default_rulebook()
    checks = CHECKS | {"status_disagrees_with_open_items": _status_check(rules)}
    problems = {
        name: [tuple(r) for r in conn.execute(text(f"SELECT * FROM ({sql}) q LIMIT {SAMPLE}"))]
        for name, sql in checks.items()
    }
    totals_row = conn.execute(
        text(
            "SELECT (SELECT COALESCE(sum(amount), 0) FROM charge),"
            " (SELECT COALESCE(sum(amount), 0) FROM allocation),"
            " (SELECT COALESCE(sum(amount), 0) FROM writeoff),"
            " (SELECT COALESCE(sum(amount), 0) FROM reversal),"
            " (SELECT COALESCE(sum(amount_open), 0) FROM open_item),"
            " (SELECT COALESCE(sum(amount), 0) FROM payment),"
            " (SELECT count(*) FROM charge), (SELECT count(*) FROM payment)"
        )
    ).one()
    problems |= _prove_latest_month(conn, rules)
    billed, allocated, written_off, reversed_, open_, paid, charges, payments = (int(v) for v in totals_row)
    totals = {
        "charges": charges,
        "payments": payments,
        "billed": billed,
        "allocated": allocated,
        "written_off": written_off,
        "reversed": reversed_,
        "open": open_,
        "paid": paid,
        "credit": paid - allocated,
    }
    # The books as a whole: everything billed is paid, written off, reversed or still open.
    if billed != allocated + written_off + reversed_ + open_:
        problems["totals_do_not_balance"] = [(billed, allocated, written_off, reversed_, open_)]
    return Verification(problems, totals)


def _prove_latest_month(conn: Connection, rules: Rulebook) -> dict[str, list[tuple[object, ...]]]:
    """The derived state of the latest month written (snapshots, subsidies) against the books as of its 1st."""
    written = month_state.written_months(conn)
    if not written:
        return {}
    month = max(written)
    p = month_params(month, dt.datetime.combine(month.first_day(), dt.time()))
    return {
        name: [tuple(r) for r in conn.execute(text(f"SELECT * FROM ({sql}) q LIMIT {SAMPLE}"), p)]
        for name, sql in month_state.proofs(rules).items()
        if month_state.PROOF_STEP[name] in written[month]
    }
