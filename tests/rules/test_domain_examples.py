"""Every worked example of DOMAIN.md (§2–§10) as a test, named in the business's words."""

from __future__ import annotations

import datetime as dt

import pytest

from iuran.rules.calendar import due_date
from iuran.rules.contribution import Shares, contribution, family_due, ppu_wage_base
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import (
    arrears_promise_due,
    class_change,
    first_payment_window,
    kelas_for_phk,
    mutasi_effective_month,
    newborn_registration_deadline,
    va_number,
)
from iuran.rules.month import Month
from iuran.rules.penalty import service_penalty
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.rehab import rehab_offer
from iuran.rules.rulebook import default_rulebook, in_force
from iuran.rules.segments import Segment
from iuran.rules.status import BilledMonth, is_active
from iuran.rules.uhc import RegionCounts, coverage_target_bp, uhc_award, uhc_prioritas

RB = default_rulebook()


# --- §3 PBPU and BP rates -------------------------------------------------------------------------

# (first month, Kelas I, Kelas II, Kelas III participant share, Kelas III government share)
RATE_TABLE = [
    ("2014-01", 59_500, 42_500, 25_500, 0),
    ("2016-04", 80_000, 51_000, 25_500, 0),
    ("2020-01", 160_000, 110_000, 42_000, 0),
    ("2020-04", 80_000, 51_000, 25_500, 0),
    ("2020-07", 150_000, 100_000, 25_500, 16_500),
    ("2021-01", 150_000, 100_000, 35_000, 7_000),
]


@pytest.mark.parametrize(("month", "kelas1", "kelas2", "k3_participant", "k3_government"), RATE_TABLE)
@pytest.mark.parametrize("segment", [Segment.PBPU, Segment.BP])
def test_rates_table_row_gives_each_class_its_monthly_rate(
    segment: Segment, month: str, kelas1: int, kelas2: int, k3_participant: int, k3_government: int
) -> None:
    m = Month.parse(month)
    assert contribution(segment, m, kelas=1).shares == Shares(participant=kelas1)
    assert contribution(segment, m, kelas=2).shares == Shares(participant=kelas2)
    k3 = contribution(segment, m, kelas=3)
    assert k3.shares == Shares(participant=k3_participant, government=k3_government)
    assert k3.total == k3_participant + k3_government


def test_kelas_three_of_july_2020_is_42000_of_which_government_pays_16500() -> None:
    c = contribution(Segment.PBPU, Month(2020, 7), kelas=3)
    assert (c.total, c.shares.participant, c.shares.government) == (42_000, 25_500, 16_500)


def test_kelas_three_since_2021_is_42000_participant_35000_government_7000() -> None:
    c = contribution(Segment.PBPU, Month(2021, 1), kelas=3)
    assert c.total == 42_000
    assert c.shares == Shares(participant=35_000, government=7_000)


def test_kelas_three_government_share_splits_4200_central_and_2800_pemda() -> None:
    rate = in_force(RB.pbpu_rate, dt.date(2021, 1, 1), "PBPU rate")
    assert (rate.kelas3_government_central, rate.kelas3_government_pemda) == (4_200, 2_800)
    assert rate.kelas3_government == 7_000


def test_2021_rates_are_still_in_force_because_kris_set_no_new_rate() -> None:
    for month in (Month(2024, 5), Month(2026, 1)):
        assert [contribution(Segment.PBPU, month, kelas=k).total for k in (1, 2, 3)] == [150_000, 100_000, 42_000]


def test_family_pays_only_the_participant_share_the_government_share_is_not_billed_to_it() -> None:
    assert family_due(Month(2024, 5), 3, 4) == 4 * 35_000


def test_family_bill_covers_every_member_of_the_kartu_keluarga() -> None:
    assert contribution(Segment.PBPU, Month(2024, 5), kelas=2, members=4).total == 400_000


def test_class_outside_one_to_three_is_refused_naming_kelas() -> None:
    with pytest.raises(RuleInputError) as e:
        contribution(Segment.PBPU, Month(2024, 5), kelas=4)
    assert e.value.field == "kelas"


# --- §3 PPU --------------------------------------------------------------------------------------


@pytest.mark.parametrize("segment", [Segment.PPU_BU, Segment.PPU_PN])
def test_ppu_wage_5_million_pays_250000_employer_200000_worker_50000(segment: Segment) -> None:
    c = contribution(segment, Month(2024, 1), wage=5_000_000, umk=3_000_000)
    assert c.total == 250_000
    assert c.shares == Shares(employer=200_000, worker=50_000)


