"""Service penalty (denda pelayanan) for inpatient care soon after reactivation (docs/rules.md §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.rulebook import Rulebook, default_rulebook, in_force


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
