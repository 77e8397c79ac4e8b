"""The service penalty (denda pelayanan) billed for an inpatient admission soon after reactivation (docs/rules.md §5).

A hospital's claim (`claim_event`, one per claim reference, nomor SEP) names the participant, the admission day and
the INA-CBG amount. What the penalty uses comes from the books, not from the claim:
- the payer account: the one that paid for the participant in the month of admission (the family's for PBPU/BP,
  the employer's for PPU; PBI participants bear none: `iuran.rules.penalty.bears_service_penalty`);
- the reactivation: the latest payment to that account on or before the day of admission that made it active
  again. Whether the account was active just before the payment and just after it is `iuran.rules.status.is_active`
  over the account's billed months and the days they were settled, as the quote judges it; a family's first
  payment (its activation) is no reactivation. The payment must have settled months in arrears (contribution
  months before the month it was paid in, paid or written off): a payment that only settled a penalty is none;
- the months in arrears: the distinct contribution months before their payment's month that payment ended (paid,
  written off, or in 2020 left deferred: `iuran.billing.deferral`), with those the payments before it ended while
  they left the account still not active (an employer paying its arrears in pieces). Deferred months do not count
  toward suspension until due, as in the status SQL and the quote.
`iuran.rules.penalty.service_penalty` then does the arithmetic under the rule in force on the day of admission
(window, rate, months capped, penalty capped). A penalty above 0 is a charge of kind `service_penalty` on the
payer account for the month of admission, with its open item: the account's next bill (the quote, the virtual
account) includes it, and, unpaid at the end of that month, it is arrears like any open charge (the status counts
every open item: the account is suspended from the next 1st). A penalty for a month before the account's status
month is counted in its status at once (`account_status.restate`), and the months whose derived state is written
since are refreshed (`month_state.absorb`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import Connection, text

from iuran.billing import account_status, month_state
from iuran.billing.period import OPEN_PERIOD
from iuran.billing.turns import turn_of_payment
from iuran.db.engine import is_postgres
from iuran.db.months import from_db, to_db
from iuran.db.values import as_date, as_datetime
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.penalty import bears_service_penalty, service_penalty, service_penalty_rule
from iuran.rules.program import check_jkn_date, check_rupiah
from iuran.rules.rulebook import Rulebook
from iuran.rules.segments import Segment
from iuran.rules.status import BilledMonth, is_active

PENALTY_KIND = "service_penalty"  # charge.kind of a service penalty; not a contribution
SEP_MAX = 32  # claim_event.sep: a nomor SEP is 19 letters and digits


class Reason(StrEnum):
    """Why a claim brought the penalty it did."""

    CHARGED = "charged"
    OUTSIDE_WINDOW = "outside_window"  # admitted after the window since the latest reactivation
    NO_REACTIVATION = "no_reactivation"  # the account was never reactivated before the admission
    ROUNDS_TO_ZERO = "rounds_to_zero"  # within the window, but the penalty rounds to Rp0
    NOT_IN_FORCE = "not_in_force"  # admitted before the first service penalty rule (July 2016)
    NOT_LIABLE = "not_liable"  # PBI: no service penalty


class ClaimRejected(RuleInputError):
    """A claim that cannot be recorded as given; nothing is written."""


@dataclass(frozen=True)
class Claim:
    """An inpatient admission as a hospital claims it, with the participant and payer the registry found."""

    sep: str
    person_id: int
    segment: Segment
    account_id: int
    account_kind: str
    admitted: dt.date
    inacbg: int


@dataclass(frozen=True)
class Reactivation:
    """The payment that made an account active again, on its day, and the months in arrears it ended."""

    payment_id: int
    on: dt.date
    months_in_arrears: int


@dataclass(frozen=True)
class RecordedClaim:
    """A claim in the books and the penalty it brought. `duplicate`: recorded before under the same SEP with the
    same content; this is that first result."""

    claim_id: int
    sep: str
    account_id: int
    segment: str
    admitted: dt.date
    inacbg: int
    reactivated: dt.date | None
    reactivation_payment_id: int | None
    months_in_arrears: int
    months_counted: int
    rate_bp: int | None
    penalty: int
    reason: str
    basis: str | None
    charge_id: int | None
    recorded_at: dt.datetime
    duplicate: bool = False


def check_sep(sep: str) -> str:
    """A claim reference (nomor SEP) as it is recorded: 1 to `SEP_MAX` ASCII letters and digits, upper case.

    Example:
        >>> check_sep(" 0301r0011121v000123 ")
        '0301R0011121V000123'
    """
    value = sep.strip().upper()
    if not value:
        problem = "empty"
    elif len(value) > SEP_MAX:
        problem = f"got {len(value)} characters"
    elif not (value.isascii() and value.isalnum()):
        problem = "got other characters than letters and digits"
    else:
        return value
    raise ClaimRejected("sep", f"a claim reference (nomor SEP) is 1 to {SEP_MAX} letters and digits", problem)


def check_claim(inacbg: int, admitted: dt.date, today: dt.date) -> tuple[int, dt.date]:
    """The INA-CBG amount (whole Rupiah above 0) and the admission day (in the JKN era, not after `today`)."""
    return check_rupiah("inacbg", inacbg), check_jkn_date("admitted", admitted, today=today)


def record_claim(
    conn: Connection, claim: Claim, *, now: dt.datetime, rules: Rulebook, by: str | None = None
) -> RecordedClaim:
    """Record the claim and bill its penalty, in the caller's transaction. The same SEP again returns the first
    result and writes nothing; the same SEP with other content raises `ClaimRejected` naming `sep`."""
    _take_turn(conn, claim)
    first = recorded_claim(conn, claim.sep)
    if first is not None:
        _check_same(conn, first, claim)
        return replace(first, duplicate=True)
    assessed = _assess(conn, claim, rules)
    charge_id = None
    if assessed.penalty > 0:
        charge_id = _charge(conn, claim, assessed.penalty, now, rules)
    conn.execute(
        text(
            "INSERT INTO claim_event (sep, person_id, account_id, segment, admitted_on, month, inacbg, reactivated_on,"
            " reactivation_payment_id, months_in_arrears, months_counted, rate_bp, penalty, reason, basis, charge_id,"
            " recorded_at, recorded_by) VALUES (:sep, :person, :account, :segment, :admitted, :month, :inacbg,"
            " :reactivated, :payment, :months, :counted, :rate, :penalty, :reason, :basis, :charge, :at, :by)"
        ),
        {
            "sep": claim.sep,
            "person": claim.person_id,
            "account": claim.account_id,
            "segment": claim.segment.value,
            "admitted": claim.admitted,
            "month": to_db(Month.of(claim.admitted)),
            "inacbg": claim.inacbg,
            "reactivated": assessed.reactivation.on if assessed.reactivation else None,
            "payment": assessed.reactivation.payment_id if assessed.reactivation else None,
            "months": assessed.reactivation.months_in_arrears if assessed.reactivation else 0,
            "counted": assessed.months_counted,
            "rate": assessed.rate_bp,
            "penalty": assessed.penalty,
            "reason": assessed.reason.value,
            "basis": assessed.basis[:200] if assessed.basis else None,
            "charge": charge_id,
            "at": now,
            "by": by[:64] if by else None,
        },
    )
    recorded = recorded_claim(conn, claim.sep)
    assert recorded is not None
    return recorded


def recorded_claim(conn: Connection, sep: str) -> RecordedClaim | None:
    """The claim recorded under `sep`, as the books hold it, or None."""
    r = conn.execute(
        text(
            "SELECT id, sep, account_id, segment, admitted_on, inacbg, reactivated_on, reactivation_payment_id,"
            " months_in_arrears, months_counted, rate_bp, penalty, reason, basis, charge_id, recorded_at"
            " FROM claim_event WHERE sep = :s"
        ),
        {"s": sep},
    ).first()
    if r is None:
        return None
    return RecordedClaim(
        claim_id=int(r.id),
        sep=str(r.sep),
        account_id=int(r.account_id),
        segment=str(r.segment),
        admitted=as_date(r.admitted_on),
        inacbg=int(r.inacbg),
        reactivated=None if r.reactivated_on is None else as_date(r.reactivated_on),
        reactivation_payment_id=None if r.reactivation_payment_id is None else int(r.reactivation_payment_id),
        months_in_arrears=int(r.months_in_arrears),
        months_counted=int(r.months_counted),
        rate_bp=None if r.rate_bp is None else int(r.rate_bp),
        penalty=int(r.penalty),
        reason=str(r.reason),
        basis=None if r.basis is None else str(r.basis),
        charge_id=None if r.charge_id is None else int(r.charge_id),
        recorded_at=as_datetime(r.recorded_at),
    )


def _take_turn(conn: Connection, claim: Claim) -> None:
    """A claim writes charges, open items and statuses: it takes its turn with the cycle's steps as a payment does,
    then (PostgreSQL) waits for a bank file holding the books, and locks its SEP and its account, in the order the
    payments lock theirs (`iuran.billing.payments_settle.lock_books`)."""
    turn_of_payment(conn)
    if not is_postgres(conn):
        return  # SQLite: the transaction began with BEGIN IMMEDIATE, the only write lock
    conn.execute(text("LOCK TABLE open_item, account_status IN ROW EXCLUSIVE MODE"))
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": "iuran.claim." + claim.sep})
    conn.execute(text("SELECT id FROM account WHERE id = :a FOR UPDATE"), {"a": claim.account_id})


def _check_same(conn: Connection, first: RecordedClaim, claim: Claim) -> None:
    person = conn.execute(text("SELECT person_id FROM claim_event WHERE id = :i"), {"i": first.claim_id}).scalar_one()
    differs = [
        name
        for name, same in (
            ("participant", int(person) == claim.person_id),
            ("admitted", first.admitted == claim.admitted),
            ("inacbg", first.inacbg == claim.inacbg),
        )
        if not same
    ]
    if differs:
        raise ClaimRejected(
            "sep",
            "a claim reference (nomor SEP) is recorded once",
            f"recorded before (claim {first.claim_id}) with another {', '.join(differs)}",
        )


@dataclass(frozen=True)
class _Assessed:
    reactivation: Reactivation | None
    months_counted: int
    rate_bp: int | None
    penalty: int
    reason: Reason
    basis: str | None


def _assess(conn: Connection, claim: Claim, rules: Rulebook) -> _Assessed:
    if not bears_service_penalty(claim.segment):
        return _Assessed(None, 0, None, 0, Reason.NOT_LIABLE, None)
    reactivation = latest_reactivation(conn, claim.account_id, claim.account_kind, claim.admitted, rules)
    rule = service_penalty_rule(claim.admitted, rules)
    if rule is None:
        return _Assessed(reactivation, 0, None, 0, Reason.NOT_IN_FORCE, None)
    if reactivation is None:
        return _Assessed(None, 0, rule.rate_bp, 0, Reason.NO_REACTIVATION, rule.basis)
    p = service_penalty(claim.inacbg, reactivation.months_in_arrears, reactivation.on, claim.admitted, rules)
    reason = Reason.CHARGED if p.penalty > 0 else Reason.ROUNDS_TO_ZERO if p.in_window else Reason.OUTSIDE_WINDOW
    return _Assessed(reactivation, p.months_counted, p.rate_bp, p.penalty, reason, p.basis)


def _charge(conn: Connection, claim: Claim, penalty: int, now: dt.datetime, rules: Rulebook) -> int:
    """The penalty as a charge on the payer account for the month of admission, with its open item; the status
    and the months' derived state that count it brought up to date."""
    month = to_db(Month.of(claim.admitted))
    charge_id = int(
        conn.execute(
            text(
                "INSERT INTO charge (account_id, month, kind, members, amount, created_at, period)"
                f" VALUES (:a, :m, :k, 1, :x, :now, {OPEN_PERIOD}) RETURNING id"
            ),
            {"a": claim.account_id, "m": month, "k": PENALTY_KIND, "x": penalty, "now": now},
        ).scalar_one()
    )
    conn.execute(
        text("INSERT INTO open_item (charge_id, account_id, month, amount_open) VALUES (:c, :a, :m, :x)"),
        {"c": charge_id, "a": claim.account_id, "m": month, "x": penalty},
    )
    # A month before the account's status month is in arrears there at once; the months whose 1st came after the
    # admission count it on their 1st.
    account_status.restate(
        conn, "SELECT id FROM account WHERE id = :penalised", {"penalised": claim.account_id}, now.date(), rules
    )
    month_state.absorb(conn, claim.admitted, now, rules)
    return charge_id


