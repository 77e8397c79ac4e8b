"""A rate change is a data change: the rules read versioned entries from the rule book, not literals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources

import pytest

from iuran.rules.contribution import Shares, contribution
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, RuleNotInForce, default_rulebook, in_force, parse_rulebook
from iuran.rules.segments import Segment

SHIPPED = resources.files("iuran.rules").joinpath("data/rulebook.toml").read_text(encoding="utf-8")

KRIS_2027 = """
[[pbpu_rate]]
# Hypothetical: a single KRIS rate from January 2027.
effective = 2027-01-01
kelas1 = 75000
kelas2 = 75000
kelas3_participant = 40000
kelas3_government_central = 21000
kelas3_government_pemda = 14000
basis = "Hypothetical KRIS rate (test)"
"""


def test_shipped_rule_data_parses_to_the_default_rulebook() -> None:
    assert parse_rulebook(SHIPPED) == default_rulebook()


def test_new_rate_entry_is_picked_up_by_contribution_without_a_code_change() -> None:
    rules = parse_rulebook(SHIPPED + KRIS_2027)
    assert contribution(Segment.PBPU, Month(2027, 1), kelas=1, rules=rules).total == 75_000
    assert contribution(Segment.PBPU, Month(2027, 1), kelas=2, rules=rules).total == 75_000
    k3 = contribution(Segment.PBPU, Month(2027, 1), kelas=3, members=2, rules=rules)
    assert k3.shares == Shares(participant=80_000, government=70_000)
    assert k3.basis == ("Hypothetical KRIS rate (test)",)
    # The month before still uses the 2021 rate; the shipped rule book is untouched.
    assert contribution(Segment.PBPU, Month(2026, 12), kelas=1, rules=rules).total == 150_000
    assert contribution(Segment.PBPU, Month(2027, 1), kelas=1).total == 150_000


def test_entries_appended_out_of_order_are_sorted_by_effective_date() -> None:
    older = KRIS_2027.replace("2027-01-01", "2015-01-01").replace("Hypothetical KRIS", "Hypothetical 2015")
    rules = parse_rulebook(SHIPPED + older)
    effective = [r.effective for r in rules.pbpu_rate]
    assert effective == sorted(effective)
    assert contribution(Segment.PBPU, Month(2015, 6), kelas=1, rules=rules).total == 75_000
    assert contribution(Segment.PBPU, Month(2016, 4), kelas=1, rules=rules).total == 80_000


def test_entry_with_a_missing_field_is_rejected_naming_the_table_and_the_field() -> None:
    broken = KRIS_2027.replace("kelas2 = 75000\n", "")
    with pytest.raises(ValueError, match=r"pbpu_rate") as e:
        parse_rulebook(SHIPPED + broken)
    assert "kelas2" in str(e.value)


def test_entry_with_an_unknown_field_is_rejected_naming_the_table() -> None:
    broken = KRIS_2027.replace("kelas2 = 75000\n", "kelas2 = 75000\nkelas4 = 1\n")
    with pytest.raises(ValueError, match=r"pbpu_rate.*kelas4"):
        parse_rulebook(SHIPPED + broken)


def test_every_entry_cites_its_legal_basis() -> None:
    rules = default_rulebook()
    for table in dataclasses.fields(Rulebook):
        value = getattr(rules, table.name)
        for entry in value if isinstance(value, tuple) else (value,):
            assert entry.basis.strip(), f"{table.name} entry without a basis"


def test_every_dated_table_is_sorted_by_effective_date() -> None:
    rules = default_rulebook()
    for table in dataclasses.fields(Rulebook):
        value = getattr(rules, table.name)
        if isinstance(value, tuple):
            dates = [e.effective for e in value]
            assert dates == sorted(dates), table.name


def test_in_force_takes_the_last_entry_not_after_the_day_and_none_before_the_first() -> None:
    rates = default_rulebook().pbi_rate
    assert in_force(rates, dt.date(2019, 7, 31), "PBI rate").amount == 23_000
    assert in_force(rates, dt.date(2019, 8, 1), "PBI rate").amount == 42_000
    with pytest.raises(RuleNotInForce, match="2013-12-31"):
        in_force(rates, dt.date(2013, 12, 31), "PBI rate")


# Every kind of payer account (the `account.kind` of the books) has a rule of each per-payer table from the day JKN
# began: the set-based SQL that judges statuses and fees by payer kind finds one for every account.
PAYER_KINDS = ("family", "employer", "central_gov", "pemda")


@pytest.mark.parametrize("table", ["suspension", "late_fee", "payment_policy"])
def test_every_payer_kind_has_its_rule_from_the_start_of_jkn(table: str) -> None:
    rb = default_rulebook()
    entries = getattr(rb, table)
    for payer in PAYER_KINDS:
        mine = tuple(e for e in entries if e.payer == payer)
        assert in_force(mine, rb.jkn.start, f"{table} of {payer}").effective == rb.jkn.start, (table, payer)
    assert {e.payer for e in entries} == set(PAYER_KINDS), table


def test_suspension_rules_take_effect_on_a_month_s_first_day() -> None:
    # Statuses are judged by the month (iuran.billing.suspension refuses any other).
    assert all(e.effective.day == 1 for e in default_rulebook().suspension)
