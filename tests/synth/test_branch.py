"""A synthetic branch played through the real cycle and payments reproduces the published picture."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from iuran.billing.ledger import verify
from iuran.rules.membership import va_number
from iuran.rules.nik import parse_nik
from iuran.synth.build import Summary, build_scenario
from iuran.synth.generate import SynthError, generate_branch
from iuran.wilayah import default_wilayah

FreshEngine = Callable[[str], Engine]
BACKENDS = ["sqlite", "postgresql"]
POINT = 0.01  # ±1 percentage point


@pytest.fixture(scope="module", params=BACKENDS)
def kalteng(request: pytest.FixtureRequest, fresh_engine: FreshEngine, workdir: Path) -> tuple[Engine, Summary]:
    engine = fresh_engine(request.param)
    return engine, build_scenario(engine, "kalteng-2023", 0.01, 7, workdir=workdir / request.param)


def test_kalteng_coverage_per_kabupaten_within_a_point(kalteng: tuple[Engine, Summary]) -> None:
    _, summary = kalteng
    picture, target = summary.picture, summary.scenario.coverage
    assert str(picture.month) == "2023-11"
    assert set(picture.coverage) == set(target)
    for code, coverage in picture.coverage.items():
        assert coverage == pytest.approx(target[code], abs=POINT), code


def test_kalteng_activeness_per_segment_within_a_point(kalteng: tuple[Engine, Summary]) -> None:
    _, summary = kalteng
    for segment, activeness in summary.scenario.activeness.items():
        assert summary.picture.activeness[segment.value] == pytest.approx(activeness, abs=POINT), segment
    assert summary.picture.overall_activeness == pytest.approx(0.7095, abs=POINT)


def test_kalteng_books_balance_and_every_aging_bucket_is_populated(kalteng: tuple[Engine, Summary]) -> None:
    engine, summary = kalteng
    assert all(m.rejected == 0 for m in summary.months)
    assert sum(m.written_off for m in summary.months) > 0  # reactivations beyond 24 months wrote months off
    with engine.connect() as conn:
        assert verify(conn).ok
        buckets = {
            r[0]
            for r in conn.execute(
                text("SELECT bucket FROM snapshot_arrears WHERE month = 202311 AND segment = 'pbpu' AND accounts > 0")
            )
        }
    assert buckets == {"1", "2", "3", "4-6", "7-12", "13-24", ">24"}


def test_kalteng_niks_parse_and_are_unique(kalteng: tuple[Engine, Summary]) -> None:
    engine, summary = kalteng
    w = default_wilayah()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT nik) FROM person")).scalar() == summary.generation.persons
        sample = conn.execute(
            text("SELECT nik, sex, birth_date, registered_on, kabkota_code FROM person WHERE id % 7 = 0")
        ).all()
    assert len(sample) > 3000
    for nik, sex, birth, registered, kabkota in sample:
        info = parse_nik(nik, w, reference=_date(registered))
        assert (info.sex, info.birth_date, info.kabupaten_kota.code) == (sex, _date(birth), kabkota)
        assert info.kecamatan is not None


def test_kalteng_families_share_one_class_and_pay_on_the_heads_va(kalteng: tuple[Engine, Summary]) -> None:
    engine, _ = kalteng
    with engine.connect() as conn:
        mixed = conn.execute(
            text(
                "SELECT p.family_id FROM membership m JOIN person p ON p.id = m.person_id"
                " WHERE m.segment IN ('pbpu', 'bp') GROUP BY p.family_id HAVING count(DISTINCT m.kelas) > 1"
            )
        ).all()
        accounts = conn.execute(
            text(
                "SELECT a.va, min(p.card_number) FROM account a JOIN person p ON p.family_id = a.family_id"
                " AND p.id = (SELECT min(id) FROM person q WHERE q.family_id = a.family_id)"
                " WHERE a.kind = 'family' GROUP BY a.va"
            )
        ).all()
        sizes = conn.execute(
            text("SELECT avg(n), max(n) FROM (SELECT count(*) AS n FROM person GROUP BY family_id) f")
        ).one()
    assert mixed == []
    assert len(accounts) > 500
    assert all(va == va_number(card) for va, card in accounts)
    assert 3.0 < float(sizes[0]) < 3.6 and int(sizes[1]) <= 7


def test_kalteng_people_live_in_a_desa_of_their_kecamatan(kalteng: tuple[Engine, Summary]) -> None:
    engine, _ = kalteng
    with engine.connect() as conn:
        misplaced = conn.execute(
            text(
                "SELECT count(*) FROM person p JOIN region d ON d.code = p.desa_code"
                " WHERE d.level <> 'desa_kelurahan' OR d.parent_code <> p.kecamatan_code"
                " OR substr(p.kecamatan_code, 1, 5) <> p.kabkota_code"
            )
        ).scalar()
        women, phones, children = conn.execute(
            text(
                "SELECT avg(CASE WHEN sex = 'F' THEN 1.0 ELSE 0 END), avg(CASE WHEN phone LIKE '08%' THEN 1.0"
                " ELSE 0 END), avg(CASE WHEN birth_date > '2005-11-01' THEN 1.0 ELSE 0 END) FROM person"
            )
        ).one()
    assert misplaced == 0
    assert 0.4 < float(women) < 0.6
    assert 0.4 < float(phones) < 0.8
    assert 0.15 < float(children) < 0.45


def test_a_database_with_persons_is_refused(kalteng: tuple[Engine, Summary]) -> None:
    engine, _ = kalteng
    with pytest.raises(SynthError, match="already holds"):
        generate_branch(engine, "bogor-2024", 0.001, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bogor_is_76_percent_active(backend: str, fresh_engine: FreshEngine, workdir: Path) -> None:
    summary = build_scenario(fresh_engine(backend), "bogor-2024", 0.002, 11, workdir=workdir / f"bogor-{backend}")
    assert summary.picture.overall_activeness == pytest.approx(0.76, abs=POINT)
    assert summary.picture.coverage["32.01"] == pytest.approx(5_300_000 / 5_809_790, abs=POINT)
    assert str(summary.picture.month) == "2024-07"


_FINGERPRINT = (
    "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM family), (SELECT count(*) FROM account),"
    " (SELECT count(*) FROM membership), (SELECT sum(amount) FROM charge),"
    " (SELECT sum(CAST(substr(nik, 13, 4) AS INTEGER) + CAST(substr(nik, 7, 2) AS INTEGER)) FROM person),"
    " (SELECT min(nik) FROM person), (SELECT max(card_number) FROM person),"
    " (SELECT sum(COALESCE(wage, 0)) FROM membership), (SELECT count(*) FROM synth_payer WHERE first_paid IS NULL)"
)


def test_generation_is_deterministic_for_a_seed(fresh_engine: FreshEngine) -> None:
    prints = []
    for seed in (5, 5, 6):
        engine = fresh_engine("sqlite")
        generate_branch(engine, "bogor-2024", 0.001, seed)
        with engine.connect() as conn:
            prints.append(tuple(conn.execute(text(_FINGERPRINT)).one()))
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
