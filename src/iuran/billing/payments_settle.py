"""Settling staged payments against the open items, set-based (docs/ledger.md, "Payments").

A payment is accepted only when its amount settles what the account's payment policy allows (the rule data's
`[[payment_policy]]`, `iuran.rules.payment_policy`; what each payment meets is `iuran.billing.payable`):
- `whole_bill` (families, PBPU/BP, by virtual account): the whole bill on the payment day: the open months up to
  the month of payment, of the months in arrears only the latest N (the reactivation rule in force that day); the
  older open months are written off with the payment (Perpres 64/2020 Pasal 42(3)). One member cannot be paid for
  alone: the bill is the family's. A payment may bring more (months ahead, or a second payment once settled): the
  rest is held as credit (`payment_credit`), which the coming cycles apply (`iuran.billing.credit`).
- `oldest_months` (employers, governments): the oldest k open months, k ≥ 1, exactly.

Several payments of one account in one file are taken in rounds, by (paid_at, line): round r holds the r-th
payment of every account, and each round is a few statements over all of its payments. One payment (a bank's
call, the counter) is a file of one line: the same statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.billing import deferral, late_fee
from iuran.billing.payable import DEFERS, DUE_COLUMNS, SETTLES, WRITES_OFF, due_items, sql_among
from iuran.billing.payments_file import DETAIL_MAX, Rejection
from iuran.billing.payments_staging import Dialect
from iuran.billing.period import OPEN_PERIOD
from iuran.billing.suspension import months_tolerated_sql
from iuran.db.values import as_date
from iuran.rules.rulebook import Rulebook

DUPLICATE = "duplicate"
REJECTED = "rejected"
PENDING = "pending"
WRITEOFF_REASON = "reactivation_cap"

# First payment day of a new family registered on a day (iuran.rules.membership.first_payment_window).
FirstPaymentDay = Callable[[dt.date], dt.date | None]


def _month_text(col: str) -> str:
    """yyyymm as 'yyyy-mm' in SQL."""
    return f"(substr(CAST({col} AS TEXT), 1, 4) || '-' || substr(CAST({col} AS TEXT), 5, 2))"


def _num(col: str) -> str:
    return f"CAST({col} AS TEXT)"


# Up to this many payments lock only their references and accounts; more lock the books' tables (a bank file).
ROW_LOCKS_UP_TO = 100


def lock_books(conn: Connection, d: Dialect, staged: int) -> None:
    """Keep other writers of the same open items and statuses (the cycle, an import, another payment) out until
    commit, so that the result is that of some serial order.

    A bank file locks the open items and statuses whole. A few payments wait for such a holder, then lock only
    their references (two requests with one reference: the second sees the first's payment) and their accounts,
    each in one order, so that payments to other accounts go on beside them.
    SQLite: the transaction began with BEGIN IMMEDIATE, which already holds the only write lock.
    """
    if not d.postgres:
        return
    if staged > ROW_LOCKS_UP_TO:
        conn.execute(text("LOCK TABLE open_item, account_status IN EXCLUSIVE MODE"))
        return
    conn.execute(text("LOCK TABLE open_item, account_status IN ROW EXCLUSIVE MODE"))
    conn.execute(
        text(
            "SELECT pg_advisory_xact_lock(hashtextextended(r.reference, 0)) FROM"
            " (SELECT DISTINCT reference FROM payimp_line WHERE reference IS NOT NULL ORDER BY reference) r"
        )
    )
    conn.execute(
        text(
            "SELECT a.id FROM account a WHERE a.id IN (SELECT f.id FROM payimp_line l JOIN account f ON f.va = l.va"
            " UNION SELECT account_ref FROM payimp_line WHERE account_ref IS NOT NULL) ORDER BY a.id FOR UPDATE"
        )
    )


def lock_one(conn: Connection, account_id: int, reference: str) -> None:
    """The locks `lock_books` takes for one payment, in its order, taken ahead by a caller that must read the
    account's bill before it posts (a bank's notification: the bill it reads is the bill it pays). PostgreSQL only,
    after the payment's turn (`iuran.billing.turns`)."""
    conn.execute(text("LOCK TABLE open_item, account_status IN ROW EXCLUSIVE MODE"))
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:r, 0))"), {"r": reference})
    conn.execute(text("SELECT id FROM account WHERE id = :a FOR UPDATE"), {"a": account_id})


