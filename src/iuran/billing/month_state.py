"""A month's derived state: who was active and in arrears on its 1st, the government's Kelas III share for the
active, and the snapshots the reports read (docs/ledger.md, "A month's derived state").

All of it is a function of the books *as of the 1st of the month*: the charges of the months before, less what
every payment dated before the 1st settled or wrote off, whenever it was posted. A payment posted after the 1st but
dated before it (a bank's file a day late) therefore changes the month's state, and `refresh` brings the month up
to date as new rows (a subsidy charge for the newly active) and rewritten snapshots; a payment dated on or after
the 1st changes the account's status (`account_status`) but not the month's picture of its 1st.

The cycle's steps `coverage`, `subsidy` and `snapshot` are these writers run for the first time; `refresh` runs
again those of them a month has finished, and `ledger verify` proves the latest month's against the books.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, text

from iuran.billing import account_status
from iuran.billing.billable import BILLABLE, month_params, sql_segments
from iuran.billing.deferral import deferred_join
from iuran.billing.period import OPEN_PERIOD
from iuran.billing.suspension import months_tolerated_sql
from iuran.db.engine import create_temp_as, is_postgres
from iuran.db.months import from_db, to_db
from iuran.rules.arrears_aging import AGING_BUCKETS
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook

# The steps of the cycle that write the month's derived state, in the order they are (re)written.
DERIVED_STEPS = ("coverage", "subsidy", "snapshot")
SUBSIDY_KINDS = ("subsidy_central", "subsidy_pemda")
_SUBSIDY_KINDS_SQL = "(" + ", ".join(f"'{k}'" for k in SUBSIDY_KINDS) + ")"


# Per account, the books as of the 1st of :m: months and Rupiah in arrears then, and whether it was active
# (a family from the day of its first payment, before the 1st; every account with nothing open before :m).
# Open items now, plus what payments dated from the 1st on have settled or written off since.
# Over `account a` and the months `o.months` open before :m on the 1st: whether the account was active then.
def active_on_first(rules: Rulebook, counting: str) -> str:
    """Over `account a` and `counting`, the months open before :m on the 1st that count toward suspension (not
    deferred, `iuran.billing.deferral`): whether the account was active then (a family from the day of its first
    payment, before the 1st; every account with no more such months than its suspension rule tolerates,
    `iuran.billing.suspension`)."""
    return (
        "CASE WHEN a.kind = 'family' AND (a.activated_on IS NULL OR a.activated_on >= :first) THEN 0"
        f" WHEN COALESCE({counting}, 0) <= {months_tolerated_sql('a.kind', ':m', rules)} THEN 1 ELSE 0 END"
    )


def books_at_first(rules: Rulebook) -> str:
    """Per account, the books as of the 1st of :m: months and Rupiah in arrears then, and whether it was active.
    Open items now, plus what payments dated from the 1st on have settled or written off since."""
    return f"""
SELECT a.id AS account_id, {active_on_first(rules, "o.counting")} AS active,
       COALESCE(o.months, 0) AS months_in_arrears, COALESCE(o.amount, 0) AS arrears_amount
FROM account a
LEFT JOIN (
  SELECT x.account_id, count(DISTINCT x.month) AS months, sum(x.amount) AS amount,
         count(DISTINCT CASE WHEN f.charge_id IS NULL THEN x.month END) AS counting
  FROM (
    SELECT charge_id, account_id, month, amount_open AS amount FROM open_item WHERE month < :m
    UNION ALL
    SELECT l.charge_id, l.account_id, l.month, l.amount FROM allocation l JOIN payment p ON p.id = l.payment_id
    WHERE p.paid_at >= :first AND l.month < :m
    UNION ALL
    SELECT w.charge_id, w.account_id, w.month, w.amount FROM writeoff w JOIN payment p ON p.id = w.payment_id
    WHERE p.paid_at >= :first AND w.month < :m
  ) x {deferred_join("x", ":m", ":first", before=True)}
  GROUP BY x.account_id
) o ON o.account_id = a.id
"""


# The membership that says a person's segment in month :m: the one covering it, or else the latest that ended
# before it (memberships of a person do not overlap). Most persons have a covering one; the anti-join runs only
# over the few ended ones. {first}: the books at the 1st, per account (a table, or `(books_at_first(...))`).
_LATEST_MEMBERSHIP = """
FROM (SELECT person_id, segment, account_id, valid_to FROM membership
      WHERE valid_from <= :m AND (valid_to IS NULL OR valid_to >= :m)
      UNION ALL
      SELECT e.person_id, e.segment, e.account_id, e.valid_to FROM membership e
      WHERE e.valid_to < :m AND NOT EXISTS (SELECT 1 FROM membership n WHERE n.person_id = e.person_id
                                            AND n.valid_from > e.valid_from AND n.valid_from <= :m)) m
