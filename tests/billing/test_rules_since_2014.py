"""Seven years of a small branch under the rules as they changed, month by month: the cycle and the rules engine agree.

From January 2015 to January 2022 the monthly cycle runs on the 1st and the month's payments are imported, and after
each the statuses and balances in the database are held against what `iuran.rules` says of the same history
(`is_active`, `reactivation_quote`, `iuran simulate reactivation`): the rule of each month, by payer kind
(docs/rules.md §4):
- 2015: a family is suspended more than 6 months late, an employer more than 3 (Perpres 111/2013 Pasal 17), and a
  family paying months in arrears pays the late fee (2% a month of them, at most 6);
- 1 July 2016: suspended more than a month after the 10th (Perpres 19/2016 Pasal 17A.1), at most 12 months of
  arrears billed at reactivation, no late fee;
- 18 September 2018 / October 2018: at most 24 months billed; suspended from the 1st after an unpaid month
  (Perpres 82/2018 Pasal 42);
- 2020 (from 6 May): the latest 6 months of arrears reactivate, the rest stays owed to the end of 2021 (Perpres
  64/2020 Pasal 42(3a), (3b)): a family that pays it keeps its status, one that does not is suspended on 1 January
  2022.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from cycle_fixtures import employer_with_workers, family
from iuran.billing.ledger import verify
from iuran.db.months import to_db
from iuran.rules.contribution import contribution, family_due
from iuran.rules.month import Month, month_range
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.segments import Segment
from iuran.rules.status import BilledMonth, is_active
from payment_files import PaymentRow, write_csv
from usecases import import_payments, run_cycle

START, END = Month(2015, 1), Month(2022, 1)
WAGE, UMK = 4_000_000, 2_500_000
PAY_DAY = 5


@dataclass
class Payer:
    """What the rules engine needs to know of an account's history: what was billed, and when it was settled or
    deferred."""

    account: int
    kind: str = "family"
    kelas: int = 3
    va: str = ""
    settled: dict[Month, dt.date | None] = field(default_factory=dict)
    deferred: dict[Month, tuple[dt.date, dt.date]] = field(default_factory=dict)
    stops: Month | None = None  # the first month it does not pay
    returns: dt.date | None = None  # the day it pays its arrears

    def billed(self) -> list[BilledMonth]:
        return [BilledMonth(m, d, *self.deferred.get(m, (None, None))) for m, d in self.settled.items()]

    def open_months(self, before: Month) -> list[Month]:
        return [m for m, d in self.settled.items() if d is None and m < before]

    def pays_in(self, m: Month) -> bool:
        if self.stops is None or m < self.stops:
            return True
        return self.returns is not None and m >= Month.of(self.returns)


def db_status(conn: Connection, account: int) -> tuple[bool, int]:
    row = conn.execute(
        text("SELECT active, months_in_arrears FROM account_status WHERE account_id = :a"), {"a": account}
    ).one()
    return bool(row[0]), int(row[1])


def test_seven_years_of_rules_month_by_month(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        families = {
            # 2015: more than 6 months late from the 10th: covered on 1 August, suspended on 1 September; back on
            # 5 October 2015 with all 8 months, the late fee and October.
            "pre2016": Payer(
                family(c, 1, 1, billing_from=START), kelas=1, stops=Month(2015, 2), returns=dt.date(2015, 10, 5)
            ),
            # 16 months unpaid, back on 5 September 2017: 12 billed, 4 written off (Perpres 19/2016 Pasal 17A.1).
            "cap12": Payer(
                family(c, 1, 2, billing_from=START), kelas=2, stops=Month(2016, 5), returns=dt.date(2017, 9, 5)
            ),
            # 28 months unpaid, back on 7 October 2019: 24 billed, 4 written off.
            "cap24": Payer(family(c, 1, 3, billing_from=START), stops=Month(2017, 6), returns=dt.date(2019, 10, 7)),
            # 15 months unpaid, back on 5 August 2020: 6 billed, 9 deferred, paid in June 2021.
            "relaxed": Payer(
                family(c, 1, 2, billing_from=START), kelas=2, stops=Month(2019, 5), returns=dt.date(2020, 8, 5)
            ),
            # 10 months unpaid, back on 10 September 2020: 6 billed, 4 deferred, never paid: suspended in 2022.
            "relaxed_unpaid": Payer(
                family(c, 1, 3, billing_from=START), stops=Month(2019, 11), returns=dt.date(2020, 9, 10)
            ),
            # February 2017 unpaid; both pay February and March in March, one on the 8th (still covered), one on
            # the 15th (suspended from the 11th, reactivated by the payment).
            "grace_in": Payer(family(c, 1, 3, billing_from=START), stops=Month(2017, 2), returns=dt.date(2017, 3, 8)),
            "grace_out": Payer(family(c, 1, 3, billing_from=START), stops=Month(2017, 2), returns=dt.date(2017, 3, 15)),
        }
        for f in families.values():
            f.va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": f.account}).scalar_one()
        # An employer more than 3 months late in 2015: covered on 1 June (3 months open), suspended from 11 June.
        employer = Payer(
            employer_with_workers(c, [WAGE], START, umk=UMK),
            kind="employer",
            stops=Month(2015, 3),
            returns=dt.date(2015, 9, 9),
        )
    payers = [*families.values(), employer]
    relaxed, unpaid = families["relaxed"], families["relaxed_unpaid"]

    def due(p: Payer, m: Month) -> int:
        if p.kind == "employer":
            return contribution(Segment.PPU_BU, m, wage=WAGE, umk=UMK).total
        return family_due(m, p.kelas, 1)

    late_fees: dict[int, int] = {}
    for m in month_range(START, END):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 1))
        for p in payers:
            p.settled[m] = None
        with engine.connect() as conn:
            for name, p in {**families, "employer": employer}.items():
                active, months = db_status(conn, p.account)
                expected = is_active(m.first_day(), p.billed(), payer=p.kind)
                assert active == expected, (m, name)
                assert months == len(p.open_months(m)), (m, name)
                billed = conn.execute(
                    text("SELECT amount FROM charge WHERE account_id = :a AND month = :m AND kind = 'contribution'"),
                    {"a": p.account, "m": to_db(m)},
                ).scalar()
                assert billed == due(p, m), (m, name)  # the rate of every month, 2015 to 2022

        payments: list[PaymentRow] = []
        paid_days: dict[str, dt.date] = {}
        for name, p in families.items():
            if not p.pays_in(m) or (p is unpaid and m == END):  # January 2022's bill holds the 4 months again
                continue
            day = p.returns if p.returns is not None and m == Month.of(p.returns) else m.day(PAY_DAY)
            if p.returns is not None and day == p.returns:
                quote = reactivation_quote(Segment.PBPU, p.kelas, 1, p.stops or m, day)
                amount = quote.total
                for x in quote.billed_months + quote.written_off_months + (m,):
                    p.settled[x] = day
                for x in quote.deferred_months:
                    p.deferred[x] = (day, quote.remainder_due or day)
                if quote.late_fee:
                    late_fees[p.account] = quote.late_fee
            else:
                amount = due(p, m)
                p.settled[m] = day
                if p is relaxed and m == Month(2021, 6):  # the remainder, before the end of 2021
                    amount += sum(due(p, x) for x in p.deferred)
                    for x in p.deferred:
                        p.settled[x] = day
            payments.append((f"{name}-{m}", p.va, "", amount, dt.datetime.combine(day, dt.time(10)), "teller"))
            paid_days[name] = day
        if employer.pays_in(m):
            day = employer.returns if m == Month.of(dt.date(2015, 9, 9)) else m.day(8)
            open_ = [x for x, d in employer.settled.items() if d is None]
            payments.append(
                (
                    f"emp-{m}",
                    "",
                    str(employer.account),
                    sum(due(employer, x) for x in open_),
                    dt.datetime.combine(day, dt.time(11)),
                    "bank",
                )
            )
            for x in open_:
                employer.settled[x] = day

        if payments:
            result = import_payments(
                engine, write_csv(tmp_path / f"pay-{m}.csv", payments), now=dt.datetime(m.year, m.month, 28)
            )
            assert (result.accepted, result.rejected) == (len(payments), 0), (m, result)
        with engine.connect() as conn:
            for name, day in paid_days.items():
                p = families[name]
                # The status a payment leaves is the rules' status on its day.
                assert db_status(conn, p.account)[0] == is_active(day, p.billed()), (m, name)
            check = verify(conn)
            assert check.ok, (m, check.problems)

    with engine.connect() as conn:
        # Suspended on 1 January 2022 for the 4 months deferred in 2020 and never paid (Pasal 42(3b)).
        assert db_status(conn, unpaid.account) == (False, 4)
        assert db_status(conn, relaxed.account) == (True, 0)
        # The months written off are the rules' (12 and 24 month caps), the late fee the rules' fee.
        written = dict(conn.execute(text("SELECT account_id, count(*) FROM writeoff GROUP BY account_id")).all())
        assert written == {families["cap12"].account: 4, families["cap24"].account: 4}
        fees = dict(conn.execute(text("SELECT account_id, amount FROM charge WHERE kind = 'late_fee'")).all())
        assert fees == late_fees and list(fees) == [families["pre2016"].account]
        deferred = dict(
            conn.execute(text("SELECT account_id, count(*) FROM arrears_deferral GROUP BY account_id")).all()
        )
        assert deferred == {relaxed.account: 9, unpaid.account: 4}
        assert verify(conn).totals["credit"] == 0  # every payment was exactly what the rules billed
