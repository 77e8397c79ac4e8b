"""The service penalty billed on both databases (docs/rules.md §5): a reactivated participant admitted for inpatient
care within 45 days brings a charge on the payer account (the family's, or the employer's for PPU), computed from
the books by the rule in force on the day of admission, and `iuran simulate penalty` says the same for every case.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, text

from cycle_fixtures import employer_with_workers, family, pbi
from iuran.billing.collection_figures import CollectionFigures
from iuran.billing.ledger import verify
from iuran.billing.service_penalty import PENALTY_KIND, ClaimRejected, RecordedClaim
from iuran.rules.month import Month, month_range
from iuran.rules.penalty import service_penalty
from iuran.services.accounts import AccountKey, show_account
from iuran.services.claims import InpatientClaim, record_claim
from iuran.services.payments import PaymentRequest, post_payment
from iuran.services.unit_of_work import Actor, UnitOfWork
from usecases import run_cycle

if TYPE_CHECKING:
    from conftest import RunIuran

DESK = Actor("user", "petugas-rs")
_refs = iter(range(1, 10_000))


def cycles(engine: Engine, first: Month, last: Month) -> None:
    for m in month_range(first, last):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 2, 0))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def bill(engine: Engine, account: int, day: dt.date) -> int:
    """What the account owes on `day`, as the quote (a bank's inquiry, the virtual account) says."""
    with UnitOfWork(engine, now=at(day), actor=DESK, read_only=True) as uow:
        return show_account(uow, AccountKey(account_id=account), day).quote.total


def pay(engine: Engine, account: int, day: dt.date, amount: int | None = None, *, va: bool = True) -> None:
    """Pay the account's whole bill of `day` (or `amount`), by virtual account for a family, else by account id."""
    amount = bill(engine, account, day) if amount is None else amount
    with engine.connect() as c:
        number = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar()
    request = PaymentRequest(
        reference=f"PAY-{next(_refs)}",
        amount=amount,
        paid_at=at(day),
        channel="bank",
        va=number if va and number else None,
        account_id=None if va and number else account,
    )
    with UnitOfWork(engine, now=at(day, 11), actor=DESK) as uow:
        post_payment(uow, request)


def card_of(engine: Engine, account: int) -> str:
    """The JKN card number of the first person the account pays for."""
    with engine.connect() as c:
        return str(
            c.execute(
                text(
                    "SELECT p.card_number FROM person p JOIN membership m ON m.person_id = p.id"
                    " WHERE m.account_id = :a ORDER BY p.id LIMIT 1"
                ),
                {"a": account},
            ).scalar_one()
        )


def claim(
    engine: Engine, card: str, sep: str, inacbg: int, admitted: dt.date, *, recorded: dt.date | None = None
) -> RecordedClaim:
    with UnitOfWork(engine, now=at(recorded or admitted, 15), actor=DESK) as uow:
        return record_claim(uow, InpatientClaim(sep=sep, inacbg=inacbg, admitted=admitted, card=card))


def penalties(engine: Engine, account: int) -> list[tuple[int, int, int | None]]:
    """(month, amount, open) of the account's service penalty charges."""
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT c.month, c.amount, o.amount_open FROM charge c LEFT JOIN open_item o ON o.charge_id = c.id"
                " WHERE c.account_id = :a AND c.kind = :k ORDER BY c.id"
            ),
            {"a": account, "k": PENALTY_KIND},
        )
        return [(int(m), int(a), None if o is None else int(o)) for m, a, o in rows]


def status(engine: Engine, account: int) -> tuple[bool, int, int]:
    with engine.connect() as c:
        row = c.execute(
            text("SELECT active, months_in_arrears, arrears_amount FROM account_status WHERE account_id = :a"),
            {"a": account},
        ).one()
    return bool(row[0]), int(row[1]), int(row[2])


def assert_books_balance(engine: Engine) -> None:
    with engine.connect() as c:
        result = verify(c)
    assert result.ok, result.problems


