"""The monthly cycle: bill every payer account for the month, suspend and reactivate, age the arrears.

`run_cycle(engine, month, now=...)` is a handful of set-based SQL statements over all accounts, in steps. Each
step is one transaction that also records itself in `cycle_step`: a finished step is never run twice (a rerun
changes nothing) and a crash leaves whole steps only (run again to resume).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from iuran.billing.rates import write_rates
from iuran.db.engine import is_postgres
from iuran.db.months import from_db, to_db
from iuran.reports.collectibility import write_collection_snapshot
from iuran.rules.month import Month

STEPS = ("rates", "bill", "status", "subsidy", "snapshot", "collection")

Progress = Callable[[str, int, int], None]  # (step, steps done, steps in all)


class CycleError(ValueError):
    """A cycle that cannot run: names the month and the rule."""


@dataclass(frozen=True)
class CycleResult:
    month: Month
    rows: dict[str, int] = field(default_factory=dict)  # rows written per step run now
    skipped: tuple[str, ...] = ()  # steps already finished by an earlier run


def last_finished_month(conn: Connection) -> Month | None:
    value = conn.execute(text("SELECT max(month) FROM cycle_step WHERE step = :s"), {"s": STEPS[-1]}).scalar()
    return from_db(value) if value else None


def _unfinished_month(conn: Connection) -> Month | None:
    value = conn.execute(
        text(
            "SELECT min(month) FROM cycle_step c WHERE NOT EXISTS "
            "(SELECT 1 FROM cycle_step d WHERE d.month = c.month AND d.step = :s)"
        ),
        {"s": STEPS[-1]},
    ).scalar()
    return from_db(value) if value else None


def check_order(conn: Connection, month: Month) -> None:
    """Months run in order, one after another; the first cycle may be any month."""
    unfinished = _unfinished_month(conn)
    if unfinished is not None and unfinished != month:
        raise CycleError(f"month: the cycle for {unfinished} did not finish; run it again before {month}")
    last = last_finished_month(conn)
    if last is None or month <= last:
        if last is not None and month < last:
            raise CycleError(f"month: {month} is before the last finished cycle {last}; cycles run in order")
        return
    if month != last + 1:
        raise CycleError(f"month: the next cycle is {last + 1}; {month} would leave months unbilled")


def run_cycle(engine: Engine, month: Month, *, now: dt.datetime, progress: Progress | None = None) -> CycleResult:
    """Run (or resume) the cycle for `month`. A finished month is left as it is."""
    with engine.connect() as conn:
        check_order(conn, month)
        done = {r[0] for r in conn.execute(text("SELECT step FROM cycle_step WHERE month = :m"), {"m": to_db(month)})}
    rows: dict[str, int] = {}
    for i, step in enumerate(STEPS):
        if step in done:
            continue
        with engine.begin() as conn:
            n = _STEP_FUNCS[step](conn, month, now)
            conn.execute(
                text("INSERT INTO cycle_step (month, step, rows, finished_at) VALUES (:m, :s, :n, :t)"),
                {"m": to_db(month), "s": step, "n": n, "t": now},
            )
        rows[step] = n
        if progress:
            progress(step, i + 1, len(STEPS))
    return CycleResult(month, rows, tuple(s for s in STEPS if s in done))


def _params(month: Month, now: dt.datetime) -> dict[str, object]:
    return {
        "m": to_db(month),
        "first": month.first_day(),
        "year": month.year,
        "now": now,
    }


# --- step 1: rates ---------------------------------------------------------------------------------------------


def _rates(conn: Connection, month: Month, now: dt.datetime) -> int:
    return write_rates(conn, month)


# --- step 2: bill ----------------------------------------------------------------------------------------------

# Who is billed in month :m: a membership covering the month, with a payer. (A death closes the membership at the
# month of death, so the dead are not billed after it.) `cycle_umk` is the minimum wage for each employer account.
_BILLABLE = """
FROM membership m
JOIN rate_in_force r ON r.month = :m AND r.segment = m.segment AND r.kelas = COALESCE(m.kelas, 0)
LEFT JOIN cycle_umk u ON u.account_id = m.account_id
{join}
WHERE m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)
  AND m.account_id IS NOT NULL
