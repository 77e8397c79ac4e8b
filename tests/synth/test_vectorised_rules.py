"""The vectorised twins used by the generator agree with the rules engine they stand in for."""

import datetime as dt

import numpy as np
import pytest

from iuran.rules.contribution import family_due, ppu_month
from iuran.rules.membership import va_number
from iuran.rules.month import Month
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment
from iuran.synth.people import card_numbers, nik_numbers, va_numbers
from iuran.synth.plan import FAMILY_SIZE_P, family_sizes, pick_exact
from iuran.synth.prices import FamilyPrices, PpuRates


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