def assert_simulate_agrees(run_iuran: RunIuran, c: RecordedClaim) -> None:
    """`iuran simulate penalty` and the rules engine, given what the billing found, say what the billing charged."""
    assert c.reactivated is not None
    rules = service_penalty(c.inacbg, c.months_in_arrears, c.reactivated, c.admitted)
    code, out, err = run_iuran(
        "simulate",
        "penalty",
        "--inacbg",
        str(c.inacbg),
        "--months-in-arrears",
        str(c.months_in_arrears),
        "--reactivated",
        c.reactivated.isoformat(),
        "--admitted",
        c.admitted.isoformat(),
    )
    assert code == 0, err
    simulated = json.loads(out)
    assert simulated["penalty"] == rules.penalty == c.penalty
    assert simulated["months_counted"] == rules.months_counted == c.months_counted
    assert simulated["rate"] == rules.rate_bp / 10_000 == (c.rate_bp or 0) / 10_000
    assert rules.basis == c.basis


def reactivated_family(engine: Engine, unpaid_from: Month, reactivated: dt.date, *, members: int = 2) -> int:
    """A Kelas III family billed from `unpaid_from`, unpaid until it pays its whole bill on `reactivated`."""
    with engine.begin() as c:
        account = family(c, members, 3, billing_from=unpaid_from)
    cycles(engine, unpaid_from, Month.of(reactivated))
    assert not status(engine, account)[0]
    pay(engine, account, reactivated)
    assert status(engine, account)[0]
    return account


# --- the window: day 45 charged, day 46 not -------------------------------------------------------------------


def test_day_45_after_reactivation_is_charged_and_day_46_is_not(engine: Engine, run_iuran: RunIuran) -> None:
    # docs/rules.md §5: INA-CBG Rp5,000,000, 3 months in arrears, reactivated on 2 January 2021.
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    cycles(engine, Month(2021, 2), Month(2021, 2))
    card = card_of(engine, account)

    day45 = claim(engine, card, "0301R0010221V000045", 5_000_000, dt.date(2021, 2, 16))
    day46 = claim(engine, card, "0301R0010221V000046", 5_000_000, dt.date(2021, 2, 17))

    assert (day45.penalty, day45.reason, day45.months_in_arrears, day45.months_counted) == (750_000, "charged", 3, 3)
    assert (day45.reactivated, day45.rate_bp, day45.account_id) == (dt.date(2021, 1, 2), 500, account)
    assert day45.basis == "Perpres 64/2020 Pasal 42 ayat (5) dan (6)"
    assert (day46.penalty, day46.reason, day46.charge_id, day46.reactivated) == (
        0,
        "outside_window",
        None,
        dt.date(2021, 1, 2),
    )
    assert penalties(engine, account) == [(202102, 750_000, 750_000)]
    for c in (day45, day46):
        assert_simulate_agrees(run_iuran, c)
    # The family's next bill includes it: February's contribution (2 × 35,000) and the penalty.
    assert bill(engine, account, dt.date(2021, 2, 20)) == 70_000 + 750_000
    pay(engine, account, dt.date(2021, 2, 20))
    assert penalties(engine, account) == [(202102, 750_000, None)]
    assert status(engine, account) == (True, 0, 0)
    assert_books_balance(engine)


def test_a_penalty_paid_is_not_collected_as_a_contribution(engine: Engine) -> None:
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    cycles(engine, Month(2021, 2), Month(2021, 2))
    claim(engine, card_of(engine, account), "0301R0010221V000100", 5_000_000, dt.date(2021, 2, 10))
    pay(engine, account, dt.date(2021, 2, 20))  # 70,000 + 750,000

    with engine.connect() as c:
        books = CollectionFigures.of(c, dt.date(2021, 2, 28), Month(2021, 2), {}).by_payer()
        cash = c.execute(
            text("SELECT sum(amount) FROM payment WHERE account_id = :a AND paid_at >= :d"),
            {"a": account, "d": dt.datetime(2021, 2, 1)},
        ).scalar_one()
    assert books.billed[(202102, "family")] == 70_000
    assert books.collected[(202102, "family")] == 70_000  # the penalty is neither billed nor collected
    assert books.cash[(202102, "family")] == int(cash) == 820_000  # the money came in: cash counts it


# --- the months: from the ledger, capped at 12; the penalty capped at Rp30,000,000 -----------------------------


