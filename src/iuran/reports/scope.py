"""What a report reads: the cycle month it stands on, the branch it covers, and the figures coming back from SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Connection, text

from iuran.db import months
from iuran.db.values import as_int as as_int  # the reports' integers from SQL
from iuran.reports.model import Branch
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month

# The cycle's last step (`iuran.billing.cycle.STEPS[-1]`, named here because the cycle imports the reports): a month
# is finished once it is recorded. On PostgreSQL the snapshot steps run beside `bill`, so their record alone does
# not say that the month's charges are written.
FINISHED_STEP = "collection"
# A finished cycle month: its last step is recorded in cycle_step (docs/ledger.md), or the snapshot tables hold rows
# for it (snapshots loaded without the cycle, e.g. migrated history).
_LAST_CYCLE_SQL = (
    f"SELECT max(month) FROM cycle_step WHERE step = '{FINISHED_STEP}' AND month <= :m",
    "SELECT max(month) FROM snapshot_coverage WHERE month <= :m",
)


class NoCycle(RuleInputError):
    """No monthly cycle has been run for the month of as_of or any month before it."""


def snapshot_month(conn: Connection, as_of: dt.date) -> Month:
    """The latest cycle month ≤ month(as_of): reports show the state on the 1st of that month.

    Raises NoCycle (exit 2 on the command line) if there is none.
    """
    asked = Month.of(as_of)
    found = [conn.execute(text(sql), {"m": months.to_db(asked)}).scalar() for sql in _LAST_CYCLE_SQL]
    latest = max((int(m) for m in found if m is not None), default=None)
    if latest is None:
        raise NoCycle(
            "as_of",
            "a report reads the snapshot of a finished monthly cycle",
            f"no cycle has run for {asked} or any month before it; run `iuran cycle run --month {asked}`",
        )
    return months.from_db(latest)


def resolve_branch(conn: Connection, code: str | None) -> Branch | None:
    """The branch and its kabupaten/kota; None (no restriction) when no code is given."""
    if code is None:
        return None
    code = code.strip()
    row = conn.execute(text("SELECT id, name FROM branch WHERE code = :code"), {"code": code}).first()
    if row is None:
        known = [c for (c,) in conn.execute(text("SELECT code FROM branch ORDER BY code LIMIT 11"))]
        listed = ", ".join(known[:10]) + (", …" if len(known) > 10 else "") if known else "none in table branch"
        raise RuleInputError("branch", "a branch code from table branch", f"got {code!r}; known: {listed}")
    kabkota = conn.execute(
        text("SELECT kabkota_code FROM branch_region WHERE branch_id = :id ORDER BY kabkota_code"), {"id": row.id}
    )
    return Branch(code=code, name=str(row.name), kabkota_codes=tuple(str(k) for (k,) in kabkota))


def in_branch(column: str, branch: Branch | None) -> str:
    """A SQL condition restricting `column` (a kabupaten/kota code) to the branch; TRUE without a branch.

    Binds `:branch`, which `params` fills.
    """
    if branch is None:
        return "1 = 1"
    return (
        f"{column} IN (SELECT br.kabkota_code FROM branch_region br JOIN branch b ON b.id = br.branch_id "
        "WHERE b.code = :branch)"
    )


def params(branch: Branch | None, **values: object) -> dict[str, object]:
    return {**values, "branch": branch.code if branch else None}


def check_by(report: str, by: str | None, allowed: Collection[str | None]) -> str | None:
    """The breakdown asked for, if this report has it."""
    value = by.strip().lower() if isinstance(by, str) else by
    if value not in allowed:
        names = " or ".join(a for a in allowed if a is not None)
        raise RuleInputError("by", f"the {report} report is broken down by {names}", f"got {by!r}")
    return value
