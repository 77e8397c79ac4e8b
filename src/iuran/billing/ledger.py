"""Proof that the books balance: `verify` checks every account, charge, payment and allocation.

Each check is one SQL query that returns the offending rows (at most a sample); an empty result everywhere means
the ledger balances: for every charge `amount − allocations − write-offs − reversals` is ≥ 0 and equals its open
item, every allocation points at a real charge of the same account and month and at a real payment, every charge
and payment at a real account, and no payment is allocated beyond its amount. The derived state too: every
account's status agrees with its open items, and the latest month's snapshots and subsidies with the books as of
its 1st (`iuran.billing.month_state.proofs`). And the seals (`iuran.billing.seal`): the chain, and the rows of each
sealed period against its seal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from iuran.billing import month_state, seal
from iuran.billing.billable import month_params
from iuran.billing.suspension import months_tolerated_sql
from iuran.db.engine import is_postgres
from iuran.rules.rulebook import Rulebook, default_rulebook

SAMPLE = 20

# Per charge: what was settled against it, by kind.
_SETTLED = """
SELECT c.id, c.account_id, c.month, c.kind, c.members, c.amount,
       COALESCE(al.amount, 0) AS allocated, COALESCE(w.amount, 0) AS written_off,
       COALESCE(rv.amount, 0) AS reversed