def test_months_in_arrears_come_from_the_ledger_and_are_capped_at_12(engine: Engine, run_iuran: RunIuran) -> None:
    # Unpaid July 2018 - December 2020: 30 months in arrears on 5 January 2021; the payment bills the latest 24 and
    # writes off 6 (docs/rules.md §4): all 30 were in arrears.
    account = reactivated_family(engine, Month(2018, 7), dt.date(2021, 1, 5), members=1)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM writeoff WHERE account_id = :a"), {"a": account}).scalar() == 6
    card = card_of(engine, account)

    small = claim(engine, card, "1701R0010121V000001", 4_000_000, dt.date(2021, 1, 20))
    large = claim(engine, card, "1701R0010121V000002", 60_000_000, dt.date(2021, 1, 25))

    assert (small.months_in_arrears, small.months_counted, small.penalty) == (30, 12, 2_400_000)  # 5% × 4M × 12
    assert (large.months_counted, large.penalty) == (12, 30_000_000)  # 36,000,000 capped
    # Two admissions in one month: two charges on the account for January.
    assert penalties(engine, account) == [(202101, 2_400_000, 2_400_000), (202101, 30_000_000, 30_000_000)]
    for c in (small, large):
        assert_simulate_agrees(run_iuran, c)
    assert service_penalty(60_000_000, 30, dt.date(2021, 1, 5), dt.date(2021, 1, 25)).capped
    assert_books_balance(engine)


# --- the rule in force by the day of admission -----------------------------------------------------------------


def test_the_rule_in_force_on_the_day_of_admission_applies(engine: Engine, run_iuran: RunIuran) -> None:
    # Reactivated on 20 December 2020 after September-November: 2.5% for a December admission (Perpres 19/2016),
    # 5% for one in January 2021 (Perpres 64/2020), the same reactivation.
    account = reactivated_family(engine, Month(2020, 9), dt.date(2020, 12, 20))
    card = card_of(engine, account)
    december = claim(engine, card, "1701R0011220V000001", 4_000_000, dt.date(2020, 12, 28))
    cycles(engine, Month(2021, 1), Month(2021, 1))
    january = claim(engine, card, "1701R0010121V000003", 4_000_000, dt.date(2021, 1, 5))

    assert (december.rate_bp, december.months_in_arrears, december.penalty) == (250, 3, 300_000)
    assert december.basis == "Perpres 19/2016 Pasal 17A.1"
    assert (january.rate_bp, january.reactivated, january.penalty) == (500, dt.date(2020, 12, 20), 600_000)
    assert penalties(engine, account) == [(202012, 300_000, 300_000), (202101, 600_000, 600_000)]
    for c in (december, january):
        assert_simulate_agrees(run_iuran, c)
    assert_books_balance(engine)


def test_before_july_2016_there_is_no_service_penalty(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 2, 3, billing_from=Month(2016, 4))
    cycles(engine, Month(2016, 4), Month(2016, 5))
    recorded = claim(engine, card_of(engine, account), "1701R0010516V000001", 4_000_000, dt.date(2016, 5, 10))
    assert (recorded.penalty, recorded.reason, recorded.rate_bp, recorded.basis) == (0, "not_in_force", None, None)
    assert penalties(engine, account) == []


def test_a_reactivation_of_2020_counts_the_months_it_deferred_and_paying_them_later_is_none(
    engine: Engine, run_iuran: RunIuran
) -> None:
    # January-October 2020 unpaid: on 5 November 2020 the family is active again by paying the latest 6 months and
    # November; January-April stay owed until the end of 2021 (Perpres 64/2020 Pasal 42 ayat (3a), (3b)).
    account = reactivated_family(engine, Month(2020, 1), dt.date(2020, 11, 5), members=1)
    with engine.connect() as c:
        deferred = c.execute(text("SELECT count(*) FROM arrears_deferral WHERE account_id = :a"), {"a": account})
        assert deferred.scalar() == 4
    card = card_of(engine, account)
    november = claim(engine, card, "1701R0011120V000001", 4_000_000, dt.date(2020, 11, 20))
    assert (november.months_in_arrears, november.months_counted, november.penalty) == (10, 10, 1_000_000)  # 2.5%
    assert_simulate_agrees(run_iuran, november)

    for m in month_range(Month(2020, 12), Month(2021, 1)):
        cycles(engine, m, m)
        pay(engine, account, m.day(5) if m != Month(2020, 12) else dt.date(2020, 12, 5))
    cycles(engine, Month(2021, 2), Month(2021, 2))
    owed = 3 * 42_000 + 25_500  # January-March 2020 at Rp42,000, April at Rp25,500
    pay(engine, account, dt.date(2021, 2, 5), bill(engine, account, dt.date(2021, 2, 5)) + owed)  # the rest too
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM open_item WHERE account_id = :a"), {"a": account}).scalar() == 0

    # Paying deferred months while active is no reactivation: the one of 5 November stays the latest.
    february = claim(engine, card, "1701R0010221V000060", 4_000_000, dt.date(2021, 2, 20))
    assert (february.reason, february.reactivated, february.penalty) == ("outside_window", dt.date(2020, 11, 5), 0)
    assert_books_balance(engine)