def classify(conn: Connection, d: Dialect, whole_bill_payers: Sequence[str]) -> int:
    """Duplicates, reused references and unknown accounts; the rest is pending, ranked per account.

    `whole_bill_payers`: the account kinds whose payment policy is the whole bill (the rest pay whole months).
    Returns the number of rounds needed.
    """
    same_content = (
        "COALESCE(fa.id, oa.id) = p.account_id AND p.amount = s.amount"
        f" AND {d.same_time('p.paid_at', 's.paid_at')} AND p.channel = s.channel"
    )
    differences = (
        "substr("
        "CASE WHEN COALESCE(fa.id, oa.id, -1) <> p.account_id THEN ', account' ELSE '' END"
        " || CASE WHEN COALESCE(s.amount, -1) <> p.amount THEN ', amount' ELSE '' END"
        f" || CASE WHEN NOT ({d.same_time('p.paid_at', 's.paid_at')}) THEN ', paid_at' ELSE '' END"
        " || CASE WHEN s.channel <> p.channel THEN ', channel' ELSE '' END, 3)"
    )
    conn.execute(
        text(
            f"""
            INSERT INTO payimp_checked (line_no, reference, account_id, kind, whole_bill, amount, paid_at, paid_on,
                                        paid_month, arrears_cap, channel, outcome, reason, detail, round,
                                        new_family_since)
            SELECT c.line_no, c.reference, c.account_id, c.kind,
                   CASE WHEN {sql_among("c.kind", whole_bill_payers)} THEN 1 ELSE 0 END,
                   c.amount, c.paid_at, c.paid_on, c.paid_month,
                   c.arrears_cap, c.channel, c.outcome, c.reason, c.detail,
                   CASE WHEN c.outcome = '{PENDING}' THEN 1 END,
                   c.new_family_since
            FROM (
              SELECT s.line_no, s.reference, COALESCE(fa.id, oa.id) AS account_id,
                     COALESCE(fa.kind, oa.kind) AS kind, s.amount, s.paid_at, s.paid_on, s.paid_month,
                     CASE WHEN fa.activated_on IS NULL THEN fa.opened_on END AS new_family_since,
                     s.arrears_cap, s.channel,
                     CASE WHEN s.reason IS NOT NULL OR s.first_line IS NOT NULL THEN '{REJECTED}'
                          WHEN p.id IS NOT NULL AND {same_content} THEN '{DUPLICATE}'
                          WHEN p.id IS NOT NULL OR COALESCE(fa.id, oa.id) IS NULL THEN '{REJECTED}'
                          ELSE '{PENDING}' END AS outcome,
                     CASE WHEN s.reason IS NOT NULL THEN s.reason
                          WHEN s.first_line IS NOT NULL THEN '{Rejection.DUPLICATE_REFERENCE}'
                          WHEN p.id IS NOT NULL AND {same_content} THEN NULL
                          WHEN p.id IS NOT NULL THEN '{Rejection.DUPLICATE_REFERENCE}'
                          WHEN COALESCE(fa.id, oa.id) IS NULL THEN '{Rejection.UNKNOWN_ACCOUNT}' END AS reason,
                     CASE WHEN s.reason IS NOT NULL THEN s.detail
                          WHEN s.first_line IS NOT NULL THEN
                            'reference: already on line ' || {_num("s.first_line")} || ' of this file'
                          WHEN p.id IS NOT NULL AND {same_content} THEN NULL
                          WHEN p.id IS NOT NULL THEN
                            'reference: imported before (payment ' || {_num("p.id")} || ') with another '
                            || {differences}
                          WHEN s.va IS NOT NULL AND fa.id IS NULL THEN 'va: no family account has this virtual account'
                          WHEN fa.id IS NULL AND oa.id IS NULL THEN
                            'account: no employer or government account has this id (families pay by va)' END AS detail
              FROM (SELECT l.*, dup.first_line FROM payimp_line l
                    LEFT JOIN (SELECT reference, min(line_no) AS first_line FROM payimp_line
                               GROUP BY reference HAVING count(*) > 1) dup
                      ON dup.reference = l.reference AND dup.first_line < l.line_no) s
              LEFT JOIN account fa ON s.va IS NOT NULL AND fa.va = s.va AND fa.kind = 'family'
              LEFT JOIN account oa ON s.account_ref IS NOT NULL AND oa.id = s.account_ref AND oa.kind <> 'family'
              LEFT JOIN (SELECT id, reference, account_id, amount, paid_at, channel FROM payment
                         WHERE {d.among("reference", "SELECT reference FROM payimp_line")}) p
                ON p.reference = s.reference
            ) c
            """
        )
    )
    # Most accounts pay once in a file; those that pay more often are ranked by (paid_at, line).
    conn.execute(
        text(
            f"""
            UPDATE payimp_checked SET round = r.round
            FROM (SELECT line_no, row_number() OVER (PARTITION BY account_id ORDER BY paid_at, line_no) AS round
                  FROM payimp_checked
                  WHERE outcome = '{PENDING}' AND account_id IN (
                    SELECT account_id FROM payimp_checked WHERE outcome = '{PENDING}'
                    GROUP BY account_id HAVING count(*) > 1)) r
            WHERE payimp_checked.line_no = r.line_no AND r.round > 1
            """
        )
    )
    if d.bulk:
        conn.execute(text("CREATE INDEX payimp_checked_round ON payimp_checked (round)"))
    d.analyze(conn, "payimp_checked")
    return int(conn.execute(text("SELECT COALESCE(max(round), 0) FROM payimp_checked")).scalar_one())


