"""Use cases of the registry: families registered from a file, a death reported, a mistaken death report corrected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from iuran.billing import month_state
from iuran.billing.reversal import reverse_person_charges
from iuran.db.months import from_db, to_db
from iuran.db.values import as_date
from iuran.registry.death import correct_death, record_death
from iuran.registry.family_file import import_families
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork

DEATH_REPORTED_LATE = "death reported late"


@dataclass(frozen=True)
class DeathCorrected:
    """A death report undone: the memberships restored, and the months the person was not billed for because of
    it (their charges reversed, or their cycle run while the death stood). Those stay as they are (the ledger is
    append-only and a month is billed once); the cycle bills the person again from its next month on."""

    restored: int
    not_billed: tuple[Month, ...]


def report_death(uow: UnitOfWork, nik: str, died_on: dt.date, reported_on: dt.date) -> int:
    """Record a death; billing stops after the month of death, and charges already made for later months (a late
    report) are reversed as new ledger rows. Returns the Rupiah reversed."""
    person_id = record_death(uow.conn, nik, died_on, reported_on, at=uow.now, by=str(uow.actor))
    reversed_ = reverse_person_charges(
        uow.conn, person_id, Month.of(died_on), DEATH_REPORTED_LATE, reported_on, uow.rules
    )
    month_state.absorb(uow.conn, died_on, uow.now, uow.rules)  # the months since the death no longer count the person
    uow.commit()
    return reversed_


def correct_death_report(uow: UnitOfWork, nik: str, reason: str) -> DeathCorrected:
    """Undo a death reported by mistake, on the record: the person's memberships are put back as they were and
    the cycle bills the person again as before."""
    done = correct_death(uow.conn, nik, reason, at=uow.now, by=str(uow.actor))
    missed = uow.conn.execute(
        text(
            "SELECT month FROM cycle_step WHERE month > :m AND finished_at >= :at"
            " UNION SELECT month FROM reversal WHERE person_id = :p AND month > :m AND reason = :why ORDER BY 1"
        ),
        {"m": to_db(done.death_month), "at": done.recorded_at, "p": done.person_id, "why": DEATH_REPORTED_LATE},
    )
    not_billed = tuple(from_db(int(m)) for (m,) in missed)
    month_state.absorb(uow.conn, done.death_month.first_day(), uow.now, uow.rules)  # they count the person again
    uow.commit()
    return DeathCorrected(done.restored, not_billed)


def register_families(uow: UnitOfWork, path: Path) -> dict[str, int]:
    """Register the PBPU/BP families of a file, all or nothing (the first bad line names itself and the rule); no
    registration is dated after the unit of work's day."""
    last = uow.conn.execute(text("SELECT COALESCE(max(id), 0) FROM person")).scalar_one()
    counts = import_families(uow.conn, path, today=uow.today)
    # Registrations dated before the 1st of a month whose state is written count in it.
    earliest = uow.conn.execute(text("SELECT min(registered_on) FROM person WHERE id > :last"), {"last": last})
    month_state.absorb(uow.conn, _day(earliest.scalar()), uow.now, uow.rules)
    uow.commit()
    return counts


def _day(value: object) -> dt.date | None:
    return None if value is None else as_date(value)
