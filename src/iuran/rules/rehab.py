"""REHAB (Rencana Pembayaran Bertahap): installment plans for arrears (docs/rules.md §7).

Two versions are rule data: REHAB 2022 (at most 12 installments of the arrears; active when all is paid) and
REHAB 2.0 of 3 Feb 2025 (each installment also carries the current month; at most 12 installments or half the
months in arrears; participants who moved segment with old arrears: up to 36 installments of at least Rp35,000).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.rules.calendar import due_date
from iuran.rules.contribution import family_due
from iuran.rules.errors import RuleInputError
from iuran.rules.money import split_evenly
from iuran.rules.month import Month, month_range
from iuran.rules.reactivation import billable_arrears
from iuran.rules.rulebook import RehabRule, Rulebook, RuleNotInForce, default_rulebook, in_force
from iuran.rules.segments import Segment


@dataclass(frozen=True)
class Installment:
    number: int
    month: Month
    due: dt.date
    arrears_part: int
    current_month_part: int

    @property
    def amount(self) -> int:
        return self.arrears_part + self.current_month_part


@dataclass(frozen=True)
class RehabOffer:
    eligible: bool
    reason: str
    version: str
    months_in_arrears: int
    installments: tuple[Installment, ...]
    activation: str
    on_missed: str
    basis: str

    @property
    def total(self) -> int:
        return sum(i.amount for i in self.installments)


def rehab_rule(as_of: dt.date, version: str | None = None, rules: Rulebook | None = None) -> RehabRule:
    """The REHAB version in force on `as_of`, or the named one if it had taken effect by then."""
    entries = (rules or default_rulebook()).rehab
    if version is None:
        return in_force(entries, as_of, "REHAB")
    named = tuple(r for r in entries if r.version == version)
    if not named:
        known = ", ".join(r.version for r in entries)
        raise RuleInputError("version", f"REHAB versions are {known}", f"got {version!r}")
    try:
        return in_force(named, as_of, f"REHAB {version}")
    except RuleNotInForce:
        raise RuleInputError(
            "version", f"REHAB {version} takes effect on {named[0].effective.isoformat()}", f"as_of {as_of}"
        ) from None


def registration_deadline(month: Month, rule: RehabRule) -> dt.date:
    """The last day of a month on which a family may register for REHAB (the 28th; the 27th in February)."""
    return month.day(rule.registration_last_day_february if month.month == 2 else rule.registration_last_day)


def rehab_offer(
    segment: Segment,
    kelas: int,
    members: int,
    unpaid_since: Month,
    as_of: dt.date,
    version: str | None = None,
    rules: Rulebook | None = None,
) -> RehabOffer:
    """Whether a family may register for REHAB on `as_of` and, if so, the longest schedule it may take.

    The plan's debt is the billable arrears (the latest 24 months at most; a family with more is eligible on those
    24) plus the month of registration, which falls due before the first installment. The installments start the
    month after registration.

    Example:
        >>> offer = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 3, 5), "2025")
        >>> (offer.eligible, len(offer.installments), offer.installments[0].amount)
        (True, 7, 110000)
    """
    rb = rules or default_rulebook()
    rule = rehab_rule(as_of, version, rb)
    current = Month.of(as_of)
    if unpaid_since > current:
        raise RuleInputError("unpaid_since", "the first unpaid month is not after the month of as_of")
    arrears = list(month_range(unpaid_since, current - 1))
    n = len(arrears)

    def refuse(reason: str) -> RehabOffer:
        return RehabOffer(False, reason, rule.version, n, (), rule.activation, rule.on_missed, rule.basis)

    moved = segment.value not in rule.segments
    if moved and rule.moved_min_months == 0:
        return refuse(f"REHAB {rule.version} is for {' and '.join(rule.segments)} families")
    if as_of > registration_deadline(current, rule):
        return refuse(f"registration closes on {registration_deadline(current, rule).isoformat()}")
    # The plan is over the months BPJS bills (the latest 24 at most, Perpres 64/2020 Pasal 42 ayat (3)): a family
    # with more unpaid months is eligible on the billed ones, the older being written off at reactivation.
    billed_count, _ = billable_arrears(arrears, as_of, rb)
    low = rule.moved_min_months if moved else rule.min_months
    if not low <= billed_count <= rule.max_months:
        return refuse(
            f"REHAB {rule.version} needs {low}–{rule.max_months} billed months in arrears; there are {billed_count}"
        )
    debt_months = [*arrears[n - billed_count :]] + ([] if moved else [current])
    debt = sum(family_due(m, kelas, members, rb) for m in debt_months)
    if moved:
        # Moved to another segment: the new payer pays the current months; only the old arrears are split.
        count = max(1, min(rule.moved_max_installments, debt // rule.moved_min_installment))
    else:
        count = rule.max_installments
        if rule.max_installments_ratio_den:
            count = min(count, billed_count // rule.max_installments_ratio_den)
    first = current + rule.first_installment_offset_months
    parts = split_evenly(debt, count)
    installments = tuple(
        Installment(
            number=i + 1,
            month=first + i,
            due=due_date(first + i, rb),
            arrears_part=part,
            current_month_part=(
                family_due(first + i, kelas, members, rb) if rule.includes_current_month and not moved else 0
            ),
        )
        for i, part in enumerate(parts)
    )
    return RehabOffer(True, "eligible", rule.version, n, installments, rule.activation, rule.on_missed, rule.basis)
