"""Collection figures (kolektibilitas): billed, collected and cash per month and payer kind, as of a day.

- billed: Σ charge.amount of the month, kinds `contribution`, `subsidy_central`, `subsidy_pemda` (not `opening`,
  the migrated arrears), less reversals recorded on or before as_of. Write-offs are not deducted: a month written
  off at reactivation was billed and not collected.
- collected: Σ allocation.amount to those charges, allocated on or before as_of (a negative allocation, money
  released after a reversal, counts against it). A service penalty (`service_penalty`) is neither billed nor
  collected: it is no contribution.
- cash: Σ payment.amount paid in the month, up to the end of as_of, whatever months it settled.
Each is per payer kind (the account's kind, `PAYERS`): who is billed and who pays.

Where the figures come from. The monthly cycle's last step (`collection`, docs/ledger.md) writes
`snapshot_collection` (`write_collection_snapshot`): for its month C, the figures of the months C − 11 .. C per
payer kind and kabupaten/kota, counting the ledger rows there were when it ran (ids up to those in
`snapshot_collection_mark`) dated before the 1st of C. A read whose cycle month (the snapshot it stands on) has one
(`CollectionFigures.of`) reads it and adds only what it left out (`AFTER_SNAPSHOT`): rows dated from the 1st of C
to as_of, through the date indexes, and rows posted after the snapshot but dated before the 1st of C (e.g. a bank
file imported after the cycle), through the primary keys above the marks. Months after C (as_of past the last
cycle) are read whole. Without a snapshot for its cycle month (snapshots loaded without the cycle, cycles run
before migration 0003) a read takes the whole window from the ledger (`WHOLE`). The cycle builds each snapshot the
same way: the previous one plus what was posted since (whole, the first time), so a snapshot and the ledger always
give the same figures.

Cost of reading the ledger: each figure is one GROUP BY month over index ranges, never per-row Python, through
the covering indexes of 0001 (SQLite: the same columns without INCLUDE):
    charge_kind_month ON charge (kind, month) INCLUDE (amount, account_id);
    allocation_month ON allocation (month, allocated_on) INCLUDE (amount, account_id), one range per month;
    payment_paid_at ON payment (paid_at) INCLUDE (amount, account_id), one range per month;
and the primary keys above the marks. Read whole, the window is every charge, allocation and payment of a year
(~400k of each a month at full scale, seconds); on a snapshot, what was posted since the 1st of the month.
Collected reads allocations only in the months with billed charges and walks `opening` charges only in the months
that also have billed ones (usually none: migrated arrears are older than the first cycle).
The payer breakdown reads only the few non-family accounts (employers, governments) through the existing indexes
on charge (account_id, month, kind) and payment (account_id, paid_at); families are the month total less them.
A set of accounts (e.g. a branch's) is read through those indexes too, by a condition on the payer account.
What was posted after a snapshot is read by account from the postings themselves (`_ROWS`), a month of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, text

from iuran.billing.late_fee import KIND as LATE_FEE_KIND
from iuran.billing.service_penalty import PENALTY_KIND
from iuran.db import months
from iuran.db.engine import is_postgres
from iuran.db.values import as_int
from iuran.rules.month import Month, month_range

WINDOW = 12  # months read, ending with month(as_of); a snapshot holds as many

FAMILY = "family"
PAYERS = (FAMILY, "employer", "central_gov", "pemda")  # account.kind

_BILLED_KINDS = "c.kind IN ('contribution', 'subsidy_central', 'subsidy_pemda')"
# The kinds that are not billed contributions: migrated arrears, service penalties (iuran.billing.service_penalty)
# and late fees (iuran.billing.late_fee).
# What is allocated to them is not collected either.
_UNBILLED_KINDS = f"c.kind IN ('opening', '{PENALTY_KIND}', '{LATE_FEE_KIND}')"


@dataclass(frozen=True)
class Posted:
    """Which ledger rows a read counts: per posting table, SQL conditions, each one index range; a figure is the sum
    of its query under each condition. Aliases: c charge, v reversal, l allocation, p payment."""

    charge: tuple[str, ...]
    reversal: tuple[str, ...]
    allocation: tuple[str, ...]
    payment: tuple[str, ...]


# Every row dated before :until (the day after as_of). Charges count whatever their date.
WHOLE = Posted(
    charge=("1 = 1",),
    reversal=("v.reversed_on < :until",),
    allocation=("l.allocated_on < :until",),
    payment=("p.paid_at < :until",),
)
# What a collection snapshot taken on :since (the 1st of its month) left out, up to :until: rows dated from :since
# (date indexes), and rows posted after it (ids above its marks: primary keys) but dated before :since.
AFTER_SNAPSHOT = Posted(
    charge=("c.id > :mark_charge",),
    reversal=(
        "v.reversed_on >= :since AND v.reversed_on < :until",
        "v.id > :mark_reversal AND v.reversed_on < :since",
    ),
    allocation=(
        "l.allocated_on >= :since AND l.allocated_on < :until",
        "l.id > :mark_allocation AND l.allocated_on < :since",
    ),
    payment=(
        "p.paid_at >= :since AND p.paid_at < :until",
        "p.id > :mark_payment AND p.paid_at < :since",
    ),
)

ALL, BILLED, MIXED = "all", "billed", "mixed"


@dataclass(frozen=True)
class _Sql:
    """A query over one posting table, whose conditions fill {posted} in turn.

    Months of the read: {first} and {last} (yyyymm), {month_list} (each yyyymm: one index range per month),
    {months} (rows of month, lo, hi: the first day of the month and of the next) and {first_day} (of {first}).
    {accounts}: a condition on the payer account a. `months`: the months of the read it covers; collected counts
    allocations only in the months with billed charges (BILLED: in the others every allocation is to an `opening`
    charge) and takes out those to opening charges only in the months with both (MIXED), so that a year of migrated
    arrears is not walked charge by charge.
    """

    table: str
    text: str
    months: str = ALL


# --- month totals of the whole ledger: index range scans over the months read ---
_BILLED = _Sql(
    "charge",
    f"""
