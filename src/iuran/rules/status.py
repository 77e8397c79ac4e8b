"""Coverage status on a date, given what has been billed and paid (docs/rules.md §4).

Perpres 64/2020 Pasal 42(1): a month unpaid at its end suspends coverage from the 1st of the next month.
Pasal 42(3): a suspended participant is active again once the arrears and the current month are paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, SuspensionRule, default_rulebook, in_force

# The suspension rule iuran applies (`[[suspension]]` grace): unpaid at month end, non-active from the next 1st.
END_OF_MONTH = "end_of_month"


def suspension_in_force(day: dt.date, rules: Rulebook | None = None) -> SuspensionRule:
    """The suspension rule in force on `day`, which must be the one this module (and the cycle's and the
    settlement's SQL) applies; a new rule in the data fails loudly instead of being ignored.

    Example:
        >>> suspension_in_force(dt.date(2024, 3, 1)).grace
        'end_of_month'
    """
    rule = in_force((rules or default_rulebook()).suspension, day, "suspension")
    if rule.grace != END_OF_MONTH:
        raise RuleInputError(
            "suspension.grace",
            f"iuran suspends an account unpaid at month end from the 1st of the next month ({END_OF_MONTH!r})",
            f"the rule in force on {day.isoformat()} ({rule.basis}) is {rule.grace!r}",
        )
    return rule


@dataclass(frozen=True)
class BilledMonth:
    """A month billed to a payer account and the day it was settled (paid, or written off), if it was."""

    month: Month
    settled_on: dt.date | None = None

    def open_on(self, day: dt.date) -> bool:
        return self.settled_on is None or self.settled_on > day


def is_active(
    day: dt.date, billed: Iterable[BilledMonth], active_from: dt.date | None = None, rules: Rulebook | None = None
) -> bool:
    """Whether a participant is covered on `day`.

    `active_from` is when coverage first started (a new PBPU family: its first payment); None means it
    started before anything billed here.

    Example:
        >>> jan, feb = Month(2024, 1), Month(2024, 2)
        >>> is_active(dt.date(2024, 1, 31), [BilledMonth(jan)])  # unpaid, still covered to month end
        True
        >>> is_active(dt.date(2024, 2, 1), [BilledMonth(jan), BilledMonth(feb)])
        False
    """
    suspension_in_force(day, rules)
    if active_from is not None and day < active_from:
        return False
    current = Month.of(day)
    earlier = [b for b in billed if b.month < current]
    if any(b.open_on(day) for b in earlier):
        return False
    month_start = current.first_day()
    suspended_at_start = any(b.settled_on is not None and b.settled_on >= month_start for b in earlier)
    if not suspended_at_start:
        return True
    # Reactivation needs the current month paid as well (Pasal 42(3)).
    return all(not b.open_on(day) for b in billed if b.month == current)


def months_in_arrears(day: dt.date, billed: Iterable[BilledMonth]) -> int:
    """Billed months before the month of `day` that are still open on `day`."""
    current = Month.of(day)
    return sum(1 for b in billed if b.month < current and b.open_on(day))
