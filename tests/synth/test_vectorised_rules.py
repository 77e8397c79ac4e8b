"""The vectorised twins used by the generator agree with the rules engine they stand in for."""

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iuran.rules.contribution import family_due, ppu_month
from iuran.rules.membership import va_number
from iuran.rules.month import Month
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment
from iuran.synth.people import card_numbers, nik_numbers, va_numbers
from iuran.synth.plan import FAMILY_SIZE_P, family_sizes, pick_exact
from iuran.synth.prices import FamilyPrices, PpuRates
from rule_months import FIRST, LAST, RATE_CHANGES, RB, months


def test_nik_numbers_are_make_nik() -> None:
    rng = np.random.default_rng(1)
    births = rng.integers(-15_000, 19_000, 500)  # 1929 .. 2022
    female = rng.random(500) < 0.5
    serial = rng.integers(1, 10_000, 500)
    kec = np.full(500, 620_101)
    got = nik_numbers(kec, births, female, serial)
    for i in range(500):
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int(births[i]))
        assert got[i] == make_nik("62.01.01", day, "F" if female[i] else "M", int(serial[i]))


def test_va_numbers_are_va_number() -> None:
    cards = card_numbers(np.arange(1000, dtype=np.int64), seed=5)
    assert len(set(cards.tolist())) == 1000
    assert all(len(c) == 13 for c in cards)
    assert va_numbers(cards).tolist() == [va_number(c) for c in cards]


def test_family_prices_are_family_due() -> None:
    prices = FamilyPrices.between(Month(2019, 1), Month(2024, 7))
    for m in (Month(2019, 6), Month(2020, 2), Month(2020, 5), Month(2020, 9), Month(2024, 7)):
        for k in (1, 2, 3):
            assert prices.per_person(np.array([k]), np.array([m.index]))[0] == family_due(m, k, 1)


@pytest.mark.parametrize("segment", [Segment.PPU_BU, Segment.PPU_PN])
def test_ppu_worker_month_is_ppu_month(segment: Segment) -> None:
    month = Month(2023, 5)
    wages = np.array([1_000_000, 3_181_013, 4_999_999, 12_000_000, 20_000_000])
    extra = np.array([0, 1, 0, 2, 0])
    got = PpuRates.of(month, segment.value).worker_month(wages, np.full(5, 3_181_013), extra)
    for i in range(5):
        want = ppu_month(segment, month, int(wages[i]), 3_181_013, int(extra[i]))[0]
        assert got[i] == want.employer + want.worker


# --- property tests: the numpy twins equal the rules engine to the Rupiah, over random inputs -------------------

# Wages below the UMK, around and above every cap, and any in between.
wages = st.one_of(
    st.integers(0, 30_000_000),
    st.sampled_from([c.cap + d for c in RB.ppu_wage_cap for d in (-1, 0, 1)]),
)
umks = st.integers(0, 6_000_000)
ppu_workers = st.lists(st.tuples(wages, umks, st.integers(0, 6)), min_size=1, max_size=20)
# Hypothesis draws months unevenly: every rate change is also an explicit example, with wages around every bound.
_EDGE_WORKERS = [(w, 3_181_013, x) for x, w in enumerate([0, 3_181_012, 3_181_013, 3_181_014, 30_000_000])] + [
    (c.cap + d, 3_181_013, 1) for c in RB.ppu_wage_cap for d in (-1, 0, 1)
]


def _at_every_change(test: Callable[..., None]) -> Callable[..., None]:
    for month in RATE_CHANGES:
        for segment in (Segment.PPU_BU, Segment.PPU_PN):
            test = example(month=month, segment=segment, workers=_EDGE_WORKERS)(test)
    return test


@settings(max_examples=300, deadline=None)
@_at_every_change
@given(month=months, segment=st.sampled_from([Segment.PPU_BU, Segment.PPU_PN]), workers=ppu_workers)
def test_ppu_worker_month_is_ppu_month_to_the_rupiah(
    month: Month, segment: Segment, workers: list[tuple[int, int, int]]
) -> None:
    wage, umk, extra = (np.array(column, dtype=np.int64) for column in zip(*workers, strict=True))
    got = PpuRates.of(month, segment.value).worker_month(wage, umk, extra)
    want = [ppu_month(segment, month, w, u, x)[0] for w, u, x in workers]
    assert got.tolist() == [s.employer + s.worker for s in want]


@settings(max_examples=200, deadline=None)
@example(
    first=FIRST,
    span=LAST.index - FIRST.index,
    cases=[(1 + i % 3, FIRST.months_until(m), 1 + i % 7) for i, m in enumerate(RATE_CHANGES)],
)
@given(
    first=months,
    span=st.integers(0, 40),
    cases=st.lists(st.tuples(st.integers(1, 3), st.integers(0, 40), st.integers(1, 12)), min_size=1, max_size=20),
)
def test_family_prices_are_family_due_to_the_rupiah(first: Month, span: int, cases: list[tuple[int, int, int]]) -> None:
    last = Month.from_index(min(first.index + span, LAST.index))
    prices = FamilyPrices.between(first, last)
    kelas = np.array([k for k, _, _ in cases], dtype=np.int64)
    month_index = np.array([first.index + min(d, last.index - first.index) for _, d, _ in cases], dtype=np.int64)
    size = np.array([n for _, _, n in cases], dtype=np.int64)
    # The family opening balance of a month, as the generator writes it: the price per person × the family.
    got = (prices.per_person(kelas, month_index) * size).tolist()
    want = [
        family_due(Month.from_index(int(i)), int(k), int(n)) for k, i, n in zip(kelas, month_index, size, strict=True)
    ]
    assert got == want


def test_family_sizes_add_up_and_look_like_kartu_keluarga() -> None:
    sizes = family_sizes(np.random.default_rng(2), 100_000, FAMILY_SIZE_P)
    assert sizes.sum() == 100_000
    assert sizes.min() >= 1 and sizes.max() <= 7
    assert 3.1 < sizes.mean() < 3.5


def test_pick_exact_hits_the_target() -> None:
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 8, 1000)
    for target in (0, 1, 17, 2500, int(sizes.sum())):
        chosen = pick_exact(sizes, target, rng.permutation(1000))
        assert sizes[chosen].sum() == target
