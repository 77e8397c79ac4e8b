"""The UMK floor's reach (PPU BU, not PPU PN) and the BP the government pays (pensioners, veterans), in the rules
engine (docs/rules.md §2, §3)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iuran.rules.contribution import (
    Shares,
    bp_pension_month,
    bp_veteran_month,
    check_state_bp_kelas,
    contribution,
    ppu_month,
    ppu_wage_base,
    wage_floored,
)
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.rate_table import rates_for
from iuran.rules.rulebook import default_rulebook, parse_rulebook
from iuran.rules.segments import Segment

RB = default_rulebook()
SHIPPED = resources.files("iuran.rules").joinpath("data/rulebook.toml").read_text(encoding="utf-8")
MAY_2024 = Month(2024, 5)
UMK = 3_181_013


# --- the UMK floor: private employers' workers only -----------------------------------------------------------


def test_the_floor_is_rule_data_naming_ppu_bu_and_not_ppu_pn() -> None:
    assert RB.ppu_wage_floor.segments == ("ppu-bu",)
    assert "Pasal 32" in RB.ppu_wage_floor.basis
    assert wage_floored(Segment.PPU_BU) and not wage_floored(Segment.PPU_PN)


@pytest.mark.parametrize(
    ("wage", "bu_base", "pn_base"),
    [
        (0, UMK, 0),
        (UMK - 1, UMK, UMK - 1),  # below the UMK: a private wage is raised, a civil servant's salary is not
        (UMK, UMK, UMK),
        (UMK + 1, UMK + 1, UMK + 1),
        (12_000_001, 12_000_000, 12_000_000),  # the cap applies to both
    ],
)
def test_a_wage_below_the_umk_is_raised_for_ppu_bu_only(wage: int, bu_base: int, pn_base: int) -> None:
    assert ppu_wage_base(Segment.PPU_BU, MAY_2024, wage, UMK) == bu_base
    assert ppu_wage_base(Segment.PPU_PN, MAY_2024, wage, UMK) == pn_base
    assert ppu_wage_base(Segment.PPU_PN, MAY_2024, wage, None) == pn_base  # a PN base needs no UMK


def test_the_audit_examples_below_the_umk() -> None:
    # docs/rules.md §3: a wage of Rp2,500,000 where the UMK is Rp3,181,013.
    bu, basis = ppu_month(Segment.PPU_BU, MAY_2024, 2_500_000, UMK)
    assert bu == Shares(employer=127_241, worker=31_810)
    assert RB.ppu_wage_floor.basis in basis
    pn, basis = ppu_month(Segment.PPU_PN, MAY_2024, 2_500_000, UMK)
    assert pn == Shares(employer=100_000, worker=25_000)  # 5% of the salary itself
    assert RB.ppu_wage_floor.basis not in basis
    # Before October 2019 a PN salary paid 3% + 2%, on the salary too.
    assert ppu_month(Segment.PPU_PN, Month(2019, 9), 2_000_000, UMK)[0] == Shares(employer=60_000, worker=40_000)


def test_a_ppu_bu_contribution_needs_the_umk_and_a_ppu_pn_one_does_not() -> None:
    with pytest.raises(RuleInputError, match=r"^umk: "):
        contribution(Segment.PPU_BU, MAY_2024, wage=5_000_000)
    assert contribution(Segment.PPU_PN, MAY_2024, wage=5_000_000).total == 250_000


def test_the_rates_say_which_segments_the_floor_applies_to() -> None:
    floor = {r.segment: r.wage_floor for r in rates_for(MAY_2024)}
    assert floor["ppu-bu"] == 1
    assert {s: f for s, f in floor.items() if s != "ppu-bu"} == dict.fromkeys(set(floor) - {"ppu-bu"}, 0)
    # A floor extended to PN in the rule data reaches the rates and the engine alike.
    both = dataclasses.replace(RB, ppu_wage_floor=dataclasses.replace(RB.ppu_wage_floor, segments=("ppu-bu", "ppu-pn")))
    assert {r.segment: r.wage_floor for r in rates_for(MAY_2024, both)}["ppu-pn"] == 1
    assert ppu_wage_base(Segment.PPU_PN, MAY_2024, 2_500_000, UMK, both) == UMK


# --- BP Pensiunan: 5% of the pension, 3% government, 2% pensioner ---------------------------------------------


def test_a_pensioner_pays_two_percent_and_the_government_three_of_the_pension() -> None:
    shares, basis = bp_pension_month(MAY_2024, 4_567_891)
    # 5% = 228,394.55, rounded once: 228,395; the pensioner's 2% = 91,357.82: 91,358; the government the rest.
    assert shares == Shares(government=137_037, worker=91_358)
    assert shares.total == 228_395
    assert "2% penerima pensiun" in basis
    assert bp_pension_month(Month(2014, 1), 3_000_000)[0] == Shares(government=90_000, worker=60_000)


@given(pension=st.integers(0, 100_000_000), month=st.sampled_from([Month(2014, 1), Month(2019, 10), MAY_2024]))
def test_the_two_shares_add_up_to_the_whole_five_percent_rounded_once(pension: int, month: Month) -> None:
    shares, _ = bp_pension_month(month, pension)
    assert shares.total == (pension * 500 + 5_000) // 10_000
    assert shares.worker == (pension * 200 + 5_000) // 10_000
    assert shares.participant == shares.employer == 0
    assert abs(shares.government - Fraction(pension * 3, 100)) <= 1


@pytest.mark.parametrize("pension", [11_999_999, 12_000_000, 12_000_001, 50_000_000])
def test_no_cap_on_the_pension_is_in_the_rule_data(pension: int) -> None:
    assert RB.bp_pension_rate[-1].pension_cap == 0
    assert bp_pension_month(MAY_2024, pension)[0].total == (pension * 500 + 5_000) // 10_000


def test_a_cap_in_the_rule_data_would_cut_the_pension_above_it_only() -> None:
    capped = parse_rulebook(
        SHIPPED
        + """