JOIN person p ON p.id = m.person_id
LEFT JOIN {first} s ON s.account_id = m.account_id
WHERE p.registered_on <= :first AND (p.died_on IS NULL OR p.died_on >= :first)
"""

_ACTIVE = "(m.account_id IS NOT NULL AND (m.valid_to IS NULL OR m.valid_to >= :m) AND s.active = 1)"

# Registered and active persons per kecamatan × segment (`snapshot_coverage`'s columns after the month).
COVERAGE = (
    "SELECT p.kecamatan_code, m.segment, p.kabkota_code, count(*) AS registered,"
    f" sum(CASE WHEN {_ACTIVE} THEN 1 ELSE 0 END) AS active {_LATEST_MEMBERSHIP}"
    " GROUP BY p.kecamatan_code, m.segment, p.kabkota_code"
)


def _bucket_case(months: str) -> str:
    """`iuran.rules.arrears_aging.bucket_of(months)` as an SQL CASE, for months >= 1."""
    *bounded, last = AGING_BUCKETS
    assert last.high is None and all(b.high is not None for b in bounded)
    whens = " ".join(f"WHEN {months} <= {b.high} THEN '{b.name}'" for b in bounded)
    return f"CASE {whens} ELSE '{last.name}' END"


_BUCKET = _bucket_case("s.months_in_arrears")

# Accounts, persons and Rupiah in arrears per kabupaten/kota × segment × aging bucket (`snapshot_arrears`'s
# columns after the month): accounts in arrears on the 1st with members covered this month (the persons the month's
# charge bills), segment from the memberships.
ARREARS = (
    f"SELECT COALESCE(a.kabkota_code, '') AS kabkota_code, x.segment, {_BUCKET} AS bucket, count(*) AS accounts,"
    " sum(x.persons) AS persons, sum(s.arrears_amount) AS amount "
    "FROM {first} s JOIN account a ON a.id = s.account_id "
    "JOIN (SELECT m.account_id, min(m.segment) AS segment, count(*) AS persons FROM membership m"
    "      WHERE m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)"
    "      GROUP BY m.account_id) x ON x.account_id = s.account_id "
    f"WHERE s.months_in_arrears > 0 GROUP BY COALESCE(a.kabkota_code, ''), x.segment, {_BUCKET}"
)

_FAMILY_BILLED = sql_segments(lambda s: s.is_family_billed)

# The Kelas III government share due for the month (Perpres 64/2020 Pasal 34(3)-(4)): the persons the month bills
# (the bill step's membership rows) of family accounts active on the 1st, per kabupaten/kota and rate. A family's
# rate carries a government share only where the rules give one (Kelas III, since July 2020:
# iuran.rules.contribution.pbpu_person_month); PBI is billed whole to the governments by `bill`.
SUBSIDY_DUE = (
    "SELECT p.kabkota_code, r.government_central AS central, r.government_pemda AS pemda, count(*) AS persons "
    + BILLABLE.format(
        rates="JOIN",
        join="JOIN {first} s ON s.account_id = m.account_id AND s.active = 1 JOIN person p ON p.id = m.person_id",
    )
    + f" AND m.segment IN {_FAMILY_BILLED} AND r.government_central + r.government_pemda > 0"
    " GROUP BY p.kabkota_code, r.government_central, r.government_pemda"
)

# Per government account: the persons and Rupiah of the subsidy due (from `due`, a table or subquery with the
# columns of SUBSIDY_DUE) and of what the month's charges have billed so far.
SUBSIDY_OWED = """
SELECT g.id AS account_id, d.kind, d.persons AS due_persons, d.amount AS due_amount,
       COALESCE(b.members, 0) AS billed_persons, COALESCE(b.amount, 0) AS billed_amount
