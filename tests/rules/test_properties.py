"""Properties of the rules that hold for every input (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from iuran.rules.contribution import Shares, contribution, ppu_wage_base
from iuran.rules.money import apply_bp, split_evenly
from iuran.rules.month import Month, month_range
from iuran.rules.penalty import service_penalty
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.rulebook import ReactivationRule, default_rulebook
from iuran.rules.segments import Segment

RB = default_rulebook()
FIRST_CAP_IN_FORCE = dt.date(2016, 7, 1)  # Perpres 19/2016 Pasal 17A.1: 12 months
RELAXATION = (dt.date(2020, 5, 6), dt.date(2020, 12, 31))  # Perpres 64/2020 Pasal 42(3a): "untuk tahun 2020"
CAP_IN_FORCE = dt.date(2018, 9, 18)  # Perpres 82/2018: at most 24 months of arrears from this day
FIRST_RATE = Month(2014, 1)

months = st.builds(Month, st.integers(1900, 2999), st.integers(1, 12))
family_segments = st.sampled_from([Segment.PBPU, Segment.BP])
kelas = st.integers(1, 3)
members = st.integers(1, 12)


def unpaid_since_for(as_of: dt.date) -> st.SearchStrategy[Month]:
    current = Month.of(as_of)
    return st.integers(0, FIRST_RATE.months_until(current)).map(lambda k: current - k)


# --- reactivation ---------------------------------------------------------------------------------


@given(
    segment=family_segments,
    kelas=kelas,
    members=members,
    data=st.data(),
    as_of=st.dates(CAP_IN_FORCE, dt.date(2030, 12, 31)),
)
def test_reactivation_never_bills_more_than_24_months_of_arrears_plus_the_current_month(
    segment: Segment, kelas: int, members: int, data: st.DataObject, as_of: dt.date
) -> None:
    unpaid_since = data.draw(unpaid_since_for(as_of))
    q = reactivation_quote(segment, kelas, members, unpaid_since, as_of)
    n = unpaid_since.months_until(Month.of(as_of))
    assert q.months_in_arrears == n
    assert len(q.deferred_months + q.billed_months) == min(n, 24)
    assert len(q.written_off_months) == max(0, n - 24)
    # During 2020 (Perpres 64/2020 Pasal 42(3a)) the latest 6 reactivate, the rest is owed by the end of 2021.
    relaxed = RELAXATION[0] <= as_of <= RELAXATION[1]
    assert len(q.billed_months) == (min(n, 6) if relaxed else min(n, 24))
    assert q.remainder_due == (dt.date(2021, 12, 31) if relaxed and n > 6 else None)
    # Nothing is lost: written off, deferred and billed are exactly the months in arrears, oldest first.
    assert list(q.written_off_months + q.deferred_months + q.billed_months) == list(
        month_range(unpaid_since, Month.of(as_of) - 1)
    )
    assert q.late_fee == 0
    assert q.total == q.arrears_amount + q.current_month_amount


@given(
    kelas=kelas,
    members=members,
    data=st.data(),
    as_of=st.dates(dt.date(2014, 1, 1), FIRST_CAP_IN_FORCE - dt.timedelta(days=1)),
)
def test_before_the_first_cap_all_arrears_are_billed(
    kelas: int, members: int, data: st.DataObject, as_of: dt.date
) -> None:
    unpaid_since = data.draw(unpaid_since_for(as_of))
    q = reactivation_quote(Segment.PBPU, kelas, members, unpaid_since, as_of)
    assert len(q.billed_months) == q.months_in_arrears == unpaid_since.months_until(Month.of(as_of))
    assert q.written_off_months == ()


@given(
    kelas=kelas,
    members=members,
    data=st.data(),
    as_of=st.dates(FIRST_CAP_IN_FORCE, CAP_IN_FORCE - dt.timedelta(days=1)),
)
def test_from_july_2016_to_the_24_month_cap_at_most_12_months_are_billed(
    kelas: int, members: int, data: st.DataObject, as_of: dt.date
) -> None:
    unpaid_since = data.draw(unpaid_since_for(as_of))
    q = reactivation_quote(Segment.PBPU, kelas, members, unpaid_since, as_of)
    n = unpaid_since.months_until(Month.of(as_of))
    assert (q.months_in_arrears, len(q.billed_months), len(q.written_off_months)) == (n, min(n, 12), max(0, n - 12))


NO_CAP = dataclasses.replace(RB, reactivation=(ReactivationRule(dt.date(2014, 1, 1), 0, "no cap (test)"),))


@given(kelas=kelas, data=st.data(), as_of=st.dates(dt.date(2014, 1, 1), dt.date(2030, 12, 31)))
def test_rule_data_without_a_cap_bills_all_arrears(kelas: int, data: st.DataObject, as_of: dt.date) -> None:
    unpaid_since = data.draw(unpaid_since_for(as_of))
    q = reactivation_quote(Segment.PBPU, kelas, 1, unpaid_since, as_of, rules=NO_CAP)
    assert len(q.billed_months) == q.months_in_arrears
    assert q.written_off_months == ()


# --- service penalty ------------------------------------------------------------------------------

inacbg = st.integers(0, 500_000_000)
arrears_months = st.integers(0, 60)
reactivated = st.dates(dt.date(2016, 7, 1), dt.date(2030, 12, 31))
day_in_window = st.integers(0, 45)


@given(inacbg=inacbg, months=arrears_months, reactivated=reactivated, offset=st.integers(-10, 100))
def test_penalty_never_exceeds_30_million(inacbg: int, months: int, reactivated: dt.date, offset: int) -> None:
    admitted = reactivated + dt.timedelta(days=offset)
    assume(admitted >= dt.date(2016, 7, 1))
    p = service_penalty(inacbg, months, reactivated, admitted)
    assert 0 <= p.penalty <= 30_000_000
    assert p.months_counted <= 12
    assert p.in_window is (0 <= offset <= 45)
    if not p.in_window:
        assert p.penalty == 0
    assert p.capped is (
        p.in_window and p.penalty == 30_000_000 and inacbg * p.rate_bp * p.months_counted > 30_000_000 * 10_000
    )


@given(
    inacbg=inacbg,
    more=st.integers(0, 100_000_000),
    months=arrears_months,
    more_months=st.integers(0, 30),
    reactivated=reactivated,
    offset=day_in_window,
)
def test_penalty_never_decreases_when_months_or_inacbg_grow(
    inacbg: int, more: int, months: int, more_months: int, reactivated: dt.date, offset: int
) -> None:
    admitted = reactivated + dt.timedelta(days=offset)
    base = service_penalty(inacbg, months, reactivated, admitted).penalty
    assert service_penalty(inacbg + more, months, reactivated, admitted).penalty >= base
    assert service_penalty(inacbg, months + more_months, reactivated, admitted).penalty >= base
    assert service_penalty(inacbg + more, months + more_months, reactivated, admitted).penalty >= base


@given(inacbg=st.integers(0, 40_000_000), months=st.integers(0, 12), offset=day_in_window)
def test_penalty_below_the_cap_is_five_percent_times_inacbg_times_months_rounded(
    inacbg: int, months: int, offset: int
) -> None:
    reactivated = dt.date(2021, 1, 2)
    p = service_penalty(inacbg, months, reactivated, reactivated + dt.timedelta(days=offset))
    exact = Fraction(inacbg * months * 5, 100)
    assert abs(p.penalty - exact) <= Fraction(1, 2) or p.capped


# --- contribution is linear in members ------------------------------------------------------------


@given(
    segment=st.sampled_from([s for s in Segment if s.is_family_billed or s.is_pbi]),
    kelas=kelas,
    members=st.integers(1, 50),
    month=st.builds(Month.from_index, st.integers(FIRST_RATE.index, Month(2030, 12).index)),
)
def test_contribution_of_n_members_is_n_times_each_share_of_one(
    segment: Segment, kelas: int, members: int, month: Month
) -> None:
    one = contribution(segment, month, kelas=kelas).shares
    many = contribution(segment, month, kelas=kelas, members=members)
    assert many.shares == Shares(
        participant=members * one.participant,
        government=members * one.government,
        employer=members * one.employer,
        worker=members * one.worker,
    )
    assert many.total == members * one.total


@given(
    segment=st.sampled_from([Segment.PPU_BU, Segment.PPU_PN]),
    wage=st.integers(0, 100_000_000),
    umk=st.integers(0, 6_000_000),
    month=st.builds(Month.from_index, st.integers(FIRST_RATE.index, Month(2030, 12).index)),
)
def test_ppu_contribution_is_five_percent_of_a_wage_base_between_the_umk_and_the_cap(
    segment: Segment, wage: int, umk: int, month: Month
) -> None:
    base = ppu_wage_base(segment, month, wage, umk)
    # The UMK raises a private employer's worker's wage, never a civil servant's (docs/rules.md §3).
    floored = max(wage, umk) if segment is Segment.PPU_BU else wage
    assert base <= 12_000_000  # never above the highest cap
    assert base <= floored  # the wage, raised to the UMK at most (PPU BU)
    assert base >= min(floored, 4_725_000)  # cut no lower than the lowest cap ever
    c = contribution(segment, month, wage=wage, umk=umk)
    assert c.shares.participant == c.shares.government == 0
    assert c.total <= 600_000
    if month >= Month(2015, 7):  # 5% of the wage base since July 2015 (4.5% for private firms before)
        assert abs(c.total - Fraction(base * 5, 100)) < Fraction(3, 2)


# --- money ----------------------------------------------------------------------------------------


@given(amount=st.integers(0, 10**12), bp=st.integers(0, 10_000))
def test_apply_bp_is_the_exact_amount_rounded_half_up(amount: int, bp: int) -> None:
    exact = Fraction(amount * bp, 10_000)
    result = apply_bp(amount, bp)
    assert exact - Fraction(1, 2) < result <= exact + Fraction(1, 2)
    assert apply_bp(amount, 10_000) == amount
    assert apply_bp(amount, 0) == 0


@given(k=st.integers(0, 10**8), bp=st.integers(0, 10_000), n=st.integers(1, 50))
def test_apply_bp_of_a_whole_result_is_exact_and_sums_over_members(k: int, bp: int, n: int) -> None:
    # An amount whose share is a whole Rupiah is not rounded: n members cost exactly n times one.
    amount = k * (10_000 // math.gcd(bp, 10_000))
    assert apply_bp(amount, bp) * 10_000 == amount * bp
    assert apply_bp(n * amount, bp) == n * apply_bp(amount, bp)


@given(wage=st.integers(0, 10**10))
def test_employer_and_worker_shares_are_each_rounded_and_add_up_to_five_percent_within_one_rupiah(wage: int) -> None:
    employer, worker = apply_bp(wage, 400), apply_bp(wage, 100)
    assert abs((employer + worker) - Fraction(wage * 5, 100)) < Fraction(3, 2)
    if wage % 100 == 0:  # whole-hundred wages: no rounding at all, 4% + 1% is exactly 5%
        assert employer + worker == apply_bp(wage, 500) == wage // 20


@given(total=st.integers(0, 10**12), parts=st.integers(1, 400))
def test_split_evenly_sums_exactly_and_parts_differ_by_at_most_one(total: int, parts: int) -> None:
    split = split_evenly(total, parts)
    assert len(split) == parts
    assert sum(split) == total
    assert max(split) - min(split) <= 1
    assert split == sorted(split, reverse=True)  # the first installments carry the remainder


# --- Month arithmetic -----------------------------------------------------------------------------


@given(month=months)
def test_month_text_and_index_round_trip(month: Month) -> None:
    assert Month.parse(str(month)) == month
    assert Month.from_index(month.index) == month
    assert Month.of(month.first_day()) == Month.of(month.last_day()) == month


@settings(max_examples=200)
@given(month=st.builds(Month, st.integers(1950, 2950), st.integers(1, 12)), k=st.integers(-500, 500))
def test_adding_then_subtracting_months_round_trips(month: Month, k: int) -> None:
    assert (month + k) - k == month
    assert month.months_until(month + k) == k
    assert (month + k > month) is (k > 0)
    if k >= 0:
        assert len(list(month_range(month, month + k))) == k + 1


@given(month=months)
def test_next_month_starts_the_day_after_this_month_ends(month: Month) -> None:
    assume(month < Month(2999, 12))
    assert (month + 1).first_day() == month.last_day() + dt.timedelta(days=1)