def load_waiting_periods(conn: Connection, first_payment_day: FirstPaymentDay) -> None:
    """The first payment day of every new family paying in this file, from the rules (one row per day opened)."""
    opened = conn.execute(
        text(
            "SELECT DISTINCT new_family_since FROM payimp_checked"
            f" WHERE outcome = '{PENDING}' AND new_family_since IS NOT NULL"
        )
    ).scalars()
    rows = []
    for raw in opened:
        day = as_date(raw)
        first = first_payment_day(day)
        if first is not None:
            rows.append({"opened": raw, "first": first, "text": first.isoformat()})
    if rows:
        conn.execute(
            text("INSERT INTO payimp_window (opened_on, first_day, first_day_text) VALUES (:opened, :first, :text)"),
            rows,
        )


@dataclass(frozen=True)
class Settled:
    """What the accepted payments of a round settled."""

    payments: int = 0
    amount: int = 0
    written_off: int = 0
    earliest: dt.date | None = None  # the day of the earliest payment accepted

    def __add__(self, other: Settled) -> Settled:
        days = [d for d in (self.earliest, other.earliest) if d is not None]
        return Settled(
            self.payments + other.payments,
            self.amount + other.amount,
            self.written_off + other.written_off,
            min(days) if days else None,
        )


def settle_round(conn: Connection, d: Dialect, r: int, batch_id: int | None, rules: Rulebook) -> Settled:
    """Decide the r-th payment of every account, then write what the accepted ones settle."""
    if r > 1:  # the first round finds them as they were made (empty)
        for table in ("payimp_due", "payimp_waiting", "payimp_round", "payimp_settled"):
            d.empty(conn, table)
    gather_due(conn, d, r, rules)
    d.analyze(conn, "payimp_due")
    find_waiting(conn, r)
    decide(conn, d, r, rules)
    d.analyze(conn, "payimp_round")
    explain_rejections(conn)
    write_payments(conn, batch_id)
    allocate(conn)
    late_fee.charge(conn)
    hold_credit(conn)
    write_off(conn)
    deferral.record(conn, rules, d)
    close_open_items(conn, d)
    activate_new_families(conn)
    update_account_status(conn, d, rules)
    conn.execute(
        text(
            "INSERT INTO payimp_refused (line_no, reference, reason, detail)"
            " SELECT line_no, reference, reason, detail FROM payimp_round WHERE payment_id IS NULL"
        )
    )
    payments, amount, written_off, earliest = conn.execute(
        text(
            "SELECT count(payment_id), COALESCE(sum(CASE WHEN payment_id IS NOT NULL THEN amount END), 0),"
            " COALESCE(sum(written_off), 0), min(CASE WHEN payment_id IS NOT NULL THEN paid_on END) FROM payimp_round"
        )
    ).one()
    return Settled(int(payments), int(amount), int(written_off), None if earliest is None else as_date(earliest))