SELECT c.month AS month, CAST(sum(c.amount) AS BIGINT) AS amount
FROM charge c
WHERE {_BILLED_KINDS} AND c.month BETWEEN {{first}} AND {{last}} AND {{posted}}
GROUP BY c.month
""",
)
_REVERSED = _Sql(
    "reversal",
    f"""
SELECT c.month AS month, CAST(sum(v.amount) AS BIGINT) AS amount
FROM reversal v JOIN charge c ON c.id = v.charge_id AND c.month = v.month
WHERE {_BILLED_KINDS} AND c.month BETWEEN {{first}} AND {{last}} AND {{posted}}
GROUP BY c.month
""",
)
# Allocations to the months read (allocation.month is its charge's month) less those to `opening` and
# `service_penalty` charges:
# index ranges instead of joining every allocation to its charge.
_ALLOCATED = _Sql(
    "allocation",
    """
SELECT l.month AS month, CAST(sum(l.amount) AS BIGINT) AS amount
FROM allocation l
WHERE l.month IN ({month_list}) AND {posted}
GROUP BY l.month
""",
    BILLED,
)
_ALLOCATED_TO_OPENING = _Sql(
    "allocation",
    f"""
SELECT c.month AS month, CAST(sum(l.amount) AS BIGINT) AS amount
FROM charge c JOIN allocation l ON l.charge_id = c.id AND l.month = c.month
WHERE {_UNBILLED_KINDS} AND c.month IN ({{month_list}}) AND {{posted}}
GROUP BY c.month
""",
    MIXED,
)
# Each month an index range of paid_at.
_CASH = _Sql(
    "payment",
    """
SELECT m.month AS month, CAST(sum(p.amount) AS BIGINT) AS amount
FROM ({months}) m JOIN payment p ON p.paid_at >= m.lo AND p.paid_at < m.hi
WHERE {posted}
GROUP BY m.month
""",
)


# --- a set of accounts ({accounts}: a condition on account a) by kind, reached through the account_id indexes
# of charge and payment: the cost follows the number of accounts, not the size of the ledger ---
def _accounts_posting(table: str, join: str, amount: str) -> _Sql:
    """Σ `amount` by billing month and payer kind over the charges of a set of accounts (and their `join`ed
    postings): billed charges, their reversals or their allocations."""
    return _Sql(
        table,
        f"""