[[bp_pension_rate]]
effective = 2030-01-01
government_bp = 300
pensioner_bp = 200
pension_cap = 12000000
family_members_included = 4
kelas = [1, 2]
payer = "central_gov"
basis = "Hypothetical cap (test)"
"""
    )
    month = Month(2030, 1)
    assert bp_pension_month(month, 11_999_999, capped)[0].total == 600_000  # 599,999.95
    assert bp_pension_month(month, 12_000_000, capped)[0].total == 600_000
    assert bp_pension_month(month, 12_000_001, capped)[0].total == 600_000
    assert bp_pension_month(Month(2029, 12), 12_000_001, capped)[0].total == 600_000  # 600,000.05: uncapped
    assert {r.segment: r.wage_cap for r in rates_for(month, capped)}["bp-pens"] == 12_000_000


def test_a_pensioners_class_is_1_or_2_by_rank() -> None:
    assert check_state_bp_kelas(Segment.BP_PENSIUNAN, MAY_2024, 2) == 2
    with pytest.raises(RuleInputError, match=r"^kelas: a BP Pensiunan family's class is 1 or 2"):
        check_state_bp_kelas(Segment.BP_PENSIUNAN, MAY_2024, 3)


def test_a_pensioner_contribution_is_per_principal_and_needs_the_pension() -> None:
    assert contribution(Segment.BP_PENSIUNAN, MAY_2024, pension=3_000_000).total == 150_000
    with pytest.raises(RuleInputError, match=r"^pension: "):
        contribution(Segment.BP_PENSIUNAN, MAY_2024)
    with pytest.raises(RuleInputError, match=r"^members: "):
        contribution(Segment.BP_PENSIUNAN, MAY_2024, pension=3_000_000, members=2)
    with pytest.raises(RuleInputError, match=r"^pension: "):
        bp_pension_month(MAY_2024, -1)


# --- BP Veteran: 5% of 45% of the reference salary, paid by the government ---------------------------------


def test_a_veteran_is_paid_for_by_the_government_from_the_reference_salary() -> None:
    shares, basis = bp_veteran_month(Month(2024, 1))
    assert shares == Shares(government=77_875)  # 5% of 45% of Rp3,461,100 = 77,874.75, rounded once
    assert "PP 5/2024" in basis
    assert contribution(Segment.BP_VETERAN, MAY_2024).shares == shares


# Each PNS salary table from the start of JKN: the month it takes effect, the gaji pokok of III/a with 14 years, the
# amount (5% of 45% of it, rounded once), the PP (docs/rules.md §3).
SALARY_TABLES = [
    (Month(2014, 1), 2_879_400, 64_787, "PP 34/2014"),  # 64,786.50
    (Month(2015, 1), 3_052_200, 68_675, "PP 30/2015"),  # 68,674.50
    (Month(2019, 1), 3_204_700, 72_106, "PP 15/2019"),  # 72,105.75
    (Month(2024, 1), 3_461_100, 77_875, "PP 5/2024"),  # 77,874.75
]


@pytest.mark.parametrize(("month", "salary", "amount", "pp"), SALARY_TABLES, ids=[t[3] for t in SALARY_TABLES])
def test_each_salary_table_bills_its_own_amount_from_its_first_month(
    month: Month, salary: int, amount: int, pp: str
) -> None:
    assert amount == (salary * 4_500 * 500 + 50_000_000) // 100_000_000
    shares, basis = bp_veteran_month(month)
    assert shares == Shares(government=amount) and pp in basis and "Lampiran" in basis
    assert contribution(Segment.BP_VETERAN, month).shares == shares
    assert {(r.segment, r.kelas, r.government_central) for r in rates_for(month) if r.segment == "bp-vet"} == {
        ("bp-vet", 1, amount)
    }
    earlier = [t for t in SALARY_TABLES if t[0] < month]
    if earlier:  # the month before still bills the table before
        assert bp_veteran_month(month - 1)[0] == Shares(government=earlier[-1][2])


def test_no_veteran_rate_before_the_first_reference_salary_of_the_rule_data() -> None:
    assert RB.bp_veteran_rate[0].effective.isoformat() == "2014-01-01"  # the start of JKN
    with pytest.raises(
        RuleInputError, match=r"^month: a month with a BP Veteran rate in the rule data \(from 2014-01\)"
    ):
        contribution(Segment.BP_VETERAN, Month(2013, 12))
    # Rule data whose first salary table came later has no BP Veteran rate for the months before it.
    later = dataclasses.replace(RB, bp_veteran_rate=RB.bp_veteran_rate[1:])
    assert "bp-vet" not in {r.segment for r in rates_for(Month(2014, 12), later)}
    assert {(r.segment, r.government_central) for r in rates_for(Month(2015, 1), later) if r.segment == "bp-vet"} == {
        ("bp-vet", 68_675)
    }
    with pytest.raises(RuleInputError, match=r"^month: .*\(from 2015-01\)"):
        contribution(Segment.BP_VETERAN, Month(2014, 12), rules=later)


def test_a_new_salary_table_is_a_new_entry() -> None:
    rules = parse_rulebook(
        SHIPPED
        + """