FROM (
  SELECT 'subsidy_central' AS kind, '' AS pemda_code, sum(persons) AS persons, sum(persons * central) AS amount
  FROM {due} x WHERE central > 0
  UNION ALL
  SELECT 'subsidy_pemda', kabkota_code, sum(persons), sum(persons * pemda) FROM {due} x WHERE pemda > 0
  GROUP BY kabkota_code
) d
JOIN account g ON (d.kind = 'subsidy_central' AND g.kind = 'central_gov') OR (d.kind = 'subsidy_pemda'
                                                                             AND g.pemda_code = d.pemda_code)
LEFT JOIN (SELECT account_id, kind, sum(members) AS members, sum(amount) AS amount FROM charge
           WHERE month = :m AND kind IN {kinds} GROUP BY account_id, kind) b
  ON b.account_id = g.id AND b.kind = d.kind
""".replace("{kinds}", _SUBSIDY_KINDS_SQL)


def write_account_first(conn: Connection, p: dict[str, object], open_before: str, rules: Rulebook) -> None:
    """Keep the books as of the 1st of month :m in `account_first`, for the month's writers.

    `open_before`: a SELECT of `books_at_first`'s columns from the open items before :m alone, which are the books on
    the 1st as long as no payment dated from the 1st on is in the books yet."""
    late = conn.execute(text("SELECT 1 FROM payment WHERE paid_at >= :first LIMIT 1"), p).first()
    conn.execute(text("TRUNCATE account_first" if is_postgres(conn) else "DELETE FROM account_first"))
    conn.execute(
        text(
            "INSERT INTO account_first (account_id, month, active, months_in_arrears, arrears_amount)"
            " SELECT x.account_id, :m, x.active, x.months_in_arrears, x.arrears_amount"
            f" FROM ({books_at_first(rules) if late else open_before}) x"
        ),
        p,
    )


def _books_at_first(conn: Connection, p: dict[str, object], rules: Rulebook) -> str:
    """The table holding the books as of the 1st of month :m, per account: `account_first` when it is the month
    kept there, else a working table `month_first` (dropped by `_done`)."""
    kept = conn.execute(text("SELECT month FROM account_first LIMIT 1")).scalar()
    if kept is not None and int(kept) == p["m"]:
        return "account_first"
    create_temp_as(conn, "month_first", books_at_first(rules), p)
    return "month_first"


def _done(conn: Connection, first: str) -> None:
    if first == "month_first":
        conn.execute(text("DROP TABLE month_first"))


def write_coverage(conn: Connection, month: Month, now: dt.datetime, rules: Rulebook) -> int:
    """What the coverage and activeness reports read: registered and active persons per kecamatan × segment."""
    p = month_params(month, now)
    if is_postgres(conn):
        conn.execute(text("SET LOCAL work_mem = '1GB'"))  # one hash of every person, in memory
        # The books are in memory by now: an index probe per ended membership is cheaper than hashing them all.
        conn.execute(text("SET LOCAL random_page_cost = 1.1"))
    first = _books_at_first(conn, p, rules)
    conn.execute(text("DELETE FROM snapshot_coverage WHERE month = :m"), p)
    # Every person counted once: a working table first, so that PostgreSQL may count with parallel workers.
    create_temp_as(conn, "cycle_coverage", COVERAGE.format(first=first), p)
    n = conn.execute(
        text(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            "SELECT :m, kecamatan_code, segment, kabkota_code, registered, active FROM cycle_coverage"
        ),
        p,
    ).rowcount
    conn.execute(text("DROP TABLE cycle_coverage"))
    _done(conn, first)
    return n


def bill_subsidy(conn: Connection, month: Month, now: dt.datetime, rules: Rulebook) -> int:
    """Bill the government's Kelas III share due for the month and not billed yet: all of it the first time (the
    cycle), then the share of the participants a late payment made active (a new charge each time). Returns the
    charges written."""
    p = month_params(month, now)
    first = _books_at_first(conn, p, rules)
    create_temp_as(conn, "cycle_subsidy", SUBSIDY_DUE.format(first=first), p)
    # The centre and every Pemda with subsidised residents need a payer account.
    conn.execute(
        text(
            "INSERT INTO account (kind, name, opened_on) SELECT 'central_gov', 'Pemerintah Pusat', :first "
            "WHERE EXISTS (SELECT 1 FROM cycle_subsidy WHERE central > 0)"
            " AND NOT EXISTS (SELECT 1 FROM account WHERE kind = 'central_gov')"
        ),
        p,
    )
    conn.execute(
        text(
            "INSERT INTO account (kind, name, pemda_code, kabkota_code, opened_on) "
            "SELECT 'pemda', 'Pemda ' || g.name, g.code, g.code, :first FROM region g "
            "WHERE g.code IN (SELECT kabkota_code FROM cycle_subsidy WHERE pemda > 0)"
            " AND NOT EXISTS (SELECT 1 FROM account x WHERE x.pemda_code = g.code)"
        ),
        p,
    )
    before = int(conn.execute(text("SELECT COALESCE(max(id), 0) FROM charge")).scalar_one())
    n = conn.execute(
        text(
            "INSERT INTO charge (account_id, month, kind, members, amount, created_at, period) "
            "SELECT account_id, :m, kind, due_persons - billed_persons, due_amount - billed_amount, :now,"
            f" {OPEN_PERIOD} "
            f"FROM ({SUBSIDY_OWED.format(due='cycle_subsidy')}) o "
            "WHERE due_amount > billed_amount AND due_persons > billed_persons ORDER BY account_id, kind"
        ),
        p,
    ).rowcount
    conn.execute(
        text(
            "INSERT INTO open_item (charge_id, account_id, month, amount_open) "
            "SELECT id, account_id, month, amount FROM charge WHERE id > :before AND month = :m"
            f" AND kind IN {_SUBSIDY_KINDS_SQL} AND amount > 0 ORDER BY id"
        ),
        p | {"before": before},
    )
    # A share billed late for a month before an account's status month is in arrears there.
    account_status.restate(conn, _NEW_SUBSIDIES, p | {"before": before}, now.date(), rules)
    conn.execute(text("DROP TABLE cycle_subsidy"))
    _done(conn, first)
    return n


_NEW_SUBSIDIES = f"SELECT account_id FROM charge WHERE id > :before AND month = :m AND kind IN {_SUBSIDY_KINDS_SQL}"


def write_arrears_snapshot(conn: Connection, month: Month, now: dt.datetime, rules: Rulebook) -> int:
    """What the arrears report reads: accounts, persons and Rupiah in arrears per aging bucket."""
    p = month_params(month, now)
    first = _books_at_first(conn, p, rules)
    conn.execute(text("DELETE FROM snapshot_arrears WHERE month = :m"), p)
    n = conn.execute(
        text(
            "INSERT INTO snapshot_arrears (month, kabkota_code, segment, bucket, accounts, persons, amount) "
            "SELECT :m, kabkota_code, segment, bucket, accounts, persons, amount"
            f" FROM ({ARREARS.format(first=first)}) x"
        ),
        p,
    ).rowcount
    _done(conn, first)
    return n


WRITERS: dict[str, Callable[[Connection, Month, dt.datetime, Rulebook], int]] = {
    "coverage": write_coverage,
    "subsidy": bill_subsidy,
    "snapshot": write_arrears_snapshot,
}


def written_months(conn: Connection, *, after: dt.date | None = None) -> dict[Month, tuple[str, ...]]:
    """The months whose derived state the cycle has begun to write, with the derived steps written (none yet when
    only `status` has kept the books of the 1st, `account_first`, which the others read); only those whose 1st is
    after `after` when given."""
    rows = conn.execute(
        text(
            "SELECT month, step FROM cycle_step WHERE step IN ('status', 'coverage', 'subsidy', 'snapshot')"
            " ORDER BY month"
        )
    ).all()
    months: dict[Month, list[str]] = {}
    for raw, step in rows:
        month = from_db(int(raw))
        if after is None or month.first_day() > after:
            months.setdefault(month, []).append(str(step))
    return {m: tuple(s for s in DERIVED_STEPS if s in steps) for m, steps in months.items()}


def refresh(
    conn: Connection, month: Month, now: dt.datetime, rules: Rulebook, steps: tuple[str, ...] = DERIVED_STEPS
) -> dict[str, int]:
    """Write again the derived state of `month` its cycle has written (`steps`), from the books as they stand.

    Two refreshes of a month take turns (PostgreSQL: a lock for the month until commit), so that a subsidy is
    never billed twice.
    """
    if is_postgres(conn):
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended('iuran.month_state.' || :m, 0))"),
            {"m": str(to_db(month))},
        )
    p = month_params(month, now)
    kept = conn.execute(text("SELECT month FROM account_first LIMIT 1")).scalar()
    if kept is not None and int(kept) == p["m"]:
        write_account_first(conn, p, books_at_first(rules), rules)
    return {step: WRITERS[step](conn, month, now, rules) for step in DERIVED_STEPS if step in steps}


def absorb(
    conn: Connection, earliest: dt.date | None, now: dt.datetime, rules: Rulebook
) -> dict[Month, dict[str, int]]:
    """After a change to the books dated `earliest` (a late payment, a death reported late): refresh every month
    whose 1st is after it and whose derived state is already written. Nothing when `earliest` is None."""
    if earliest is None:
        return {}
    return {m: refresh(conn, m, now, rules, steps) for m, steps in written_months(conn, after=earliest).items()}


def _both_ways(ours: str, theirs: str, columns: str) -> str:
    """The rows of `ours` missing from `theirs` and the other way round (each a SELECT of `columns`)."""
    return (
        f"SELECT 'snapshot' AS side, {columns} FROM (SELECT {columns} FROM ({ours}) a EXCEPT"
        f" SELECT {columns} FROM ({theirs}) b) x UNION ALL"
        f" SELECT 'books', {columns} FROM (SELECT {columns} FROM ({theirs}) c EXCEPT"
        f" SELECT {columns} FROM ({ours}) d) y"
    )


def proofs(rules: Rulebook) -> dict[str, str]:
    """What `ledger verify` proves of the latest month whose derived state is written (:m, :first): each query
    returns the rows that disagree with the books."""
    first = f"({books_at_first(rules)})"
    return {
        "coverage_snapshot_disagrees": _both_ways(
            "SELECT * FROM snapshot_coverage WHERE month = :m",
            COVERAGE.format(first=first),
            "kecamatan_code, segment, registered, active",
        ),
        "arrears_snapshot_disagrees": _both_ways(
            "SELECT * FROM snapshot_arrears WHERE month = :m",
            ARREARS.format(first=first),
            "kabkota_code, segment, bucket, accounts, persons, amount",
        ),
        # The government's share of every participant active on the 1st is billed (a share billed for someone a
        # late death report took away is not withdrawn: docs/ledger.md).
        "subsidy_unbilled": f"""
            SELECT account_id, kind, due_persons, billed_persons, due_amount, billed_amount
            FROM ({SUBSIDY_OWED.format(due="(" + SUBSIDY_DUE.format(first=first) + ")")}) o
            WHERE due_persons > billed_persons OR due_amount > billed_amount""",
    }


# Which step writes what each proof checks: a month whose cycle has not written it yet is not held to it.
PROOF_STEP = {
    "coverage_snapshot_disagrees": "coverage",
    "arrears_snapshot_disagrees": "snapshot",
    "subsidy_unbilled": "subsidy",
}
