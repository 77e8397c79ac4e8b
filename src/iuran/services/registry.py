"""Use cases of the registry: families registered from a file, a death reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from iuran.billing.reversal import reverse_person_charges
from iuran.registry.death import record_death
from iuran.registry.family_file import import_families
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork

DEATH_REPORTED_LATE = "death reported late"


def report_death(uow: UnitOfWork, nik: str, died_on: dt.date, reported_on: dt.date) -> int:
    """Record a death; billing stops after the month of death, and charges already made for later months (a late
    report) are reversed as new ledger rows. Returns the Rupiah reversed."""
    person_id = record_death(uow.conn, nik, died_on, reported_on)
    reversed_ = reverse_person_charges(uow.conn, person_id, Month.of(died_on), DEATH_REPORTED_LATE, reported_on)
    uow.commit()
    return reversed_


def register_families(uow: UnitOfWork, path: Path) -> dict[str, int]:
    """Register the PBPU/BP families of a file, all or nothing (the first bad line names itself and the rule)."""
    counts = import_families(uow.conn, path)
    uow.commit()
    return counts
