"""The suspension rule as SQL: how many months in arrears an account keeps covering its people with.

The statuses are written by set-based SQL in several places (the cycle's `status` step, the month's state on its
1st, a payment, a reversal, `ledger verify`); each asks this module for the rule of the rule data
(`[[suspension]]`, `iuran.rules.status.months_tolerated`) as an expression over an account's kind, its status month
and the day of that month it is judged on, so that every month of the books, since 2014, is judged by the rule in
force that month.
"""

from __future__ import annotations

from iuran.db.months import to_db
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, SuspensionRule


def months_tolerated_sql(kind: str, month: str, rules: Rulebook, day_of_month: str | None = "1") -> str:
    """An SQL expression: the months in arrears tolerated for an account of kind `kind` in status month `month`
    (yyyymm) on its day `day_of_month` (each an SQL expression); `day_of_month=None`: the most a day of the month
    tolerates (its first days, within a grace).

    Example:
        >>> from iuran.rules.rulebook import default_rulebook
        >>> months_tolerated_sql("a.kind", ":m", default_rulebook())[:70]
        "(CASE WHEN a.kind = 'central_gov' THEN 0 WHEN a.kind = 'employer' THEN"
    """
    by_payer: dict[str, list[tuple[int, str]]] = {}
    for rule in rules.suspension:
        assert rule.payer.replace("_", "").isalnum(), rule.payer  # safe to quote as it is
        if rule.effective.day != 1:
            raise RuleInputError(
                "suspension.effective",
                "a suspension rule takes effect on the 1st of a month (statuses are judged by the month)",
                f"the rule for {rule.payer} ({rule.basis}) takes effect on {rule.effective.isoformat()}",
            )
        since = to_db(Month.of(rule.effective))
        by_payer.setdefault(rule.payer, []).append((since, _tolerated(rule, day_of_month)))
    cases = []
    for payer in sorted(by_payer):
        entries = sorted(by_payer[payer], reverse=True)
        if len(entries) == 1:
            value = entries[0][1]
        else:
            steps = " ".join(f"WHEN {month} >= {since} THEN {n}" for since, n in entries[:-1])
            value = f"CASE {steps} ELSE {entries[-1][1]} END"
        cases.append(f"WHEN {kind} = '{payer}' THEN {value}")
    # An account kind without a rule is judged strictly (nothing tolerated); the rule data names every kind.
    return f"(CASE {' '.join(cases)} ELSE 0 END)"


def _tolerated(rule: SuspensionRule, day_of_month: str | None) -> str:
    n, grace = int(rule.months_tolerated), int(rule.grace_days)
    if not grace:
        return str(n)
    if day_of_month is None:
        return str(n + 1)
    return f"({n} + CASE WHEN {day_of_month} <= {grace} THEN 1 ELSE 0 END)"
