"""The population by Dukcapil release (migration 0008, `iuran.db.population`), on both databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from iuran.db.engine import make_engine
from iuran.db.migrate import _config, current, head, upgrade
from iuran.db.population import PopulationRelease, choose_release, population_release, population_totals
from iuran.registry.regions import load_regions

PACKAGED = "Dukcapil semester II 2024 via cahyadsn/wilayah (MIT)"
DEC_2024 = dt.date(2024, 12, 31)


def test_the_packaged_release_describes_31_december_2024(engine: Engine) -> None:
    with engine.connect() as conn:
        before = population_release(conn, dt.date(2023, 11, 1))
        after = population_release(conn, dt.date(2025, 3, 1))
        assert before is not None and after is not None
        assert (before.source, before.semester, before.as_of, before.after_day) == (
            PACKAGED,
            "semester II 2024",
            DEC_2024,
            True,
        )
        assert (after.source, after.after_day) == (PACKAGED, False)
        assert population_totals(conn, after, ["62", "62.71", "62.71.01"]) == {"62": 2_825_290, "62.71": 315_153}


def test_choosing_a_release() -> None:
    june = PopulationRelease("june", "semester I 2024", dt.date(2024, 6, 30))
    dec = PopulationRelease("dec", "semester II 2024", DEC_2024)
    assert choose_release([], dt.date(2024, 1, 1)) is None
    assert choose_release([dec, june], dt.date(2024, 6, 30)) == june
    assert choose_release([dec, june], dt.date(2025, 1, 1)) == dec
    assert choose_release([dec, june], dt.date(2024, 6, 29)) == PopulationRelease(
        "june", "semester I 2024", dt.date(2024, 6, 30), after_day=True
    )


def test_an_older_database_keeps_its_population(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0007")
            load_regions(conn)
        upgrade(engine)
        assert current(engine) == head()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*), count(DISTINCT source) FROM population")).one()
            assert tuple(rows) == (554 - 1, 1)
            release = population_release(conn, DEC_2024)
            assert release is not None and release.source == PACKAGED and not release.after_day
    finally:
        engine.dispose()