def gather_due(conn: Connection, d: Dialect, r: int, rules: Rulebook) -> None:
    """The open items each payment of round r meets, with what it would settle (`iuran.billing.payable`)."""
    conn.execute(
        text(
            f"INSERT INTO payimp_due ({', '.join(DUE_COLUMNS)}) "
            + due_items(d, "payimp_checked", rules, "t.round = :r")
        ),
        {"r": r},
    )


def find_waiting(conn: Connection, r: int) -> None:
    """New families of round r paying before their first payment day (Peraturan BPJS Kesehatan 1/2015).

    A family activated by its payment in an earlier round of this file is not new any more.
    """
    conn.execute(
        text(
            "INSERT INTO payimp_waiting (line_no, first_day_text)"
            " SELECT t.line_no, w.first_day_text FROM payimp_checked t"
            " JOIN payimp_window w ON w.opened_on = t.new_family_since"
            " JOIN account a ON a.id = t.account_id"
            " WHERE t.round = :r AND t.paid_on < w.first_day AND a.activated_on IS NULL"
        ),
        {"r": r},
    )


def decide(conn: Connection, d: Dialect, r: int, rules: Rulebook) -> None:
    """Accept or reject each payment of round r; an accepted one gets its payment id now. A family's bill carries
    the late fee of the day on its months in arrears (before July 2016, `iuran.billing.late_fee`).

    Payment ids follow the account order, so that the foreign-key checks and index insertions of the payments
    and allocations walk the account, charge and payment tables in order rather than at random.
    """
    if d.postgres:
        # The sequence named once, so that the name is not looked up again for every payment.
        sequence = conn.execute(text("SELECT pg_get_serial_sequence('payment', 'id')")).scalar_one()
        payment_id = "nextval('" + str(sequence).replace("'", "''") + "')"
    else:
        # SQLite: the import holds the database's write lock, so the next ids are free.
        payment_id = (
            "(SELECT COALESCE(max(id), 0) FROM payment)"
            " + row_number() OVER (PARTITION BY x.reason IS NULL ORDER BY x.account_id)"
        )
    # The late fee is counted over a family's months in arrears only when a payment of the round is dated when a
    # fee was due (before July 2016): the months are then counted per payment, as the fee needs them.
    if late_fee.due_in_round(conn, r, rules):
        arrears = ("COALESCE(u.arrears_months, 0)", "COALESCE(u.arrears_billed, 0)")
        fee = f"CASE WHEN t.whole_bill = 1 THEN {late_fee.fee_sql('t.paid_on', *arrears, rules, d)} ELSE 0 END"
        months_in_arrears = (
            ", count(DISTINCT CASE WHEN u.writes_off = 0 AND u.month < c.paid_month THEN u.month END)"
            " AS arrears_months,"
            " COALESCE(sum(CASE WHEN u.writes_off = 0 AND u.month < c.paid_month THEN u.amount_open END), 0)"
            " AS arrears_billed"
        )
        due = "payimp_due u JOIN payimp_checked c ON c.line_no = u.line_no"
    else:
        fee, months_in_arrears, due = "0", "", "payimp_due u"
    conn.execute(
        text(
            f"""
            INSERT INTO payimp_round (line_no, account_id, kind, whole_bill, reference, amount, paid_at, paid_on,
                                      paid_month,
                                      channel, arrears_cap, reason, payment_id, bill, late_fee, written_off, ref_month,
                                      was_active,
                                      has_status, months_before, arrears_before, unpaid_before, as_of_before)
            SELECT x.line_no, x.account_id, x.kind, x.whole_bill, x.reference, x.amount, x.paid_at, x.paid_on,
                   x.paid_month, x.channel, x.arrears_cap, x.reason, CASE WHEN x.reason IS NULL THEN {payment_id} END,
                   x.bill, x.late_fee,
                   CASE WHEN x.reason IS NULL THEN x.written_off ELSE 0 END, x.ref_month, x.was_active, x.has_status,
                   x.months_in_arrears, x.arrears_amount, x.unpaid_since, x.as_of_month
            FROM (
              SELECT t.line_no, t.account_id, t.kind, t.whole_bill, t.reference, t.amount, t.paid_at, t.paid_on,
                     t.paid_month,
                     t.channel, t.arrears_cap, COALESCE(u.written_off, 0) AS written_off, COALESCE(u.bill, 0) AS bill,
                     {fee} AS late_fee,
                     {d.greatest("COALESCE(s.as_of_month, t.paid_month)", "t.paid_month")} AS ref_month,
                     COALESCE(s.active, FALSE) AS was_active,
                     CASE WHEN s.account_id IS NULL THEN 0 ELSE 1 END AS has_status,
                     s.months_in_arrears, s.arrears_amount, s.unpaid_since, s.as_of_month,
                     CASE WHEN wt.line_no IS NOT NULL THEN '{Rejection.WAITING_PERIOD}'
                          WHEN t.whole_bill = 1 AND t.amount < COALESCE(u.bill, 0) + {fee}
                            THEN '{Rejection.AMOUNT_MISMATCH}'
                          WHEN t.whole_bill = 1 THEN NULL  -- what it brings beyond the bill is credit
                          WHEN u.line_no IS NULL THEN '{Rejection.NOTHING_DUE}'
                          WHEN u.matched = 0 THEN '{Rejection.AMOUNT_MISMATCH}' END AS reason
              FROM payimp_checked t
              LEFT JOIN account_status s ON s.account_id = t.account_id
              LEFT JOIN payimp_waiting wt ON wt.line_no = t.line_no
              LEFT JOIN (
                -- what each payment would settle: a family's bill and what it writes off; whether the amount
                -- is a whole number of months (oldest first)
                SELECT u.line_no, sum(CASE WHEN u.writes_off = 0 THEN u.amount_open ELSE 0 END) AS bill,
                       sum(CASE WHEN u.writes_off = 1 THEN u.amount_open ELSE 0 END) AS written_off,
                       max(CASE WHEN u.cum = u.amount THEN 1 ELSE 0 END) AS matched{months_in_arrears}
                FROM {due} GROUP BY u.line_no
              ) u ON u.line_no = t.line_no
              WHERE t.round = :r
            ) x
            ORDER BY x.account_id
            """
        ),
        {"r": r},
    )


