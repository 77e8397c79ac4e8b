"""Service penalty (denda pelayanan) for inpatient care soon after reactivation (docs/rules.md §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.rulebook import Rulebook, RuleNotInForce, ServicePenaltyRule, default_rulebook, in_force
from iuran.rules.segments import Segment


@dataclass(frozen=True)
class PenaltyAssessment:
    penalty: int
    rate_bp: int
    months_counted: int
    in_window: bool
    capped: bool
    basis: str


def service_penalty(
    inacbg: int,
    months_in_arrears: int,
    reactivated: dt.date,
    admitted: dt.date,
    rules: Rulebook | None = None,
) -> PenaltyAssessment:
    """`rate × INA-CBG estimate × months in arrears` for an admission within the window after reactivation.

    The rule in force on the admission date applies: months are capped (12) and so is the penalty (Rp30,000,000).

    Example:
        >>> service_penalty(5_000_000, 3, dt.date(2021, 1, 2), dt.date(2021, 2, 16)).penalty
        750000
    """
    if inacbg < 0:
        raise RuleInputError("inacbg", "the INA-CBG estimate is a non-negative whole Rupiah amount", f"got {inacbg}")
    if months_in_arrears < 0:
        raise RuleInputError("months_in_arrears", "months in arrears is 0 or more", f"got {months_in_arrears}")
    rule = in_force((rules or default_rulebook()).service_penalty, admitted, "service penalty")
    days = (admitted - reactivated).days
    # Perpres 64/2020 Pasal 42(5): within 45 days after reactivation, the reactivation day included.
    in_window = 0 <= days <= rule.window_days
    months = min(months_in_arrears, rule.max_months)
    if not in_window:
        return PenaltyAssessment(0, rule.rate_bp, months, False, False, rule.basis)
    raw = (inacbg * rule.rate_bp * months + 5_000) // 10_000
    return PenaltyAssessment(min(raw, rule.cap), rule.rate_bp, months, True, raw > rule.cap, rule.basis)


def service_penalty_rule(admitted: dt.date, rules: Rulebook | None = None) -> ServicePenaltyRule | None:
    """The service penalty rule in force on the day of admission, or None before the first (July 2016).

    Example:
        >>> service_penalty_rule(dt.date(2021, 1, 5)).rate_bp, service_penalty_rule(dt.date(2016, 6, 30))
        (500, None)
    """
    try:
        return in_force((rules or default_rulebook()).service_penalty, admitted, "service penalty")
    except RuleNotInForce:
        return None


def bears_service_penalty(segment: Segment) -> bool:
    """Whether an admission of a participant of `segment` may bring a service penalty, and so who pays it: PBPU
    and BP participants through their family's account, PPU participants through their employer's (for PPU the
    employer pays it: Perpres 82/2018 Pasal 42, as amended by Perpres 64/2020). PBI participants, and any the
    government pays for, have none: the penalty follows a participant's own reactivation after arrears.

    Example:
        >>> [bears_service_penalty(s) for s in (Segment.PBPU, Segment.PPU_BU, Segment.PBI_APBN)]
        [True, True, False]
    """
    return segment.is_family_billed or segment.is_ppu