"""

# PPU wage base: at least the UMK, at most the cap (Perpres 82/2018 Pasal 32); dependants carry no wage.
_FLOORED = "(CASE WHEN m.wage >= u.amount THEN m.wage ELSE u.amount END)"
_BASE = f"(CASE WHEN m.wage IS NULL THEN 0 WHEN {_FLOORED} <= r.wage_cap THEN {_FLOORED} ELSE r.wage_cap END)"


def _bp(bp: str) -> str:
    """Basis points of the wage base, rounded half up: the SQL twin of iuran.rules.money.apply_bp."""
    return f"(({_BASE} * {bp} + 5000) / 10000)"


# As in iuran.rules.contribution.ppu_month: the whole percentage rounded once, less the worker's part.
_EMPLOYER = (
    "(CASE WHEN m.segment IN ('ppu-bu', 'ppu-pn') "
    f"THEN {_bp('(r.employer_bp + r.worker_bp)')} - {_bp('r.worker_bp')} ELSE 0 END)"
)
_WORKER = (
    f"(CASE WHEN m.segment IN ('ppu-bu', 'ppu-pn') "
    f"THEN {_bp('r.worker_bp')} + m.extra_members * {_bp('r.extra_member_bp')} ELSE 0 END)"
)
_GOVERNMENT = "(r.government_central + r.government_pemda)"
# What the payer account owes for the person: PBPU/BP their participant share (the Kelas III government share is
# billed to the governments, see subsidy), PBI the whole rate, PPU the employer and worker shares.
_AMOUNT = (
    f"(CASE WHEN m.segment IN ('pbi-apbn', 'pbi-apbd') THEN {_GOVERNMENT} "
    f"WHEN m.segment IN ('ppu-bu', 'ppu-pn') THEN {_EMPLOYER} + {_WORKER} ELSE r.participant END)"
)


def _check_billable(conn: Connection, p: dict[str, object]) -> None:
    no_rate = conn.execute(
        text(
            "SELECT m.segment, m.kelas, count(*) FROM membership m WHERE m.account_id IS NOT NULL"
            " AND m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m) AND NOT EXISTS"
            " (SELECT 1 FROM rate_in_force r WHERE r.month = :m AND r.segment = m.segment"
            "  AND r.kelas = COALESCE(m.kelas, 0)) GROUP BY m.segment, m.kelas"
        ),
        p,
    ).first()
    if no_rate:
        raise CycleError(
            f"membership.kelas: {no_rate[2]} {no_rate[0]} memberships have class {no_rate[1]}, which has no rate"
        )
    no_umk = conn.execute(
        text(
            "SELECT e.kabkota_code, count(*) FROM membership m JOIN account a ON a.id = m.account_id"
            " JOIN employer e ON e.id = a.employer_id"
            " WHERE m.wage IS NOT NULL AND m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)"
            " AND NOT EXISTS (SELECT 1 FROM umk u WHERE u.kabkota_code = e.kabkota_code AND u.year = :year)"
            " GROUP BY e.kabkota_code"
        ),
        p,
    ).first()
    if no_umk:
        raise CycleError(
            f"umk: no minimum wage for kabupaten/kota {no_umk[0]} in {p['year']}; the PPU wage base needs it"
            " (Perpres 82/2018 Pasal 32)"
        )


def _bill(conn: Connection, month: Month, now: dt.datetime) -> int:
    """One charge per payer account and a line per person: the lines are computed once, in a working table."""
    p = _params(month, now)
    _check_billable(conn, p)
    _prepare_umk(conn, p)
    conn.execute(text("DROP TABLE IF EXISTS cycle_line"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE cycle_line AS SELECT m.account_id, m.person_id, m.segment, m.kelas,"
            f" {_AMOUNT} AS amount, r.participant, {_GOVERNMENT} AS government, {_EMPLOYER} AS employer,"
            f" {_WORKER} AS worker {_BILLABLE.format(join='')}"
        ),
        p,
    )
    conn.execute(
        text(
            "INSERT INTO charge (account_id, month, kind, members, amount, created_at) "
            "SELECT account_id, :m, 'contribution', count(*), sum(amount), :now FROM cycle_line GROUP BY account_id"
        ),
        p,
    )
    _analyze(conn, "charge")
    lines = conn.execute(
        text(
            "INSERT INTO charge_line (charge_id, person_id, month, segment, kelas, amount,"
            " participant, government, employer, worker) "
            "SELECT c.id, l.person_id, :m, l.segment, l.kelas, l.amount, l.participant, l.government, l.employer,"
            " l.worker FROM cycle_line l"
            " JOIN charge c ON c.account_id = l.account_id AND c.month = :m AND c.kind = 'contribution'"
        ),
        p,
    ).rowcount
    _open_new_items(conn, p, "('contribution')")
    for table in ("cycle_line", "cycle_umk"):
        conn.execute(text(f"DROP TABLE {table}"))
    _analyze(conn, "charge", "charge_line", "open_item")
    return lines


def _analyze(conn: Connection, *tables: str) -> None:
    """Fresh planner statistics after a bulk write, so that the next steps join with the right plans."""
    if is_postgres(conn):
        for table in tables:
            conn.execute(text(f"ANALYZE {table}"))


def _prepare_umk(conn: Connection, p: dict[str, object]) -> None:
    """The UMK that floors the wage base of each employer account's workers, for the month's year."""
    conn.execute(text("DROP TABLE IF EXISTS cycle_umk"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE cycle_umk AS SELECT a.id AS account_id, u.amount FROM account a"
            " JOIN employer e ON e.id = a.employer_id JOIN umk u ON u.kabkota_code = e.kabkota_code"
            " AND u.year = :year"
        ),
        p,
    )
    if is_postgres(conn):
        conn.execute(text("ANALYZE cycle_umk"))


def _open_new_items(conn: Connection, p: dict[str, object], kinds: str) -> None:
    conn.execute(
        text(
            "INSERT INTO open_item (charge_id, account_id, month, amount_open) "
            f"SELECT id, account_id, month, amount FROM charge WHERE month = :m AND kind IN {kinds} AND amount > 0"
        ),
        p,
    )


# --- step 3: status --------------------------------------------------------------------------------------------


def _status(conn: Connection, month: Month, now: dt.datetime) -> int:
    """Suspension from the 1st after an unpaid month (Perpres 64/2020 Pasal 42(1)), for every account."""
    p = _params(month, now)
    conn.execute(text("DROP TABLE IF EXISTS cycle_status"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE cycle_status AS "
            "SELECT a.id AS account_id,"
            " CASE WHEN a.kind = 'family' AND a.activated_on IS NULL THEN 0"
            "      WHEN o.months IS NULL THEN 1 ELSE 0 END AS active,"
            " COALESCE(o.months, 0) AS months, COALESCE(o.amount, 0) AS amount, o.since AS since,"
            " s.active AS was_active, s.status_since AS was_since, a.opened_on AS opened_on "
            "FROM account a "
            "LEFT JOIN (SELECT account_id, count(DISTINCT month) AS months, sum(amount_open) AS amount,"
            "  min(month) AS since FROM open_item WHERE month < :m GROUP BY account_id) o ON o.account_id = a.id "
            "LEFT JOIN account_status s ON s.account_id = a.id"
        ),
        p,
    )
    conn.execute(text("DELETE FROM account_status"))
    n = conn.execute(
        text(
            "INSERT INTO account_status (account_id, active, status_since, months_in_arrears, arrears_amount,"
            " unpaid_since, as_of_month) "
            "SELECT account_id, active = 1,"
            " CASE WHEN was_active IS NULL THEN CASE WHEN opened_on > :first THEN opened_on ELSE :first END"
            "      WHEN (active = 1) = was_active THEN was_since ELSE :first END,"
            " months, amount, since, :m FROM cycle_status"
        ),
        p,
    ).rowcount
    conn.execute(text("DROP TABLE cycle_status"))
    _analyze(conn, "account_status")
    return n


# --- step 4: subsidy -------------------------------------------------------------------------------------------


def _subsidy(conn: Connection, month: Month, now: dt.datetime) -> int:
    """Kelas III government share, paid only for active participants (Perpres 64/2020 Pasal 34(3)-(4)).

    Counted from the same membership rows the bill step billed, per kabupaten/kota, for active family accounts.
    """
    p = _params(month, now)
    _prepare_umk(conn, p)
    conn.execute(text("DROP TABLE IF EXISTS cycle_subsidy"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE cycle_subsidy AS "
            "SELECT p.kabkota_code, r.government_central AS central, r.government_pemda AS pemda,"
            " count(*) AS persons "
            + _BILLABLE.format(
                join="JOIN account_status s ON s.account_id = m.account_id AND s.active"
                " JOIN person p ON p.id = m.person_id"
            )
            + " AND m.segment IN ('pbpu', 'bp') AND m.kelas = 3"
            " AND r.government_central + r.government_pemda > 0"
            " GROUP BY p.kabkota_code, r.government_central, r.government_pemda"
        ),
        p,
    )
    # The centre and every Pemda with subsidised residents need a payer account.
    conn.execute(
        text(
            "INSERT INTO account (kind, name, opened_on) SELECT 'central_gov', 'Pemerintah Pusat', :first "
            "WHERE NOT EXISTS (SELECT 1 FROM account WHERE kind = 'central_gov')"
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
    n = conn.execute(
        text(
            "INSERT INTO charge (account_id, month, kind, members, amount, created_at) "
            "SELECT g.id, :m, 'subsidy_central', sum(x.persons), sum(x.persons * x.central), :now "
            "FROM cycle_subsidy x JOIN account g ON g.kind = 'central_gov' WHERE x.central > 0 GROUP BY g.id"
        ),
        p,
    ).rowcount
    n += conn.execute(
        text(
            "INSERT INTO charge (account_id, month, kind, members, amount, created_at) "
            "SELECT g.id, :m, 'subsidy_pemda', sum(x.persons), sum(x.persons * x.pemda), :now "
            "FROM cycle_subsidy x JOIN account g ON g.pemda_code = x.kabkota_code WHERE x.pemda > 0 GROUP BY g.id"
        ),
        p,
    ).rowcount
    conn.execute(text("DROP TABLE cycle_subsidy"))
    conn.execute(text("DROP TABLE cycle_umk"))
    _open_new_items(conn, p, "('subsidy_central', 'subsidy_pemda')")
    return n


# --- step 5: snapshot ------------------------------------------------------------------------------------------

# The membership that says a person's segment in month :m: the one covering it, or else the latest that ended
# before it (memberships of a person do not overlap). Most persons have a covering one; the anti-join runs only
# over the few ended ones.
_LATEST_MEMBERSHIP = """
FROM (SELECT person_id, segment, account_id, valid_to FROM membership
      WHERE valid_from <= :m AND (valid_to IS NULL OR valid_to >= :m)
      UNION ALL
      SELECT e.person_id, e.segment, e.account_id, e.valid_to FROM membership e
      WHERE e.valid_to < :m AND NOT EXISTS (SELECT 1 FROM membership n WHERE n.person_id = e.person_id
                                            AND n.valid_from > e.valid_from AND n.valid_from <= :m)) m