def explain_rejections(conn: Connection) -> None:
    """The detail of each payment refused in this round: what the rules would have accepted instead."""
    bill = (
        f"'the bill is ' || {_num('x.bill + x.late_fee')} || ': ' || {_num('x.bill_months')} || ' month(s), '"
        f" || {_month_text('x.bill_from')} || ' to ' || {_month_text('x.bill_to')}"
        f" || CASE WHEN x.late_fee > 0 THEN ', with a late fee of ' || {_num('x.late_fee')} ELSE '' END"
        f" || CASE WHEN x.writeoff_months > 0 THEN '; ' || {_num('x.writeoff_months')}"
        " || ' older month(s) in arrears are written off with it (at most '"
        f" || {_num('x.arrears_cap')} || ' months in arrears are billed)' ELSE '' END"
    )
    whole_months = (
        "'whole months only, oldest first: '"
        f" || CASE WHEN x.below IS NOT NULL THEN 'the oldest ' || {_num('x.below_months')} || ' month(s) are '"
        f"   || {_num('x.below')} ELSE '' END"
        " || CASE WHEN x.below IS NOT NULL AND x.above IS NOT NULL THEN ', ' ELSE '' END"
        f" || CASE WHEN x.above IS NOT NULL THEN 'the oldest ' || {_num('x.below_months + 1')} || ' month(s) are '"
        f"   || {_num('x.above')} ELSE '' END"
        " || CASE WHEN x.above IS NULL THEN ' (all that is open)' ELSE '' END"
    )
    conn.execute(
        text(
            f"""
            UPDATE payimp_round SET detail = substr(e.detail, 1, {DETAIL_MAX})
            FROM (
              SELECT x.line_no,
                CASE WHEN x.reason = '{Rejection.WAITING_PERIOD}'
                       THEN 'a new family pays for the first time from ' || x.first_day_text
                     WHEN x.reason = '{Rejection.NOTHING_DUE}' THEN 'nothing is open'
                     WHEN x.whole_bill = 1 THEN {bill}
                     ELSE {whole_months} END AS detail
              FROM (
                SELECT x.line_no, x.reason, x.whole_bill, x.paid_month, x.arrears_cap, x.late_fee, w.first_day_text,
                       COALESCE(sum(CASE WHEN u.writes_off = 0 THEN u.amount_open END), 0) AS bill,
                       count(DISTINCT CASE WHEN u.writes_off = 0 THEN u.month END) AS bill_months,
                       min(CASE WHEN u.writes_off = 0 THEN u.month END) AS bill_from,
                       max(CASE WHEN u.writes_off = 0 THEN u.month END) AS bill_to,
                       count(DISTINCT CASE WHEN u.writes_off = 1 THEN u.month END) AS writeoff_months,
                       max(CASE WHEN u.cum < x.amount THEN u.cum END) AS below,
                       count(DISTINCT CASE WHEN u.cum < x.amount THEN u.month END) AS below_months,
                       min(CASE WHEN u.cum > x.amount THEN u.cum END) AS above
                FROM payimp_round x
                LEFT JOIN payimp_waiting w ON w.line_no = x.line_no
                LEFT JOIN payimp_due u ON u.line_no = x.line_no
                WHERE x.reason IS NOT NULL
                GROUP BY x.line_no, x.reason, x.whole_bill, x.paid_month, x.arrears_cap, x.late_fee, w.first_day_text
              ) x
            ) e
            WHERE payimp_round.line_no = e.line_no
            """
        )
    )


