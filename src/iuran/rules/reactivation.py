"""What a suspended PBPU/BP family pays to be active again (docs/rules.md §4).

Perpres 64/2020 Pasal 42(3): the months in arrears, at most 24 of them, plus the current month (from 1 July 2016
to 17 September 2018 at most 12, Perpres 19/2016 Pasal 17A.1; before it all). The older months are written off at
reactivation: an explicit entry, not a silent deletion. During 2020 (Pasal 42(3a), (3b)) the latest 6 months and
the current one reactivate; the rest of the billed months stays owed, to be paid by the end of 2021.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.rules.contribution import family_due
from iuran.rules.errors import RuleInputError
from iuran.rules.money import apply_bp
from iuran.rules.month import Month, month_range
from iuran.rules.rulebook import LateFeeRule, Rulebook, default_rulebook, in_force
from iuran.rules.segments import Segment
from iuran.rules.status import FAMILY


@dataclass(frozen=True)
class ReactivationQuote:
    months_in_arrears: int
    billed_months: tuple[Month, ...]
    written_off_months: tuple[Month, ...]
    arrears_amount: int
    current_month: Month
    current_month_amount: int
    late_fee: int
    basis: tuple[str, ...]
    deferred_months: tuple[Month, ...] = ()  # owed, not due to reactivate: to be paid by `remainder_due`
    deferred_amount: int = 0
    remainder_due: dt.date | None = None

    @property
    def total(self) -> int:
        return self.arrears_amount + self.current_month_amount + self.late_fee


def arrears_cap(as_of: dt.date, rules: Rulebook | None = None) -> int | None:
    """How many of the latest months in arrears are billed at reactivation on `as_of`; None: all of them.

    In the rule data `max_months_in_arrears = 0` means no cap.

    Example:
        >>> arrears_cap(dt.date(2024, 3, 5)), arrears_cap(dt.date(2017, 9, 5)), arrears_cap(dt.date(2016, 6, 30))
        (24, 12, None)
    """
    rule = in_force((rules or default_rulebook()).reactivation, as_of, "reactivation")
    return rule.max_months_in_arrears or None


def billable_arrears(arrears: list[Month], as_of: dt.date, rules: Rulebook | None = None) -> tuple[int, str]:
    """How many of the latest months in arrears are billed at reactivation, with the basis."""
    rb = rules or default_rulebook()
    cap = arrears_cap(as_of, rb)
    basis = in_force(rb.reactivation, as_of, "reactivation").basis
    return (len(arrears) if cap is None else min(cap, len(arrears))), basis


def late_fee(
    payer: str, arrears_amount: int, months: int, paid_on: dt.date, rules: Rulebook | None = None
) -> tuple[int, LateFeeRule]:
    """The late fee on paying `months` months in arrears of `arrears_amount` Rupiah on `paid_on`, by the rule of
    payer kind `payer` in force that day (before July 2016: 2% a month, at most 6 months for a family, 3 for an
    employer; none since), with the rule.

    Example:
        >>> [late_fee("family", 300_000, 3, day)[0] for day in (dt.date(2016, 6, 30), dt.date(2016, 7, 1))]
        [18000, 0]
    """
    entries = tuple(r for r in (rules or default_rulebook()).late_fee if r.payer == payer)
    if not entries:
        raise RuleInputError("payer", "a payer kind with a late fee rule in the rule data", f"got {payer!r}")
    rule = in_force(entries, paid_on, f"late fee of {payer}")
    return apply_bp(arrears_amount, rule.bp_per_month * min(months, rule.max_months)), rule


def reactivation_terms(as_of: dt.date, rules: Rulebook | None = None) -> tuple[int | None, dt.date | None]:
    """Of the billed months in arrears, how many of the latest are due to reactivate on `as_of` and by when the
    rest is due; (None, None): all of them, now.

    Example:
        >>> reactivation_terms(dt.date(2020, 8, 3)), reactivation_terms(dt.date(2021, 1, 4))
        ((6, datetime.date(2021, 12, 31)), (None, None))
    """
    rule = in_force((rules or default_rulebook()).reactivation, as_of, "reactivation")
    if not rule.months_to_reactivate:
        return None, None
    if rule.remainder_due is None:
        raise RuleInputError("reactivation.remainder_due", "a rule that defers months says when they fall due")
    return rule.months_to_reactivate, rule.remainder_due


def reactivation_quote(
    segment: Segment,
    kelas: int,
    members: int,
    unpaid_since: Month,
    as_of: dt.date,
    rules: Rulebook | None = None,
) -> ReactivationQuote:
    """The family's bill to be reactivated on `as_of`, when every month from `unpaid_since` is unpaid.

    Each month is billed at the rate in force that month; Kelas III families pay the participant share.

    Example:
        >>> q = reactivation_quote(Segment.PBPU, 3, 1, Month(2020, 1), dt.date(2024, 3, 5))
        >>> (q.months_in_arrears, len(q.billed_months), len(q.written_off_months), q.total)
        (50, 24, 26, 875000)
    """
    rb = rules or default_rulebook()
    if not segment.is_family_billed:
        raise RuleInputError("segment", "reactivation by the family applies to pbpu and bp", f"got {segment}")
    current = Month.of(as_of)
    if unpaid_since > current:
        raise RuleInputError("unpaid_since", "the first unpaid month is not after the month of as_of")
    arrears = list(month_range(unpaid_since, current - 1))
    billed_count, basis = billable_arrears(arrears, as_of, rb)
    billed = arrears[len(arrears) - billed_count :]
    written_off = arrears[: len(arrears) - billed_count]
    due_now, remainder_due = reactivation_terms(as_of, rb)
    deferred: list[Month] = []
    if due_now is not None and len(billed) > due_now:
        deferred, billed = billed[: len(billed) - due_now], billed[len(billed) - due_now :]
    arrears_amount = sum(family_due(m, kelas, members, rb) for m in billed)
    fee, fee_rule = late_fee(FAMILY, arrears_amount, len(billed), as_of, rb)
    return ReactivationQuote(
        months_in_arrears=len(arrears),
        billed_months=tuple(billed),
        written_off_months=tuple(written_off),
        arrears_amount=arrears_amount,
        current_month=current,
        current_month_amount=family_due(current, kelas, members, rb),
        late_fee=fee,
        basis=(basis, fee_rule.basis),
        deferred_months=tuple(deferred),
        deferred_amount=sum(family_due(m, kelas, members, rb) for m in deferred),
        remainder_due=remainder_due if deferred else None,
    )
