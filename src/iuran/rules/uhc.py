"""Coverage, activeness and UHC status of a kabupaten/kota (docs/rules.md §10). Ratios are exact integers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.rules.money import at_least_bp
from iuran.rules.rulebook import Rulebook, default_rulebook, in_force


@dataclass(frozen=True)
class RegionCounts:
    population: int
    registered: int
    active: int
    registered_by_pemda: int = 0
    pemda_in_arrears: bool = False


def uhc_prioritas(counts: RegionCounts, on: dt.date, rules: Rulebook | None = None) -> bool:
    """UHC Prioritas ("non cut off"): residents the Pemda registers are active the same day.

    Example:
        >>> uhc_prioritas(RegionCounts(population=1000, registered=985, active=800), dt.date(2025, 6, 1))
        True
    """
    rule = in_force((rules or default_rulebook()).uhc_prioritas, on, "UHC Prioritas")
    return (
        at_least_bp(counts.registered, counts.population, rule.min_coverage_bp)
        and at_least_bp(counts.active, counts.registered, rule.min_activeness_bp)
        and not (rule.requires_no_pemda_arrears and counts.pemda_in_arrears)
    )


def uhc_award(counts: RegionCounts, on: dt.date, rules: Rulebook | None = None) -> str | None:
    """The highest UHC Award tier a kabupaten/kota meets on `on`, or None."""
    rb = rules or default_rulebook()
    best: str | None = None
    for rule in rb.uhc_award:
        if rule.effective > on:
            continue
        if (
            at_least_bp(counts.registered, counts.population, rule.min_coverage_bp)
            and at_least_bp(counts.active, counts.registered, rule.min_activeness_bp)
            and (
                rule.min_pemda_share_bp == 0
                or at_least_bp(counts.registered_by_pemda, counts.registered, rule.min_pemda_share_bp)
            )
        ):
            best = rule.tier
    return best


def coverage_target_bp(on: dt.date, rules: Rulebook | None = None) -> int:
    """The national coverage target in force, in basis points (9800 = 98%)."""
    return in_force((rules or default_rulebook()).coverage_target, on, "coverage target").target_bp
