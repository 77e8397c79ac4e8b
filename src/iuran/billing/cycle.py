"""The monthly cycle: bill every payer account for the month, suspend and reactivate, age the arrears.

A handful of set-based SQL statements over all accounts, in steps (`run_step`); the use case
`iuran.services.cycle.run_cycle` runs each step as one transaction that also records itself in `cycle_step`: a
finished step is never run twice (a rerun changes nothing) and a crash leaves whole steps only (run again to resume).

Steps that read and write different tables may run side by side on PostgreSQL, each in its own transaction (`STAGES`):
while `bill` writes the month's charges and lines, `status`, `coverage`, `subsidy` and `snapshot` work from the
older open items, the statuses and the memberships. SQLite has one writer at a time and runs them one after another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.billing import month_state, seal, turns
from iuran.billing.billable import BILLABLE, UMK_JOIN, analyze, month_params, prepare_umk, sql_segments
from iuran.billing.collection_figures import write_collection_snapshot
from iuran.billing.credit import apply_credit
from iuran.billing.months_open import months_open_sql
from iuran.billing.period import OPEN_PERIOD, open_month
from iuran.billing.rates import write_rates
from iuran.billing.suspension import months_tolerated_sql
from iuran.db.engine import create_temp_as, is_postgres
from iuran.db.months import from_db, to_db
from iuran.db.partitions import month_table
from iuran.rules.month import Month
from iuran.rules.payment_policy import WHOLE_BILL, payers_settling
from iuran.rules.rulebook import Rulebook
from iuran.rules.segments import Segment

# `open` opens the month's period (iuran.billing.period): every row the cycle writes is posted in it. `seal` then
# seals the periods before it (iuran.billing.seal), beside `bill`: it reads only rows of closed periods.
# Stages run one after another. A stage's lanes run side by side (PostgreSQL); a lane's steps one after another.
# The first lane of a stage is its longest.
# `bill` writes the month's charges, lines and open items; `status` reads only the open items of earlier months,
# `coverage` the statuses and memberships, `subsidy` the statuses, memberships and rates, `snapshot` (the arrears
# aging) the statuses and memberships. `collection` reads the month's charges: it comes last.
STAGES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("open",),),
    (("rates",),),
    (("bill",), ("status", "coverage", "subsidy", "snapshot", "seal")),
    (("collection",),),
)
STEPS = tuple(step for stage in STAGES for lane in stage for step in lane)


class CycleError(ValueError):
    """A cycle that cannot run: names the month and the rule."""


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


def finished_steps(conn: Connection, month: Month) -> frozenset[str]:
    """The steps of `month` an earlier run finished (they are never run twice)."""
    rows = conn.execute(text("SELECT step FROM cycle_step WHERE month = :m"), {"m": to_db(month)})
    return frozenset(r[0] for r in rows)


def run_step(conn: Connection, step: str, month: Month, now: dt.datetime, rules: Rulebook, *, beside: bool) -> int:
    """Run one step of the month's cycle in the caller's transaction and record it; returns the rows written.

    `beside`: the step runs beside a stage's first (and longest) lane, which keeps PostgreSQL's parallel workers.
    """
    turns.turn_of_step(conn)
    if beside and is_postgres(conn):
        # Two cores: a lane beside the stage's first (and longest) one keeps to one of them.
        conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    n = _STEP_FUNCS[step](conn, _Step(month, now, rules))
    conn.execute(
        text("INSERT INTO cycle_step (month, step, rows, finished_at) VALUES (:m, :s, :n, :t)"),
        {"m": to_db(month), "s": step, "n": n, "t": now},
    )
    return n


@dataclass(frozen=True)
class _Step:
    """What a step works with: the month, the time of the run and the rules in force."""

    month: Month
    now: dt.datetime
    rules: Rulebook


# --- step 0: open ---------------------------------------------------------------------------------------------


def _open(conn: Connection, step: _Step) -> int:
    return open_month(conn, to_db(step.month), step.now)


# --- beside the bill: seal ------------------------------------------------------------------------------------


def _seal(conn: Connection, step: _Step) -> int:
    return seal.seal_closed(conn, to_db(step.month), step.now)


# --- step 1: rates ---------------------------------------------------------------------------------------------


def _rates(conn: Connection, step: _Step) -> int:
    n = write_rates(conn, step.month, step.rules)
    analyze(conn, "rate_in_force")  # the month's rates are new: the planner must know they are there
    return n


# --- step 2: bill ----------------------------------------------------------------------------------------------

PPU = sql_segments(lambda s: s.is_ppu)
PBI = sql_segments(lambda s: s.is_pbi)
WAGE_BASED = sql_segments(lambda s: s.is_wage_based)
PENSION = sql_segments(lambda s: s.is_pension_based)
STATE_BP = sql_segments(lambda s: s.is_state_bp)
PRINCIPAL_BILLED = sql_segments(lambda s: s.is_principal_billed)

# The wage base of a worker or a pensioner: the wage (the pension), at least the UMK where the month's rate says
# the floor applies (`rate_in_force.wage_floor`, the `[ppu_wage_floor]` segments: PPU BU; Perpres 82/2018 Pasal
# 32), at most the cap (`rate_in_force.wage_cap`; 0: none). Family members carry no wage. The floor's kind is the
# rulebook's (`_check_wage_floor`).
_WAGE_FLOOR_UMK = "umk"  # the `umk` table: the minimum wage of the employer's kabupaten/kota for the year
_FLOORED = "(CASE WHEN r.wage_floor = 1 AND m.wage < u.amount THEN u.amount ELSE m.wage END)"
_BASE = (
    f"(CASE WHEN m.wage IS NULL THEN 0 WHEN r.wage_cap > 0 AND {_FLOORED} > r.wage_cap THEN r.wage_cap"
    f" ELSE {_FLOORED} END)"
)


def _bp(bp: str) -> str:
    """Basis points of the wage base, rounded half up: the SQL twin of iuran.rules.money.apply_bp."""
    return f"(({_BASE} * {bp} + 5000) / 10000)"


# As in iuran.rules.contribution.ppu_month and bp_pension_month: the whole percentage rounded once, less the part
# of the worker (the pensioner).
_EMPLOYER = (
    f"(CASE WHEN m.segment IN {PPU} THEN {_bp('(r.employer_bp + r.worker_bp)')} - {_bp('r.worker_bp')} ELSE 0 END)"
)
_WORKER = (
    f"(CASE WHEN m.segment IN {WAGE_BASED} "
    f"THEN {_bp('r.worker_bp')} + m.extra_members * {_bp('r.extra_member_bp')} ELSE 0 END)"
)
# The government's part: of a pension its share of the pension; else the rate's (PBI, the Kelas III share, BP
# Veteran per principal), nothing for a principal's family members.
_GOVERNMENT = (
    f"(CASE WHEN m.segment IN {PENSION} THEN {_bp('(r.government_bp + r.worker_bp)')} - {_bp('r.worker_bp')}"
    f" WHEN m.segment IN {PRINCIPAL_BILLED} AND m.wage IS NULL THEN 0"
    " ELSE r.government_central + r.government_pemda END)"
)
# What the payer account owes for the person: PBPU/BP their participant share (the Kelas III government share is
# billed to the governments, see subsidy), PBI the whole rate, PPU the employer and worker shares, BP paid by the
# government its share and the pensioner's.
_AMOUNT = (
    f"(CASE WHEN m.segment IN {PBI} THEN {_GOVERNMENT} "
    f"WHEN m.segment IN {PPU} THEN {_EMPLOYER} + {_WORKER} "
    f"WHEN m.segment IN {STATE_BP} THEN {_GOVERNMENT} + {_WORKER} ELSE r.participant END)"
)


def _check_wage_floor(step: _Step) -> None:
    """The PPU wage floor of the rulebook must be the one the SQL applies: a new kind fails loudly."""
    floor = step.rules.ppu_wage_floor
    if floor.source != _WAGE_FLOOR_UMK:
        raise CycleError(
            f"ppu_wage_floor.source: the cycle floors the PPU wage base at the UMK ({_WAGE_FLOOR_UMK!r}); the"
            f" rulebook's floor is {floor.source!r} ({floor.basis}), which it does not implement"
        )
    ppu = sorted(s.value for s in Segment if s.is_ppu)
    if not set(floor.segments) <= set(ppu):
        raise CycleError(
            f"ppu_wage_floor.segments: the UMK floors a PPU wage base ({', '.join(ppu)}); the rulebook's floor"
            f" names {', '.join(floor.segments)} ({floor.basis})"
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
        segment, kelas, n = no_rate
        rated = text("SELECT 1 FROM rate_in_force WHERE month = :m AND segment = :s")
        if conn.execute(rated, p | {"s": segment}).first():
            raise CycleError(f"membership.kelas: {n} {segment} memberships have class {kelas}, which has no rate")
        raise CycleError(
            f"membership.segment: {n} {segment} memberships in {p['year']}-{str(p['m'])[-2:]}, a month for which"
            " the rule data has no rate of the segment in force"
        )
    # A wage the UMK floors (`rate_in_force.wage_floor`) needs the UMK of its employer's kabupaten/kota.
    no_umk = conn.execute(
        text(
            "SELECT e.kabkota_code, count(*) FROM membership m JOIN account a ON a.id = m.account_id"
            " JOIN employer e ON e.id = a.employer_id JOIN rate_in_force r ON r.month = :m"
            " AND r.segment = m.segment AND r.kelas = COALESCE(m.kelas, 0) AND r.wage_floor = 1"
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


def _bill(conn: Connection, step: _Step) -> int:
    """One charge per payer account and a line per person, each written in one pass over the memberships.

    The charges are summed from the memberships first (a few hundred thousand rows), then the lines are written
    straight from the memberships, each joined to its account's new charge: the five million lines of a large
    branch are computed and written once, as a bare `INSERT … SELECT` would.
    """
    _check_wage_floor(step)
    p = month_params(step.month, step.now)
    prepare_umk(conn, p)
    # The sums per account, counting on the way the memberships the rules cannot bill: a class without a rate, a
    # wage without the minimum wage of an employer's kabupaten/kota. Only then are the rows looked for and named.
    create_temp_as(
        conn,
        "cycle_charge",
        f"SELECT m.account_id, count(*) AS members, sum({_AMOUNT}) AS amount,"
        " sum(CASE WHEN r.segment IS NULL OR (m.wage IS NOT NULL AND r.wage_floor = 1 AND u.account_id IS NULL)"
        " THEN 1 ELSE 0 END)"
        " AS unbillable " + BILLABLE.format(rates="LEFT JOIN", join=UMK_JOIN) + " GROUP BY m.account_id",
        p,
    )
    if conn.execute(text("SELECT 1 FROM cycle_charge WHERE unbillable > 0")).first():
        _check_billable(conn, p)
    conn.execute(
        text(
            "INSERT INTO charge (account_id, month, kind, members, amount, created_at, period) "
            f"SELECT account_id, :m, 'contribution', members, amount, :now, {OPEN_PERIOD} FROM cycle_charge"
            " ORDER BY account_id"
        ),
        p,
    )
    # The new charges' ids by account, in a working table without an index: the lines join it by hash, whatever
    # the planner thinks of the month's first rows.
    create_temp_as(
        conn,
        "cycle_charge_id",
        "SELECT id, account_id, amount FROM charge WHERE month = :m AND kind = 'contribution'",
        p,
    )
    if not is_postgres(conn):  # SQLite joins by nested loops: give it the index
        conn.execute(text("CREATE INDEX temp.cycle_charge_account ON cycle_charge_id (account_id)"))
    lines = conn.execute(
        text(
            "INSERT INTO charge_line (charge_id, person_id, month, segment, kelas, amount,"
            " participant, government, employer, worker) "
            f"SELECT c.id, m.person_id, :m, m.segment, m.kelas, {_AMOUNT}, r.participant, {_GOVERNMENT},"
            f" {_EMPLOYER}, {_WORKER} "
            + BILLABLE.format(rates="JOIN", join=f"{UMK_JOIN} JOIN cycle_charge_id c ON c.account_id = m.account_id")
        ),
        p,
    ).rowcount
    conn.execute(
        text(
            "INSERT INTO open_item (charge_id, account_id, month, amount_open) "
            "SELECT id, account_id, :m, amount FROM cycle_charge_id WHERE amount > 0 ORDER BY id"
        ),
        p,
    )
    # The month's new open items (a million at Kabupaten Bogor), uncommitted: without their statistics the
    # planner takes the month for empty, and the credit's probes of it read every item for each account
    # (docs/benchmarks.md, run 32: 45 s of a 96 s cycle).
    analyze(conn, "open_item")
    # Families that paid ahead (or paid twice): their credit settles the new month when it covers it whole.
    apply_credit(conn, p, payers_settling(WHOLE_BILL, step.month.first_day(), step.rules))
    for table in ("cycle_charge", "cycle_charge_id", "cycle_umk"):
        conn.execute(text(f"DROP TABLE {table}"))
    analyze(conn, month_table(conn, "charge", to_db(step.month)))  # the month's charges: their partition
    return lines


# --- step 3: status --------------------------------------------------------------------------------------------


def _status(conn: Connection, step: _Step) -> int:
    """Suspension from the 1st of the month for every account with more months in arrears than its payer kind's
    rule tolerates (`iuran.billing.suspension`)."""
    p = month_params(step.month, step.now) | {"previous": to_db(step.month - 1)}
    # Months in arrears: the distinct months before :m with an open item (an account may owe two kinds a month),
    # added to the statuses of the month before (`iuran.billing.months_open`).
    create_temp_as(
        conn,
        "cycle_status",
        "SELECT a.id AS account_id,"
        " CASE WHEN a.kind = 'family' AND a.activated_on IS NULL THEN 0"
        f"      WHEN COALESCE(o.counting, 0) <= {months_tolerated_sql('a.kind', ':m', step.rules)} THEN 1"
        "      ELSE 0 END AS active,"
        " COALESCE(o.months, 0) AS months, COALESCE(o.amount, 0) AS amount, o.since AS since,"
        " s.active AS was_active, s.status_since AS was_since, a.opened_on AS opened_on,"
        f" {month_state.active_on_first(step.rules, 'o.counting')} AS active_on_first "
        "FROM account a "
        f"LEFT JOIN ({months_open_sql(conn, to_db(step.month), to_db(step.month - 1))}) o"
        " ON o.account_id = a.id "
        "LEFT JOIN account_status s ON s.account_id = a.id",
        p,
    )
    # Derived state, rebuilt whole: TRUNCATE leaves no dead rows behind on PostgreSQL.
    conn.execute(text("TRUNCATE account_status" if is_postgres(conn) else "DELETE FROM account_status"))
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
    # The books as of the 1st, for the month's derived state: the same pass over the open items, unless payments
    # dated from the 1st on are in the books already (a cycle run late), which the month's 1st does not count.
    month_state.write_account_first(
        conn,
        p,
        "SELECT account_id, active_on_first AS active, months AS months_in_arrears, amount AS arrears_amount"
        " FROM cycle_status",
        step.rules,
    )
    conn.execute(text("DROP TABLE cycle_status"))
    analyze(conn, "account_status", "account_first")
    return n


# --- steps 4-6: the month's derived state (iuran.billing.month_state) ------------------------------------------


def _derived(write: Callable[[Connection, Month, dt.datetime, Rulebook], int]) -> Callable[[Connection, _Step], int]:
    return lambda conn, step: write(conn, step.month, step.now, step.rules)


# --- step 7: collection ----------------------------------------------------------------------------------------


def _collection(conn: Connection, step: _Step) -> int:
    """The collectibility figures of the last 12 months as they stood on the eve of the 1st, per payer kind and
    kabupaten/kota (`snapshot_collection`): the collectibility report adds only what was posted after them."""
    return write_collection_snapshot(conn, step.month, step.now)


_STEP_FUNCS: dict[str, Callable[[Connection, _Step], int]] = {
    "open": _open,
    "rates": _rates,
    "seal": _seal,
    "bill": _bill,
    "status": _status,
    **{name: _derived(write) for name, write in month_state.WRITERS.items()},
    "collection": _collection,
}