# --- the reactivation, from the account's books ---------------------------------------------------------------


@dataclass(frozen=True)
class _Charge:
    id: int
    month: Month
    kind: str
    amount: int
    created_at: dt.datetime


@dataclass(frozen=True)
class _Settled:
    """A posting that takes from a charge's balance: an allocation (negative: money released), a write-off or a
    reversal; `payment_id` None for a reversal (and a write-off made without a payment)."""

    charge_id: int
    payment_id: int | None
    amount: int
    day: dt.date
    settles: bool  # an allocation above 0 or a write-off: the payment settled the charge with it


@dataclass(frozen=True)
class _Payment:
    id: int
    paid_at: dt.datetime

    @property
    def day(self) -> dt.date:
        return self.paid_at.date()


@dataclass(frozen=True)
class _Deferred:
    """A month a reactivating payment of 2020 left owed but not due until `due_by` (`arrears_deferral`,
    `iuran.billing.deferral`): it does not count toward suspension from `deferred_on` to `due_by`."""

    charge_id: int
    payment_id: int
    deferred_on: dt.date
    due_by: dt.date


class _AccountBooks:
    """One account's charges, payments and what settled each charge, to replay the account's status around each
    of its payments. One account's books are small (a charge or two a month since it opened)."""

    def __init__(
        self,
        charges: Sequence[_Charge],
        payments: Sequence[_Payment],
        settled: Iterable[_Settled],
        deferred: Iterable[_Deferred] = (),
    ) -> None:
        self.charges = tuple(charges)
        self.payments = tuple(payments)  # in the order they were taken: (paid_at, id)
        self.order = {p.id: i for i, p in enumerate(self.payments)}
        self.settled: dict[int, list[_Settled]] = {c.id: [] for c in self.charges}
        for s in settled:
            self.settled.setdefault(s.charge_id, []).append(s)
        self.deferred = {d.charge_id: d for d in deferred}

    @classmethod
    def load(cls, conn: Connection, account_id: int, until: dt.date) -> _AccountBooks:
        """The account's books as they stand, with its payments dated up to `until`."""
        a = {"a": account_id, "after": dt.datetime.combine(until + dt.timedelta(days=1), dt.time())}
        charges = [
            _Charge(int(r.id), from_db(int(r.month)), str(r.kind), int(r.amount), as_datetime(r.created_at))
            for r in conn.execute(
                text("SELECT id, month, kind, amount, created_at FROM charge WHERE account_id = :a ORDER BY id"), a
            )
        ]
        payments = [
            _Payment(int(r.id), as_datetime(r.paid_at))
            for r in conn.execute(
                text("SELECT id, paid_at FROM payment WHERE account_id = :a AND paid_at < :after ORDER BY paid_at, id"),
                a,
            )
        ]
        settled = [
            _Settled(
                int(r.charge_id),
                None if r.payment_id is None else int(r.payment_id),
                int(r.amount),
                as_date(r.day),
                bool(r.settles),
            )
            for r in conn.execute(
                text(
                    "SELECT charge_id, payment_id, amount, allocated_on AS day,"
                    " CASE WHEN amount > 0 THEN 1 ELSE 0 END AS settles FROM allocation WHERE account_id = :a"
                    " UNION ALL SELECT charge_id, payment_id, amount, written_off_on, 1 FROM writeoff"
                    " WHERE account_id = :a"
                    " UNION ALL SELECT charge_id, NULL, amount, reversed_on, 0 FROM reversal WHERE account_id = :a"
                ),
                a,
            )
        ]
        deferred = [
            _Deferred(int(r.charge_id), int(r.payment_id), as_date(r.deferred_on), from_db(int(r.due_month)).last_day())
            for r in conn.execute(
                text(
                    "SELECT charge_id, payment_id, deferred_on, due_month FROM arrears_deferral WHERE account_id = :a"
                ),
                a,
            )
        ]
        return cls(charges, payments, settled, deferred)

    def _counts(self, payment_id: int | None, upto: int) -> bool:
        """Whether a posting of `payment_id` (None: of no payment) is in the books once the payment at position
        `upto` is taken (and none later)."""
        return payment_id is None or self.order.get(payment_id, len(self.payments)) <= upto

    def billed(self, at: int, *, after: bool) -> list[BilledMonth]:
        """The account's billed months when the payment at position `at` is taken, just before it or just after
        it: the charges made by then (or settled by then), each month with the day its last charge was settled
        and, if a payment by then deferred it, when; the postings of that payment (after) and of those taken
        before it count."""
        payment = self.payments[at]
        upto = at if after else at - 1
        settled: dict[Month, list[dt.date | None]] = {}
        deferrals: dict[Month, list[_Deferred | None]] = {}
        for c in self.charges:
            postings = [s for s in self.settled[c.id] if self._counts(s.payment_id, upto)]
            if c.created_at > payment.paid_at and not any(s.payment_id is not None for s in postings):
                continue  # not in the books yet when the payment was taken
            day = _settled_on(c.amount, postings)
            d = self.deferred.get(c.id)
            settled.setdefault(c.month, []).append(day)
            if day is None or d is not None:
                deferrals.setdefault(c.month, []).append(
                    d if d is not None and self._counts(d.payment_id, upto) else None
                )
        months = []
        for month, days in settled.items():
            last = None if any(d is None for d in days) else max(d for d in days if d is not None)
            # A month is deferred while each of its open charges is (a reactivation defers whole months).
            found = deferrals.get(month, [])
            if found and all(f is not None for f in found):
                on = max(f.deferred_on for f in found if f is not None)
                due = min(f.due_by for f in found if f is not None)
                months.append(BilledMonth(month, last, on, due))
            else:
                months.append(BilledMonth(month, last))
        return months

    def arrears_ended(self, at: int) -> set[Month]:
        """The contribution months before its month that the payment at position `at` settled, paid or written off,
        or left deferred (2020): its months in arrears (a penalty is no month in arrears)."""
        payment = self.payments[at]
        current = Month.of(payment.day)
        return {
            c.month
            for c in self.charges
            if c.kind != PENALTY_KIND
            and c.month < current
            and (
                any(s.payment_id == payment.id and s.settles and s.day == payment.day for s in self.settled[c.id])
                or (c.id in self.deferred and self.deferred[c.id].payment_id == payment.id)
            )
        }


