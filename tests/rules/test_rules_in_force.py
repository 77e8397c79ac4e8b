"""`rules_in_force`: every table of the rulebook as it stands on a day, one entry in force per table or per key."""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources

import pytest

from iuran.rules.contribution import pbpu_person_month
from iuran.rules.in_force import KEYS, rules_in_force
from iuran.rules.month import Month
from iuran.rules.payment_policy import payment_policy
from iuran.rules.reactivation import arrears_cap
from iuran.rules.rehab import rehab_rule
from iuran.rules.rulebook import PbiRate, Rulebook, default_rulebook, in_force, parse_rulebook

RULES = default_rulebook()
TABLES = [f.name for f in dataclasses.fields(Rulebook)]
DATED = [name for name in TABLES if isinstance(getattr(RULES, name), tuple)]
SINGLE = [name for name in TABLES if name not in DATED]

# Every day on which an entry takes effect, and the day before it: where a table changes.
CHANGE_DAYS = sorted(
    {e.effective for name in DATED for e in getattr(RULES, name)}
    | {e.effective - dt.timedelta(days=1) for name in DATED for e in getattr(RULES, name)}
)


def entry(day: dt.date, table: str, **key: str) -> dict[str, object]:
    """The one entry of `table` in force on `day` (for a keyed table: the one with the given key value)."""
    found = [e for e in rules_in_force(RULES, day)[table].entries if all(e[k] == v for k, v in key.items())]
    assert len(found) == 1, found
    return found[0]


def test_on_1_may_2024_a_kelas_3_pbpu_participant_pays_35000_and_24_months_of_arrears_are_billed() -> None:
    day = dt.date(2024, 5, 1)
    pbpu = entry(day, "pbpu_rate")
    assert pbpu["kelas3_participant"] == 35_000
    assert (pbpu["kelas3_government_central"], pbpu["kelas3_government_pemda"]) == (4_200, 2_800)
    assert pbpu["effective"] == dt.date(2021, 1, 1)
    assert "Perpres 64/2020" in str(pbpu["basis"])
    assert entry(day, "reactivation")["max_months_in_arrears"] == 24


def test_on_5_september_2017_reactivation_bills_at_most_12_months_and_suspension_follows_an_unpaid_month() -> None:
    day = dt.date(2017, 9, 5)
    reactivation = entry(day, "reactivation")
    assert reactivation["max_months_in_arrears"] == 12
    assert "Perpres 19/2016 Pasal 17A.1" in str(reactivation["basis"])
    assert arrears_cap(day) == 12
    assert entry(dt.date(2016, 6, 30), "reactivation")["max_months_in_arrears"] == 0  # no cap: all were billed
    assert entry(dt.date(2016, 7, 1), "reactivation")["effective"] == reactivation["effective"]
    assert entry(dt.date(2018, 9, 17), "reactivation")["effective"] == reactivation["effective"]
    assert entry(dt.date(2018, 9, 18), "reactivation")["max_months_in_arrears"] == 24
    # Suspension more than a month after the 10th since July 2016; before it after 6 months (PBPU), 3 (PPU); from
    # October 2018 the 1st after an unpaid month.
    family = entry(day, "suspension", payer="family")
    assert (family["months_tolerated"], family["grace_days"]) == (0, 10)
    assert "Perpres 19/2016 Pasal 17A.1" in str(family["basis"])
    before = entry(dt.date(2016, 6, 30), "suspension", payer="family")
    assert (before["months_tolerated"], before["grace_days"]) == (5, 10)
    assert entry(dt.date(2016, 6, 30), "suspension", payer="employer")["months_tolerated"] == 2
    after = entry(dt.date(2018, 10, 1), "suspension", payer="family")
    assert (after["months_tolerated"], after["grace_days"]) == (0, 0)


def test_in_2014_ppu_bu_pays_4_percent_employer_and_half_a_percent_worker() -> None:
    for day in (dt.date(2014, 1, 1), dt.date(2015, 6, 30)):
        bu = entry(day, "ppu_rate", segment="ppu-bu")
        assert (bu["employer_bp"], bu["worker_bp"], bu["effective"]) == (400, 50, dt.date(2014, 1, 1))
        pn = entry(day, "ppu_rate", segment="ppu-pn")
        assert (pn["employer_bp"], pn["worker_bp"]) == (300, 200)
    assert entry(dt.date(2015, 7, 1), "ppu_rate", segment="ppu-bu")["worker_bp"] == 100


def test_every_table_of_the_rulebook_is_shown_in_its_order() -> None:
    tables = rules_in_force(RULES, dt.date(2024, 5, 1))
    assert list(tables) == TABLES
    assert {t.table for t in tables.values()} == set(TABLES)
    for name in SINGLE:
        t = tables[name]
        assert (t.dated, t.in_force, t.next_effective, t.key) == (False, True, None, None)
        assert t.entries == (dataclasses.asdict(getattr(RULES, name)),)


