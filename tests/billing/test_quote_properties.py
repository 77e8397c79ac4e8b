"""The quote and the settlement of one payment agree with the rules engine's reactivation (hypothesis, both
databases).

`iuran.billing.payable.due_items` is the one statement that says what a family owes on a day; the quote
(`show_account`) and the settlement (`post_payment`) both read it. These properties pin it to
`iuran.rules.reactivation.reactivation_quote`: for a PBPU family of Kelas 1, 2 or 3 with 1–5 members whose every
month from `unpaid_since` to the month of `as_of` is open at the amount the rules give for that month
(`family_due`), on any day from 2014 to 2026 (the rate changes, the 24-month cap of 18 Sep 2018 and the end of the
late fee on 1 Jul 2016 with the days around them drawn often, arrears lengths around the cap too):
- the quote bills the months the rules bill, each at the rules' amount, and shows as written off the months the
  rules write off and as deferred those it defers; its total is the rules' arrears, the current month and the
  late fee;
- a payment of exactly that total is accepted, settles those months and writes off those, and the family is
  active; one Rupiah less is refused as `amount_mismatch`, naming the bill; one more is held as credit.

Before 1 July 2016 the bill carries the late fee (Perpres 111/2013 Pasal 17: 2% a month of the arrears, at most 6
months, for a family), which the payment writes as a `late_fee` charge and settles; Perpres 19/2016 abolished it.
During 2020 (Perpres 64/2020 Pasal 42(3a)) only the latest 6 months of arrears are due: the rest stays owed, shown
as deferred, and open after the payment.

Each example builds its family's books directly in SQL (the monthly cycle over up to 13 years of months would be
too slow for 200 examples) inside a unit of work that is never committed: the database is left empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, text

from iuran.billing.payments import PaymentRejected, PaymentRequest, PostedPayment, post_payment
from iuran.billing.payments_staging import Dialect, create_working_tables
from iuran.db.months import to_db
from iuran.rules.contribution import family_due, pbpu_person_month
from iuran.rules.month import Month, month_range
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.rulebook import default_rulebook
from iuran.rules.segments import Segment
from iuran.rules.status import months_tolerated
from iuran.services.accounts import AccountKey, show_account
from iuran.services.unit_of_work import Actor, UnitOfWork

RB = default_rulebook()
FIRST_DAY, LAST_DAY = dt.date(2014, 1, 1), dt.date(2026, 12, 31)
FIRST_MONTH = Month.of(FIRST_DAY)
VA = "8888801000000777"
DESA, KECAMATAN, KABKOTA = "62.71.01.1001", "62.71.01", "62.71"  # Kota Palangka Raya, Pahandut
REFERENCE = "PROP-1"
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # examples are drawn afresh each run; a failure prints the one to reproduce
)

# Every day a family rate, the reactivation cap or the late fee changes, with the days either side of it.
_CHANGE_DAYS = sorted(
    {
        e.effective + dt.timedelta(days=d)
        for table in (RB.pbpu_rate, RB.reactivation, RB.late_fee)
        for e in table
        for d in (-1, 0, 1)
        if FIRST_DAY <= e.effective + dt.timedelta(days=d) <= LAST_DAY
    }
)
assert dt.date(2018, 9, 17) in _CHANGE_DAYS and dt.date(2018, 9, 18) in _CHANGE_DAYS
# Months in arrears around the cap (24 billed, the 25th written off), and none at all.
_AROUND_CAP = (0, 1, 2, 23, 24, 25, 26, 48)


@dataclass(frozen=True)
class Case:
    kelas: int
    members: int
    unpaid_since: Month
    as_of: dt.date

    @property
    def current(self) -> Month:
        return Month.of(self.as_of)

    @property
    def months_in_arrears(self) -> int:
        return self.unpaid_since.months_until(self.current)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    as_of = draw(st.one_of(st.sampled_from(_CHANGE_DAYS), st.dates(FIRST_DAY, LAST_DAY)))
    longest = FIRST_MONTH.months_until(Month.of(as_of))  # every month since January 2014 in arrears
    arrears = min(longest, draw(st.one_of(st.sampled_from(_AROUND_CAP), st.integers(0, longest))))
    return Case(
        kelas=draw(st.sampled_from((1, 2, 3))),
        members=draw(st.integers(1, 5)),
        unpaid_since=Month.of(as_of) - arrears,
        as_of=as_of,
    )


def _suspended_family(conn: Connection, case: Case) -> int:
    """A PBPU family, registered in 2014 and paying since, with every month from `unpaid_since` to the current one
    open as the cycle bills it (a charge of the participant shares, a line per member, an open item) and the status
    the cycle leaves for the current month."""
    family_id = conn.execute(
        text("INSERT INTO family (kk, desa_code) VALUES ('6271010000000777', :desa) RETURNING id"), {"desa": DESA}
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO person (nik, card_number, name, sex, birth_date, family_id, desa_code, kecamatan_code,"
            " kabkota_code, registered_on, channel)"
            " VALUES (:nik, :card, :name, 'F', :born, :f, :desa, :kec, :kab, :reg, 'kantor_cabang')"
        ),
        [
            {
                "nik": f"62710141018{i:01d}0001",
                "card": f"{7770 + i:013d}",
                "name": f"Anggota {i}",
                "born": dt.date(1980, 1, 1),
                "f": family_id,
                "desa": DESA,
                "kec": KECAMATAN,
                "kab": KABKOTA,
                "reg": FIRST_DAY,
            }
            for i in range(case.members)
        ],
    )
    account = int(
        conn.execute(
            text(
                "INSERT INTO account (kind, name, va, family_id, kabkota_code, opened_on, activated_on)"
                " VALUES ('family', 'Keluarga Anggota 0', :va, :f, :k, :d, :d) RETURNING id"
            ),
            {"va": VA, "f": family_id, "k": KABKOTA, "d": FIRST_DAY},
        ).scalar_one()
    )
    conn.execute(
        text(
            "INSERT INTO membership (person_id, segment, kelas, account_id, valid_from, reason)"
            " SELECT id, 'pbpu', :kelas, :a, :m, 'registration' FROM person WHERE family_id = :f"
        ),
        {"kelas": case.kelas, "a": account, "m": to_db(FIRST_MONTH), "f": family_id},
    )
    # The month, the family's charge, and one member's participant and government shares (numbers only).
    rows = []
    for m in month_range(case.unpaid_since, case.current):
        shares, _ = pbpu_person_month(m, case.kelas, RB)
        rows.append((to_db(m), family_due(m, case.kelas, case.members, RB), shares.participant, shares.government))
    values = "VALUES " + ", ".join(f"({m}, {due}, {part}, {gov})" for m, due, part, gov in rows)
    conn.execute(
        text(
            "INSERT INTO charge (account_id, month, kind, members, amount, created_at)"
            f" SELECT :a, v.column1, 'contribution', :n, v.column2, :t FROM ({values}) v"
        ),
        {"a": account, "n": case.members, "t": dt.datetime.combine(case.unpaid_since.first_day(), dt.time(2))},
    )
    conn.execute(
        text(
            "INSERT INTO charge_line (charge_id, person_id, month, segment, kelas, amount, participant, government,"
            " employer, worker)"
            " SELECT c.id, p.id, c.month, 'pbpu', :kelas, v.column3, v.column3, v.column4, 0, 0"
            f" FROM charge c JOIN ({values}) v ON v.column1 = c.month CROSS JOIN person p"
            " WHERE c.account_id = :a AND p.family_id = :f"
        ),
        {"kelas": case.kelas, "a": account, "f": family_id},
    )
    conn.execute(
        text(
            "INSERT INTO open_item (charge_id, account_id, month, amount_open)"
            " SELECT id, account_id, month, amount FROM charge WHERE account_id = :a"
        ),
        {"a": account},
    )
    current = to_db(case.current)
    conn.execute(
        text(
            "INSERT INTO account_status (account_id, active, status_since, months_in_arrears, arrears_amount,"
            " unpaid_since, as_of_month)"
            " SELECT :a, count(o.charge_id) = 0, :since, count(o.charge_id), COALESCE(sum(o.amount_open), 0),"
            " min(o.month), :m FROM (SELECT * FROM open_item WHERE account_id = :a AND month < :m) o"
        ),
        {"a": account, "m": current, "since": case.current.first_day()},
    )
    return account


def _pay(conn: Connection, case: Case, amount: int) -> PostedPayment:
    paid_at = dt.datetime.combine(case.as_of, dt.time(10, 15))
    request = PaymentRequest(reference=REFERENCE, amount=amount, paid_at=paid_at, channel="teller", va=VA)
    return post_payment(conn, request, now=paid_at + dt.timedelta(hours=1), rules=RB)


@pytest.fixture
def books(engine: Engine) -> Engine:
    """The engine, its pooled connection already holding a single payment's working tables (PostgreSQL keeps them
    on the connection from one payment to the next; a rolled-back example would otherwise drop and create them
    again three times)."""
    with engine.begin() as conn:
        create_working_tables(conn, Dialect.of(conn, bulk=False))
    return engine


def _due(case: Case, months: tuple[Month, ...] | list[Month]) -> list[tuple[Month, int]]:
    return [(m, family_due(m, case.kelas, case.members, RB)) for m in months]


@SETTINGS
@given(case=cases())
@example(case=Case(3, 1, Month(2020, 1), dt.date(2024, 3, 5)))  # docs/rules.md: 50 months, 24 billed, Rp875,000
@example(case=Case(1, 2, Month(2016, 8), dt.date(2018, 9, 17)))  # the day before the cap: all 25 months billed
@example(case=Case(1, 2, Month(2016, 8), dt.date(2018, 9, 18)))  # the cap's first day: 25 months, 1 written off
@example(case=Case(2, 5, Month(2014, 1), dt.date(2016, 6, 30)))  # the last day of the late fee
@example(case=Case(3, 4, Month(2026, 12), dt.date(2026, 12, 31)))  # nothing in arrears, the current month only
@example(case=Case(1, 1, Month(2018, 6), dt.date(2020, 5, 6)))  # 2020: 6 months reactivate, 17 stay owed
@example(case=Case(2, 3, Month(2020, 1), dt.date(2020, 12, 31)))  # the relaxation's last day
@example(case=Case(2, 3, Month(2020, 1), dt.date(2021, 1, 1)))  # all billed again
def test_the_quote_and_the_settlement_are_the_rules_reactivation(books: Engine, case: Case) -> None:
    expected = reactivation_quote(Segment.PBPU, case.kelas, case.members, case.unpaid_since, case.as_of, RB)
    total = expected.total
    assert expected.total == expected.arrears_amount + expected.current_month_amount + expected.late_fee
    billed = _due(case, [*expected.billed_months, expected.current_month])
    written_off = _due(case, expected.written_off_months)
    deferred = _due(case, expected.deferred_months)

    with UnitOfWork(books, now=dt.datetime.combine(case.as_of, dt.time(12)), actor=Actor.job("test"), rules=RB) as uow:
        conn = uow.conn
        account = _suspended_family(conn, case)

        view = show_account(uow, AccountKey(va=VA), case.as_of)
        q = view.quote
        assert (view.account.id, view.segment, view.kelas, len(view.members)) == (
            account,
            "pbpu",
            case.kelas,
            case.members,
        )
        assert [(m.month, m.amount) for m in (*q.months, q.current_month)] == billed
        assert [(m.month, m.amount) for m in q.written_off] == written_off
        assert [(m.month, m.amount) for m in q.deferred] == deferred
        assert q.total == total
        assert q.unpaid_since == (case.unpaid_since if expected.months_in_arrears else None)
        # Suspended when more months are unpaid than the rule of the day tolerates (docs/rules.md §4).
        assert q.active == (expected.months_in_arrears <= months_tolerated("family", case.as_of, RB))

        attempt = conn.begin_nested()
        try:
            with pytest.raises(PaymentRejected) as refused:
                _pay(conn, case, total - 1)
        finally:
            attempt.rollback()  # what the unit of work does with a refused payment
        assert (refused.value.reason, refused.value.field) == ("amount_mismatch", "amount")
        assert refused.value.detail.startswith(f"the bill is {total}: {len(billed)} month(s), ")
        attempt = conn.begin_nested()
        try:  # one Rupiah more settles the same bill and is held as credit
            more = _pay(conn, case, total + 1)
            assert ([(m.month, m.amount) for m in more.settled], more.credit) == (billed, 1)
        finally:
            attempt.rollback()

        posted = _pay(conn, case, total)
        assert posted.account_id == account and not posted.duplicate
        assert [(m.month, m.amount) for m in posted.settled] == billed
        assert [(m.month, m.amount) for m in posted.written_off] == written_off
        assert posted.active
        # What stays open is what the rules defer (Perpres 64/2020 Pasal 42(3a)): owed, not due to be active.
        left = conn.execute(text("SELECT count(*) FROM open_item WHERE account_id = :a"), {"a": account}).scalar()
        assert left == len(expected.deferred_months)
        after = show_account(uow, AccountKey(va=VA), case.as_of).quote
        assert (after.total, after.months, after.written_off, after.active) == (0, (), (), True)
        assert [(m.month, m.amount) for m in after.deferred] == deferred
    # Leaving the unit of work without committing rolls everything back: the database is empty again.


@pytest.mark.parametrize(
    ("unpaid_since", "as_of", "fee"),
    [
        (Month(2015, 11), dt.date(2016, 3, 31), 38_080),  # 4 months of 2 × Rp59,500: 2% × 4 of Rp476,000
        (Month(2014, 1), dt.date(2016, 6, 30), None),  # 29 months: 2% × 6 at most
        (Month(2016, 4), dt.date(2016, 7, 1), 0),  # none from 1 July 2016
    ],
)
def test_the_late_fee_before_july_2016_is_2_percent_a_month_for_at_most_6_months(
    unpaid_since: Month, as_of: dt.date, fee: int | None
) -> None:
    q = reactivation_quote(Segment.PBPU, 1, 2, unpaid_since, as_of, RB)
    assert q.total - q.late_fee == q.arrears_amount + q.current_month_amount
    assert q.late_fee == (fee if fee is not None else (q.arrears_amount * 12 + 50) // 100)
    assert (q.late_fee > 0) == (as_of < dt.date(2016, 7, 1))
