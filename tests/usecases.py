"""The use cases as the tests drive them: each in a unit of work of its own, at a given time, by a test job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from iuran.billing.payments import ImportResult
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook
from iuran.services import cycle, payments, registry
from iuran.services.cycle import CycleResult
from iuran.services.unit_of_work import Actor, UnitOfWork

TEST = Actor.job("test")


def run_cycle(engine: Engine, month: Month, *, now: dt.datetime, rules: Rulebook | None = None) -> CycleResult:
    with UnitOfWork(engine, now=now, actor=TEST, rules=rules) as uow:
        return cycle.run_cycle(uow, month)


def import_payments(
    engine: Engine, path: Path, *, now: dt.datetime, report_path: Path | None = None, rules: Rulebook | None = None
) -> ImportResult:
    with UnitOfWork(engine, now=now, actor=TEST, rules=rules) as uow:
        return payments.import_payments(uow, path, report_path=report_path).result


def report_death(engine: Engine, nik: str, died_on: dt.date, reported_on: dt.date) -> int:
    with UnitOfWork(engine, now=dt.datetime.combine(reported_on, dt.time(9)), actor=TEST) as uow:
        return registry.report_death(uow, nik, died_on, reported_on)
