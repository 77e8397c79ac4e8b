"""Four simulated years of a small branch, month by month, against the rules engine.

The clock is injected: each month the cycle runs on the 1st and the month's payments are imported, and after each
step the statuses and balances in the database are held against what `iuran.rules` says for the same history:
rate-change months (2020-01, 2020-04, 2020-07, 2021-01), a family that comes back after 27 months (24 billed,
3 written off), a death reported late, and a worker who moves from an employer to PBPU.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from cycle_fixtures import employer_with_workers, family, pbi
from iuran.billing.ledger import verify
from iuran.db.months import to_db
from iuran.registry.enrolment import add_memberships
from iuran.rules.contribution import contribution, family_due
from iuran.rules.month import Month, month_range
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.segments import Segment
from iuran.rules.status import BilledMonth, is_active
from payment_files import PaymentRow, write_csv
from usecases import import_payments, report_death, run_cycle

START, END = Month(2019, 1), Month(2022, 12)
B_STOPS, B_RETURNS = Month(2019, 3), dt.date(2021, 6, 15)  # 27 months unpaid: 2019-03 .. 2021-05
C_DEATH, C_REPORTED = dt.date(2020, 2, 10), dt.date(2020, 6, 1)
D_MOVES = Month(2020, 9)  # alih jenis PPU → PBPU
WAGE, UMK = 6_000_000, 3_000_000


@dataclass
class Family:
    """What the rules engine needs to know of a family's history: what was billed and when it was settled."""

    account: int
    kelas: int
    va: str = ""
    members: dict[Month, int] = field(default_factory=dict)
    settled: dict[Month, dt.date | None] = field(default_factory=dict)

    def billed_months(self) -> list[BilledMonth]:
        return [BilledMonth(m, d) for m, d in self.settled.items()]

    def open_months(self, before: Month) -> list[Month]:
        return [m for m, d in self.settled.items() if d is None and m < before]


def db_status(conn: Connection, account: int) -> tuple[bool, int, int]:
    row = conn.execute(
        text("SELECT active, months_in_arrears, arrears_amount FROM account_status WHERE account_id = :a"),
        {"a": account},
    ).one()
    return bool(row[0]), row[1], row[2]


def oldest_open_month_bill(conn: Connection, account: int) -> int:
    """What a bank inquiry quotes an employer or government for its oldest open month."""
    return int(
        conn.execute(
            text(
                "SELECT sum(amount_open) FROM open_item WHERE account_id = :a AND month = "
                "(SELECT min(month) FROM open_item WHERE account_id = :a)"
            ),
            {"a": account},
        ).scalar_one()
    )