# --- who pays, and who does not --------------------------------------------------------------------------------


def test_a_family_never_suspended_brings_no_penalty(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 3, 3, billing_from=Month(2021, 1))
    for m in month_range(Month(2021, 1), Month(2021, 3)):
        cycles(engine, m, m)
        pay(engine, account, m.day(5))
    recorded = claim(engine, card_of(engine, account), "1701R0010321V000001", 9_000_000, dt.date(2021, 3, 10))
    assert (recorded.penalty, recorded.reason, recorded.reactivated, recorded.months_in_arrears) == (
        0,
        "no_reactivation",
        None,
        0,
    )
    assert (recorded.rate_bp, recorded.basis) == (500, "Perpres 64/2020 Pasal 42 ayat (5) dan (6)")
    assert penalties(engine, account) == []


def test_a_ppu_worker_s_penalty_is_billed_to_the_employer_that_reactivated(engine: Engine, run_iuran: RunIuran) -> None:
    with engine.begin() as c:
        employer = employer_with_workers(c, [5_000_000, 6_000_000], Month(2020, 11))
    cycles(engine, Month(2020, 11), Month(2021, 2))
    assert not status(engine, employer)[0]  # November to January unpaid
    pay(engine, employer, dt.date(2021, 2, 3))  # every open month: the arrears and February
    assert status(engine, employer)[0]

    recorded = claim(engine, card_of(engine, employer), "1701R0010221V000009", 8_000_000, dt.date(2021, 2, 20))

    assert (recorded.account_id, recorded.segment, recorded.reactivated) == (employer, "ppu-bu", dt.date(2021, 2, 3))
    assert (recorded.months_in_arrears, recorded.penalty) == (3, 1_200_000)  # 5% × 8M × 3
    assert penalties(engine, employer) == [(202102, 1_200_000, 1_200_000)]
    assert_simulate_agrees(run_iuran, recorded)
    # The employer pays it with its oldest months: February's contributions and the penalty.
    pay(engine, employer, dt.date(2021, 2, 25))
    assert status(engine, employer) == (True, 0, 0) and penalties(engine, employer)[0][2] is None
    assert_books_balance(engine)


def test_an_employer_paying_its_arrears_in_pieces_is_reactivated_by_the_last_with_every_month(
    engine: Engine, run_iuran: RunIuran
) -> None:
    with engine.begin() as c:
        employer = employer_with_workers(c, [5_000_000], Month(2020, 11))
    cycles(engine, Month(2020, 11), Month(2021, 2))
    month = 250_000  # 5% of 5,000,000
    pay(engine, employer, dt.date(2021, 2, 2), 2 * month)  # November and December: January still open
    assert not status(engine, employer)[0]
    pay(engine, employer, dt.date(2021, 2, 4), 2 * month)  # January and February: active again

    recorded = claim(engine, card_of(engine, employer), "1701R0010221V000010", 2_000_000, dt.date(2021, 3, 1))

    assert (recorded.reactivated, recorded.months_in_arrears, recorded.penalty) == (dt.date(2021, 2, 4), 3, 300_000)
    assert_simulate_agrees(run_iuran, recorded)


def test_pbi_participants_bear_no_penalty(engine: Engine) -> None:
    with engine.begin() as c:
        government = pbi(c, 2, Month(2021, 1))
    cycles(engine, Month(2021, 1), Month(2021, 2))
    recorded = claim(engine, card_of(engine, government), "1701R0010221V000011", 8_000_000, dt.date(2021, 2, 3))
    assert (recorded.penalty, recorded.reason, recorded.account_id) == (0, "not_liable", government)
    assert penalties(engine, government) == []


