"""Deferred arrears (Perpres 64/2020 Pasal 42 ayat (3a), (3b); docs/rules.md §4, docs/ledger.md).

During 2020 a suspended family became active again by paying the latest 6 months of arrears and the current
month; the rest of the billed months stayed owed, to be paid in full by the end of 2021. A payment that reactivates
so leaves those months open and records each in `arrears_deferral`; until its `due_month` is past, such a month
does not count toward suspension, and the family's bill of the day leaves it out (a payment beyond the bill
settles deferred months, oldest first, as whole months). The rule data says when and how much
(`[[reactivation]]` `months_to_reactivate`, `remainder_due`, `iuran.rules.reactivation.reactivation_terms`); this
module turns it into SQL over a payment's day, as `iuran.billing.suspension` does for the suspension rule.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text

from iuran.billing.payments_staging import Dialect
from iuran.billing.period import OPEN_PERIOD
from iuran.db.months import to_db
from iuran.rules.month import Month
from iuran.rules.rulebook import ReactivationRule, Rulebook, periods


def due_now_sql(paid_on: str, rules: Rulebook, d: Dialect) -> str:
    """SQL: of the billed months in arrears, how many of the latest a payment on `paid_on` (an SQL date) must
    settle to reactivate; NULL when all of them."""
    return _by_day(paid_on, rules, d, lambda r: str(r.months_to_reactivate))


def due_month_sql(paid_on: str, rules: Rulebook, d: Dialect) -> str:
    """SQL: the last month (yyyymm) up to which the months a payment on `paid_on` defers do not count."""
    return _by_day(paid_on, rules, d, lambda r: str(to_db(Month.of(r.remainder_due))) if r.remainder_due else "NULL")


def _by_day(paid_on: str, rules: Rulebook, d: Dialect, value: Callable[[ReactivationRule], str]) -> str:
    whens = [
        f"WHEN {d.from_until(paid_on, rule.effective, until)} THEN {value(rule)}"
        for rule, until in periods(rules.reactivation)
        if rule.months_to_reactivate
    ]
    return f"(CASE {' '.join(whens)} END)" if whens else "NULL"


def deferred_join(item: str, month: str, day: str, *, before: bool = False) -> str:
    """A LEFT JOIN of the deferral (as `f`) of each open item `item` that does not count in status month `month`
    on day `day` (SQL expressions): made by a payment on that day or before (`before`: strictly before), due in
    that month or later. `f.charge_id IS NULL`: the item counts toward suspension."""
    return (
        f"LEFT JOIN arrears_deferral f ON f.charge_id = {item}.charge_id"
        f" AND f.due_month >= {month} AND f.deferred_on {'<' if before else '<='} {day}"
    )


def record(conn: Connection, rules: Rulebook, d: Dialect) -> None:
    """The months an accepted payment of this round left deferred: the bill's deferred items it did not settle and
    no earlier payment deferred. Nothing to look for when no rule defers and nothing is deferred (most files)."""
    deferring = any(r.months_to_reactivate for r in rules.reactivation)
    if not deferring or conn.execute(text("SELECT 1 FROM payimp_due WHERE writes_off = 2 LIMIT 1")).first() is None:
        return
    conn.execute(
        text(
            "INSERT INTO arrears_deferral (charge_id, account_id, month, payment_id, deferred_on, due_month, period)"
            f" SELECT u.charge_id, u.account_id, u.month, x.payment_id, x.paid_on,"
            f" {due_month_sql('x.paid_on', rules, d)}, {OPEN_PERIOD}"
            " FROM payimp_round x JOIN payimp_due u ON u.line_no = x.line_no"
            " WHERE x.payment_id IS NOT NULL AND u.writes_off = 2"
            " AND u.cum - x.written_off > x.amount - x.bill - x.late_fee"
            " AND NOT EXISTS (SELECT 1 FROM arrears_deferral e WHERE e.charge_id = u.charge_id)"
            " ORDER BY x.payment_id, u.month, u.charge_id"
        )
    )