def _settled_on(amount: int, postings: Sequence[_Settled]) -> dt.date | None:
    """The day the charge's balance came to 0 for good, or None while it is open (a charge of Rp0 never was)."""
    if amount <= 0:
        return dt.date.min
    balance, day = amount, None
    by_day: dict[dt.date, int] = {}
    for s in postings:
        by_day[s.day] = by_day.get(s.day, 0) + s.amount
    for d in sorted(by_day):
        balance -= by_day[d]
        if balance <= 0 and day is None:
            day = d
        elif balance > 0:
            day = None
    return day if balance <= 0 else None


def latest_reactivation(
    conn: Connection, account_id: int, kind: str, admitted: dt.date, rules: Rulebook
) -> Reactivation | None:
    """The latest payment to the account on or before `admitted` that made it active again after months in
    arrears, with those months; None if there is none."""
    activated_on = conn.execute(text("SELECT activated_on FROM account WHERE id = :a"), {"a": account_id}).scalar()
    first_day = None if activated_on is None else as_date(activated_on)
    books = _AccountBooks.load(conn, account_id, admitted)

    def active(at: int, *, after: bool) -> bool:
        day = books.payments[at].day
        return is_active(day, books.billed(at, after=after), first_day, rules, payer=kind)

    for at in reversed(range(len(books.payments))):
        day = books.payments[at].day
        if kind == "family" and (first_day is None or day <= first_day):
            break  # the family's first payment activated it: no reactivation before it
        if active(at, after=False) or not active(at, after=True):
            continue
        months = books.arrears_ended(at)
        # An account paying its arrears in pieces: the payments before this one that left it not active.
        for earlier in reversed(range(at)):
            if active(earlier, after=True):
                break
            months |= books.arrears_ended(earlier)
        if months:
            return Reactivation(books.payments[at].id, day, len(months))
    return None