SELECT c.month AS month, a.kind AS kind, CAST(sum({amount}) AS BIGINT) AS amount
FROM account a JOIN charge c ON c.account_id = a.id {join}
WHERE {{accounts}} AND {_BILLED_KINDS} AND c.month BETWEEN {{first}} AND {{last}} AND {{posted}}
GROUP BY c.month, a.kind
""",
    )


_ACCOUNTS_BILLED = _accounts_posting("charge", "", "c.amount")
_ACCOUNTS_REVERSED = _accounts_posting("reversal", "JOIN reversal v ON v.charge_id = c.id", "v.amount")
_ACCOUNTS_COLLECTED = _accounts_posting("allocation", "JOIN allocation l ON l.charge_id = c.id", "l.amount")
_ACCOUNTS_CASH = _Sql(
    "payment",
    """
SELECT m.month AS month, a.kind AS kind, CAST(sum(p.amount) AS BIGINT) AS amount
FROM account a JOIN payment p ON p.account_id = a.id JOIN ({months}) m ON p.paid_at >= m.lo AND p.paid_at < m.hi
WHERE {accounts} AND p.paid_at >= {first_day} AND {posted}
GROUP BY m.month, a.kind
""",
)
_NOT_FAMILY = "a.kind <> 'family'"

# --- what was posted after a snapshot, row by row: (payer account, period, billed, collected, cash), the same
# figures as above; by account, it is read from the postings (a month of them), not from every account's year ---
_ROWS = (
    _Sql(
        "charge",
        "SELECT c.account_id AS account_id, c.month AS period, c.amount AS billed, 0 AS collected, 0 AS cash"
        f" FROM charge c WHERE {_BILLED_KINDS} AND c.month BETWEEN {{first}} AND {{last}} AND {{posted}}",
    ),
    _Sql(
        "reversal",
        "SELECT c.account_id AS account_id, c.month AS period, -v.amount AS billed, 0 AS collected, 0 AS cash"
        " FROM reversal v JOIN charge c ON c.id = v.charge_id AND c.month = v.month"
        f" WHERE {_BILLED_KINDS} AND c.month BETWEEN {{first}} AND {{last}} AND {{posted}}",
    ),
    _Sql(
        "allocation",
        "SELECT l.account_id AS account_id, l.month AS period, 0 AS billed, l.amount AS collected, 0 AS cash"
        " FROM allocation l WHERE l.month IN ({month_list}) AND {posted}",
        BILLED,
    ),
    _Sql(
        "allocation",
        "SELECT c.account_id AS account_id, c.month AS period, 0 AS billed, -l.amount AS collected, 0 AS cash"
        " FROM charge c JOIN allocation l ON l.charge_id = c.id AND l.month = c.month"
        f" WHERE {_UNBILLED_KINDS} AND c.month IN ({{month_list}}) AND {{posted}}",
        MIXED,
    ),
    _Sql(
        "payment",
        "SELECT p.account_id AS account_id, m.month AS period, 0 AS billed, 0 AS collected, p.amount AS cash"
        " FROM ({months}) m JOIN payment p ON p.paid_at >= m.lo AND p.paid_at < m.hi WHERE {posted}",
    ),
)
_ROWS_BY_KIND = """
SELECT x.period AS month, a.kind AS kind, CAST(sum(x.billed) AS BIGINT) AS billed,
       CAST(sum(x.collected) AS BIGINT) AS collected, CAST(sum(x.cash) AS BIGINT) AS cash
