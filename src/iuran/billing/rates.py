"""The rules engine's values for one month, written to `rate_in_force` for the set-based billing SQL.

The batch SQL never holds a literal rate: it joins this table, which the rules engine filled for the month
(and which stays in the database as the audit record of what was applied).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from iuran.db.months import to_db
from iuran.rules.month import Month
from iuran.rules.rate_table import rates_for
from iuran.rules.rulebook import Rulebook


def write_rates(conn: Connection, month: Month, rules: Rulebook | None = None) -> int:
    """Store the month's rates; a month already stored keeps its rows (they are the audit record)."""
    m = to_db(month)
    if conn.execute(text("SELECT count(*) FROM rate_in_force WHERE month = :m"), {"m": m}).scalar():
        return 0
    rows = [{"month": m, **r.__dict__} for r in rates_for(month, rules)]
    conn.execute(
        text(
            "INSERT INTO rate_in_force (month, segment, kelas, participant, government_central, government_pemda,"
            " employer_bp, worker_bp, extra_member_bp, wage_cap, government_bp, wage_floor, basis) VALUES (:month,"
            " :segment, :kelas, :participant, :government_central, :government_pemda, :employer_bp, :worker_bp,"
            " :extra_member_bp, :wage_cap, :government_bp, :wage_floor, :basis)"
        ),
        rows,
    )
    return len(rows)
