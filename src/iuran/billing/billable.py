"""Who is billed in a month, as SQL the cycle's steps share: the bill, the subsidy and the month's derived state.

The statements take the parameters of `month_params`: `:m` (the month, yyyymm), `:first` (its first day),
`:year` and `:now` (the time of the run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, text

from iuran.db.engine import is_postgres
from iuran.db.months import to_db
from iuran.rules.month import Month
from iuran.rules.segments import Segment


def month_params(month: Month, now: dt.datetime) -> dict[str, object]:
    return {
        "m": to_db(month),
        "first": month.first_day(),
        "year": month.year,
        "now": now,
    }


# Who is billed in month :m: a membership covering the month, with a payer. (A death closes the membership at the
# month of death, so the dead are not billed after it.) {rates}: JOIN bills only memberships with a rate; LEFT JOIN
# keeps the others, to count them. {join}: what else the statement needs, e.g. `UMK_JOIN`.
BILLABLE = """
FROM membership m
{rates} rate_in_force r ON r.month = :m AND r.segment = m.segment AND r.kelas = COALESCE(m.kelas, 0)
{join}
WHERE m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)
  AND m.account_id IS NOT NULL
"""


# The minimum wage for each employer account (`prepare_umk`), as `u`.
UMK_JOIN = "LEFT JOIN cycle_umk u ON u.account_id = m.account_id"


def sql_segments(which: Callable[[Segment], bool]) -> str:
    """The segments a rule of `iuran.rules.segments.Segment` selects, as an SQL list: `('ppu-pn', 'ppu-bu')`."""
    values = [s.value for s in Segment if which(s)]
    assert values and all(v.replace("-", "").isalnum() for v in values), values  # safe to quote as they are
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def prepare_umk(conn: Connection, p: dict[str, object]) -> None:
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


def analyze(conn: Connection, *tables: str) -> None:
    """Fresh planner statistics after a bulk write, so that the next steps join with the right plans."""
    if is_postgres(conn):
        for table in tables:
            conn.execute(text(f"ANALYZE {table}"))
