"""A death reported by mistake is corrected on the record: the memberships come back as they were, the cycle bills
the person again from its next month, and the months billed without the person are named. On both databases."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, text

from iuran.registry.enrolment import NewPerson, RegistryError, mask, register_family
from iuran.rules.month import Month
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment
from iuran.services import registry
from iuran.services.unit_of_work import Actor, UnitOfWork
from usecases import run_cycle

if TYPE_CHECKING:
    from conftest import RunIuran

DESA, KECAMATAN = "62.71.01.1001", "62.71.01"
HEAD = make_nik(KECAMATAN, dt.date(1980, 5, 5), "M", 301)
WIFE = make_nik(KECAMATAN, dt.date(1983, 6, 6), "F", 302)
OFFICER = Actor.cli("petugas")


def _family(engine: Engine) -> int:
    people = [
        NewPerson(HEAD, "Agus Salim", "0007300000301", DESA, dt.date(2024, 1, 10)),
        NewPerson(WIFE, "Rina Marlina", "0007300000302", DESA, dt.date(2024, 1, 10)),
    ]
    with engine.begin() as c:
        return register_family(
            c,
            "6271010000030101",
            people,
            Segment.PBPU,
            3,
            billing_from=Month(2024, 2),
            activated_on=dt.date(2024, 1, 25),
        )


def _cycle(engine: Engine, *months: Month) -> None:
    for m in months:
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 2, 0))


def _members_billed(engine: Engine, account: int, month: Month) -> int:
    with engine.connect() as c:
        return int(
            c.execute(
                text("SELECT members FROM charge WHERE account_id = :a AND month = :m AND kind = 'contribution'"),
                {"a": account, "m": month.year * 100 + month.month},
            ).scalar_one()
        )


def _memberships(engine: Engine, nik: str) -> list[tuple[object, ...]]:
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT segment, kelas, account_id, valid_from, valid_to, reason FROM membership m"
                " JOIN person p ON p.id = m.person_id WHERE p.nik = :n ORDER BY valid_from"
            ),
            {"n": nik},
        )
        return [tuple(r) for r in rows]


def _uow(engine: Engine, at: dt.datetime) -> UnitOfWork:
    return UnitOfWork(engine, now=at, actor=OFFICER)


def test_a_mistaken_death_is_corrected_and_billing_resumes(engine: Engine) -> None:
    account = _family(engine)
    _cycle(engine, Month(2024, 2), Month(2024, 3))
    before = _memberships(engine, WIFE)
    with _uow(engine, dt.datetime(2024, 3, 12, 9)) as uow:
        assert registry.report_death(uow, WIFE, dt.date(2024, 3, 5), dt.date(2024, 3, 12)) == 0
    _cycle(engine, Month(2024, 4))
    assert _members_billed(engine, account, Month(2024, 4)) == 1  # the death stood for April

    with _uow(engine, dt.datetime(2024, 4, 15, 10)) as uow:
        done = registry.correct_death_report(uow, WIFE, "Dukcapil: laporan kematian salah orang")

    assert done.restored == 1
    assert done.not_billed == (Month(2024, 4),)  # billed without her while the death stood
    assert _memberships(engine, WIFE) == before
    with engine.connect() as c:
        person = c.execute(text("SELECT died_on, death_reported_on FROM person WHERE nik = :n"), {"n": WIFE}).one()
        report = c.execute(text("SELECT died_on, recorded_by, corrected_by, correction FROM death_report")).one()
    assert tuple(person) == (None, None)
    assert (str(report.died_on)[:10], report.recorded_by, report.corrected_by) == (
        "2024-03-05",
        "cli:petugas",
        "cli:petugas",
    )
    assert report.correction == "Dukcapil: laporan kematian salah orang"
    _cycle(engine, Month(2024, 5))
    assert _members_billed(engine, account, Month(2024, 5)) == 2  # billed as before the report


def test_a_late_death_report_corrected_names_the_months_it_reversed(engine: Engine) -> None:
    _family(engine)
    _cycle(engine, Month(2024, 2), Month(2024, 3), Month(2024, 4))
    before = _memberships(engine, HEAD)
    with _uow(engine, dt.datetime(2024, 4, 20, 9)) as uow:
        reversed_ = registry.report_death(uow, HEAD, dt.date(2024, 2, 14), dt.date(2024, 4, 20))
    assert reversed_ > 0  # March and April were billed after the death month, and are reversed
    assert _memberships(engine, HEAD) != before

    with _uow(engine, dt.datetime(2024, 4, 22, 9)) as uow:
        done = registry.correct_death_report(uow, HEAD, "salah NIK")

    assert done.not_billed == (Month(2024, 3), Month(2024, 4))
    assert _memberships(engine, HEAD) == before
    with _uow(engine, dt.datetime(2024, 4, 23, 9)) as uow, pytest.raises(RegistryError, match="no death recorded"):
        registry.correct_death_report(uow, HEAD, "again")


def test_a_death_reported_again_after_a_correction_is_recorded_again(engine: Engine) -> None:
    _family(engine)
    _cycle(engine, Month(2024, 2))
    for day in (10, 12):
        with _uow(engine, dt.datetime(2024, 2, day, 9)) as uow:
            registry.report_death(uow, WIFE, dt.date(2024, 2, day - 1), dt.date(2024, 2, day))
        if day == 10:
            with _uow(engine, dt.datetime(2024, 2, 11, 9)) as uow:
                registry.correct_death_report(uow, WIFE, "belum meninggal")
    with engine.connect() as c:
        reports = c.execute(text("SELECT died_on, corrected_at IS NOT NULL FROM death_report ORDER BY id")).all()
        kept = json.loads(c.execute(text("SELECT memberships FROM death_report ORDER BY id DESC")).scalars().first())
    assert [(str(d)[:10], bool(k)) for d, k in reports] == [("2024-02-09", True), ("2024-02-11", False)]
    assert [m["valid_from"] for m in kept] == [202402]  # what the second death ended


def test_the_command_line_corrects_a_death_and_prints_no_nik(db_url: str, engine: Engine, run_iuran: RunIuran) -> None:
    _family(engine)
    _cycle(engine, Month(2024, 2))
    code, _, err = run_iuran(
        "registry", "death", "--nik", WIFE, "--died-on", "2024-02-05", "--reported-on", "2024-02-06",
        "--now", "2024-02-06T10:00", "--database", db_url,
    )  # fmt: skip
    assert (code, err) == (0, "")

    code, out, err = run_iuran(
        "registry", "death", "--nik", WIFE, "--correct", "--reason", "laporan keliru", "--now", "2024-02-07T10:00",
        "--database", db_url,
    )  # fmt: skip

    assert (code, err) == (0, "")
    assert json.loads(out) == {"corrected": True, "restored": 1, "not_billed": []}
    assert WIFE not in out and mask(WIFE) not in out