@pytest.mark.parametrize("day", CHANGE_DAYS, ids=str)
def test_each_entry_shown_is_the_one_in_force_with_its_date_and_basis(day: dt.date) -> None:
    for name, t in rules_in_force(RULES, day).items():
        if not t.dated:
            continue
        entries = getattr(RULES, name)
        key = KEYS.get(name)
        values = list(dict.fromkeys(getattr(e, key) for e in entries)) if key else [None]
        expected = []
        for value in values:
            group = [e for e in entries if key is None or getattr(e, key) == value]
            if group[0].effective <= day:
                expected.append(dataclasses.asdict(in_force(group, day, name)))
        assert list(t.entries) == expected, name
        assert all("effective" in e and "basis" in e and e["basis"] for e in t.entries), name
        later = [e.effective for e in entries if e.effective > day]
        assert t.next_effective == (min(later) if later else None), name
        assert t.in_force == bool(expected)


@pytest.mark.parametrize("day", CHANGE_DAYS, ids=str)
def test_the_entries_shown_are_what_the_rules_engine_applies(day: dt.date) -> None:
    tables = rules_in_force(RULES, day)
    if day >= RULES.pbpu_rate[0].effective:
        shares, basis = pbpu_person_month(Month.of(day), 3)
        pbpu = entry(day, "pbpu_rate")
        assert (pbpu["kelas3_participant"], pbpu["basis"]) == (shares.participant, basis)
    if tables["reactivation"].in_force:
        assert (entry(day, "reactivation")["max_months_in_arrears"] or None) == arrears_cap(day)
    for policy in tables["payment_policy"].entries:
        assert policy["settles"] == payment_policy(str(policy["payer"]), day).settles
    for rehab in tables["rehab"].entries:
        assert dataclasses.asdict(rehab_rule(day, str(rehab["version"]))) == rehab


def test_a_table_before_its_first_entry_is_not_in_force_and_says_when_it_starts() -> None:
    tables = rules_in_force(RULES, dt.date(2014, 1, 1))
    penalty = tables["service_penalty"]
    assert (penalty.in_force, penalty.entries, penalty.next_effective) == (False, (), dt.date(2016, 7, 1))
    assert not tables["rehab"].in_force
    assert not rules_in_force(RULES, dt.date(2025, 12, 31))["uhc_award"].in_force
    awards = rules_in_force(RULES, dt.date(2026, 1, 1))["uhc_award"]
    assert [e["tier"] for e in awards.entries] == ["Pratama", "Madya", "Utama"]
    assert awards.next_effective is None


def test_keyed_tables_give_one_entry_in_force_per_key() -> None:
    tables = rules_in_force(RULES, dt.date(2025, 3, 1))
    assert [e["version"] for e in tables["rehab"].entries] == ["2022", "2025"]
    assert [e["payer"] for e in tables["payment_policy"].entries] == ["family", "employer", "central_gov", "pemda"]
    assert entry(dt.date(2025, 3, 1), "payment_policy", payer="family")["settles"] == "whole_bill"
    caps = {e["segment"]: e["cap"] for e in tables["ppu_wage_cap"].entries}
    assert caps == {"ppu-bu": 12_000_000, "ppu-pn": 12_000_000}
    # Between the central government's October 2019 cap and everyone else's January 2020 cap.
    caps = {e["segment"]: e["cap"] for e in rules_in_force(RULES, dt.date(2019, 11, 1))["ppu_wage_cap"].entries}
    assert caps == {"ppu-bu": 8_000_000, "ppu-pn": 12_000_000}
    assert rules_in_force(RULES, dt.date(2019, 11, 1))["ppu_wage_cap"].next_effective == dt.date(2020, 1, 1)


def test_a_table_without_a_key_never_has_two_entries_taking_effect_on_one_day() -> None:
    # Otherwise it needs a key in KEYS: one entry in force per key value.
    for name in DATED:
        entries = getattr(RULES, name)
        key = KEYS.get(name)
        if key is None:
            assert len({e.effective for e in entries}) == len(entries), name
        else:
            assert all(hasattr(e, key) for e in entries), name
    assert set(KEYS) <= set(DATED)


def test_it_reads_the_rulebook_it_is_given() -> None:
    shipped = resources.files("iuran.rules").joinpath("data/rulebook.toml").read_text(encoding="utf-8")
    later = PbiRate(effective=dt.date(2027, 1, 1), amount=50_000, basis="Hypothetical PBI rate (test)")
    rules = dataclasses.replace(parse_rulebook(shipped), pbi_rate=(*RULES.pbi_rate, later))
    assert rules_in_force(rules, dt.date(2026, 12, 31))["pbi_rate"].next_effective == dt.date(2027, 1, 1)
    assert rules_in_force(rules, dt.date(2027, 1, 1))["pbi_rate"].entries[0]["amount"] == 50_000
    assert rules_in_force(RULES, dt.date(2027, 1, 1))["pbi_rate"].entries[0]["amount"] == 42_000