def test_four_years_of_a_branch_month_by_month(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        a = Family(family(c, 3, 3, billing_from=START), 3)
        b = Family(family(c, 2, 2, billing_from=START), 2)
        cf = Family(family(c, 4, 1, billing_from=START), 1)
        employer = employer_with_workers(c, [WAGE], START, umk=UMK)
        worker = c.execute(text("SELECT person_id FROM membership WHERE wage IS NOT NULL")).scalar_one()
        d = Family(family(c, 1, 3, billing_from=Month(2030, 1)), 3)  # the worker's own family account
        add_memberships(c, [worker], Segment.PBPU, 3, d.account, D_MOVES, reason="alih jenis")
        government = pbi(c, 4, START)
        c_nik = c.execute(
            text("SELECT nik FROM person p JOIN account a ON a.family_id = p.family_id WHERE a.id = :a ORDER BY p.id"),
            {"a": cf.account},
        ).first()[0]
        for fam in (a, b, cf, d):
            fam.va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": fam.account}).scalar_one()

    sizes = {a.account: 3, b.account: 2, cf.account: 4, d.account: 1}
    for m in month_range(START, END):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 1))
        for fam in (a, b, cf, d):
            if fam is d and m < D_MOVES:
                continue
            members = sizes[fam.account] - (1 if fam is cf and m > Month.of(C_DEATH) and m >= Month(2020, 6) else 0)
            fam.members[m] = members
            fam.settled[m] = None

        with engine.connect() as conn:
            # The state on the 1st, as the rules engine sees the same history.
            for fam in (a, b, cf, d):
                if fam is d and m < D_MOVES:
                    continue
                active, months, amount = db_status(conn, fam.account)
                assert active == is_active(m.first_day(), fam.billed_months()), (m, fam.account)
                open_ = fam.open_months(m)
                assert months == len(open_), (m, fam.account)
                if fam is not cf:
                    assert amount == sum(family_due(x, fam.kelas, fam.members[x]) for x in open_), m
            billed = conn.execute(
                text("SELECT amount FROM charge WHERE account_id = :a AND month = :m"),
                {"a": a.account, "m": to_db(m)},
            ).scalar()
            assert billed == family_due(m, 3, 3), m  # every rate change, 2019 to 2022
            gov_bill = oldest_open_month_bill(conn, government)

        # The death is reported on the 1st, after the cycle and before the month's payments.
        if m == Month.of(C_REPORTED):
            reversed_ = report_death(engine, c_nik, C_DEATH, C_REPORTED)
            # March to June 2020 were billed for the person who died in February; all four are reversed.
            assert reversed_ == sum(family_due(x, 1, 1) for x in month_range(Month(2020, 3), Month(2020, 6)))

        payments: list[PaymentRow] = []
        pay_day = dt.datetime(m.year, m.month, 5, 9)
        payments.append((f"A{m}", a.va, "", family_due(m, 3, 3), pay_day, "autodebit"))
        a.settled[m] = pay_day.date()
        payments.append((f"C{m}", cf.va, "", family_due(m, 1, cf.members[m]), pay_day, "teller"))
        cf.settled[m] = pay_day.date()
        if m >= D_MOVES:
            payments.append((f"D{m}", d.va, "", family_due(m, 3, 1), pay_day, "mobile_jkn"))
            d.settled[m] = pay_day.date()
        if m < D_MOVES:
            ppu = contribution(Segment.PPU_BU, m, wage=WAGE, umk=UMK).total
            payments.append((f"E{m}", "", str(employer), ppu, dt.datetime(m.year, m.month, 8), "bank"))
        payments.append((f"G{m}", "", str(government), gov_bill, dt.datetime(m.year, m.month, 9), "bank"))
        if m < B_STOPS:
            payments.append((f"B{m}", b.va, "", family_due(m, 2, 2), pay_day, "teller"))
            b.settled[m] = pay_day.date()
        if m == Month.of(B_RETURNS):
            # Perpres 64/2020 Pasal 42(3): the latest 24 months of arrears plus the current month.
            quote = reactivation_quote(Segment.PBPU, 2, 2, B_STOPS, B_RETURNS)
            assert quote.months_in_arrears == 27 and len(quote.written_off_months) == 3
            paid_at = dt.datetime.combine(B_RETURNS, dt.time(14))
            payments.append(("B-return", b.va, "", quote.total, paid_at, "teller"))
            for x in b.settled:
                b.settled[x] = B_RETURNS
        if m > Month.of(B_RETURNS):
            payments.append((f"B{m}", b.va, "", family_due(m, 2, 2), pay_day, "teller"))
            b.settled[m] = pay_day.date()

        result = import_payments(
            engine, write_csv(tmp_path / f"pay-{m}.csv", payments), now=dt.datetime(m.year, m.month, 28)
        )
        assert (result.accepted, result.rejected) == (len(payments), 0), (m, result)

        if m == Month.of(B_RETURNS):
            with engine.connect() as conn:
                assert db_status(conn, b.account)[0] is True  # active again on the day of payment
                written_off = conn.execute(
                    text("SELECT month FROM writeoff WHERE account_id = :a ORDER BY month"), {"a": b.account}
                ).scalars()
                assert [Month(x // 100, x % 100) for x in written_off] == list(quote.written_off_months)

        with engine.connect() as conn:
            check = verify(conn)
            assert check.ok, (m, check.problems)

    with engine.connect() as conn:
        totals = verify(conn).totals
        # March to May had been paid: the money released by the late death report stays with the family as credit.
        assert totals["credit"] == sum(family_due(x, 1, 1) for x in month_range(Month(2020, 3), Month(2020, 5)))
        assert db_status(conn, b.account) == (True, 0, 0)
