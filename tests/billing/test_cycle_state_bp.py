"""The cycle on both databases: the UMK floors a private wage and not a civil servant's salary, and the BP the
government pays (pensioners, veterans) are billed to the central government as the rules engine says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from sqlalchemy import Connection, Engine, text

from cycle_fixtures import person
from iuran.billing import cycle
from iuran.billing.cycle import CycleError
from iuran.billing.ledger import verify
from iuran.db.months import to_db
from iuran.registry.enrolment import (
    RegistryError,
    add_memberships,
    register_employer,
    register_persons,
    register_state_bp_family,
    set_umk,
)
from iuran.rules.contribution import contribution
from iuran.rules.month import Month, month_range
from iuran.rules.rulebook import default_rulebook
from iuran.rules.segments import Segment
from usecases import run_cycle

UMK = 3_181_013
DEC_2023, JAN_2024, MAR_2024 = Month(2023, 12), Month(2024, 1), Month(2024, 3)
DEC_2013, JAN_2014 = Month(2013, 12), Month(2014, 1)
_kk = itertools.count(1)


def run(engine: Engine, first: Month, last: Month) -> None:
    for m in month_range(first, last):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 2, 0))


def lines(conn: Connection, month: Month, segment: Segment) -> list[tuple[int, int, int, int, int]]:
    """The month's charge lines of a segment: (amount, participant, government, employer, worker), by person."""
    rows = conn.execute(
        text(
            "SELECT amount, participant, government, employer, worker FROM charge_line"
            " WHERE month = :m AND segment = :s ORDER BY person_id"
        ),
        {"m": to_db(month), "s": segment.value},
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def state_bp_family(
    conn: Connection, segment: Segment, size: int, kelas: int, pension: int | None, billing_from: Month
) -> int:
    members = [person(f"Anggota {i}", dt.date(1950 + i, 1 + i, 1 + i), "F" if i % 2 else "M") for i in range(size)]
    kk = f"6271{next(_kk) + 900_000_000_000:012d}"
    return register_state_bp_family(conn, kk, members, segment, kelas, pension, billing_from=billing_from)


def test_the_umk_raises_a_private_wage_below_it_and_not_a_civil_servants_salary(engine: Engine) -> None:
    wages = (UMK - 100_000, UMK, UMK + 1)
    with engine.begin() as c:
        set_umk(c, "62.71", 2024, UMK, "illustrative")
        bu = register_employer(c, "BU-1", "PT Sawit Makmur", "bu", "62.71", dt.date(2014, 1, 1))
        pn = register_employer(c, "PN-1", "Dinas Kesehatan", "pn", "62.71", dt.date(2014, 1, 1))
        for account, segment in ((bu, Segment.PPU_BU), (pn, Segment.PPU_PN)):
            for wage in wages:
                (pid,) = register_persons(c, [person("Pekerja", dt.date(1985, 5, 5))])
                add_memberships(c, [pid], segment, None, account, JAN_2024, wage=wage, reason="registration")
    run(engine, JAN_2024, JAN_2024)
    with engine.connect() as c:
        # 5% of the UMK 3,181,013 = 159,050.65: 159,051, of which the worker's 1% 31,810 (docs/rules.md §3).
        assert lines(c, JAN_2024, Segment.PPU_BU) == [(159_051, 0, 0, 127_241, 31_810)] * 3
        assert lines(c, JAN_2024, Segment.PPU_PN) == [
            (154_051, 0, 0, 123_241, 30_810),  # 5% of the salary 3,081,013 itself: 154,050.65
            (159_051, 0, 0, 127_241, 31_810),
            (159_051, 0, 0, 127_241, 31_810),  # 5% of 3,181,014 = 159,050.70
        ]
        for segment in (Segment.PPU_BU, Segment.PPU_PN):
            billed = [r[0] for r in lines(c, JAN_2024, segment)]
            assert billed == [contribution(segment, JAN_2024, wage=w, umk=UMK).total for w in wages]
    assert verify_ok(engine)


def test_a_civil_servant_below_the_umk_is_billed_on_the_salary(engine: Engine) -> None:
    with engine.begin() as c:
        set_umk(c, "62.71", 2024, UMK, "illustrative")
        bu = register_employer(c, "BU-2", "PT Sawit Makmur", "bu", "62.71", dt.date(2014, 1, 1))
        pn = register_employer(c, "PN-2", "Pemerintah Desa", "pn", "62.71", dt.date(2014, 1, 1))
        for account, segment in ((bu, Segment.PPU_BU), (pn, Segment.PPU_PN)):
            (pid,) = register_persons(c, [person("Pekerja", dt.date(1985, 5, 5))])
            add_memberships(c, [pid], segment, None, account, JAN_2024, wage=2_500_000, reason="registration")
    run(engine, JAN_2024, JAN_2024)
    with engine.connect() as c:
        assert lines(c, JAN_2024, Segment.PPU_BU) == [(159_051, 0, 0, 127_241, 31_810)]  # raised to the UMK
        assert lines(c, JAN_2024, Segment.PPU_PN) == [(125_000, 0, 0, 100_000, 25_000)]  # not raised
    assert verify_ok(engine)


def test_a_government_employer_needs_no_umk_and_a_private_one_does(engine: Engine) -> None:
    with engine.begin() as c:
        pn = register_employer(c, "PN-3", "Dinas Pendidikan", "pn", "62.71", dt.date(2014, 1, 1))
        (pid,) = register_persons(c, [person("Guru", dt.date(1985, 5, 5))])
        add_memberships(c, [pid], Segment.PPU_PN, None, pn, JAN_2024, wage=2_500_000, reason="registration")
    run(engine, JAN_2024, JAN_2024)  # no UMK recorded for 62.71 at all: the PN salary needs none
    with engine.connect() as c:
        assert lines(c, JAN_2024, Segment.PPU_PN) == [(125_000, 0, 0, 100_000, 25_000)]
    with engine.begin() as c:
        bu = register_employer(c, "BU-3", "PT Sawit Makmur", "bu", "62.71", dt.date(2014, 1, 1))
        (pid,) = register_persons(c, [person("Pekerja", dt.date(1985, 5, 5))])
        add_memberships(c, [pid], Segment.PPU_BU, None, bu, Month(2024, 2), wage=2_500_000, reason="registration")
    with pytest.raises(CycleError, match=r"no minimum wage for kabupaten/kota 62\.71 in 2024"):
        run(engine, Month(2024, 2), Month(2024, 2))


def test_a_pensioner_is_billed_to_the_government_three_percent_and_two_for_the_pensioner(engine: Engine) -> None:
    with engine.begin() as c:
        account = state_bp_family(c, Segment.BP_PENSIUNAN, 3, 1, 4_567_891, JAN_2024)
        low = state_bp_family(c, Segment.BP_PENSIUNAN, 1, 2, 1_560_800, JAN_2024)  # below any UMK: no floor
        kind = c.execute(text("SELECT kind FROM account WHERE id = :a"), {"a": account}).scalar_one()
    assert low == account and kind == "central_gov"
    run(engine, JAN_2024, MAR_2024)
    with engine.connect() as c:
        for m in month_range(JAN_2024, MAR_2024):
            assert lines(c, m, Segment.BP_PENSIUNAN) == [
                (228_395, 0, 137_037, 0, 91_358),  # 5% of 4,567,891 rounded once; the pensioner's 2% in `worker`
                (0, 0, 0, 0, 0),  # the spouse and a child: covered by the principal's contribution
                (0, 0, 0, 0, 0),
                (78_040, 0, 46_824, 0, 31_216),  # 5% of 1,560,800
            ]
            billed = c.execute(
                text("SELECT amount FROM charge WHERE account_id = :a AND month = :m AND kind = 'contribution'"),
                {"a": account, "m": to_db(m)},
            ).scalar_one()
            assert billed == sum(contribution(Segment.BP_PENSIUNAN, m, pension=p).total for p in (4_567_891, 1_560_800))
    assert verify_ok(engine)


def test_a_veteran_is_billed_to_the_government_per_principal(engine: Engine) -> None:
    with engine.begin() as c:
        account = state_bp_family(c, Segment.BP_VETERAN, 2, 1, None, JAN_2024)
        wages = c.execute(text("SELECT wage FROM membership ORDER BY person_id")).scalars().all()
    assert wages == [0, None]  # the principal carries a wage of 0: a fixed amount; the spouse none
    run(engine, JAN_2024, JAN_2024)
    with engine.connect() as c:
        assert lines(c, JAN_2024, Segment.BP_VETERAN) == [(77_875, 0, 77_875, 0, 0), (0, 0, 0, 0, 0)]
        billed = c.execute(
            text("SELECT amount FROM charge WHERE account_id = :a AND month = :m"), {"a": account, "m": 202401}
        ).scalar_one()
        assert billed == contribution(Segment.BP_VETERAN, JAN_2024).total == 77_875
    assert verify_ok(engine)


@pytest.mark.parametrize(
    ("before", "after", "amounts"),
    [
        pytest.param(JAN_2014, Month(2014, 2), (64_787, 64_787), id="PP-34-2014-from-the-start-of-JKN"),
        pytest.param(Month(2014, 12), Month(2015, 1), (64_787, 68_675), id="PP-34-2014-to-PP-30-2015"),
        pytest.param(Month(2018, 12), Month(2019, 1), (68_675, 72_106), id="PP-30-2015-to-PP-15-2019"),
        pytest.param(DEC_2023, JAN_2024, (72_106, 77_875), id="PP-15-2019-to-PP-5-2024"),
    ],
)
def test_a_veteran_is_billed_the_salary_table_of_each_month(
    engine: Engine, before: Month, after: Month, amounts: tuple[int, int]
) -> None:
    with engine.begin() as c:
        account = state_bp_family(c, Segment.BP_VETERAN, 1, 1, None, before)
    run(engine, before, after)
    with engine.connect() as c:
        for m, amount in zip((before, after), amounts, strict=True):
            assert lines(c, m, Segment.BP_VETERAN) == [(amount, 0, amount, 0, 0)]
            billed = c.execute(
                text("SELECT amount FROM charge WHERE account_id = :a AND month = :m"), {"a": account, "m": to_db(m)}
            ).scalar_one()
            assert billed == contribution(Segment.BP_VETERAN, m).total == amount
    assert verify_ok(engine)


def test_a_veteran_before_the_first_reference_salary_is_refused_by_the_registry_and_the_cycle(engine: Engine) -> None:
    # The rule data's first reference salary is PP 34/2014's, from the start of JKN: the registry refuses 2013-12.
    with engine.begin() as c, pytest.raises(RegistryError, match=r"registered_on: a month with a BP Veteran rate"):
        state_bp_family(c, Segment.BP_VETERAN, 1, 1, None, DEC_2013)
    with engine.begin() as c:
        account = state_bp_family(c, Segment.BP_VETERAN, 1, 1, None, JAN_2014)
        assert account
    # The cycle stops on a month a veteran's membership covers and the rule data has no reference salary for: here
    # rule data whose first salary table is PP 30/2015's (from 2015-01).
    # (The shipped rule data bills the month: test_a_veteran_is_billed_the_salary_table_of_each_month.)
    rules = default_rulebook()
    later = dataclasses.replace(rules, bp_veteran_rate=rules.bp_veteran_rate[1:])
    with pytest.raises(CycleError, match=r"membership\.segment: 1 bp-vet memberships in 2014-01"):
        run_cycle(engine, JAN_2014, now=dt.datetime(2014, 1, 1, 2, 0), rules=later)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM charge")).scalar() == 0


def test_a_floor_the_sql_cannot_apply_stops_the_bill_step(engine: Engine) -> None:
    rules = default_rulebook()
    beyond_ppu = dataclasses.replace(rules.ppu_wage_floor, segments=("ppu-bu", "bp-pens"))
    with engine.connect() as c, c.begin() as outer:
        with pytest.raises(CycleError, match=r"ppu_wage_floor\.segments: .*bp-pens"):
            cycle.run_step(
                c,
                "bill",
                JAN_2024,
                dt.datetime(2024, 1, 1),
                dataclasses.replace(rules, ppu_wage_floor=beyond_ppu),
                beside=False,
            )
        outer.rollback()


def verify_ok(engine: Engine) -> bool:
    with engine.connect() as c:
        result = verify(c)
    assert result.ok, result.problems
    return True