[[bp_veteran_rate]]
effective = 2027-01-01
reference_salary = 3600000
reference_bp = 4500
rate_bp = 500
family_members_included = 4
kelas = [1]
payer = "central_gov"
basis = "Hypothetical salary table (test)"
"""
    )
    assert bp_veteran_month(Month(2027, 1), rules)[0].government == 81_000
    assert bp_veteran_month(Month(2026, 12), rules)[0].government == 77_875


# --- the rates the cycle joins ----------------------------------------------------------------------------


def test_the_rates_of_the_bp_paid_by_the_government() -> None:
    rows = {(r.segment, r.kelas): r for r in rates_for(MAY_2024) if Segment(r.segment).is_state_bp}
    assert set(rows) == {("bp-pens", 1), ("bp-pens", 2), ("bp-vet", 1)}
    pension = rows["bp-pens", 1]
    assert (pension.government_bp, pension.worker_bp, pension.employer_bp, pension.wage_cap) == (300, 200, 0, 0)
    assert pension.participant == pension.government_central == pension.government_pemda == 0
    veteran = rows["bp-vet", 1]
    assert (veteran.government_central, veteran.government_bp, veteran.worker_bp) == (77_875, 0, 0)


def test_the_segments_and_their_labels() -> None:
    assert Segment.parse("bp-pens") is Segment.BP_PENSIUNAN and Segment.BP_PENSIUNAN.label == "BP Pensiunan"
    assert Segment.parse("BP-VET") is Segment.BP_VETERAN and Segment.BP_VETERAN.label == "BP Veteran"
    assert all(len(s.value) <= 8 for s in Segment)  # membership.segment and its copies are VARCHAR(8)
    assert not Segment.BP_PENSIUNAN.is_family_billed and Segment.BP.is_family_billed
    assert [s for s in Segment if s.is_state_bp] == [Segment.BP_PENSIUNAN, Segment.BP_VETERAN]
    assert [s for s in Segment if s.is_wage_based] == [Segment.PPU_PN, Segment.PPU_BU, Segment.BP_PENSIUNAN]
