"""The Kalimantan Tengah branch reproduces the published figures at a larger scale too (the tests of test_branch.py
build it at 0.01), with the decreed minimum wages in its umk table."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from iuran.synth.build import build_scenario
from iuran.synth.scenarios import scenario

FreshEngine = Callable[[str], Engine]
POINT = 0.01  # ±1 percentage point


def test_kalteng_at_scale_0_05_is_within_a_point_with_the_decreed_umk(fresh_engine: FreshEngine) -> None:
    engine = fresh_engine("sqlite")
    summary = build_scenario(engine, "kalteng-2023", 0.05, 11)
    sc, picture = summary.scenario, summary.picture
    for code, coverage in sc.coverage.items():
        assert picture.coverage[code] == pytest.approx(coverage, abs=POINT), code
    for segment, activeness in sc.activeness.items():
        assert picture.activeness[segment.value] == pytest.approx(activeness, abs=POINT), segment
    assert picture.overall_activeness == pytest.approx(0.7095, abs=POINT)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kabkota_code, year, amount, basis FROM umk")).all()
    assert {(r[0], int(r[1])): int(r[2]) for r in rows} == scenario("kalteng-2023").umk
    assert {r[3] for r in rows} == {sc.umk_basis}