# The open items an accepted payment settles: for a whole bill every billed one, and the deferred months what it
# brings beyond the bill covers whole (oldest first); else the oldest whole months.
_SETTLES = (
    f"((u.writes_off = {SETTLES} AND (x.whole_bill = 1 OR u.cum <= u.amount))"
    f" OR (u.writes_off = {DEFERS} AND u.cum - x.written_off <= x.amount - x.bill - x.late_fee))"
)
_SETTLED_BY = (
    f"FROM payimp_round x JOIN payimp_due u ON u.line_no = x.line_no WHERE x.payment_id IS NOT NULL AND {_SETTLES}"
)
_WRITTEN_OFF_BY = (
    "FROM payimp_round x JOIN payimp_due u ON u.line_no = x.line_no"
    f" WHERE x.payment_id IS NOT NULL AND u.writes_off = {WRITES_OFF}"
)
# An open item `u` met by an accepted payment `x` is closed by it: written off, or settled.
_CLOSES = f"(u.writes_off = {WRITES_OFF} OR {_SETTLES})"
_CLOSED_BY = (
    f"FROM payimp_round x JOIN payimp_due u ON u.line_no = x.line_no WHERE x.payment_id IS NOT NULL AND {_CLOSES}"
)


def write_payments(conn: Connection, batch_id: int | None) -> None:
    """The accepted payments, under the batch that brought them.

    In the order `payimp_round` was written, which is the order of their ids (`decide`); sorting them again
    would cost a tenth of a second and change nothing written.
    """
    conn.execute(
        text(
            "INSERT INTO payment (id, reference, account_id, amount, paid_at, channel, batch_id, period)"
            f" SELECT payment_id, reference, account_id, amount, paid_at, channel, :batch, {OPEN_PERIOD}"
            " FROM payimp_round"
            " WHERE payment_id IS NOT NULL"
        ),
        {"batch": batch_id},
    )


def allocate(conn: Connection) -> None:
    """One allocation per (payment, charge), oldest month first; each settles the charge's whole balance."""
    conn.execute(
        text(
            "INSERT INTO allocation (payment_id, charge_id, account_id, month, amount, allocated_on, period)"
            f" SELECT x.payment_id, u.charge_id, u.account_id, u.month, u.amount_open, x.paid_on, {OPEN_PERIOD}"
            f" {_SETTLED_BY}"
            " ORDER BY x.payment_id, u.month, u.charge_id"
        )
    )