JOIN person p ON p.id = m.person_id
LEFT JOIN account_status s ON s.account_id = m.account_id
WHERE p.registered_on <= :first AND (p.died_on IS NULL OR p.died_on >= :first)
"""

_ACTIVE = "(m.account_id IS NOT NULL AND (m.valid_to IS NULL OR m.valid_to >= :m) AND s.active)"

_BUCKET = (
    "CASE WHEN s.months_in_arrears <= 3 THEN CAST(s.months_in_arrears AS VARCHAR(8))"
    " WHEN s.months_in_arrears <= 6 THEN '4-6' WHEN s.months_in_arrears <= 12 THEN '7-12'"
    " WHEN s.months_in_arrears <= 24 THEN '13-24' ELSE '>24' END"
)


def _snapshot(conn: Connection, month: Month, now: dt.datetime) -> int:
    """The aggregates reports read: coverage and arrears aging for the month."""
    p = _params(month, now)
    if is_postgres(conn):
        conn.execute(text("SET LOCAL work_mem = '1GB'"))  # one hash of every person, in memory
    for table in ("snapshot_coverage", "snapshot_arrears"):
        conn.execute(text(f"DELETE FROM {table} WHERE month = :m"), p)
    n = conn.execute(
        text(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            f"SELECT :m, p.kecamatan_code, m.segment, p.kabkota_code, count(*),"
            f" sum(CASE WHEN {_ACTIVE} THEN 1 ELSE 0 END) {_LATEST_MEMBERSHIP}"
            " GROUP BY p.kecamatan_code, m.segment, p.kabkota_code"
        ),
        p,
    ).rowcount
    # Accounts in arrears: persons covered this month from the month's charge, segment from the memberships.
    conn.execute(
        text(
            "INSERT INTO snapshot_arrears (month, kabkota_code, segment, bucket, accounts, persons, amount) "
            f"SELECT :m, COALESCE(a.kabkota_code, ''), x.segment, {_BUCKET}, count(*), sum(c.members),"
            " sum(s.arrears_amount) "
            "FROM account_status s JOIN account a ON a.id = s.account_id "
            "JOIN charge c ON c.account_id = s.account_id AND c.month = :m AND c.kind = 'contribution' "
            "JOIN (SELECT m.account_id, min(m.segment) AS segment FROM membership m"
            "      WHERE m.account_id IN (SELECT account_id FROM account_status WHERE months_in_arrears > 0)"
            "      AND m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)"
            "      GROUP BY m.account_id) x ON x.account_id = s.account_id "
            f"WHERE s.months_in_arrears > 0 GROUP BY COALESCE(a.kabkota_code, ''), x.segment, {_BUCKET}"
        ),
        p,
    )
    return n


# --- step 6: collection ----------------------------------------------------------------------------------------


def _collection(conn: Connection, month: Month, now: dt.datetime) -> int:
    """The collectibility figures of the last 12 months as they stood on the eve of the 1st, per payer kind and
    kabupaten/kota (`snapshot_collection`): the collectibility report adds only what was posted after them."""
    return write_collection_snapshot(conn, month, now)


_STEP_FUNCS: dict[str, Callable[[Connection, Month, dt.datetime], int]] = {
    "rates": _rates,
    "bill": _bill,
    "status": _status,
    "subsidy": _subsidy,
    "snapshot": _snapshot,
    "collection": _collection,
}
