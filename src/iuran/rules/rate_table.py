"""The rate of every segment and class in force in a month, as one table (what the set-based billing joins).

Example:
    >>> [r.participant for r in rates_for(Month(2024, 1)) if r.segment == "pbpu"]
    [150000, 100000, 35000]
"""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.contribution import pbi_person_month, pbpu_person_month
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, default_rulebook, in_force
from iuran.rules.segments import KELAS, Segment


@dataclass(frozen=True)
class RateRow:
    segment: str
    kelas: int  # 0 where the class does not apply
    participant: int
    government_central: int
    government_pemda: int
    employer_bp: int
    worker_bp: int
    extra_member_bp: int
    wage_cap: int
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
            rows.append(RateRow(segment.value, kelas, shares.participant, central, pemda, 0, 0, 0, 0, basis))
    pbi, pbi_basis = pbi_person_month(month, rb)
    rows.append(RateRow(Segment.PBI_APBN.value, 0, 0, pbi.government, 0, 0, 0, 0, 0, pbi_basis))
    rows.append(RateRow(Segment.PBI_APBD.value, 0, 0, 0, pbi.government, 0, 0, 0, 0, pbi_basis))
    extra = in_force(rb.ppu_extra_member, day, "PPU extra family member")
    for segment in (Segment.PPU_BU, Segment.PPU_PN):
        ppu = in_force(tuple(r for r in rb.ppu_rate if r.segment == segment.value), day, "PPU rate")
        cap = in_force(tuple(c for c in rb.ppu_wage_cap if c.segment == segment.value), day, "PPU wage cap")
        basis = f"{ppu.basis}; {cap.basis}; {rb.ppu_wage_floor.basis}"
        rows.append(RateRow(segment.value, 0, 0, 0, 0, ppu.employer_bp, ppu.worker_bp, extra.worker_bp, cap.cap, basis))
    return rows