def hold_credit(conn: Connection) -> None:
    """What an accepted payment brings beyond what it settles (a family paying months ahead, or paying again once
    settled) is held as the account's credit, for the coming cycles to apply (docs/ledger.md, "Credit")."""
    conn.execute(
        text(
            "INSERT INTO payment_credit (payment_id, account_id, amount)"
            " SELECT x.payment_id, x.account_id, x.amount - x.late_fee - COALESCE(a.amount, 0) FROM payimp_round x"
            " LEFT JOIN (SELECT u.payment_id, sum(u.amount_open) AS amount FROM ("
            f"   SELECT x.payment_id, u.amount_open {_SETTLED_BY}) u GROUP BY u.payment_id) a"
            " ON a.payment_id = x.payment_id"
            " WHERE x.payment_id IS NOT NULL AND x.amount - x.late_fee > COALESCE(a.amount, 0) ORDER BY x.payment_id"
        )
    )


def write_off(conn: Connection) -> None:
    """Months in arrears beyond the cap, written off explicitly with the payment that reactivates the family."""
    conn.execute(
        text(
            "INSERT INTO writeoff (charge_id, account_id, month, amount, reason, written_off_on, payment_id, period)"
            f" SELECT u.charge_id, u.account_id, u.month, u.amount_open, '{WRITEOFF_REASON}', x.paid_on,"
            f" x.payment_id, {OPEN_PERIOD} {_WRITTEN_OFF_BY} ORDER BY x.payment_id, u.month, u.charge_id"
        )
    )


def close_open_items(conn: Connection, d: Dialect) -> None:
    """Every item a payment settled or wrote off is settled whole: its open item goes."""
    conn.execute(text(f"DELETE FROM open_item WHERE {d.among('charge_id', f'SELECT u.charge_id {_CLOSED_BY}')}"))


def activate_new_families(conn: Connection) -> None:
    """A new PBPU family is covered from its first payment (docs/rules.md §6)."""
    conn.execute(
        text(
            "UPDATE account SET activated_on = x.paid_on FROM payimp_round x"
            " WHERE x.account_id = account.id AND x.payment_id IS NOT NULL"
            " AND account.kind = 'family' AND account.activated_on IS NULL"
        )
    )


