"""The rate of every segment and class in force in a month, as one table (what the set-based billing joins).

Example:
    >>> [r.participant for r in rates_for(Month(2024, 1)) if r.segment == "pbpu"]
    [150000, 100000, 35000]
"""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.contribution import (
    bp_pension_rate,
    bp_veteran_month,
    bp_veteran_rate,
    pbi_person_month,
    pbpu_person_month,
    wage_floored,
)
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, RuleNotInForce, default_rulebook, in_force
from iuran.rules.segments import KELAS, Segment


@dataclass(frozen=True)
class RateRow:
    segment: str
    kelas: int  # 0 where the class does not apply
    participant: int
    government_central: int  # per person; BP Veteran: per principal
    government_pemda: int
    employer_bp: int  # of the wage base (PPU)
    worker_bp: int  # of the wage base: the worker's (PPU) or the pensioner's (BP Pensiunan) share
    extra_member_bp: int
    wage_cap: int  # 0: no cap
    government_bp: int  # of the pension (BP Pensiunan)
    wage_floor: int  # 1: the UMK floors the wage base (`[ppu_wage_floor]` segments)
    basis: str


def rates_for(month: Month, rules: Rulebook | None = None) -> list[RateRow]:
    """Every segment's rate for the month, as the rules engine computes it.

    Example:
        >>> [r.participant for r in rates_for(Month(2024, 1)) if r.segment == "pbpu"]
        [150000, 100000, 35000]
    """
    rb = rules or default_rulebook()
    day = month.first_day()
    rows: list[RateRow] = []
    for segment in (Segment.PBPU, Segment.BP):
        for kelas in KELAS:
            shares, basis = pbpu_person_month(month, kelas, rb)
            rate = in_force(rb.pbpu_rate, day, "PBPU rate")
            central = rate.kelas3_government_central if kelas == 3 else 0
            pemda = rate.kelas3_government_pemda if kelas == 3 else 0
            assert central + pemda == shares.government
            rows.append(RateRow(segment.value, kelas, shares.participant, central, pemda, 0, 0, 0, 0, 0, 0, basis))
    pbi, pbi_basis = pbi_person_month(month, rb)
    rows.append(RateRow(Segment.PBI_APBN.value, 0, 0, pbi.government, 0, 0, 0, 0, 0, 0, 0, pbi_basis))
    rows.append(RateRow(Segment.PBI_APBD.value, 0, 0, 0, pbi.government, 0, 0, 0, 0, 0, 0, pbi_basis))
    extra = in_force(rb.ppu_extra_member, day, "PPU extra family member")
    for segment in (Segment.PPU_BU, Segment.PPU_PN):
        ppu = in_force(tuple(r for r in rb.ppu_rate if r.segment == segment.value), day, "PPU rate")
        cap = in_force(tuple(c for c in rb.ppu_wage_cap if c.segment == segment.value), day, "PPU wage cap")
        floored = wage_floored(segment, rb)
        basis = f"{ppu.basis}; {cap.basis}" + (f"; {rb.ppu_wage_floor.basis}" if floored else "")
        rows.append(
            _wage_row(
                segment,
                0,
                employer_bp=ppu.employer_bp,
                worker_bp=ppu.worker_bp,
                extra_member_bp=extra.worker_bp,
                wage_cap=cap.cap,
                wage_floor=int(floored),
                basis=basis,
            )
        )
    # BP paid by the government: one row per class the rule allows (the membership records the class by rank).
    pension = bp_pension_rate(month, rb)
    for kelas in pension.kelas:
        rows.append(
            _wage_row(
                Segment.BP_PENSIUNAN,
                kelas,
                worker_bp=pension.pensioner_bp,
                government_bp=pension.government_bp,
                wage_cap=pension.pension_cap,
                basis=pension.basis,
            )
        )
    try:
        veteran = bp_veteran_rate(month, rb)
    except RuleNotInForce:
        return rows  # no reference salary in the rule data for the month: no BP Veteran rate (docs/rules.md §3)
    shares, basis = bp_veteran_month(month, rb)
    for kelas in veteran.kelas:
        rows.append(RateRow(Segment.BP_VETERAN.value, kelas, 0, shares.government, 0, 0, 0, 0, 0, 0, 0, basis))
    return rows


def _wage_row(
    segment: Segment,
    kelas: int,
    *,
    employer_bp: int = 0,
    worker_bp: int,
    extra_member_bp: int = 0,
    government_bp: int = 0,
    wage_cap: int,
    wage_floor: int = 0,
    basis: str,
) -> RateRow:
    """The rate of a percentage of a wage base (a PPU worker's wage, a pensioner's pension)."""
    return RateRow(
        segment.value,
        kelas,
        0,
        0,
        0,
        employer_bp,
        worker_bp,
        extra_member_bp,
        wage_cap,
        government_bp,
        wage_floor,
        basis,
    )
