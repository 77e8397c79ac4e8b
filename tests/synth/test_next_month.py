"""After the picture: a synthetic branch carries on with the banks' files `bank_file` writes (`iuran synth payments`),
and its coverage report compares with the published figures at the scale it was built at."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from iuran.reports import activeness_report, coverage_report
from iuran.reports.model import Ratio
from iuran.rules.month import Month
from iuran.services.cycle import run_cycle
from iuran.services.payments import import_payments
from iuran.services.unit_of_work import Actor, UnitOfWork
from iuran.synth.build import Summary, build_scenario
from iuran.synth.play import HEADER, PlayError, bank_file

FreshEngine = Callable[[str], Engine]
NOV, DEC = Month(2023, 11), Month(2023, 12)
SCALE = 0.002


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def branch(request: pytest.FixtureRequest, fresh_engine: FreshEngine) -> tuple[Engine, Summary, list[str]]:
    engine = fresh_engine(request.param)
    said: list[str] = []
    return engine, build_scenario(engine, "kalteng-2023", SCALE, 3, progress=said.append), said


def test_progress_lines_write_thousands_the_indonesian_way(branch: tuple[Engine, Summary, list[str]]) -> None:
    _, summary, said = branch
    persons = summary.generation.persons
    assert persons > 1000
    plan = next(line for line in said if line.startswith("plan: "))
    assert plan.startswith(f"plan: {persons // 1000}.{persons % 1000:03d} persons in ")
    paid = next(line for line in said if line.startswith("2023-08: ") and "payments" in line)
    assert re.fullmatch(r"2023-08: \d{1,3}(\.\d{3})* payments, Rp\d{1,3}(\.\d{3})+", paid), paid


def test_coverage_compares_at_the_scale_the_branch_was_built_at(branch: tuple[Engine, Summary, list[str]]) -> None:
    engine, summary, _ = branch
    with engine.connect() as conn:
        report = coverage_report(conn, NOV.first_day())
    murung_raya = report.find(kabkota_code="62.12")
    assert isinstance(murung_raya["coverage"], Ratio)
    assert murung_raya["coverage"].scaled(4) / 10_000 == pytest.approx(summary.scenario.coverage["62.12"], abs=0.01)
    assert report.facts[-1].key == "population_scale"


def test_the_branch_carries_on_into_december(branch: tuple[Engine, Summary, list[str]], tmp_path: Path) -> None:
    engine, _, _ = branch
    with pytest.raises(PlayError, match=r"^month: 2023-12 has not been billed; run `iuran cycle run --month 2023-12`"):
        bank_file(engine, DEC, tmp_path / "december.csv")
    with pytest.raises(PlayError, match=r"^month: the synthetic payments of 2023-10 are in the books already"):
        bank_file(engine, Month(2023, 10), tmp_path / "october.csv")
    with pytest.raises(PlayError, match=r"^month: the synthetic branch opens in 2023-08; got 2023-07"):
        bank_file(engine, Month(2023, 7), tmp_path / "july.csv")
    assert list(tmp_path.iterdir()) == []

    path = tmp_path / "payments-2023-11.csv"
    written = bank_file(engine, NOV, path)
    with path.open(newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert tuple(lines[0]) == HEADER
    assert written.lines == len(lines) - 1 > 0
    assert written.amount == sum(int(line[3]) for line in lines[1:])
    assert all(line[4].startswith("2023-11-") for line in lines[1:])
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no partial file left

    with UnitOfWork(engine, now=dt.datetime(2023, 11, 30, 23, 0), actor=Actor.job("test")) as uow:
        result = import_payments(uow, path).result
    assert (result.accepted, result.rejected) == (written.lines, 0)
    with UnitOfWork(engine, now=dt.datetime(2023, 12, 1, 1, 0), actor=Actor.job("test")) as uow:
        run_cycle(uow, DEC)
    with engine.connect() as conn:
        november = activeness_report(conn, NOV.first_day())
        december = activeness_report(conn, DEC.first_day())
    assert november.total is not None and december.total is not None
    before, after = november.total["activeness"], december.total["activeness"]
    assert isinstance(before, Ratio) and isinstance(after, Ratio)
    assert abs(after.scaled(4) - before.scaled(4)) <= 100  # within a point: November was paid as the months before
