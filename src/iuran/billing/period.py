"""The books' periods (docs/ledger.md, "Periods and seals").

Every money row is posted in a period: the month whose cycle last started when it was written (0, the opening
period, before the first cycle). A payment dated in May and imported after June's cycle started is posted in June:
the period says when the books learnt of it, the row's own dates what it speaks of. The cycle of a month opens its
period first, then seals the ones before it (`iuran.billing.seal`); a sealed period is never written again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.db.months import from_db, to_db
from iuran.db.partitions import BY_MONTH, ensure_month_partition

OPENING = 0
# The period a row written now is posted in, for the writers' INSERT … SELECT (evaluated once per statement).
OPEN_PERIOD = "(SELECT COALESCE(max(month), 0) FROM ledger_period)"


def periods(conn: Connection) -> list[int]:
    """Every period opened, in order (the opening period first, once a cycle has run)."""
    return [int(r[0]) for r in conn.execute(text("SELECT month FROM ledger_period ORDER BY month"))]


def open_month(conn: Connection, month: int, now: dt.datetime) -> int:
    """Open the period of `month` (and, at the first cycle, record the opening period before it), with the
    partitions of its charges and lines, and of the next month's charges (a payment dated after the month's end
    may write a late fee of its own month before that month's cycle runs). A period already open stays as it is.
    Returns the periods opened."""
    opened = periods(conn)
    new = ([] if opened else [OPENING]) + ([] if month in opened else [month])
    for m in new:
        conn.execute(text("INSERT INTO ledger_period (month, opened_at) VALUES (:m, :t)"), {"m": m, "t": now})
    following = to_db(from_db(month) + 1)
    for table in BY_MONTH:
        ensure_month_partition(conn, table, month)
    ensure_month_partition(conn, "charge", following)
    return len(new)