@pytest.mark.parametrize("segment", [Segment.PPU_BU, Segment.PPU_PN])
def test_ppu_wage_above_12_million_is_capped_at_12_million(segment: Segment) -> None:
    assert ppu_wage_base(segment, Month(2024, 1), 20_000_000, 3_000_000) == 12_000_000
    c = contribution(segment, Month(2024, 1), wage=20_000_000, umk=3_000_000)
    assert c.shares == Shares(employer=480_000, worker=120_000)
    assert c.total == 600_000


def test_ppu_wage_below_the_umk_is_raised_to_the_umk() -> None:
    c = contribution(Segment.PPU_BU, Month(2024, 1), wage=3_000_000, umk=4_800_000)
    assert ppu_wage_base(Segment.PPU_BU, Month(2024, 1), 3_000_000, 4_800_000) == 4_800_000
    assert c.shares == Shares(employer=192_000, worker=48_000)


@pytest.mark.parametrize(
    ("month", "cap"),
    [(Month(2014, 6), 4_725_000), (Month(2017, 6), 8_000_000), (Month(2021, 6), 12_000_000)],
)
def test_ppu_wage_cap_history_4725000_then_8_million_then_12_million(month: Month, cap: int) -> None:
    assert ppu_wage_base(Segment.PPU_BU, month, 100_000_000, 0) == cap


def test_ppu_extra_family_member_costs_the_worker_one_percent_more() -> None:
    c = contribution(Segment.PPU_BU, Month(2024, 1), wage=5_000_000, umk=3_000_000, extra_members=2)
    assert c.shares == Shares(employer=200_000, worker=50_000 + 2 * 50_000)


def test_ppu_contribution_without_a_wage_is_refused_naming_wage() -> None:
    with pytest.raises(RuleInputError) as e:
        contribution(Segment.PPU_BU, Month(2024, 1), umk=3_000_000)
    assert e.value.field == "wage"


# --- §3 PBI --------------------------------------------------------------------------------------


@pytest.mark.parametrize("segment", [Segment.PBI_APBN, Segment.PBI_APBD])
@pytest.mark.parametrize(
    ("month", "amount"),
    [(Month(2014, 1), 19_225), (Month(2016, 1), 23_000), (Month(2019, 8), 42_000), (Month(2025, 1), 42_000)],
)
def test_pbi_is_19225_then_23000_then_42000_from_august_2019_all_paid_by_government(
    segment: Segment, month: Month, amount: int
) -> None:
    c = contribution(segment, month)
    assert c.shares == Shares(government=amount)


# --- §2 virtual account --------------------------------------------------------------------------


def test_family_virtual_account_is_88888_and_the_last_11_digits_of_the_card() -> None:
    assert va_number("0001944358911") == "8888801944358911"


def test_one_bank_uses_virtual_account_prefix_89888() -> None:
    assert va_number("0001944358911", prefix="89888") == "8988801944358911"


@pytest.mark.parametrize(
    ("card", "prefix", "field"), [("000194435891", None, "card_number"), ("0001944358911", "77777", "prefix")]
)
def test_bad_card_number_or_prefix_is_refused(card: str, prefix: str | None, field: str) -> None:
    with pytest.raises(RuleInputError) as e:
        va_number(card, prefix)
    assert e.value.field == field


# --- §4 due date, suspension, reactivation --------------------------------------------------------


def test_contribution_is_due_on_the_tenth_when_it_is_a_working_day() -> None:
    assert due_date(Month(2024, 5)) == dt.date(2024, 5, 10)  # a Friday, no holiday


def test_due_date_moves_to_the_next_working_day_when_the_tenth_is_not_one() -> None:
    assert due_date(Month(2024, 2)) == dt.date(2024, 2, 12)  # 10 Feb 2024 is a Saturday


def test_unpaid_month_is_covered_to_month_end_and_suspended_from_the_first_of_next_month() -> None:
    billed = [BilledMonth(Month(2024, 1)), BilledMonth(Month(2024, 2))]
    assert is_active(dt.date(2024, 1, 31), billed)
    assert not is_active(dt.date(2024, 2, 1), billed)


def test_reactivation_needs_the_arrears_and_the_current_month() -> None:
    paid = dt.date(2024, 3, 5)
    only_arrears = [BilledMonth(Month(2024, 1), paid), BilledMonth(Month(2024, 2), paid), BilledMonth(Month(2024, 3))]
    both = [BilledMonth(Month(2024, 1), paid), BilledMonth(Month(2024, 2), paid), BilledMonth(Month(2024, 3), paid)]
    assert not is_active(paid, only_arrears)
    assert is_active(paid, both)


