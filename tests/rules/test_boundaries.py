"""Edge cases at the boundaries of the rules: the month a rate changes, the 24th month, day 45, the caps."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from iuran.rules.calendar import due_date, is_working_day
from iuran.rules.contribution import Shares, contribution, ppu_wage_base
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import first_payment_window
from iuran.rules.month import Month, month_range
from iuran.rules.penalty import service_penalty
from iuran.rules.reactivation import reactivation_quote, reactivation_terms
from iuran.rules.rehab import registration_deadline, rehab_offer, rehab_rule
from iuran.rules.rulebook import RuleNotInForce
from iuran.rules.segments import Segment
from iuran.rules.status import BilledMonth, is_active

ID_HOLIDAYS = holidays.country_holidays("ID", years=range(2016, 2027))


def pbpu_rates(month: str) -> tuple[int, int, Shares]:
    m = Month.parse(month)
    return (
        contribution(Segment.PBPU, m, kelas=1).total,
        contribution(Segment.PBPU, m, kelas=2).total,
        contribution(Segment.PBPU, m, kelas=3).shares,
    )


# --- rate-change months ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "rates_before", "rates_after"),
    [
        ("2016-03", "2016-04", (59_500, 42_500, Shares(25_500)), (80_000, 51_000, Shares(25_500))),
        ("2019-12", "2020-01", (80_000, 51_000, Shares(25_500)), (160_000, 110_000, Shares(42_000))),
        ("2020-03", "2020-04", (160_000, 110_000, Shares(42_000)), (80_000, 51_000, Shares(25_500))),
        ("2020-06", "2020-07", (80_000, 51_000, Shares(25_500)), (150_000, 100_000, Shares(25_500, 16_500))),
        ("2020-12", "2021-01", (150_000, 100_000, Shares(25_500, 16_500)), (150_000, 100_000, Shares(35_000, 7_000))),
    ],
)
def test_pbpu_rate_changes_exactly_at_the_first_of_the_new_month(
    before: str, after: str, rates_before: tuple[int, int, Shares], rates_after: tuple[int, int, Shares]
) -> None:
    assert Month.parse(before) + 1 == Month.parse(after)
    assert pbpu_rates(before) == rates_before
    assert pbpu_rates(after) == rates_after


def test_pbi_rate_is_23000_in_july_2019_and_42000_in_august_2019() -> None:
    assert contribution(Segment.PBI_APBN, Month(2019, 7)).total == 23_000
    assert contribution(Segment.PBI_APBN, Month(2019, 8)).total == 42_000
    assert contribution(Segment.PBI_APBD, Month(2019, 7)).total == 23_000
    assert contribution(Segment.PBI_APBD, Month(2019, 8)).total == 42_000


def test_private_employer_wage_cap_rises_to_12_million_in_january_2020() -> None:
    assert ppu_wage_base(Segment.PPU_BU, Month(2019, 12), 15_000_000, 0) == 8_000_000
    assert ppu_wage_base(Segment.PPU_BU, Month(2020, 1), 15_000_000, 0) == 12_000_000
    assert contribution(Segment.PPU_BU, Month(2019, 12), wage=15_000_000, umk=0).total == 400_000
    assert contribution(Segment.PPU_BU, Month(2020, 1), wage=15_000_000, umk=0).total == 600_000


def test_central_government_wage_cap_rises_to_12_million_in_october_2019() -> None:
    assert ppu_wage_base(Segment.PPU_PN, Month(2019, 9), 15_000_000, 0) == 8_000_000
    assert ppu_wage_base(Segment.PPU_PN, Month(2019, 10), 15_000_000, 0) == 12_000_000
    # The government employer's share also moves from 3% + 2% to 4% + 1% that month.
    assert contribution(Segment.PPU_PN, Month(2019, 9), wage=15_000_000, umk=0).shares == Shares(
        employer=240_000, worker=160_000
    )
    assert contribution(Segment.PPU_PN, Month(2019, 10), wage=15_000_000, umk=0).shares == Shares(
        employer=480_000, worker=120_000
    )


def test_private_employer_cap_is_still_8_million_when_central_government_moved_to_12() -> None:
    assert ppu_wage_base(Segment.PPU_BU, Month(2019, 10), 15_000_000, 0) == 8_000_000


@pytest.mark.parametrize(
    ("wage", "base"), [(11_999_999, 11_999_999), (12_000_000, 12_000_000), (12_000_001, 12_000_000)]
)
def test_wage_just_under_at_and_over_the_cap(wage: int, base: int) -> None:
    assert ppu_wage_base(Segment.PPU_BU, Month(2024, 1), wage, 0) == base


@pytest.mark.parametrize(("wage", "base"), [(4_799_999, 4_800_000), (4_800_000, 4_800_000), (4_800_001, 4_800_001)])
def test_wage_just_under_at_and_over_the_umk(wage: int, base: int) -> None:
    assert ppu_wage_base(Segment.PPU_BU, Month(2024, 1), wage, 4_800_000) == base


def test_month_before_the_first_rate_has_no_rule_in_force() -> None:
    with pytest.raises(RuleNotInForce):
        contribution(Segment.PBPU, Month(2013, 12), kelas=3)


# --- the 24th and 25th month in arrears -----------------------------------------------------------


def test_twenty_four_months_in_arrears_are_all_billed() -> None:
    q = reactivation_quote(Segment.PBPU, 3, 1, Month(2022, 3), dt.date(2024, 3, 5))
    assert (q.months_in_arrears, len(q.billed_months), len(q.written_off_months)) == (24, 24, 0)


def test_twenty_fifth_month_in_arrears_is_written_off_the_oldest_first() -> None:
    q = reactivation_quote(Segment.PBPU, 3, 1, Month(2022, 2), dt.date(2024, 3, 5))
    assert (q.months_in_arrears, len(q.billed_months), len(q.written_off_months)) == (25, 24, 1)
    assert q.written_off_months == (Month(2022, 2),)
    assert q.billed_months[0] == Month(2022, 3)


def test_no_arrears_reactivation_bills_only_the_current_month() -> None:
    q = reactivation_quote(Segment.PBPU, 2, 3, Month(2024, 3), dt.date(2024, 3, 5))
    assert (q.months_in_arrears, q.arrears_amount, q.total) == (0, 0, 3 * 100_000)


def test_first_unpaid_month_after_the_reactivation_date_is_refused() -> None:
    with pytest.raises(RuleInputError) as e:
        reactivation_quote(Segment.PBPU, 3, 1, Month(2024, 4), dt.date(2024, 3, 5))
    assert e.value.field == "unpaid_since"


@pytest.mark.parametrize(
    ("as_of", "billed"),
    [
        (dt.date(2016, 6, 30), 29),  # before Perpres 19/2016: every month in arrears (2014-01 .. 2016-05)
        (dt.date(2016, 7, 1), 12),  # Perpres 19/2016 Pasal 17A.1: at most 12
        (dt.date(2018, 9, 17), 12),
        (dt.date(2018, 9, 18), 24),  # Perpres 82/2018 Pasal 42: at most 24
    ],
)
def test_the_reactivation_cap_is_the_one_in_force_on_the_day(as_of: dt.date, billed: int) -> None:
    q = reactivation_quote(Segment.PBPU, 3, 1, Month(2014, 1), as_of)
    assert len(q.billed_months) == billed
    assert len(q.billed_months) + len(q.written_off_months) == q.months_in_arrears
    assert q.billed_months[-1] == Month.of(as_of) - 1  # the latest months are billed, the oldest written off


@pytest.mark.parametrize(("unpaid_months", "billed", "written_off"), [(12, 12, 0), (13, 12, 1), (20, 12, 8)])
def test_under_the_2016_cap_the_12th_month_is_billed_and_the_13th_written_off(
    unpaid_months: int, billed: int, written_off: int
) -> None:
    as_of = dt.date(2017, 9, 5)
    q = reactivation_quote(Segment.PBPU, 2, 1, Month(2017, 9) - unpaid_months, as_of)
    assert (q.months_in_arrears, len(q.billed_months), len(q.written_off_months)) == (
        unpaid_months,
        billed,
        written_off,
    )
    # Kelas II in 2017: Rp51,000 a month (Perpres 28/2016); no late fee since July 2016.
    assert (q.arrears_amount, q.current_month_amount, q.late_fee) == (billed * 51_000, 51_000, 0)


# --- day 45 and 46 after reactivation -------------------------------------------------------------

REACTIVATED = dt.date(2021, 1, 2)


@pytest.mark.parametrize(
    ("admitted", "in_window"),
    [
        (REACTIVATED - dt.timedelta(days=1), False),  # admitted before reactivation
        (REACTIVATED, True),  # day 0: the reactivation day itself
        (REACTIVATED + dt.timedelta(days=45), True),  # day 45: 16 Feb 2021
        (REACTIVATED + dt.timedelta(days=46), False),  # day 46: 17 Feb 2021
    ],
)
def test_penalty_window_is_the_reactivation_day_to_day_45(admitted: dt.date, in_window: bool) -> None:
    p = service_penalty(5_000_000, 3, REACTIVATED, admitted)
    assert p.in_window is in_window
    assert p.penalty == (750_000 if in_window else 0)
    assert not p.capped


def test_day_45_after_2_january_2021_is_16_february_2021() -> None:
    assert REACTIVATED + dt.timedelta(days=45) == dt.date(2021, 2, 16)


def test_penalty_rate_follows_the_admission_date_across_new_year_2021() -> None:
    reactivated = dt.date(2020, 12, 20)
    assert service_penalty(5_000_000, 3, reactivated, dt.date(2020, 12, 31)).rate_bp == 250
    assert service_penalty(5_000_000, 3, reactivated, dt.date(2021, 1, 1)).rate_bp == 500


# --- the Rp30,000,000 cap and the 12-month cap ----------------------------------------------------


@pytest.mark.parametrize(
    ("inacbg", "penalty", "capped"),
    [
        (49_999_999, 29_999_999, False),  # just under: 5% × 49,999,999 × 12 = 29,999,999.4
        (50_000_000, 30_000_000, False),  # exactly the cap: nothing is cut
        (50_000_001, 30_000_000, True),  # over: cut to the cap
        (200_000_000, 30_000_000, True),
    ],
)
def test_penalty_cap_of_30_million_just_under_exactly_and_over(inacbg: int, penalty: int, capped: bool) -> None:
    p = service_penalty(inacbg, 12, REACTIVATED, REACTIVATED + dt.timedelta(days=10))
    assert (p.penalty, p.capped) == (penalty, capped)


@pytest.mark.parametrize(("months", "counted"), [(11, 11), (12, 12), (13, 12), (40, 12)])
def test_penalty_counts_at_most_12_months_of_arrears(months: int, counted: int) -> None:
    p = service_penalty(1_000_000, months, REACTIVATED, REACTIVATED)
    assert p.months_counted == counted
    assert p.penalty == 50_000 * counted


def test_penalty_with_no_months_in_arrears_is_zero() -> None:
    assert service_penalty(5_000_000, 0, REACTIVATED, REACTIVATED).penalty == 0


@pytest.mark.parametrize(("inacbg", "months", "field"), [(-1, 3, "inacbg"), (5_000_000, -1, "months_in_arrears")])
def test_negative_penalty_inputs_are_refused(inacbg: int, months: int, field: str) -> None:
    with pytest.raises(RuleInputError) as e:
        service_penalty(inacbg, months, REACTIVATED, REACTIVATED)
    assert e.value.field == field


# --- REHAB: 3 vs 4 and 24 vs 25 months; registration day; version in force ------------------------


@pytest.mark.parametrize(
    ("unpaid_since", "months", "eligible"),
    [(Month(2024, 3), 3, False), (Month(2024, 2), 4, True), (Month(2022, 6), 24, True), (Month(2022, 5), 25, True)],
)
def test_rehab_eligibility_at_3_4_24_and_25_months(unpaid_since: Month, months: int, eligible: bool) -> None:
    offer = rehab_offer(Segment.PBPU, 3, 1, unpaid_since, dt.date(2024, 6, 5))
    assert offer.months_in_arrears == months
    assert offer.eligible is eligible
    assert bool(offer.installments) is eligible
    if not eligible:
        assert f"there are {months}" in offer.reason


def test_rehab_with_more_than_24_months_unpaid_is_over_the_24_billed_months() -> None:
    # 25 and 40 months unpaid: BPJS bills the latest 24 (the rest written off), and REHAB splits those 24.
    on = dt.date(2024, 6, 5)
    at_24, at_25, at_40 = (rehab_offer(Segment.PBPU, 3, 1, Month(2024, 6) - n, on) for n in (24, 25, 40))
    assert (at_25.months_in_arrears, at_40.months_in_arrears) == (25, 40)
    assert at_24.eligible and at_25.eligible and at_40.eligible
    assert at_24.installments == at_25.installments == at_40.installments
    # Kelas III 2022-06 .. 2024-05 at Rp35,000 plus June 2024: 25 × 35,000 in 12 installments.
    assert at_40.total == 25 * 35_000 and len(at_40.installments) == 12


@pytest.mark.parametrize(
    ("as_of", "eligible"),
    [
        (dt.date(2024, 6, 28), True),
        (dt.date(2024, 6, 29), False),
        (dt.date(2024, 2, 27), True),  # leap year: still the 27th
        (dt.date(2024, 2, 28), False),
        (dt.date(2023, 2, 27), True),
        (dt.date(2023, 2, 28), False),
        (dt.date(2025, 3, 28), True),  # REHAB 2.0 keeps the same registration days
        (dt.date(2025, 3, 29), False),
    ],
)
def test_rehab_registration_closes_on_the_28th_and_the_27th_in_february(as_of: dt.date, eligible: bool) -> None:
    unpaid_since = Month.of(as_of) - 6
    offer = rehab_offer(Segment.PBPU, 3, 1, unpaid_since, as_of)
    assert offer.eligible is eligible
    if not eligible:
        assert offer.reason == f"registration closes on {registration_deadline(Month.of(as_of), rehab_rule(as_of))}"


def test_rehab_2_is_not_in_force_before_3_february_2025() -> None:
    assert rehab_rule(dt.date(2025, 2, 2)).version == "2022"
    assert rehab_rule(dt.date(2025, 2, 3)).version == "2025"
    with pytest.raises(RuleInputError) as e:
        rehab_rule(dt.date(2025, 2, 2), "2025")
    assert e.value.field == "version"
    assert "2025-02-03" in str(e.value)


def test_rehab_offer_on_2_february_2025_is_rehab_2022_and_on_3_february_rehab_2() -> None:
    before = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 2, 2))
    after = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 2, 3))
    assert (before.version, len(before.installments)) == ("2022", 12)
    assert (after.version, len(after.installments)) == ("2025", 6)  # 13 months: half is 6


def test_rehab_2022_can_still_be_asked_for_by_name_after_2025() -> None:
    offer = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 3, 5), version="2022")
    assert (offer.version, len(offer.installments)) == ("2022", 12)


def test_unknown_rehab_version_is_refused_naming_version() -> None:
    with pytest.raises(RuleInputError) as e:
        rehab_rule(dt.date(2025, 3, 5), "2030")
    assert e.value.field == "version"


def test_rehab_2022_is_refused_to_participants_who_moved_segment() -> None:
    offer = rehab_offer(Segment.PPU_BU, 3, 1, Month(2024, 1), dt.date(2024, 6, 5))
    assert not offer.eligible


@pytest.mark.parametrize(("months", "installments"), [(4, 2), (5, 2), (14, 7), (23, 11), (24, 12)])
def test_rehab_2_installments_are_the_smaller_of_12_and_half_the_months(months: int, installments: int) -> None:
    as_of = dt.date(2025, 6, 5)
    offer = rehab_offer(Segment.PBPU, 1, 1, Month.of(as_of) - months, as_of)
    assert offer.months_in_arrears == months
    assert len(offer.installments) == installments == min(12, months // 2)


def test_rehab_installments_fall_due_on_the_installment_months_due_date() -> None:
    offer = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 3, 5))
    assert [i.due for i in offer.installments] == [due_date(i.month) for i in offer.installments]
    assert offer.installments[1].due == dt.date(2025, 5, 13)  # 10 May Saturday, 12 May Waisak


# --- due date on weekends and public holidays ------------------------------------------------------


def test_due_date_saturday_10_february_2024_moves_to_monday_the_12th() -> None:
    assert dt.date(2024, 2, 10).weekday() == 5
    assert due_date(Month(2024, 2)) == dt.date(2024, 2, 12)


def test_due_date_sunday_the_10th_followed_by_a_holiday_moves_two_days() -> None:
    assert dt.date(2024, 3, 10).weekday() == 6
    assert dt.date(2024, 3, 11) in ID_HOLIDAYS  # Nyepi
    assert due_date(Month(2024, 3)) == dt.date(2024, 3, 12)


def test_due_date_when_the_10th_is_eid_al_fitr_moves_past_the_holidays() -> None:
    # 10 April 2024 (a Wednesday) and the 11th are Idul Fitri.
    assert dt.date(2024, 4, 10).weekday() == 2
    assert dt.date(2024, 4, 10) in ID_HOLIDAYS and dt.date(2024, 4, 11) in ID_HOLIDAYS
    assert due_date(Month(2024, 4)) == dt.date(2024, 4, 12)


def test_due_date_when_the_10th_is_ascension_day_is_the_11th() -> None:
    assert dt.date(2018, 5, 10).weekday() == 3
    assert dt.date(2018, 5, 10) in holidays.country_holidays("ID", years=2018)
    assert due_date(Month(2018, 5)) == dt.date(2018, 5, 11)


def test_due_date_when_the_10th_is_good_friday_is_the_monday() -> None:
    assert dt.date(2020, 4, 10) in ID_HOLIDAYS
    assert due_date(Month(2020, 4)) == dt.date(2020, 4, 13)


@pytest.mark.parametrize("month", [Month(2024, m) for m in range(1, 13)])
def test_due_date_is_the_first_working_day_from_the_10th(month: Month) -> None:
    due = due_date(month)
    tenth = month.day(10)
    assert due >= tenth
    assert is_working_day(due)
    assert due.weekday() < 5 and due not in ID_HOLIDAYS
    day = tenth
    while day < due:
        assert day.weekday() >= 5 or day in ID_HOLIDAYS
        day += dt.timedelta(days=1)


# --- the rules of 2014-2021 at their edges (docs/rules.md §4, §6) ----------------------------------------------

_JAN = Month(2015, 1)


@pytest.mark.parametrize(
    ("payer", "unpaid_from", "day", "active"),
    [
        # Before July 2016: a family more than 6 months late from the 10th, an employer more than 3.
        ("family", _JAN, dt.date(2015, 7, 10), True),
        ("family", _JAN, dt.date(2015, 7, 11), False),
        ("employer", _JAN, dt.date(2015, 4, 10), True),
        ("employer", _JAN, dt.date(2015, 4, 11), False),
        # June and July 2016: the month before and after Perpres 19/2016 (January 2016 unpaid).
        ("family", Month(2016, 1), dt.date(2016, 6, 30), True),  # 5 months late: tolerated until 10 July
        ("family", Month(2016, 6), dt.date(2016, 7, 10), True),  # June unpaid: a month late from the 10th
        ("family", Month(2016, 6), dt.date(2016, 7, 11), False),
        ("family", Month(2016, 1), dt.date(2016, 7, 1), False),  # 6 months open: the new rule suspends
        # September and October 2018: Perpres 82/2018, from the 1st after an unpaid month.
        ("family", Month(2018, 8), dt.date(2018, 9, 10), True),
        ("family", Month(2018, 9), dt.date(2018, 10, 1), False),
    ],
)
def test_suspension_before_and_after_each_change(payer: str, unpaid_from: Month, day: dt.date, active: bool) -> None:
    billed = [BilledMonth(m) for m in month_range(unpaid_from, Month.of(day))]
    assert is_active(day, billed, payer=payer) is active


@pytest.mark.parametrize(("months", "billed", "deferred"), [(6, 6, 0), (7, 6, 1), (24, 6, 18), (25, 6, 18)])
def test_under_the_2020_relaxation_the_6th_month_reactivates_and_the_7th_is_deferred(
    months: int, billed: int, deferred: int
) -> None:
    day = dt.date(2020, 9, 7)
    q = reactivation_quote(Segment.PBPU, 3, 1, Month(2020, 9) - months, day)
    assert (len(q.billed_months), len(q.deferred_months), len(q.written_off_months)) == (
        billed,
        deferred,
        months - billed - deferred,
    )
    assert q.remainder_due == (dt.date(2021, 12, 31) if deferred else None)


@pytest.mark.parametrize(
    ("day", "due_now"),
    [(dt.date(2020, 5, 5), None), (dt.date(2020, 5, 6), 6), (dt.date(2020, 12, 31), 6), (dt.date(2021, 1, 1), None)],
)
def test_the_2020_relaxation_runs_from_perpres_64_2020_to_the_end_of_2020(day: dt.date, due_now: int | None) -> None:
    assert reactivation_terms(day)[0] == due_now


def test_a_deferred_month_counts_again_after_its_due_day() -> None:
    deferred = BilledMonth(Month(2019, 12), None, dt.date(2020, 8, 5), dt.date(2021, 12, 31))
    assert not deferred.counts_on(dt.date(2021, 12, 31))
    assert deferred.counts_on(dt.date(2022, 1, 1))
    assert is_active(dt.date(2021, 12, 1), [deferred]) and not is_active(dt.date(2022, 1, 1), [deferred])


@pytest.mark.parametrize(
    ("registered", "first_day"),
    [(dt.date(2015, 5, 31), dt.date(2015, 6, 7)), (dt.date(2015, 6, 1), dt.date(2015, 6, 15))],
)
def test_the_first_payment_waits_7_days_before_june_2015_and_14_after(registered: dt.date, first_day: dt.date) -> None:
    assert first_payment_window(registered)[0] == first_day
