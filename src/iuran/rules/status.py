"""Coverage status on a date, given what has been billed and paid (docs/rules.md §4).

An account stops covering its people on a day when more months before the day's month are unpaid than the
suspension rule of its payer kind tolerates (`[[suspension]]`, judged by the rule in force on the month's 1st):
- from October 2018 none (Perpres 82/2018 and 64/2020 Pasal 42 ayat (1): unpaid at month end, non-active from the
  1st of the next month);
- from July 2016 none after the 10th (Perpres 19/2016 Pasal 17A.1: more than a month late from the 10th);
- before July 2016 a family more than 6 months late, an employer more than 3 (Perpres 111/2013 Pasal 17).
A suspended account is active again once it owes no more than that, and the current month is paid too (Perpres
64/2020 Pasal 42 ayat (3)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, SuspensionRule, default_rulebook, in_force

FAMILY = "family"  # the payer kind of a PBPU/BP family account (`account.kind`, the per-payer rule tables)


def suspension_in_force(payer: str, day: dt.date, rules: Rulebook | None = None) -> SuspensionRule:
    """The suspension rule that judges accounts of kind `payer` on `day`: the one in force on its month's 1st.

    Example:
        >>> suspension_in_force("family", dt.date(2016, 6, 30)).months_tolerated
        5
        >>> suspension_in_force("family", dt.date(2016, 7, 1)).months_tolerated
        0
    """
    entries = tuple(r for r in (rules or default_rulebook()).suspension if r.payer == payer)
    if not entries:
        raise RuleInputError("payer", "a payer kind with a suspension rule in the rule data", f"got {payer!r}")
    return in_force(entries, Month.of(day).first_day(), f"suspension of {payer}")


def months_tolerated(payer: str, day: dt.date, rules: Rulebook | None = None) -> int:
    """How many months before the month of `day` may be unpaid on `day` with the account still covering its people.

    Example:
        >>> [months_tolerated("family", dt.date(2017, 2, d)) for d in (10, 11)]  # Perpres 19/2016: from the 10th
        [1, 0]
        >>> months_tolerated("family", dt.date(2024, 2, 1))  # Perpres 64/2020: from the 1st
        0
    """
    rule = suspension_in_force(payer, day, rules)
    return rule.months_tolerated + (1 if day.day <= rule.grace_days else 0)


@dataclass(frozen=True)
class BilledMonth:
    """A month billed to a payer account and the day it was settled (paid, or written off), if it was; a month
    whose payment a reactivation deferred (Perpres 64/2020 Pasal 42(3a)) does not count as unpaid from the day it
    was deferred to the day it is due."""

    month: Month
    settled_on: dt.date | None = None
    deferred_on: dt.date | None = None
    due_by: dt.date | None = None

    def open_on(self, day: dt.date) -> bool:
        return self.settled_on is None or self.settled_on > day

    def counts_on(self, day: dt.date) -> bool:
        """Open on `day` and not deferred then: whether it counts toward suspension."""
        deferred = self.deferred_on is not None and self.due_by is not None and self.deferred_on <= day <= self.due_by
        return self.open_on(day) and not deferred


def is_active(
    day: dt.date,
    billed: Iterable[BilledMonth],
    active_from: dt.date | None = None,
    rules: Rulebook | None = None,
    payer: str = FAMILY,
) -> bool:
    """Whether the people of an account of kind `payer` are covered on `day`.

    `active_from` is when coverage first started (a new PBPU family: its first payment); None means it
    started before anything billed here.

    Example:
        >>> jan, feb = Month(2024, 1), Month(2024, 2)
        >>> is_active(dt.date(2024, 1, 31), [BilledMonth(jan)])  # unpaid, still covered to month end
        True
        >>> is_active(dt.date(2024, 2, 1), [BilledMonth(jan), BilledMonth(feb)])
        False
    """
    if active_from is not None and day < active_from:
        return False
    billed = list(billed)
    current = Month.of(day)
    earlier = [b for b in billed if b.month < current]
    if sum(1 for b in earlier if b.counts_on(day)) > months_tolerated(payer, day, rules):
        return False
    # Suspended on the 1st: more months open then than tolerated (the status the month began with).
    first = current.first_day()
    eve = first - dt.timedelta(days=1)
    if sum(1 for b in earlier if b.counts_on(eve)) <= months_tolerated(payer, first, rules):
        return True
    # Reactivation needs the current month paid as well (Pasal 42(3)).
    return all(not b.open_on(day) for b in billed if b.month == current)


def months_in_arrears(day: dt.date, billed: Iterable[BilledMonth]) -> int:
    """Billed months before the month of `day` that are still open on `day`."""
    current = Month.of(day)
    return sum(1 for b in billed if b.month < current and b.open_on(day))