FROM ({rows}) x JOIN account a ON a.id = x.account_id
WHERE {accounts}
GROUP BY x.period, a.kind
"""

# Which months have billed charges, which opening ones: one index probe each (the months' bounds given as well,
# so that PostgreSQL plans only their partitions).
_IN_MONTH = "c.month = m.month AND c.month BETWEEN {first} AND {last}"
_MONTH_KINDS = f"""
SELECT m.month AS month,
       CASE WHEN EXISTS (SELECT 1 FROM charge c WHERE {_BILLED_KINDS} AND {_IN_MONTH}) THEN 1 ELSE 0 END AS billed,
       CASE WHEN EXISTS (SELECT 1 FROM charge c WHERE {_UNBILLED_KINDS} AND {_IN_MONTH}) THEN 1 ELSE 0 END AS opening
FROM ({{months}}) m
"""

# --- the collection snapshot (alias a: its kind and kabkota_code are the payer account's, so that a condition on
# the account applies to it as it is; an account without kabupaten/kota is '') ---
_SNAPSHOT_TOTALS = """
SELECT a.period AS month, CAST(sum(a.billed) AS BIGINT) AS billed, CAST(sum(a.collected) AS BIGINT) AS collected,
       CAST(sum(a.cash) AS BIGINT) AS cash
FROM snapshot_collection a
WHERE a.month = :snapshot AND a.period BETWEEN {first} AND {last}
GROUP BY a.period
"""
_SNAPSHOT_BY_KIND = """
SELECT a.period AS month, a.kind AS kind, CAST(sum(a.billed) AS BIGINT) AS billed,
       CAST(sum(a.collected) AS BIGINT) AS collected, CAST(sum(a.cash) AS BIGINT) AS cash
FROM snapshot_collection a
WHERE a.month = :snapshot AND a.period BETWEEN {first} AND {last} AND {accounts}
GROUP BY a.period, a.kind
"""
_MARK_SQL = (
    "SELECT month, charge_id, reversal_id, allocation_id, payment_id FROM snapshot_collection_mark WHERE month {op} :m"
    " ORDER BY month DESC LIMIT 1"
)
# The cycle's step: the previous snapshot's months still in the window, plus what was posted since.
_SNAPSHOT_CARRIED = (
    "SELECT s.period AS period, s.kind AS kind, s.kabkota_code AS kabkota_code, s.billed AS billed,"
    " s.collected AS collected, s.cash AS cash FROM snapshot_collection s"
    " WHERE s.month = :snapshot AND s.period BETWEEN {first} AND {last}"
)
_SNAPSHOT_POSTED = (
    "SELECT x.period AS period, a.kind AS kind, COALESCE(a.kabkota_code, '') AS kabkota_code, x.billed AS billed,"
    " x.collected AS collected, x.cash AS cash FROM ({rows}) x JOIN account a ON a.id = x.account_id"
)
_SNAPSHOT_INSERT = """
INSERT INTO snapshot_collection (month, period, kind, kabkota_code, billed, collected, cash)
SELECT :month, y.period, y.kind, y.kabkota_code, sum(y.billed), sum(y.collected), sum(y.cash)
FROM ({parts}) y
GROUP BY y.period, y.kind, y.kabkota_code
HAVING sum(y.billed) <> 0 OR sum(y.collected) <> 0 OR sum(y.cash) <> 0
"""
_MARK_INSERT = """
INSERT INTO snapshot_collection_mark (month, charge_id, reversal_id, allocation_id, payment_id, taken_at)
SELECT :month, (SELECT COALESCE(max(id), 0) FROM charge), (SELECT COALESCE(max(id), 0) FROM reversal),
       (SELECT COALESCE(max(id), 0) FROM allocation), (SELECT COALESCE(max(id), 0) FROM payment), :now
