"""The monthly cycle on both databases: what it bills, whom it suspends, and that it can be rerun and resumed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from cycle_fixtures import employer_with_workers, family, pbi
from iuran.billing import cycle as cycle_module
from iuran.billing.cycle import CycleError
from iuran.billing.ledger import verify
from iuran.db.months import to_db
from iuran.registry.enrolment import RegistryError, add_memberships
from iuran.reports.scope import FINISHED_STEP
from iuran.rules.contribution import contribution, family_due
from iuran.rules.month import Month, month_range
from iuran.rules.segments import Segment
from usecases import report_death, run_cycle

JAN_2024 = Month(2024, 1)


def run(engine: Engine, first: Month, last: Month) -> None:
    for m in month_range(first, last):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 2, 0))


def assert_books_balance(engine: Engine) -> None:
    with engine.connect() as c:
        result = verify(c)
    assert result.ok, result.problems


def status(conn: Connection, account: int) -> tuple[bool, int, int]:
    row = conn.execute(
        text("SELECT active, months_in_arrears, arrears_amount FROM account_status WHERE account_id = :a"),
        {"a": account},
    ).one()
    return bool(row[0]), row[1], row[2]


def test_every_person_is_billed_what_the_rules_engine_says_across_rate_changes(engine: Engine) -> None:
    start, end = Month(2019, 11), Month(2021, 2)
    with engine.begin() as c:
        families = {k: family(c, 2, k, billing_from=start) for k in (1, 2, 3)}
        wages = [2_000_000, 5_000_000, 9_000_000, 15_000_000]
        employer = employer_with_workers(c, wages, start, umk=2_900_000)
        government = pbi(c, 3, start)
    run(engine, start, end)
    with engine.connect() as c:
        for m in month_range(start, end):
            for kelas, account in families.items():
                billed = c.execute(
                    text("SELECT amount FROM charge WHERE account_id = :a AND month = :m AND kind = 'contribution'"),
                    {"a": account, "m": to_db(m)},
                ).scalar()
                assert billed == family_due(m, kelas, 2), (m, kelas)
            ppu = c.execute(
                text("SELECT amount FROM charge WHERE account_id = :a AND month = :m"),
                {"a": employer, "m": to_db(m)},
            ).scalar()
            expected = sum(contribution(Segment.PPU_BU, m, wage=w, umk=2_900_000).total for w in wages)
            assert ppu == expected, m
            pbi_billed = c.execute(
                text("SELECT amount FROM charge WHERE account_id = :a AND month = :m AND kind = 'contribution'"),
                {"a": government, "m": to_db(m)},
            ).scalar()
            assert pbi_billed == contribution(Segment.PBI_APBN, m, members=3).total
    assert_books_balance(engine)


def test_rerunning_a_month_changes_nothing(engine: Engine) -> None:
    with engine.begin() as c:
        family(c, 3, 3, billing_from=JAN_2024)
    run(engine, JAN_2024, Month(2024, 2))

    def counts() -> tuple[int, ...]:
        with engine.connect() as c:
            return tuple(
                c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("charge", "charge_line", "open_item", "account_status", "snapshot_coverage")
            )

    before = counts()
    result = run_cycle(engine, Month(2024, 2), now=dt.datetime(2024, 2, 3))
    assert result.rows == {} and result.skipped == cycle_module.STEPS
    assert counts() == before


def test_cycles_run_in_order(engine: Engine) -> None:
    run(engine, JAN_2024, Month(2024, 3))
    with pytest.raises(CycleError, match="before the last finished cycle 2024-03"):
        run_cycle(engine, Month(2024, 2), now=dt.datetime(2024, 3, 5))
    with pytest.raises(CycleError, match="the next cycle is 2024-04"):
        run_cycle(engine, Month(2024, 6), now=dt.datetime(2024, 6, 1))


def test_a_crashed_cycle_keeps_whole_steps_and_resumes(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with engine.begin() as c:
        account = family(c, 2, 3, billing_from=JAN_2024)

    def crash(conn: Connection, step: object) -> int:
        conn.execute(text("DELETE FROM account_status"))  # half a step's work, then the power goes
        raise RuntimeError("power cut")

    monkeypatch.setitem(cycle_module._STEP_FUNCS, "status", crash)
    with pytest.raises(RuntimeError):
        run_cycle(engine, JAN_2024, now=dt.datetime(2024, 1, 1))
    with engine.connect() as c:
        steps = [r[0] for r in c.execute(text("SELECT step FROM cycle_step ORDER BY finished_at, step"))]
        assert sorted(steps) == ["bill", "open", "rates"]
        assert c.execute(text("SELECT count(*) FROM charge")).scalar() == 1
    with pytest.raises(CycleError, match="did not finish"):
        run_cycle(engine, Month(2024, 2), now=dt.datetime(2024, 2, 1))
    monkeypatch.undo()
    result = run_cycle(engine, JAN_2024, now=dt.datetime(2024, 1, 1, 3))
    assert set(result.skipped) == {"open", "rates", "bill"}
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM charge WHERE kind = 'contribution'")).scalar() == 1
        assert status(c, account) == (True, 0, 0)
    assert_books_balance(engine)


def test_an_unpaid_month_suspends_from_the_first_of_the_next_and_ages(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 4, 3, billing_from=JAN_2024)
    run(engine, JAN_2024, Month(2024, 8))
    with engine.connect() as c:
        assert status(c, account) == (False, 7, 7 * 4 * 35_000)
        buckets = {
            r[0]: r[1]
            for r in c.execute(text("SELECT month, bucket FROM snapshot_arrears WHERE segment = 'pbpu' ORDER BY month"))
        }
        assert buckets == {
            202402: "1",
            202403: "2",
            202404: "3",
            202405: "4-6",
            202406: "4-6",
            202407: "4-6",
            202408: "7-12",
        }
        active = dict(
            c.execute(text("SELECT month, active FROM snapshot_coverage WHERE segment = 'pbpu' ORDER BY month")).all()
        )
        assert active[202401] == 4 and active[202402] == 0


def test_kelas_3_government_share_is_billed_only_for_active_participants(engine: Engine) -> None:
    with engine.begin() as c:
        family(c, 3, 3, billing_from=JAN_2024)
        family(c, 2, 2, billing_from=JAN_2024)
    run(engine, JAN_2024, Month(2024, 2))
    with engine.connect() as c:
        rows = c.execute(text("SELECT month, kind, members, amount FROM charge WHERE kind LIKE 'subsidy%'")).all()
    # January: the Kelas III family is active (3 × 4,200 central, 3 × 2,800 Pemda); February: suspended, none.
    assert sorted(rows) == [(202401, "subsidy_central", 3, 12_600), (202401, "subsidy_pemda", 3, 8_400)]


def test_a_new_family_is_not_active_before_its_first_payment(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 2, 1, billing_from=JAN_2024, activated_on=None)
    run(engine, JAN_2024, JAN_2024)
    with engine.connect() as c:
        assert status(c, account) == (False, 0, 0)


def test_a_death_reported_late_reverses_the_months_after_it(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 3, 3, billing_from=JAN_2024)
        nik = c.execute(text("SELECT nik FROM person ORDER BY id LIMIT 1")).scalar_one()
    run(engine, JAN_2024, Month(2024, 4))
    reversed_ = report_death(engine, nik, dt.date(2024, 2, 14), dt.date(2024, 4, 20))
    assert reversed_ == 2 * 35_000  # March and April; February, the month of death, is owed
    run(engine, Month(2024, 5), Month(2024, 5))
    with engine.connect() as c:
        may = c.execute(
            text("SELECT members, amount FROM charge WHERE account_id = :a AND month = 202405"), {"a": account}
        ).one()
        assert tuple(may) == (2, 70_000)
        assert status(c, account)[2] == 4 * 105_000 - 2 * 35_000
    assert_books_balance(engine)
    with pytest.raises(RegistryError, match="reported once"):
        report_death(engine, nik, dt.date(2024, 2, 14), dt.date(2024, 5, 1))


def test_a_segment_change_bills_each_month_to_the_payer_responsible_then(engine: Engine) -> None:
    with engine.begin() as c:
        employer = employer_with_workers(c, [4_000_000], JAN_2024, umk=3_000_000)
        person_id = c.execute(text("SELECT person_id FROM membership")).scalar_one()
        own = family(c, 1, 3, billing_from=Month(2030, 1))  # an account to move to (its own member bills later)
        # Alih jenis PPU → PBPU: the contract ends in March; PBPU billing starts on 1 April (docs/rules.md §9).
        add_memberships(c, [person_id], Segment.PBPU, 3, own, Month(2024, 4), reason="alih jenis")
    run(engine, JAN_2024, Month(2024, 5))
    with engine.connect() as c:
        payers = c.execute(
            text(
                "SELECT l.month, c.account_id, l.amount FROM charge_line l JOIN charge c ON c.id = l.charge_id "
                "WHERE l.person_id = :p ORDER BY l.month"
            ),
            {"p": person_id},
        ).all()
    assert [tuple(r) for r in payers] == [
        (202401, employer, 200_000),
        (202402, employer, 200_000),
        (202403, employer, 200_000),
        (202404, own, 35_000),
        (202405, own, 35_000),
    ]
    assert_books_balance(engine)


def test_a_family_whose_class_is_missing_stops_the_cycle_with_nothing_written(engine: Engine) -> None:
    with engine.begin() as c:
        family(c, 2, 3, billing_from=JAN_2024)
        c.execute(text("UPDATE membership SET kelas = NULL"))
    with pytest.raises(CycleError, match=r"membership\.kelas"):
        run_cycle(engine, JAN_2024, now=dt.datetime(2024, 1, 1))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM charge")).scalar() == 0


def test_a_wage_without_the_kabupaten_minimum_wage_stops_the_cycle(engine: Engine) -> None:
    with engine.begin() as c:
        employer_with_workers(c, [4_000_000], JAN_2024)
        c.execute(text("DELETE FROM umk WHERE year = 2024"))
    with pytest.raises(CycleError, match=r"no minimum wage for kabupaten/kota 62\.71 in 2024"):
        run_cycle(engine, JAN_2024, now=dt.datetime(2024, 1, 1))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM charge")).scalar() == 0


@pytest.mark.unbalanced_books
def test_ledger_verify_finds_an_allocation_beyond_the_charge(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 1, 3, billing_from=JAN_2024)
    run(engine, JAN_2024, JAN_2024)
    with engine.begin() as c:
        charge = c.execute(text("SELECT id FROM charge WHERE account_id = :a"), {"a": account}).scalar_one()
        payment = c.execute(
            text(
                "INSERT INTO payment (reference, account_id, amount, paid_at, channel) "
                "VALUES ('X1', :a, 50000, :t, 'teller') RETURNING id"
            ),
            {"a": account, "t": dt.datetime(2024, 1, 5)},
        ).scalar_one()
        c.execute(
            text(
                "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on) "
                "VALUES (:p, :c, :a, 202401, 50000, :d)"
            ),
            {"p": payment, "c": charge, "a": account, "d": dt.date(2024, 1, 5)},
        )
    with engine.connect() as c:
        result = verify(c)
    assert not result.ok
    assert result.problems["charge_overpaid"] and result.problems["open_item_mismatch"]


@pytest.mark.unbalanced_books
def test_a_dangling_reference_is_refused_or_found_by_verify(engine: Engine) -> None:
    """SQLite checks the references of the books row by row; PostgreSQL leaves it to verify (migration 0004)."""
    with engine.begin() as c:
        account = family(c, 1, 3, billing_from=JAN_2024)
    run(engine, JAN_2024, JAN_2024)
    nowhere = 999_999
    dangling = (
        "INSERT INTO payment (reference, account_id, amount, paid_at, channel) VALUES ('X2', :x, 1, :t, 'teller')",
        "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on)"
        " SELECT :x, id, account_id, month, 0, :t FROM charge WHERE account_id = :a",
    )
    values = {"x": nowhere, "a": account, "t": dt.datetime(2024, 1, 5)}
    if engine.dialect.name == "sqlite":
        for statement in dangling:
            with pytest.raises(IntegrityError), engine.begin() as c:
                c.execute(text(statement), values)
        return
    with engine.begin() as c:
        for statement in dangling:
            c.execute(text(statement), values)
    with engine.connect() as c:
        result = verify(c)
    assert result.problems["payment_without_account"] and result.problems["allocation_without_payment"]


def test_reports_take_a_month_as_finished_when_the_cycle_does() -> None:
    assert cycle_module.STEPS[-1] == FINISHED_STEP