FROM charge c
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM allocation {where charge:charge_id} GROUP BY charge_id) al
  ON al.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM writeoff {where charge:charge_id} GROUP BY charge_id) w
  ON w.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM reversal {where charge:charge_id} GROUP BY charge_id) rv
  ON rv.charge_id = c.id
{where charge:c.id}
"""

_BALANCE = "(s.amount - s.allocated - s.written_off - s.reversed)"

# The account of a row's charge, -1 for none, looked up by the charge's key: a lookup per row (a join would let
# PostgreSQL read every month's charges).
_CHARGE_ACCOUNT = (
    "COALESCE((SELECT c.account_id FROM charge c WHERE c.id = {row}.charge_id AND c.month = {row}.month), -1)"
)

# Each check returns the offending rows. A row that points at a charge is joined to it by id and month: the month
# is part of a charge's key (PostgreSQL partitions the charges by month), and a row of another month than its
# charge's finds none. `{where KIND:COLUMN}` and `{and KIND:COLUMN}` mark where the daily proof
# keeps to what changed since the last seal (`_scope`): `charge`, `payment`, `account` the charges, payments and
# accounts a row posted since touched; `period` a row's own period, `lines` a line's month. `--full` drops them.
CHECKS: dict[str, str] = {
    # References that PostgreSQL does not check row by row on the bulk-written tables (migration 0004).
    "charge_without_account": """
        SELECT c.id FROM charge c LEFT JOIN account a ON a.id = c.account_id
        WHERE a.id IS NULL {and period:c.period}""",
    "payment_without_account": """
        SELECT p.id FROM payment p LEFT JOIN account a ON a.id = p.account_id
        WHERE a.id IS NULL {and period:p.period}""",
    "allocation_without_payment": """
        SELECT a.id FROM allocation a LEFT JOIN payment p ON p.id = a.payment_id
        WHERE p.id IS NULL {and period:a.period}""",
    "writeoff_without_payment": """
        SELECT w.id FROM writeoff w LEFT JOIN payment p ON p.id = w.payment_id
        WHERE w.payment_id IS NOT NULL AND p.id IS NULL {and period:w.period}""",
    "status_without_account": """
        SELECT s.account_id FROM account_status s LEFT JOIN account a ON a.id = s.account_id WHERE a.id IS NULL""",
    "charge_overpaid": f"SELECT s.id, {_BALANCE} FROM ({_SETTLED}) s WHERE {_BALANCE} < 0",
    "open_item_mismatch": f"""
        SELECT s.id, {_BALANCE}, o.amount_open FROM ({_SETTLED}) s
        LEFT JOIN open_item o ON o.charge_id = s.id
        WHERE ({_BALANCE} > 0 AND (o.amount_open IS NULL OR o.amount_open <> {_BALANCE}
                                   OR o.account_id <> s.account_id))
           OR ({_BALANCE} <= 0 AND o.charge_id IS NOT NULL)""",
    "open_item_orphan": """
        SELECT o.charge_id FROM open_item o LEFT JOIN charge c ON c.id = o.charge_id AND c.month = o.month
        WHERE c.id IS NULL OR c.account_id <> o.account_id""",
    "lines_disagree_with_charge": """
        SELECT c.id, c.amount, l.amount, c.members, l.members FROM charge c
        LEFT JOIN (SELECT charge_id, sum(amount) AS amount, count(*) AS members FROM charge_line
                   {where lines:month} GROUP BY charge_id) l ON l.charge_id = c.id
        WHERE c.kind = 'contribution' AND (l.charge_id IS NULL OR l.amount <> c.amount OR l.members <> c.members)
        {and lines:c.month}""",
    "line_without_person": """
        SELECT l.charge_id, l.person_id FROM charge_line l LEFT JOIN person p ON p.id = l.person_id
        WHERE p.id IS NULL {and lines:l.month}""",
    "line_without_charge": """
        SELECT l.charge_id, l.person_id FROM charge_line l
        LEFT JOIN charge c ON c.id = l.charge_id AND c.month = l.month {and lines:c.month}
        WHERE c.id IS NULL {and lines:l.month}""",
    "allocation_without_charge": f"""
        SELECT a.id FROM allocation a
        WHERE {_CHARGE_ACCOUNT.format(row="a")} <> a.account_id {{and period:a.period}}""",
    "allocation_to_other_account": """
        SELECT a.id FROM allocation a JOIN payment p ON p.id = a.payment_id
        WHERE p.account_id <> a.account_id {and period:a.period}""",
    "payment_without_batch": """
        SELECT p.id FROM payment p LEFT JOIN import_batch b ON b.id = p.batch_id
        WHERE p.batch_id IS NOT NULL AND b.id IS NULL {and period:p.period}""",
    "payment_overallocated": """
        SELECT p.id, p.amount, sum(a.amount) FROM payment p JOIN allocation a ON a.payment_id = p.id
        {where payment:p.id}
        GROUP BY p.id, p.amount HAVING sum(a.amount) > p.amount OR sum(a.amount) < 0""",
    "writeoff_without_charge": f"""
        SELECT w.id FROM writeoff w
        WHERE {_CHARGE_ACCOUNT.format(row="w")} <> w.account_id {{and period:w.period}}""",
    "reversal_without_line": f"""
        SELECT r.id FROM reversal r
        LEFT JOIN charge_line l ON l.charge_id = r.charge_id AND l.person_id = r.person_id AND l.month = r.month
        WHERE (l.charge_id IS NULL OR r.amount > l.amount OR {_CHARGE_ACCOUNT.format(row="r")} <> r.account_id)
        {{and period:r.period}}""",
    # Every service penalty is the penalty of one recorded claim: its account, month of admission and amount
    # (iuran.billing.service_penalty); every claim with a penalty has its charge.
    "penalty_disagrees_with_claim": """
        SELECT c.id, e.id, c.amount, e.penalty FROM charge c LEFT JOIN claim_event e ON e.charge_id = c.id
        WHERE c.kind = 'service_penalty'
          AND (e.id IS NULL OR e.account_id <> c.account_id OR e.month <> c.month OR e.penalty <> c.amount)
        UNION ALL
        SELECT e.charge_id, e.id, NULL, e.penalty FROM claim_event e LEFT JOIN charge c ON c.id = e.charge_id
        WHERE e.charge_id IS NOT NULL AND (c.id IS NULL OR c.kind <> 'service_penalty')""",
    # Derived state: each payment's credit is what it brought beyond its allocations (iuran.billing.credit).
    "credit_disagrees_with_payments": """
        SELECT p.id, p.amount - COALESCE(a.amount, 0), c.amount FROM payment p
        LEFT JOIN (SELECT payment_id, sum(amount) AS amount FROM allocation {where payment:payment_id}
                   GROUP BY payment_id) a
          ON a.payment_id = p.id
        LEFT JOIN payment_credit c ON c.payment_id = p.id
        WHERE (p.amount - COALESCE(a.amount, 0) <> COALESCE(c.amount, 0) OR c.account_id <> p.account_id)
        {and payment:p.id}
        UNION ALL
        SELECT c.payment_id, NULL, c.amount FROM payment_credit c LEFT JOIN payment p ON p.id = c.payment_id
        WHERE p.id IS NULL""",
    # A month a reactivation deferred (iuran.billing.deferral) is a month of the account, deferred by one of its
    # payments.
    "deferral_disagrees_with_charge": """
        SELECT f.charge_id, f.payment_id FROM arrears_deferral f
        LEFT JOIN charge c ON c.id = f.charge_id AND c.month = f.month LEFT JOIN payment p ON p.id = f.payment_id
        WHERE c.id IS NULL OR p.id IS NULL OR c.account_id <> f.account_id
           OR p.account_id <> f.account_id""",
}

# The daily proof's own form of the checks that settle charges: the charges posted after the latest seal (found by
# their period), and the older charges rows posted since settled, each with its sums
# looked up by its id (never a pass over the whole ledger).
_SETTLED_OF = """
SELECT c.id, c.account_id, c.month, c.kind, c.members, c.amount,
       COALESCE((SELECT sum(x.amount) FROM allocation x WHERE x.charge_id = c.id), 0) AS allocated,
       COALESCE((SELECT sum(x.amount) FROM writeoff x WHERE x.charge_id = c.id), 0) AS written_off,
       COALESCE((SELECT sum(x.amount) FROM reversal x WHERE x.charge_id = c.id), 0) AS reversed