# --- the penalty in the books: arrears when unpaid, no reactivation when paid late ----------------------------


def test_an_unpaid_penalty_suspends_from_the_next_1st_and_paying_it_late_is_no_reactivation(
    engine: Engine, run_iuran: RunIuran
) -> None:
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    cycles(engine, Month(2021, 2), Month(2021, 2))
    pay(engine, account, dt.date(2021, 2, 5))  # February's contribution, before the admission
    card = card_of(engine, account)
    charged = claim(engine, card, "1701R0010221V000020", 5_000_000, dt.date(2021, 2, 10))
    assert charged.penalty == 750_000

    cycles(engine, Month(2021, 3), Month(2021, 3))
    assert status(engine, account) == (False, 1, 750_000)  # unpaid at the end of February: arrears
    assert bill(engine, account, dt.date(2021, 3, 3)) == 750_000 + 70_000
    pay(engine, account, dt.date(2021, 3, 3))
    assert status(engine, account)[0]

    # Active again by paying a penalty, not months of contributions: no reactivation; the one of 2 January is
    # the latest, 67 days before.
    later = claim(engine, card, "1701R0010321V000021", 5_000_000, dt.date(2021, 3, 10))
    assert (later.penalty, later.reason, later.reactivated) == (0, "outside_window", dt.date(2021, 1, 2))
    assert_simulate_agrees(run_iuran, later)
    assert_books_balance(engine)


def test_months_in_arrears_of_a_reactivation_after_an_unpaid_penalty(engine: Engine, run_iuran: RunIuran) -> None:
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    cycles(engine, Month(2021, 2), Month(2021, 3))  # February unpaid, with its penalty
    card = card_of(engine, account)
    claim(engine, card, "1701R0010221V000030", 5_000_000, dt.date(2021, 2, 16), recorded=dt.date(2021, 2, 16))
    assert status(engine, account) == (False, 1, 70_000 + 750_000)
    pay(engine, account, dt.date(2021, 3, 4))  # February (contribution and penalty) and March

    recorded = claim(engine, card, "1701R0010321V000031", 2_000_000, dt.date(2021, 3, 10))

    assert (recorded.reactivated, recorded.months_in_arrears, recorded.penalty) == (dt.date(2021, 3, 4), 1, 100_000)
    assert_simulate_agrees(run_iuran, recorded)
    assert_books_balance(engine)


def test_a_claim_recorded_after_later_cycles_counts_in_their_books(engine: Engine) -> None:
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    for m in (Month(2021, 2), Month(2021, 3)):
        cycles(engine, m, m)
        pay(engine, account, m.day(5))
    assert status(engine, account)[0]

    # The hospital's claim for a February admission comes on 10 March: February is past, the penalty is in
    # arrears at once, and March's state of its 1st counts it (ledger verify proves both).
    recorded = claim(
        engine,
        card_of(engine, account),
        "1701R0010221V000040",
        5_000_000,
        dt.date(2021, 2, 16),
        recorded=dt.date(2021, 3, 10),
    )
    assert recorded.penalty == 750_000
    assert status(engine, account) == (False, 1, 750_000)
    with engine.connect() as c:
        snapshot = c.execute(
            text("SELECT sum(amount) FROM snapshot_arrears WHERE month = 202103 AND segment = 'pbpu'")
        ).scalar()
    assert int(snapshot) == 750_000
    assert_books_balance(engine)


# --- one SEP, one claim ----------------------------------------------------------------------------------------


def test_the_same_sep_twice_is_one_claim_and_one_charge(engine: Engine) -> None:
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    card = card_of(engine, account)
    first = claim(engine, card, "1701R0010121V000050", 5_000_000, dt.date(2021, 1, 20))
    again = claim(engine, card, "1701r0010121v000050", 5_000_000, dt.date(2021, 1, 20), recorded=dt.date(2021, 1, 25))

    assert first.penalty == 750_000 and not first.duplicate
    assert again.duplicate and (again.claim_id, again.charge_id, again.penalty) == (
        first.claim_id,
        first.charge_id,
        first.penalty,
    )
    assert penalties(engine, account) == [(202101, 750_000, 750_000)]
    with pytest.raises(ClaimRejected, match=r"^sep: a claim reference \(nomor SEP\) is recorded once .*inacbg"):
        claim(engine, card, "1701R0010121V000050", 6_000_000, dt.date(2021, 1, 20))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM claim_event")).scalar() == 1
    assert_books_balance(engine)