def test_fifty_months_unpaid_bills_only_the_latest_24() -> None:
    q = reactivation_quote(Segment.PBPU, 3, 1, Month(2020, 1), dt.date(2024, 3, 5))
    assert q.months_in_arrears == 50
    assert len(q.billed_months) == 24
    assert q.billed_months[0] == Month(2022, 3)
    assert q.billed_months[-1] == Month(2024, 2)
    assert q.arrears_amount == 24 * 35_000
    assert q.current_month == Month(2024, 3)
    assert q.current_month_amount == 35_000
    assert q.total == 875_000


def test_fifty_months_unpaid_writes_off_the_26_oldest_explicitly() -> None:
    q = reactivation_quote(Segment.PBPU, 3, 1, Month(2020, 1), dt.date(2024, 3, 5))
    assert len(q.written_off_months) == 26
    assert q.written_off_months[0] == Month(2020, 1)
    assert q.written_off_months[-1] == Month(2022, 2)
    assert set(q.written_off_months).isdisjoint(q.billed_months)


def test_reactivation_bills_each_month_at_the_rate_in_force_that_month() -> None:
    q = reactivation_quote(Segment.PBPU, 1, 2, Month(2019, 11), dt.date(2020, 2, 5))
    # 2019-11, 2019-12 at 80,000; 2020-01 at 160,000; current 2020-02 at 160,000; 2 members.
    assert q.arrears_amount == 2 * (80_000 + 80_000 + 160_000)
    assert q.current_month_amount == 2 * 160_000


def test_no_late_fee_on_contributions_since_july_2016() -> None:
    q = reactivation_quote(Segment.PBPU, 1, 1, Month(2016, 4), dt.date(2016, 7, 5))
    assert q.late_fee == 0
    assert q.total == q.arrears_amount + q.current_month_amount


def test_before_july_2016_late_fee_was_two_percent_of_arrears_per_month() -> None:
    # 2 months (April, May 2016) of Kelas I at 80,000: 4% of 160,000.
    q = reactivation_quote(Segment.PBPU, 1, 1, Month(2016, 4), dt.date(2016, 6, 15))
    assert q.arrears_amount == 160_000
    assert q.late_fee == 6_400
    assert q.total == 160_000 + 80_000 + 6_400


def test_only_pbpu_and_bp_families_reactivate_by_paying_their_arrears() -> None:
    with pytest.raises(RuleInputError) as e:
        reactivation_quote(Segment.PPU_BU, 3, 1, Month(2024, 1), dt.date(2024, 3, 5))
    assert e.value.field == "segment"


# --- §5 service penalty --------------------------------------------------------------------------


def test_penalty_on_inacbg_5_million_with_3_months_in_arrears_is_750000() -> None:
    p = service_penalty(5_000_000, 3, dt.date(2021, 1, 2), dt.date(2021, 1, 20))
    assert p.penalty == 750_000
    assert (p.rate_bp, p.months_counted, p.in_window, p.capped) == (500, 3, True, False)


def test_reactivated_2_january_2021_admissions_up_to_16_february_are_penalised() -> None:
    assert service_penalty(5_000_000, 3, dt.date(2021, 1, 2), dt.date(2021, 2, 16)).penalty == 750_000
    late = service_penalty(5_000_000, 3, dt.date(2021, 1, 2), dt.date(2021, 2, 17))
    assert (late.penalty, late.in_window) == (0, False)


def test_penalty_months_are_capped_at_12_and_the_penalty_at_30_million() -> None:
    p = service_penalty(100_000_000, 20, dt.date(2021, 1, 2), dt.date(2021, 1, 3))
    assert p.months_counted == 12
    assert p.penalty == 30_000_000
    assert p.capped


def test_penalty_rate_was_two_and_a_half_percent_from_july_2016_and_during_2020() -> None:
    for admitted in (dt.date(2016, 7, 1), dt.date(2020, 6, 15)):
        p = service_penalty(5_000_000, 3, admitted - dt.timedelta(days=1), admitted)
        assert (p.rate_bp, p.penalty) == (250, 375_000)


# --- §6 new PBPU ---------------------------------------------------------------------------------


def test_new_pbpu_family_first_pays_14_to_30_days_after_registration() -> None:
    assert first_payment_window(dt.date(2024, 1, 1)) == (dt.date(2024, 1, 15), dt.date(2024, 1, 31))


def test_new_pbpu_coverage_starts_when_the_first_payment_is_made() -> None:
    paid = dt.date(2024, 1, 20)
    billed = [BilledMonth(Month(2024, 1), paid)]
    assert not is_active(dt.date(2024, 1, 19), billed, active_from=paid)
    assert is_active(paid, billed, active_from=paid)


