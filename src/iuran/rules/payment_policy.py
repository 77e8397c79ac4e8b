"""Which amounts a payer account may pay (docs/rules.md §4): a policy per payer kind, in the rule data.

A family pays its whole bill of the day (`whole_bill`): the open months up to the month of payment, of the months
in arrears only the latest ones the reactivation rule bills. An employer or a government pays its oldest open
months, whole (`oldest_months`).
"""

from __future__ import annotations

import datetime as dt

from iuran.rules.errors import RuleInputError
from iuran.rules.rulebook import PaymentPolicy, Rulebook, default_rulebook, in_force

WHOLE_BILL = "whole_bill"
OLDEST_MONTHS = "oldest_months"
SETTLES = (WHOLE_BILL, OLDEST_MONTHS)


def payment_policy(payer: str, day: dt.date, rules: Rulebook | None = None) -> PaymentPolicy:
    """The policy in force on `day` for accounts of kind `payer`.

    Example:
        >>> payment_policy("family", dt.date(2024, 3, 5)).settles
        'whole_bill'
    """
    entries = tuple(p for p in (rules or default_rulebook()).payment_policy if p.payer == payer)
    if not entries:
        raise RuleInputError("payer", "a payer kind with a payment policy in the rule data", f"got {payer!r}")
    policy = in_force(entries, day, f"payment policy for {payer}")
    if policy.settles not in SETTLES:
        raise RuleInputError("payment_policy.settles", f"one of {', '.join(SETTLES)}", f"got {policy.settles!r}")
    return policy


def payers_settling(settles: str, day: dt.date, rules: Rulebook | None = None) -> tuple[str, ...]:
    """The payer kinds whose policy on `day` is `settles`, sorted.

    Example:
        >>> payers_settling("whole_bill", dt.date(2024, 3, 5))
        ('family',)
    """
    rb = rules or default_rulebook()
    kinds = sorted({p.payer for p in rb.payment_policy})
    return tuple(k for k in kinds if payment_policy(k, day, rb).settles == settles)


def months_ahead(payer: str, day: dt.date, rules: Rulebook | None = None) -> int:
    """How many coming months an account of kind `payer` may pay ahead on `day` (its credit beyond them is refunded).

    Example:
        >>> months_ahead("family", dt.date(2024, 3, 5)), months_ahead("employer", dt.date(2024, 3, 5))
        (12, 0)
    """
    return payment_policy(payer, day, rules).months_ahead