# --- the command line ------------------------------------------------------------------------------------------


def test_iuran_claim_record_prints_the_penalty_and_refuses_bad_input_writing_nothing(
    engine: Engine, db_url: str, run_iuran: RunIuran
) -> None:
    account = reactivated_family(engine, Month(2020, 10), dt.date(2021, 1, 2))
    with engine.connect() as c:
        nik, card = c.execute(
            text(
                "SELECT p.nik, p.card_number FROM person p JOIN membership m ON m.person_id = p.id"
                " WHERE m.account_id = :a ORDER BY p.id LIMIT 1"
            ),
            {"a": account},
        ).one()
    base = ("claim", "record", "--database", db_url, "--now", "2021-02-17T09:00", "--inacbg", "5000000")

    code, out, err = run_iuran(*base, "--nik", nik, "--sep", "0301R0010221V000045", "--admitted", "2021-02-16")
    assert (code, err) == (0, ""), err
    shown = json.loads(out)
    assert {k: shown[k] for k in ("penalty", "months_counted", "reactivated", "reason", "rate", "duplicate")} == {
        "penalty": 750_000,
        "months_counted": 3,
        "reactivated": "2021-01-02",
        "reason": "charged",
        "rate": 0.05,
        "duplicate": False,
    }
    assert shown["basis"] == "Perpres 64/2020 Pasal 42 ayat (5) dan (6)" and shown["charge_id"]
    assert nik not in out
    code, out, _ = run_iuran(*base, "--card", card, "--sep", "0301R0010221V000045", "--admitted", "2021-02-16")
    assert code == 0 and json.loads(out)["duplicate"] is True

    def counts() -> tuple[int, int]:
        with engine.connect() as c:
            return (
                int(c.execute(text("SELECT count(*) FROM claim_event")).scalar_one()),
                int(c.execute(text("SELECT count(*) FROM charge")).scalar_one()),
            )

    before = counts()
    bad = [
        ("card", ("--card", "9999999999999", "--sep", "X1", "--admitted", "2021-02-16")),
        ("card", ("--card", card, "--nik", nik, "--sep", "X2", "--admitted", "2021-02-16")),
        ("card", ("--sep", "X3", "--admitted", "2021-02-16")),
        ("nik", ("--nik", "6271", "--sep", "X4", "--admitted", "2021-02-16")),
        ("sep", ("--card", card, "--sep", "0301R/001", "--admitted", "2021-02-16")),
        ("sep", ("--card", card, "--sep", "S" * 33, "--admitted", "2021-02-16")),
        ("sep", ("--card", card, "--sep", "0301R0010221V000045", "--admitted", "2021-02-15")),
        ("admitted", ("--card", card, "--sep", "X5", "--admitted", "2021-02-18")),  # after --now
        ("admitted", ("--card", card, "--sep", "X6", "--admitted", "2013-12-31")),
        ("admitted", ("--card", card, "--sep", "X7", "--admitted", "16/02/2021")),
        ("card", ("--card", card, "--sep", "X8", "--admitted", "2020-01-15")),  # not a member yet
    ]
    for field, args in bad:
        code, out, err = run_iuran(*base, *args)
        assert (code, out) == (2, ""), (args, err)
        assert err.startswith(f"iuran: {field}:") and len(err.splitlines()) == 1, (args, err)
        assert nik not in err and "Traceback" not in err
    for field, amount in (("inacbg", "0"), ("inacbg", "-5"), ("inacbg", "5e6"), ("inacbg", "9" * 40)):
        argv = [a if a != "5000000" else amount for a in base]
        code, out, err = run_iuran(*argv, "--card", card, "--sep", "X9", "--admitted", "2021-02-16")
        assert (code, out) == (2, "") and err.startswith(f"iuran: {field}:"), err
    assert counts() == before