FROM charge c"""
_SETTLED_SINCE = " UNION ".join(
    f"SELECT charge_id, month FROM {t} WHERE period > {{since}}"
    for t in ("allocation", "writeoff", "reversal", "arrears_deferral")
)
# A charge posted since the latest seal is settled only by rows posted since (a row settles a charge that exists).
_SETTLED_NEW = """
SELECT c.id, c.account_id, c.month, c.kind, c.members, c.amount,
       COALESCE(al.amount, 0) AS allocated, COALESCE(w.amount, 0) AS written_off, COALESCE(rv.amount, 0) AS reversed
FROM charge c
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM allocation WHERE period > {since} GROUP BY charge_id) al
  ON al.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM writeoff WHERE period > {since} GROUP BY charge_id) w
  ON w.charge_id = c.id
LEFT JOIN (SELECT charge_id, sum(amount) AS amount FROM reversal WHERE period > {since} GROUP BY charge_id) rv
  ON rv.charge_id = c.id
WHERE c.period > {since}"""
_SETTLED_DAILY = (
    f"{_SETTLED_NEW} UNION ALL {_SETTLED_OF} WHERE c.period <= {{since}} AND (c.id, c.month) IN ({_SETTLED_SINCE})"
)
DAILY: dict[str, str] = {
    "charge_overpaid": f"SELECT s.id, {_BALANCE} FROM ({_SETTLED_DAILY}) s WHERE {_BALANCE} < 0",
    "open_item_mismatch": f"""
        SELECT s.id, {_BALANCE}, o.amount_open FROM ({_SETTLED_DAILY}) s
        LEFT JOIN open_item o ON o.charge_id = s.id
        WHERE ({_BALANCE} > 0 AND (o.amount_open IS NULL OR o.amount_open <> {_BALANCE}
                                   OR o.account_id <> s.account_id))
           OR ({_BALANCE} <= 0 AND o.charge_id IS NOT NULL)""",
}

# Checks only `--full` runs: an open item whose charge is gone has an amount open that nothing billed, which the
# daily proof's totals see; one of another account than its charge's, if the charge was touched since, is the
# daily `open_item_mismatch`'s.
FULL_ONLY = frozenset({"open_item_orphan"})

_SCOPE_MARK = re.compile(r"\{(where|and) (charge|payment|account|period|lines):([\w.]+)\}")


def _touched(kind: str, since: int) -> str:
    """The ids of the charges (payments) a row posted in a period after `since` touched; for `account`, the
    accounts whose status such a row moved: a payment's, an allocation's, a write-off's, a reversal's, a deferral's,
    a charge's of an earlier month (the cycle's own charges are of its month, which no status counts yet, and the
    statuses it rebuilt from the open items are proved whole by `--full`)."""
    column = {"charge": "charge_id", "payment": "payment_id", "account": "account_id"}[kind]
    tables = {
        "charge": ("charge", "allocation", "writeoff", "reversal", "arrears_deferral"),
        "payment": ("payment", "allocation", "writeoff"),
        "account": ("payment", "allocation", "writeoff", "reversal", "arrears_deferral"),
    }[kind]
    touched = [f"SELECT {'id' if table == kind else column} FROM {table} WHERE period > {since}" for table in tables]
    if kind == "account":
        touched.append(f"SELECT account_id FROM charge WHERE period > {since} AND month < period")
    return " UNION ".join(touched)


def _scope(sql: str, since: int | None) -> str:
    """The check as the daily proof runs it: only what changed in the periods after `since` (None: everything)."""

    def mark(m: re.Match[str]) -> str:
        if since is None:
            return "WHERE 1 = 1" if m.group(1) == "where" else ""
        kind, column = m.group(2), m.group(3)
        if kind == "period" or kind == "lines":
            # `>=` the month after: PostgreSQL prunes the partitions by month only on a bound it can compare.
            test = f"{column} >= {since + 1}"
        else:
            test = f"{column} IN ({_touched(kind, since)})"
        return f"{m.group(1).upper()} {test}"

    return _SCOPE_MARK.sub(mark, sql)


_OPEN_MONTHS = """count(DISTINCT i.month) AS months, sum(i.amount_open) AS amount, min(i.month) AS since,
       count(DISTINCT CASE WHEN f.charge_id IS NULL THEN i.month END) AS counting"""


def _status_check(rules: Rulebook, *, lookup: bool) -> str:
    """Derived state: each account's status says what its open items say (months, Rupiah and the first month in
    arrears before its status month), and an active account has no more months open before it than its suspension
    rule tolerates. The daily proof keeps to the accounts postings since the latest seal moved; `lookup` (PostgreSQL)
    looks each one's open items up by account, where one pass over every account's arrears would cost more."""
    tolerated = months_tolerated_sql("a.kind", "s.as_of_month", rules, day_of_month=None)
    if lookup:
        items = f"""LEFT JOIN LATERAL (SELECT {_OPEN_MONTHS} FROM open_item i
                   LEFT JOIN arrears_deferral f ON f.charge_id = i.charge_id AND f.due_month >= s.as_of_month
                   WHERE i.account_id = s.account_id AND i.month < s.as_of_month) o ON 1 = 1"""
    else:
        items = f"""LEFT JOIN (SELECT i.account_id, {_OPEN_MONTHS}
                   FROM open_item i JOIN account_status t ON t.account_id = i.account_id AND i.month < t.as_of_month
                   LEFT JOIN arrears_deferral f ON f.charge_id = i.charge_id AND f.due_month >= t.as_of_month
                   {{where account:i.account_id}}
                   GROUP BY i.account_id) o ON o.account_id = s.account_id"""
    return f"""
        SELECT s.account_id, s.months_in_arrears, COALESCE(o.months, 0), s.arrears_amount, COALESCE(o.amount, 0)
        FROM account_status s
        JOIN account a ON a.id = s.account_id
        {items}
        WHERE (s.months_in_arrears <> COALESCE(o.months, 0) OR s.arrears_amount <> COALESCE(o.amount, 0)
               OR COALESCE(s.unpaid_since, 0) <> COALESCE(o.since, 0)
               OR (s.active AND COALESCE(o.counting, 0) > {tolerated}))
        {{and account:s.account_id}}"""


@dataclass(frozen=True)
class Verification:
    problems: dict[str, list[tuple[object, ...]]]
    totals: dict[str, int] = field(default_factory=dict)
    full: bool = True
    head: tuple[int, str] | None = None  # the latest seal: its month and digest (kept outside by an auditor)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def verify(conn: Connection, rules: Rulebook | None = None, *, full: bool = True) -> Verification:
    """Prove the books (the statuses by the suspension rules of `rules`, the shipped ones by default); return the
    offending rows (a sample of each) and the ledger's totals.

    `full`: every row of every period, every seal recomputed, and the derived state whole (every status, the latest
    month's snapshots and subsidies). Otherwise (the daily proof) the chain of seals, the latest seal's rows counted
    and summed again, and the balances and references of what was posted since the latest seal: the rows of the open
    period, the charges and payments they touched, and the statuses of the accounts whose payments, write-offs,
    reversals or late charges moved them. The totals then add the sealed periods' totals as their seals
    recorded them.
    """
    rules = rules or default_rulebook()
    if is_postgres(conn):  # many small lookups: compiling them would cost more than running them
        conn.execute(text("SET LOCAL jit = off"))
    sealed = seal.seals(conn)
    since = None if full or not sealed else sealed[-1].month
    lookup = since is not None and is_postgres(conn)
    checks = CHECKS | {"status_disagrees_with_open_items": _status_check(rules, lookup=lookup)}
    if since is not None:
        checks = {name: sql for name, sql in checks.items() if name not in FULL_ONLY}
        checks |= {name: sql.format(since=since) for name, sql in DAILY.items()}
    problems = {
        name: [tuple(r) for r in conn.execute(text(f"SELECT * FROM ({_scope(sql, since)}) q LIMIT {SAMPLE}"))]
        for name, sql in checks.items()
    }
    problems["seal_chain_broken"] = seal.chain_problems(conn, sealed)
    problems["sealed_rows_changed"] = (
        seal.recompute(conn, sealed) if since is None else seal.tally_problems(conn, sealed[-1])
    )
    problems["rows_outside_periods"] = seal.rows_outside_periods(conn, full=since is None)
    if since is None:  # the derived state of the latest month, rebuilt by its cycle from the books whole
        problems |= _prove_latest_month(conn, rules)
    totals = _totals(conn, sealed, since)
    # The books as a whole: everything billed is paid, written off, reversed or still open.
    if totals["billed"] != totals["allocated"] + totals["written_off"] + totals["reversed"] + totals["open"]:
        problems["totals_do_not_balance"] = [
            tuple(totals[k] for k in ("billed", "allocated", "written_off", "reversed", "open"))
        ]
    head = (sealed[-1].month, sealed[-1].digest) if sealed else None
    return Verification(problems, totals, full=since is None, head=head)


# The totals, by table: (name in the totals, table, what is summed).
_TOTALS = (
    ("billed", "charge", "amount"),
    ("allocated", "allocation", "amount"),
    ("written_off", "writeoff", "amount"),
    ("reversed", "reversal", "amount"),
    ("paid", "payment", "amount"),
    ("charges", "charge", "count"),
    ("payments", "payment", "count"),
)


def _totals(conn: Connection, sealed: list[seal.Seal], since: int | None) -> dict[str, int]:
    """The ledger's totals: read whole, or (from `since` on) the sealed periods' as their seals recorded them plus
    the rows posted after the latest seal."""
    after = "" if since is None else f" WHERE period > {since}"
    select = ", ".join(
        f"(SELECT COALESCE({'count(*)' if what == 'count' else 'sum(amount)'}, 0) FROM {table}{after})"
        for _, table, what in _TOTALS
    )
    row = conn.execute(text(f"SELECT {select}, (SELECT COALESCE(sum(amount_open), 0) FROM open_item)")).one()
    totals = {name: int(v) for (name, _, _), v in zip(_TOTALS, row, strict=False)}
    if since is not None:
        for s in sealed:
            for name, table, what in _TOTALS:
                d = s.tables[table]
                totals[name] += d.rows if what == "count" else d.amount
    totals["open"] = int(row[-1])
    totals["credit"] = totals["paid"] - totals["allocated"]
    order = ("charges", "payments", "billed", "allocated", "written_off", "reversed", "open", "paid", "credit")
    return {k: totals[k] for k in order}


def _prove_latest_month(conn: Connection, rules: Rulebook) -> dict[str, list[tuple[object, ...]]]:
    """The derived state of the latest month written (snapshots, subsidies) against the books as of its 1st."""
    written = month_state.written_months(conn)
    if not written:
        return {}
    month = max(written)
    p = month_params(month, dt.datetime.combine(month.first_day(), dt.time()))
    return {
        name: [tuple(r) for r in conn.execute(text(f"SELECT * FROM ({sql}) q LIMIT {SAMPLE}"), p)]
        for name, sql in month_state.proofs(rules).items()
        if month_state.PROOF_STEP[name] in written[month]
    }