def update_account_status(conn: Connection, d: Dialect, rules: Rulebook) -> None:
    """The status of every account a payment of this round settled (docs/ledger.md, derived state).

    Active ⇔ no more open months before the status month than the account's suspension rule tolerates (months a
    reactivation deferred do not count, `iuran.billing.deferral`), and, if the account was not active, none in
    the month of payment either (Perpres 64/2020 Pasal 42(3): the arrears plus the current month). The rule judges
    the day of payment, or the status month's 1st when the payment is for a month before it. The status month is
    the later of the cycle's `as_of_month` and the month of payment; the arrears are counted as of it.

    The open items left are known without searching the open items again: those the payment met and did not
    close (`payimp_due` holds every open item of an employer or government account, and a family's up to the
    month of payment, all of which its payment closes but the deferred ones it does not cover), and, for a family
    paying for a month before the cycle's, its open items after the month of payment.
    """
    judged_on = f"CASE WHEN x.paid_month = x.ref_month THEN {d.day_of_month('x.paid_on')} ELSE 1 END"
    tolerated = months_tolerated_sql("x.kind", "x.ref_month", rules, judged_on)
    conn.execute(
        text(
            f"""
            INSERT INTO payimp_settled (account_id, paid_on, ref_month, has_status, active, months_in_arrears,
                                        arrears_amount, unpaid_since)
            SELECT y.account_id, y.paid_on, y.ref_month, y.has_status, y.active, y.months_in_arrears,
                   y.arrears_amount, y.unpaid_since
            FROM (
              SELECT x.account_id, x.paid_on, x.ref_month, x.has_status, x.was_active, x.months_before,
                     x.arrears_before, x.unpaid_before, x.as_of_before,
                     (COALESCE(o.counting_months, 0) <= {tolerated}
                      AND (x.was_active OR COALESCE(o.open_in_paid_month, 0) = 0)) AS active,
                     COALESCE(o.arrears_months, 0) AS months_in_arrears,
                     COALESCE(o.arrears_amount, 0) AS arrears_amount, o.unpaid_since
              FROM payimp_round x
              LEFT JOIN (
                SELECT r.line_no,
                       count(DISTINCT CASE WHEN r.month < r.ref_month THEN r.month END) AS arrears_months,
                       count(DISTINCT CASE WHEN r.month < r.ref_month AND r.deferred = 0 THEN r.month END)
                         AS counting_months,
                       sum(CASE WHEN r.month < r.ref_month THEN r.amount_open END) AS arrears_amount,
                       min(CASE WHEN r.month < r.ref_month THEN r.month END) AS unpaid_since,
                       count(CASE WHEN r.month = r.paid_month THEN 1 END) AS open_in_paid_month
                FROM (
                  SELECT x.line_no, u.month, u.amount_open, x.ref_month, x.paid_month,
                         CASE WHEN u.writes_off = {DEFERS} THEN 1 ELSE 0 END AS deferred
                  FROM payimp_round x JOIN payimp_due u ON u.line_no = x.line_no
                  WHERE x.payment_id IS NOT NULL AND NOT {_CLOSES}
                  UNION ALL
                  SELECT x.line_no, o.month, o.amount_open, x.ref_month, x.paid_month, 0
                  FROM payimp_round x JOIN open_item o ON o.account_id = x.account_id
                  WHERE x.payment_id IS NOT NULL AND x.whole_bill = 1 AND o.month > x.paid_month
                    AND x.ref_month > x.paid_month
                    AND {d.among("o.account_id", _LATE_FAMILIES)}
                ) r
                GROUP BY r.line_no
              ) o ON o.line_no = x.line_no
              WHERE x.payment_id IS NOT NULL
            ) y
            WHERE y.has_status = 0 OR y.was_active <> y.active OR y.months_before <> y.months_in_arrears
               OR y.arrears_before <> y.arrears_amount OR y.as_of_before <> y.ref_month
               OR COALESCE(y.unpaid_before, 0) <> COALESCE(y.unpaid_since, 0)
            """
        )
    )
    # status_since moves only when the status changes: to the day of the payment that changed it. A status
    # that stays as it was (an active family paying its month) is not rewritten.
    conn.execute(
        text(
            "UPDATE account_status SET active = x.active,"
            " status_since = CASE WHEN account_status.active = x.active THEN account_status.status_since"
            "                ELSE x.paid_on END,"
            " months_in_arrears = x.months_in_arrears, arrears_amount = x.arrears_amount,"
            " unpaid_since = x.unpaid_since, as_of_month = x.ref_month"
            " FROM payimp_settled x WHERE account_status.account_id = x.account_id AND x.has_status = 1"
        )
    )
    conn.execute(
        text(
            "INSERT INTO account_status (account_id, active, status_since, months_in_arrears, arrears_amount,"
            " unpaid_since, as_of_month)"
            " SELECT account_id, active, paid_on, months_in_arrears, arrears_amount, unpaid_since, ref_month"
            " FROM payimp_settled WHERE has_status = 0"
        )
    )


# The families whose accepted payment is for a month before the status month (a late file): their open items
# after the month of payment count in their status.
_LATE_FAMILIES = (
    "SELECT account_id FROM payimp_round WHERE payment_id IS NOT NULL AND whole_bill = 1 AND ref_month > paid_month"
)


# Every rejected line of the file: rejected on its own or against the ledger, or in its round.
REJECTED_LINES = (
    f"SELECT line_no, reference, reason, detail FROM payimp_checked WHERE outcome = '{REJECTED}'"
    " UNION ALL SELECT line_no, reference, reason, detail FROM payimp_refused"
)


def record_rejections(conn: Connection, batch_id: int) -> None:
    """Every rejected line of the file, with its reason, under the batch."""
    conn.execute(
        text(
            "INSERT INTO payment_rejection (batch_id, line_no, reference, reason, detail)"
            f" SELECT :batch, line_no, reference, reason, detail FROM ({REJECTED_LINES}) r ORDER BY line_no"
        ),
        {"batch": batch_id},
    )
