"""What the rules engine says a month cost, as lookup tables for the vectorised opening balances.

Opening balances (arrears from before the first cycle) are charged at the rate in force in each month, exactly as
the cycle would have billed it: PBPU/BP the participant share per member by class (`iuran.rules.contribution`),
PPU the employer and worker shares of the wage base (UMK floor for PPU BU, cap) with the rates of `rate_in_force`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iuran.rules.contribution import family_due
from iuran.rules.month import Month
from iuran.rules.rate_table import rates_for
from iuran.rules.segments import KELAS

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class FamilyPrices:
    """Participant share per person, by [kelas - 1, month index - first.index]."""

    first: Month
    table: I64

    @classmethod
    def between(cls, first: Month, last: Month) -> FamilyPrices:
        months = [Month.from_index(i) for i in range(first.index, last.index + 1)]
        table = np.array([[family_due(m, k, 1) for m in months] for k in KELAS], dtype=np.int64)
        return cls(first, table)

    def per_person(self, kelas: I64, month_index: I64) -> I64:
        return self.table[kelas - 1, month_index - self.first.index]


@dataclass(frozen=True)
class PpuRates:
    employer_bp: int
    worker_bp: int
    extra_member_bp: int
    wage_cap: int
    wage_floor: int  # 1: the UMK floors the wage base (PPU BU)

    @classmethod
    def of(cls, month: Month, segment: str) -> PpuRates:
        row = next(r for r in rates_for(month) if r.segment == segment)
        return cls(row.employer_bp, row.worker_bp, row.extra_member_bp, row.wage_cap, row.wage_floor)

    def worker_month(self, wage: I64, umk: I64, extra_members: I64) -> I64:
        """Employer + worker shares of each worker for the month: the vectorised `ppu_month`."""
        base = np.minimum(np.maximum(wage, umk) if self.wage_floor else wage, self.wage_cap)

        def bp(x: int) -> I64:
            return (base * x + 5_000) // 10_000  # apply_bp: half up to a whole Rupiah

        # As `ppu_month`: the whole percentage rounded once, the worker's part taken from it (rounding the two
        # shares apart would be 1 Rupiah off for about one wage in five).
        worker_own = bp(self.worker_bp)
        employer = bp(self.employer_bp + self.worker_bp) - worker_own
        worker = worker_own + extra_members * bp(self.extra_member_bp)
        return employer + worker
