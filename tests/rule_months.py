"""The months property tests draw: 2014-01 to 2026-12, every month a rate, a cap, the extra-member share or a BP
rate paid by the government changes (and the month before it) for certain, any month in between."""

from __future__ import annotations

from hypothesis import strategies as st

from iuran.rules.month import Month
from iuran.rules.rulebook import default_rulebook

RB = default_rulebook()
FIRST, LAST = Month(2014, 1), Month(2026, 12)
RATE_CHANGES = sorted(
    {
        Month.of(e.effective) + d
        for table in (
            RB.pbpu_rate,
            RB.pbi_rate,
            RB.ppu_rate,
            RB.ppu_wage_cap,
            RB.ppu_extra_member,
            RB.bp_pension_rate,
            RB.bp_veteran_rate,
        )
        for e in table
        for d in (-1, 0)
        if FIRST <= Month.of(e.effective) + d <= LAST
    },
    key=lambda m: m.index,
)
months = st.one_of(
    st.sampled_from(RATE_CHANGES),
    st.sampled_from([Month.from_index(i) for i in range(FIRST.index, LAST.index + 1)]),
)
