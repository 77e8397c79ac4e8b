"""The cycle's SQL bills what the rules engine says, for random branches and months (hypothesis, both databases).

The wage floor and cap, the rounding, the segment lists and the Kelas III government share live in the cycle's SQL
(`iuran.billing.cycle`) so that millions of rows are billed in one pass; these properties pin that SQL to
`iuran.rules.contribution`. Each example is a small branch month: one or two PBPU/BP families, PBI persons of the
centre and the Pemda, PPU workers (wages below the UMK, around and above the cap) with dependants and extra family
members, and the UMK of the year. The real `bill` and `subsidy` steps run over it with the rates `write_rates`
wrote for the month, and every line and charge is compared with the rules engine, to the Rupiah.

Each example runs inside a SAVEPOINT that is rolled back, and the whole test inside a transaction rolled back at
its end: the database is left as it was (and its books balance).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, text

from cycle_fixtures import person
from iuran.billing import cycle, month_state
from iuran.billing.cycle import CycleError
from iuran.billing.rates import write_rates
from iuran.db.months import to_db
from iuran.registry.enrolment import government_account, register_employer, register_persons
from iuran.rules.arrears_aging import bucket_of
from iuran.rules.contribution import (
    bp_pension_month,
    bp_veteran_month,
    contribution,
    family_due,
    pbi_person_month,
    pbpu_person_month,
    ppu_month,
    state_bp_rule,
)
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month, month_range
from iuran.rules.rulebook import SuspensionRule, in_force
from iuran.rules.segments import Segment
from rule_months import FIRST, LAST, RATE_CHANGES, RB, months

KABKOTA = "62.71"  # Kota Palangka Raya: the persons of cycle_fixtures live there
OPENED = dt.date(2014, 1, 1)
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_CAPS = sorted({c.cap + d for c in RB.ppu_wage_cap for d in (-1, 0, 1)})


@dataclass(frozen=True)
class Family:
    segment: Segment
    kelas: int
    members: int
    active: bool  # for the subsidy: the government share is paid only for active participants


@dataclass(frozen=True)
class Worker:
    segment: Segment
    wage: int
    extra_members: int
    dependants: int  # family members on the worker's membership: no wage of their own (NULL), nothing to pay


@dataclass(frozen=True)
class StateBp:
    """A pensioner's or a veteran's family, paid by the government: the principal and family members."""

    segment: Segment
    pension: int | None  # BP Pensiunan: the monthly pension; BP Veteran: None (a fixed amount)
    kelas: int
    dependants: int


@dataclass(frozen=True)
class BranchMonth:
    month: Month
    umk: int
    families: tuple[Family, ...]
    pbi: tuple[Segment, ...]
    workers: tuple[Worker, ...]
    state_bp: tuple[StateBp, ...] = ()


def _state_bp_in_force(month: Month) -> list[Segment]:
    """The BP segments paid by the government that have a rate in `month` (BP Veteran from its first reference
    salary in the rule data)."""
    found = []
    for segment in (s for s in Segment if s.is_state_bp):
        try:
            state_bp_rule(segment, month, RB)
        except RuleInputError:
            continue
        found.append(segment)
    return found


@st.composite
def branch_months(draw: st.DrawFn) -> BranchMonth:
    month = draw(months)
    umk = draw(st.integers(0, 6_000_000))
    wages = st.one_of(
        st.integers(0, 30_000_000), st.sampled_from(_CAPS), st.sampled_from([max(umk - 1, 0), umk, umk + 1])
    )
    families = draw(
        st.lists(
            st.builds(
                Family,
                st.sampled_from([s for s in Segment if s.is_family_billed]),
                st.integers(1, 3),
                st.integers(1, 7),
                st.booleans(),
            ),
            max_size=2,
        )
    )
    pbi = draw(st.lists(st.sampled_from([s for s in Segment if s.is_pbi]), max_size=3))
    workers = draw(
        st.lists(
            st.builds(
                Worker,
                st.sampled_from([s for s in Segment if s.is_ppu]),
                wages,
                st.integers(0, 4),
                st.integers(0, 2),
            ),
            min_size=0 if families or pbi else 1,
            max_size=3,
        )
    )
    state_bp: list[StateBp] = []
    for _ in range(draw(st.integers(0, 2))):
        segment = draw(st.sampled_from(_state_bp_in_force(month)))
        kelas = draw(st.sampled_from(state_bp_rule(segment, month, RB).kelas))
        pension = (
            draw(st.one_of(st.integers(0, 30_000_000), st.sampled_from(_CAPS))) if segment.is_pension_based else None
        )
        state_bp.append(StateBp(segment, pension, kelas, draw(st.integers(0, 2))))
    return BranchMonth(month, umk, tuple(families), tuple(pbi), tuple(workers), tuple(state_bp))


@dataclass(frozen=True)
class Accounts:
    families: tuple[int, int]
    employer: dict[Segment, int]
    government: dict[Segment, int]
    persons: tuple[int, ...]


def _setup(conn: Connection) -> Accounts:
    """The rates of every month, and the payer accounts and persons the examples bill (in the test's transaction)."""
    for m in month_range(FIRST, LAST):
        write_rates(conn, m, RB)
    families = tuple(
        conn.execute(
            text(
                "INSERT INTO account (kind, name, va, kabkota_code, opened_on, activated_on)"
                " VALUES ('family', :n, :va, :k, :d, :d) RETURNING id"
            ),
            {"n": f"Keluarga {i}", "va": f"888880000000000{i}", "k": KABKOTA, "d": OPENED},
        ).scalar_one()
        for i in (1, 2)
    )
    employer = {
        Segment.PPU_BU: register_employer(conn, "PROP-BU", "PT Sawit Makmur", "bu", KABKOTA, OPENED),
        Segment.PPU_PN: register_employer(conn, "PROP-PN", "Dinas Kesehatan", "pn", KABKOTA, OPENED),
    }
    government = {
        Segment.PBI_APBN: government_account(conn, "central_gov", OPENED),
        Segment.PBI_APBD: government_account(conn, "pemda", OPENED, KABKOTA),
    }
    # Enough persons for the largest example: 2 families of 7, 3 PBI, 3 workers with 2 dependants each, 2
    # pensioners' or veterans' families of 3.
    persons = register_persons(conn, [person(f"Peserta {i}", dt.date(1980, 1, 1 + i % 28)) for i in range(32)])
    return Accounts(families, employer, government, tuple(persons))


@dataclass(frozen=True)
class Line:
    amount: int
    participant: int
    government: int
    employer: int
    worker: int


def _memberships(b: BranchMonth, acc: Accounts) -> tuple[list[dict[str, object]], dict[int, Line], dict[int, int]]:
    """The example's memberships, and what the rules engine bills: per person a line, per account a charge."""
    rows: list[dict[str, object]] = []
    lines: dict[int, Line] = {}
    charges: dict[int, int] = defaultdict(int)
    pool = iter(acc.persons)
    m = b.month

    def member(segment: Segment, account: int, kelas: int | None, wage: int | None, extra: int, line: Line) -> None:
        pid = next(pool)
        rows.append({"p": pid, "s": segment.value, "k": kelas, "a": account, "w": wage, "x": extra, "m": to_db(m)})
        lines[pid] = line
        charges[account] += line.amount

    for f, account in zip(b.families, acc.families, strict=False):
        shares, _ = pbpu_person_month(m, f.kelas, RB)
        for _ in range(f.members):
            member(
                f.segment,
                account,
                f.kelas,
                None,
                0,
                Line(shares.participant, shares.participant, shares.government, 0, 0),
            )
        assert charges[account] == family_due(m, f.kelas, f.members, RB)
    for segment in b.pbi:
        shares, _ = pbi_person_month(m, RB)
        member(segment, acc.government[segment], None, None, 0, Line(shares.government, 0, shares.government, 0, 0))
    for w in b.workers:
        shares, _ = ppu_month(w.segment, m, w.wage, b.umk, w.extra_members, RB)
        account = acc.employer[w.segment]
        member(
            w.segment, account, None, w.wage, w.extra_members, Line(shares.total, 0, 0, shares.employer, shares.worker)
        )
        for _ in range(w.dependants):
            member(w.segment, account, None, None, 0, Line(0, 0, 0, 0, 0))
    # BP paid by the government: billed to the payer the rule names (the central government), the principal's
    # membership carrying the pension (a veteran's: 0), the family members nothing.
    for x in b.state_bp:
        rule = state_bp_rule(x.segment, m, RB)
        assert rule.payer == "central_gov"
        account = acc.government[Segment.PBI_APBN]
        if x.pension is None:
            shares, _ = bp_veteran_month(m, RB)
        else:
            shares, _ = bp_pension_month(m, x.pension, RB)
        assert shares.total == contribution(x.segment, m, pension=x.pension, rules=RB).total
        line = Line(shares.total, 0, shares.government, 0, shares.worker)
        member(x.segment, account, x.kelas, 0 if x.pension is None else x.pension, 0, line)
        for _ in range(x.dependants):
            member(x.segment, account, x.kelas, None, 0, Line(0, 0, 0, 0, 0))
    return rows, lines, dict(charges)


def _subsidies(b: BranchMonth) -> dict[str, tuple[int, int]]:
    """The rules engine's subsidy charges: the Kelas III government share of active family members, per payer."""
    rate = in_force(RB.pbpu_rate, b.month.first_day(), "PBPU rate")
    persons: Counter[str] = Counter()
    amount: Counter[str] = Counter()
    for f in b.families:
        government = pbpu_person_month(b.month, f.kelas, RB)[0].government
        if not (f.active and government):
            continue
        for kind, share in (
            ("subsidy_central", rate.kelas3_government_central),
            ("subsidy_pemda", rate.kelas3_government_pemda),
        ):
            if share:
                persons[kind] += f.members
                amount[kind] += f.members * share
        assert government == rate.kelas3_government
    return {kind: (persons[kind], amount[kind]) for kind in persons}


def _check(conn: Connection, b: BranchMonth, acc: Accounts) -> None:
    rows, want_lines, want_charges = _memberships(b, acc)
    conn.execute(
        text(
            "INSERT INTO membership (person_id, segment, kelas, account_id, wage, extra_members, valid_from, reason)"
            " VALUES (:p, :s, :k, :a, :w, :x, :m, 'property test')"
        ),
        rows,
    )
    conn.execute(
        text("INSERT INTO umk (kabkota_code, year, amount, basis) VALUES (:k, :y, :a, 'property test')"),
        {"k": KABKOTA, "y": b.month.year, "a": b.umk},
    )
    now = dt.datetime(b.month.year, b.month.month, 1, 2, 0)
    step = cycle._Step(b.month, now, RB)
    assert cycle._bill(conn, step) == len(rows)

    got_lines = {
        r.person_id: Line(r.amount, r.participant, r.government, r.employer, r.worker)
        for r in conn.execute(
            text(
                "SELECT person_id, amount, participant, government, employer, worker FROM charge_line WHERE month = :m"
            ),
            {"m": to_db(b.month)},
        )
    }
    assert got_lines == want_lines, b
    got_charges = {
        r.account_id: r.amount
        for r in conn.execute(
            text("SELECT account_id, amount FROM charge WHERE month = :m AND kind = 'contribution'"),
            {"m": to_db(b.month)},
        )
    }
    assert got_charges == want_charges, b

    # The subsidy step bills the governments the Kelas III share of the family members active on the 1st: here
    # the families drawn active paid for the first time the day before, the others never did.
    for f, account in zip(b.families, acc.families, strict=False):
        paid = b.month.first_day() - dt.timedelta(days=1) if f.active else None
        conn.execute(text("UPDATE account SET activated_on = :d WHERE id = :a"), {"a": account, "d": paid})
    month_state.bill_subsidy(conn, b.month, now, RB)
    got_subsidies = {
        r.kind: (r.members, r.amount)
        for r in conn.execute(
            text("SELECT kind, members, amount FROM charge WHERE month = :m AND kind LIKE 'subsidy%'"),
            {"m": to_db(b.month)},
        )
    }
    assert got_subsidies == _subsidies(b), b


def _every_kind_in(month: Month) -> BranchMonth:
    """A branch month with every kind of line: the explicit examples, one for each month of `RATE_CHANGES`."""
    pn_caps = tuple(c for c in RB.ppu_wage_cap if c.segment == Segment.PPU_PN.value)
    cap = in_force(pn_caps, month.first_day(), "PPU PN wage cap").cap
    umk = 2_900_000
    return BranchMonth(
        month,
        umk,
        (Family(Segment.PBPU, 3, 4, True), Family(Segment.BP, 1, 2, False)),
        (Segment.PBI_APBN, Segment.PBI_APBD),
        (
            Worker(Segment.PPU_BU, umk - 1, 0, 1),  # raised to the UMK
            Worker(Segment.PPU_PN, cap + 1, 2, 2),
            Worker(Segment.PPU_BU, 3_181_013, 1, 0),
            Worker(Segment.PPU_PN, umk - 1, 0, 0),  # a civil servant's salary below the UMK: not raised
        ),
        (
            StateBp(Segment.BP_PENSIUNAN, 4_567_891, 1, 2),  # 5% = 228,394.55: once, 228,395; 2% = 91,358
            *(StateBp(s, None, 1, 1) for s in _state_bp_in_force(month) if not s.is_pension_based),
        ),
    )


def test_the_cycle_bills_every_line_and_charge_as_the_rules_engine_does(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin() as outer:
        acc = _setup(conn)

        def bills_as_the_rules_say(b: BranchMonth) -> None:
            savepoint = conn.begin_nested()
            try:
                _check(conn, b, acc)
            finally:
                savepoint.rollback()

        # Random branch months (hypothesis draws months unevenly), and every rate change for certain.
        check = given(b=branch_months())(bills_as_the_rules_say)
        for month in RATE_CHANGES:
            check = example(b=_every_kind_in(month))(check)
        try:
            SETTINGS(check)()
        finally:
            outer.rollback()


# --- a rule the SQL does not implement fails the cycle loudly --------------------------------------------------


def test_a_wage_floor_or_suspension_rule_the_sql_does_not_implement_stops_the_step(engine: Engine) -> None:
    month = Month(2024, 1)
    now = dt.datetime(2024, 1, 1, 2, 0)
    new_floor = dataclasses.replace(RB, ppu_wage_floor=dataclasses.replace(RB.ppu_wage_floor, source="ump"))
    # Statuses are judged by the month: a suspension rule taking effect mid-month is refused, by name.
    mid_month = SuspensionRule("family", dt.date(2024, 1, 15), 1, 0, "a regulation to come")
    new_grace = dataclasses.replace(RB, suspension=(*RB.suspension, mid_month))
    with engine.connect() as conn, conn.begin() as outer:
        with pytest.raises(CycleError, match=r"ppu_wage_floor.source: .*'ump'"):
            cycle.run_step(conn, "bill", month, now, new_floor, beside=False)
        with pytest.raises(RuleInputError, match=r"suspension.effective: .*2024-01-15"):
            cycle.run_step(conn, "status", month, now, new_grace, beside=False)
        outer.rollback()


def test_the_snapshot_ages_arrears_into_the_rules_buckets(engine: Engine) -> None:
    # Every length of arrears from 1 month to well past the 24-month cap, through the cycle's generated CASE.
    lengths = range(1, 401)
    values = ", ".join(f"({n})" for n in lengths)
    with engine.connect() as conn:
        got = dict(
            conn.execute(text(f"WITH t(n) AS (VALUES {values}) SELECT n, {month_state._bucket_case('n')} FROM t")).all()
        )
    assert got == {n: bucket_of(n) for n in lengths}