"""

Key = tuple[int, str]  # (yyyymm, payer); payer "" in the month totals
Figures = dict[Key, int]
Values = dict[str, Any]  # SQL parameters


@dataclass(frozen=True)
class Books:
    """Billed, collected and cash, each per (month, payer)."""

    billed: Figures
    collected: Figures
    cash: Figures

    def __add__(self, other: Books) -> Books:
        return Books(*(_plus(a, b) for a, b in zip(self.parts(), other.parts(), strict=True)))

    def __sub__(self, other: Books) -> Books:
        return Books(*(_minus(a, b) for a, b in zip(self.parts(), other.parts(), strict=True)))

    def parts(self) -> tuple[Figures, Figures, Figures]:
        return self.billed, self.collected, self.cash

    def per_month(self) -> Books:
        return Books(*(_collapse(f) for f in self.parts()))

    @classmethod
    def of(cls, rows: Iterable[Any]) -> Books:
        """From rows of month, billed, collected, cash (and kind: the payer)."""
        books: tuple[Figures, Figures, Figures] = (defaultdict(int), defaultdict(int), defaultdict(int))
        for r in rows:
            key = (as_int(r.month), str(getattr(r, "kind", "")))
            for figures, field in zip(books, fields(cls), strict=True):
                figures[key] += as_int(getattr(r, field.name))
        return cls(*books)


_NOTHING = Books({}, {}, {})


@dataclass(frozen=True)
class _Piece:
    """The months first..last, read from the ledger rows `posted` selects, on top of the collection snapshot of
    month `snapshot` (yyyymm) if there is one."""

    first: Month
    last: Month
    posted: Posted
    snapshot: int | None = None

    def sql(
        self, template: str, tag: str, posted: str = "1 = 1", accounts: str = "1 = 1", only: Set[int] | None = None
    ) -> tuple[str, Values] | None:
        """The template for these months (those in `only`, if given; None if that leaves none), and the values of
        its month parameters (named after `tag`)."""
        names: list[str] = []
        ranges: list[str] = []
        values: Values = {}
        for i, m in enumerate(month_range(self.first, self.last)):
            if only is not None and months.to_db(m) not in only:
                continue
            name = f"{tag}{i}"  # the same month, the same name in every query of the piece
            values |= {name: months.to_db(m), f"{name}_lo": m.first_day(), f"{name}_hi": (m + 1).first_day()}
            names.append(f":{name}")
            ranges.append(f"SELECT :{name} AS month, :{name}_lo AS lo, :{name}_hi AS hi")
        if not names:
            return None
        query = template.format(
            first=names[0],
            last=names[-1],
            month_list=", ".join(names),
            months=" UNION ALL ".join(ranges),
            first_day=f"{names[0]}_lo",
            posted=posted,
            accounts=accounts,
        )
        return query, values

    def every(self, template: str, tag: str, accounts: str = "1 = 1") -> tuple[str, Values]:
        """The template for all these months."""
        bound = self.sql(template, tag, accounts=accounts)
        assert bound is not None  # a piece has at least one month
        return bound


def _pieces(first: Month, last: Month, snapshot: Month | None) -> tuple[_Piece, ...]:
    """How to read the months first..last given the collection snapshot of month `snapshot`: its months on it and
    the ledger after it, later months from the ledger whole; without a snapshot for any of them, all whole."""
    if snapshot is None or snapshot < first:
        return (_Piece(first, last, WHOLE),)
    assert snapshot - (WINDOW - 1) <= first, (snapshot, first)  # the snapshot holds every month of the read up to it
    on_it = _Piece(first, min(last, snapshot), AFTER_SNAPSHOT, months.to_db(snapshot))
    return (on_it, _Piece(snapshot + 1, last, WHOLE)) if snapshot < last else (on_it,)


def _mark(row: Any) -> Values:
    """The parameters of AFTER_SNAPSHOT for a snapshot_collection_mark row."""
    return {
        "since": months.from_db(int(row.month)).first_day(),
        "mark_charge": row.charge_id,
        "mark_reversal": row.reversal_id,
        "mark_allocation": row.allocation_id,
        "mark_payment": row.payment_id,
    }


@dataclass(frozen=True)
class _MonthKinds:
    """Months (yyyymm) with billed charges, and those with billed and `opening` charges."""

    billed: frozenset[int]
    mixed: frozenset[int]

    @classmethod
    def of(cls, conn: Connection, first: Month, last: Month) -> _MonthKinds:
        query, values = _Piece(first, last, WHOLE).every(_MONTH_KINDS, "k")
        if not is_postgres(conn):
            rows = conn.execute(text(query), values).all()
        else:
            # Each probe must walk the (kind, month) index to its first match: PostgreSQL otherwise picks a
            # sequential scan that, for a recent month, reads most of the table before its first match (3 s at 5
            # million participants), or, in a month's partition where every row matches, a bitmap of them all.
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            try:
                rows = conn.execute(text(query), values).all()
            finally:
                conn.execute(text("SET LOCAL enable_seqscan = on"))
                conn.execute(text("SET LOCAL enable_bitmapscan = on"))
        billed = frozenset(as_int(r.month) for r in rows if as_int(r.billed))
        return cls(billed, frozenset(as_int(r.month) for r in rows if as_int(r.billed) and as_int(r.opening)))

    def only(self, which: str) -> frozenset[int] | None:
        return {ALL: None, BILLED: self.billed, MIXED: self.mixed}[which]


def _rows(piece: _Piece, tag: str, kinds: _MonthKinds) -> tuple[str, Values]:
    """The ledger rows the piece reads as one UNION ALL of (account_id, period, billed, collected, cash)."""
    queries: list[str] = []
    values: Values = {}
    for sql in _ROWS:
        for posted in getattr(piece.posted, sql.table):
            bound = piece.sql(sql.text, tag, posted, only=kinds.only(sql.months))
            if bound is not None:
                queries.append(bound[0])
                values |= bound[1]
    return " UNION ALL ".join(queries), values


@dataclass(frozen=True)
class CollectionFigures:
    """The figures of the WINDOW months first..last as of a day: from a collection snapshot and the ledger rows it
    left out, or from the ledger whole."""

    conn: Connection
    values: Mapping[str, Any]  # :until, the snapshot's marks, those the account conditions bind
    pieces: Sequence[_Piece]
    kinds: _MonthKinds
    first: Month
    last: Month

    @classmethod
    def of(cls, conn: Connection, as_of: dt.date, cycle_month: Month, binds: Mapping[str, object]) -> CollectionFigures:
        """The figures of the WINDOW months to month(as_of), standing on the collection snapshot of `cycle_month`
        (the latest finished cycle month ≤ month(as_of)) if there is one. `binds`: the parameters of the account
        conditions given to `accounts`."""
        last = Month.of(as_of)
        first = last - (WINDOW - 1)
        mark = conn.execute(text(_MARK_SQL.format(op="=")), {"m": months.to_db(cycle_month)}).first()
        values = {**binds, "until": as_of + dt.timedelta(days=1), **(_mark(mark) if mark else {})}
        pieces = _pieces(first, last, cycle_month if mark else None)
        return cls(conn, values, pieces, _MonthKinds.of(conn, first, last), first, last)

    def totals(self) -> Books:
        """Per month (payer "")."""
        books = _NOTHING
        for k, piece in enumerate(self.pieces):
            tag = f"p{k}m"
            billed = _minus(self._run(piece, tag, _BILLED), self._run(piece, tag, _REVERSED))
            collected = _minus(self._run(piece, tag, _ALLOCATED), self._run(piece, tag, _ALLOCATED_TO_OPENING))
            books += Books(billed, collected, self._run(piece, tag, _CASH))
            if piece.snapshot is not None:
                books += self._read(piece, *piece.every(_SNAPSHOT_TOTALS, tag))
        return books

    def by_payer(self) -> Books:
        """Per month and payer kind. Families are nearly every account: their figures are the month totals less
        the few other accounts."""
        others = self.accounts(_NOT_FAMILY)
        return Books(*(_with_families(t, o) for t, o in zip(self.totals().parts(), others.parts(), strict=True)))

    def accounts(self, condition: str) -> Books:
        """The accounts that `condition` (on the payer account a) selects, per month and payer kind."""
        books = _NOTHING
        for k, piece in enumerate(self.pieces):
            tag = f"p{k}m"
            if piece.snapshot is None:
                billed = _minus(
                    self._run(piece, tag, _ACCOUNTS_BILLED, condition),
                    self._run(piece, tag, _ACCOUNTS_REVERSED, condition),
                )
                collected = self._run(piece, tag, _ACCOUNTS_COLLECTED, condition)
                books += Books(billed, collected, self._run(piece, tag, _ACCOUNTS_CASH, condition))
                continue
            books += self._read(piece, *piece.every(_SNAPSHOT_BY_KIND, tag, condition))
            rows, values = _rows(piece, tag, self.kinds)
            books += self._read(piece, _ROWS_BY_KIND.format(rows=rows, accounts=condition), values)
        return books

    def _run(self, piece: _Piece, tag: str, sql: _Sql, accounts: str = "1 = 1") -> Figures:
        out: Figures = defaultdict(int)
        for posted in getattr(piece.posted, sql.table):
            bound = piece.sql(sql.text, tag, posted, accounts, self.kinds.only(sql.months))
            if bound is None:
                continue
            for key, amount in _by_key(self.conn.execute(text(bound[0]), {**self.values, **bound[1]})).items():
                out[key] += amount
        return out

    def _read(self, piece: _Piece, query: str, values: Values) -> Books:
        return Books.of(self.conn.execute(text(query), {**self.values, **values, "snapshot": piece.snapshot}))


def write_collection_snapshot(conn: Connection, month: Month, now: dt.datetime) -> int:
    """The monthly cycle's `collection` step: the collection snapshot of `month`; returns the rows written.

    The figures of the months month − 11 .. month, per payer kind and kabupaten/kota, as a report dated the eve of
    the 1st of `month` shows them: the previous snapshot plus the ledger rows it left out, or the ledger read whole
    when there is none (the first cycle).
    """
    if is_postgres(conn):
        # The marks must cover every row there is and will ever be dated before the 1st: let the writers of the
        # ledger in flight commit and keep new ones out until this step commits (SQLite has one writer anyway).
        conn.execute(text("LOCK TABLE payment, reversal, allocation, charge IN SHARE MODE"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))  # the hash of a month's postings, in memory
    m = months.to_db(month)
    for table in ("snapshot_collection", "snapshot_collection_mark"):
        conn.execute(text(f"DELETE FROM {table} WHERE month = :m"), {"m": m})
    previous = conn.execute(text(_MARK_SQL.format(op="<")), {"m": m}).first()
    first = month - (WINDOW - 1)
    kinds = _MonthKinds.of(conn, first, month)
    values: Values = {"month": m, "until": month.first_day(), "now": now, **(_mark(previous) if previous else {})}
    parts: list[str] = []
    posted: list[str] = []
    for k, piece in enumerate(_pieces(first, month, months.from_db(int(previous.month)) if previous else None)):
        tag = f"p{k}m"
        if piece.snapshot is not None:
            query, piece_values = piece.every(_SNAPSHOT_CARRIED, tag)
            parts.append(query)
            values |= piece_values | {"snapshot": piece.snapshot}
        query, piece_values = _rows(piece, tag, kinds)
        posted.append(query)
        values |= piece_values
    parts.append(_SNAPSHOT_POSTED.format(rows=" UNION ALL ".join(posted)))
    n = conn.execute(text(_SNAPSHOT_INSERT.format(parts=" UNION ALL ".join(parts))), values).rowcount
    conn.execute(text(_MARK_INSERT), {"month": m, "now": now})
    return n


def _by_key(rows: Iterable[Any]) -> Figures:
    out: Figures = defaultdict(int)
    for r in rows:
        out[(as_int(r.month), getattr(r, "kind", ""))] += as_int(r.amount)
    return out


def _minus(a: Mapping[Key, int], b: Mapping[Key, int]) -> Figures:
    return {k: a.get(k, 0) - b.get(k, 0) for k in a.keys() | b.keys()}


def _plus(a: Mapping[Key, int], b: Mapping[Key, int]) -> Figures:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}


def _with_families(totals: Figures, others: Figures) -> Figures:
    """Per (month, payer): the other accounts as summed, families the month's total less them."""
    out = dict(others)
    for (month, _), amount in totals.items():
        out[(month, FAMILY)] = amount - sum(v for (m, _kind), v in others.items() if m == month)
    return out


def _collapse(figures: Figures) -> Figures:
    out: Figures = defaultdict(int)
    for (month, _), amount in figures.items():
        out[(month, "")] += amount
    return out
