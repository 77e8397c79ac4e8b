"""The late fee before July 2016 (denda keterlambatan, docs/rules.md §4), billed with the payment of arrears.

Until 30 June 2016 a family paying months in arrears paid with them 2% of those arrears for each month in arrears,
at most 6 (Perpres 111/2013 Pasal 17; `[[late_fee]]`, `iuran.rules.reactivation.late_fee`). A family's bill of the
day therefore carries the fee; the payment that settles it writes the fee as a charge of kind `late_fee` for the
month of payment, wholly allocated from that payment, so that the books stay whole and the fee is on record.

Employers pay their oldest months whole (`oldest_months`): the late fee on an employer's arrears is not billed
(docs/rules.md §4 says so).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.billing.payments_staging import Dialect
from iuran.billing.period import OPEN_PERIOD
from iuran.db.values import as_date
from iuran.rules.rulebook import LateFeeRule, Rulebook, periods
from iuran.rules.status import FAMILY

KIND = "late_fee"


def fee_sql(paid_on: str, months: str, amount: str, rules: Rulebook, d: Dialect) -> str:
    """SQL: the family's late fee on paying `months` months in arrears of `amount` Rupiah on `paid_on` (SQL
    expressions), by the rule data; the SQL twin of `iuran.rules.reactivation.late_fee`."""
    whens = []
    for rule, until in _fee_periods(rules):
        window = d.from_until(paid_on, rule.effective, until)
        counted = f"(CASE WHEN {months} < {int(rule.max_months)} THEN {months} ELSE {int(rule.max_months)} END)"
        # Whole-number arithmetic, as apply_bp (a sum is NUMERIC on PostgreSQL: cast it first).
        fee = f"(CAST({amount} AS BIGINT) * {int(rule.bp_per_month)} * {counted} + 5000) / 10000"
        whens.append(f"WHEN {window} THEN {fee}")
    return f"(CASE {' '.join(whens)} ELSE 0 END)" if whens else "0"


def due_in_round(conn: Connection, r: int, rules: Rulebook) -> bool:
    """Whether a payment of import round `r` is dated on a day a family's late fee was due (before July 2016)."""
    first, last = conn.execute(
        text("SELECT min(paid_on), max(paid_on) FROM payimp_checked WHERE round = :r"), {"r": r}
    ).one()
    if first is None:
        return False
    first, last = as_date(first), as_date(last)
    return any(last >= rule.effective and (until is None or first < until) for rule, until in _fee_periods(rules))


def _fee_periods(rules: Rulebook) -> list[tuple[LateFeeRule, dt.date | None]]:
    """The family's late fee rules that bill a fee, each with the day the next rule takes effect."""
    family = [r for r in rules.late_fee if r.payer == FAMILY]
    return [(r, until) for r, until in periods(family) if r.bp_per_month and r.max_months]


def charge(conn: Connection) -> None:
    """The late fee of every accepted payment of this round that carries one: its charge and its allocation."""
    if conn.execute(text("SELECT 1 FROM payimp_round WHERE late_fee > 0 LIMIT 1")).first() is None:
        return
    conn.execute(
        text(
            f"INSERT INTO charge (account_id, month, kind, members, amount, created_at, period)"
            f" SELECT account_id, paid_month, '{KIND}', 0, late_fee, paid_at, {OPEN_PERIOD} FROM payimp_round"
            " WHERE payment_id IS NOT NULL AND late_fee > 0 ORDER BY payment_id"
        )
    )
    conn.execute(
        text(
            "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on, period)"
            f" SELECT x.payment_id, c.id, x.account_id, x.paid_month, x.late_fee, x.paid_on, {OPEN_PERIOD}"
            " FROM payimp_round x"
            f" JOIN charge c ON c.account_id = x.account_id AND c.month = x.paid_month AND c.kind = '{KIND}'"
            " WHERE x.payment_id IS NOT NULL AND x.late_fee > 0 ORDER BY x.payment_id"
        )
    )