# --- §7 REHAB ------------------------------------------------------------------------------------


def test_rehab_is_for_families_with_4_to_24_billed_months_of_arrears() -> None:
    as_of = dt.date(2024, 6, 5)
    assert rehab_offer(Segment.PBPU, 3, 1, Month(2024, 2), as_of).eligible  # 4 months
    assert rehab_offer(Segment.BP, 3, 1, Month(2022, 6), as_of).eligible  # 24 months
    assert not rehab_offer(Segment.PBPU, 3, 1, Month(2024, 3), as_of).eligible  # 3 months
    assert rehab_offer(Segment.PBPU, 3, 1, Month(2022, 5), as_of).eligible  # 25 months: on the 24 billed


def test_rehab_2022_splits_arrears_and_the_current_month_into_at_most_12_installments() -> None:
    offer = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 2), dt.date(2024, 6, 5))
    assert offer.version == "2022"
    assert len(offer.installments) == 12
    assert offer.total == 5 * 35_000  # Feb–May arrears and June
    assert all(i.current_month_part == 0 for i in offer.installments)
    assert offer.activation == "last"  # non-active until everything is paid


def test_rehab_2_installments_at_most_12_or_half_the_months_each_including_the_current_month() -> None:
    offer = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 3, 5))
    assert offer.version == "2025"
    assert offer.months_in_arrears == 14
    assert len(offer.installments) == min(12, 14 // 2) == 7
    assert [i.month for i in offer.installments] == [Month(2025, 4) + k for k in range(7)]
    for inst in offer.installments:
        assert inst.current_month_part == family_due(inst.month, 3, 1) == 35_000
        assert inst.amount == 75_000 + 35_000
    assert offer.total == 15 * 35_000 + 7 * 35_000


def test_rehab_2_of_24_months_gets_12_installments() -> None:
    offer = rehab_offer(Segment.PBPU, 2, 1, Month(2023, 2), dt.date(2025, 2, 20))
    assert offer.months_in_arrears == 24
    assert len(offer.installments) == 12


def test_rehab_2_activation_trigger_is_the_last_installment_and_configurable() -> None:
    offer = rehab_offer(Segment.PBPU, 3, 1, Month(2024, 1), dt.date(2025, 3, 5))
    assert offer.activation == "last"
    assert offer.on_missed == "lapse"  # default: plan lapses, arrears stand
    assert {r.activation for r in RB.rehab} <= {"last", "first"}


def test_moved_segment_participant_gets_up_to_36_installments_of_at_least_35000() -> None:
    # Kelas I family of 3, 24 months of old arrears at 150,000: 10,800,000 over 36 installments.
    offer = rehab_offer(Segment.PPU_BU, 1, 3, Month(2023, 3), dt.date(2025, 3, 5))
    assert offer.eligible
    assert len(offer.installments) == 36
    assert all(i.amount >= 35_000 for i in offer.installments)
    assert offer.total == 24 * 3 * 150_000
    assert all(i.current_month_part == 0 for i in offer.installments)


def test_moved_segment_participant_with_two_months_of_old_arrears_pays_two_installments_of_35000() -> None:
    offer = rehab_offer(Segment.PPU_BU, 3, 1, Month(2025, 1), dt.date(2025, 3, 5))
    assert offer.eligible
    assert [i.amount for i in offer.installments] == [35_000, 35_000]


def test_moved_segment_participant_needs_at_least_two_months_of_old_arrears() -> None:
    assert not rehab_offer(Segment.PPU_BU, 3, 1, Month(2025, 2), dt.date(2025, 3, 5)).eligible


# --- §9 status changes ---------------------------------------------------------------------------


def test_class_change_after_12_months_for_the_whole_family_without_arrears_takes_effect_next_month() -> None:
    d = class_change(Segment.PBPU, 3, 2, Month(2023, 5), 0, True, dt.date(2024, 5, 2))
    assert d.allowed
    assert d.effective_month == Month(2024, 6)


def test_class_change_before_12_months_in_the_class_is_refused() -> None:
    d = class_change(Segment.PBPU, 3, 2, Month(2023, 6), 0, True, dt.date(2024, 5, 2))
    assert not d.allowed and d.effective_month is None
    assert "12 months" in d.reason


def test_class_change_for_part_of_the_family_is_refused() -> None:
    assert not class_change(Segment.PBPU, 3, 2, Month(2023, 5), 0, False, dt.date(2024, 5, 2)).allowed


def test_class_change_with_arrears_is_refused() -> None:
    d = class_change(Segment.PBPU, 3, 1, Month(2020, 1), 1, True, dt.date(2024, 5, 2))
    assert not d.allowed
    assert "arrears" in d.reason


def test_class_change_by_request_is_only_for_pbpu_and_bp() -> None:
    assert class_change(Segment.BP, 1, 2, Month(2020, 1), 0, True, dt.date(2024, 5, 2)).allowed
    assert not class_change(Segment.PPU_BU, 1, 2, Month(2020, 1), 0, True, dt.date(2024, 5, 2)).allowed


def test_laid_off_worker_gets_6_months_of_kelas_three() -> None:
    assert kelas_for_phk(dt.date(2024, 1, 1)) == (3, 6)


def test_employer_changes_by_the_20th_and_newborns_within_28_days() -> None:
    rule = in_force(RB.status_change, dt.date(2024, 1, 1), "status change")
    assert (rule.mutasi_cutoff_day, rule.newborn_registration_days) == (20, 28)
    assert rule.pbpu_to_ppu_arrears_promise_months == 6
    assert mutasi_effective_month(dt.date(2024, 5, 20)) == Month(2024, 6)
    assert mutasi_effective_month(dt.date(2024, 5, 21)) == Month(2024, 7)
    assert newborn_registration_deadline(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert arrears_promise_due(dt.date(2024, 3, 4)) == Month(2024, 9)


# --- §10 UHC -------------------------------------------------------------------------------------


def test_uhc_prioritas_now_needs_98_percent_coverage_80_percent_activeness_and_no_pemda_arrears() -> None:
    on = dt.date(2025, 6, 1)
    assert uhc_prioritas(RegionCounts(population=10_000, registered=9_800, active=7_840), on)
    assert not uhc_prioritas(RegionCounts(population=10_000, registered=9_799, active=7_840), on)
    assert not uhc_prioritas(RegionCounts(population=10_000, registered=9_800, active=7_839), on)
    assert not uhc_prioritas(RegionCounts(population=10_000, registered=9_800, active=7_840, pemda_in_arrears=True), on)


def test_uhc_prioritas_thresholds_were_95_75_then_98_75_in_2023_and_2024() -> None:
    counts_95_75 = RegionCounts(population=10_000, registered=9_500, active=7_125)
    counts_98_75 = RegionCounts(population=10_000, registered=9_800, active=7_350)
    assert uhc_prioritas(counts_95_75, dt.date(2023, 3, 1))
    assert not uhc_prioritas(counts_95_75, dt.date(2023, 8, 1))
    assert uhc_prioritas(counts_98_75, dt.date(2024, 6, 1))
    assert not uhc_prioritas(counts_98_75, dt.date(2025, 6, 1))


def test_coverage_can_exceed_100_percent_and_still_counts() -> None:
    # Murung Raya, 2023: 118.09% coverage (registration by domicile vs population data).
    assert uhc_prioritas(RegionCounts(population=10_000, registered=11_809, active=9_500), dt.date(2025, 6, 1))


def test_kalimantan_tengah_2023_had_the_coverage_but_not_the_activeness_for_uhc_prioritas() -> None:
    population = 2_706_950
    registered = population * 9812 // 10_000  # 98.12%
    active = registered * 7095 // 10_000  # 70.95%
    assert not uhc_prioritas(RegionCounts(population, registered, active), dt.date(2023, 11, 1))
    assert uhc_prioritas(RegionCounts(population, registered, registered * 76 // 100), dt.date(2023, 11, 1))


@pytest.mark.parametrize(
    ("registered", "active", "by_pemda", "tier"),
    [
        (9_800, 7_840, 0, "Pratama"),
        (9_800, 8_330, 0, "Madya"),
        (9_900, 9_405, 1_782, "Utama"),
        (9_900, 9_405, 1_781, "Madya"),  # just under 18% registered by the Pemda
        (9_799, 9_700, 5_000, None),
    ],
)
def test_uhc_awards_2026_pratama_madya_utama(registered: int, active: int, by_pemda: int, tier: str | None) -> None:
    counts = RegionCounts(population=10_000, registered=registered, active=active, registered_by_pemda=by_pemda)
    assert uhc_award(counts, dt.date(2026, 6, 1)) == tier


def test_national_coverage_target_is_98_percent_to_2024_and_99_percent_by_2029() -> None:
    assert coverage_target_bp(dt.date(2024, 12, 31)) == 9_800
    assert coverage_target_bp(dt.date(2029, 1, 1)) == 9_900
