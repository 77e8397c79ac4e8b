"""The scenarios state the published figures and a segment mix that reproduces them."""

import pytest

from iuran.rules.segments import Segment
from iuran.synth.scenarios import SCENARIOS, UnknownScenario, scenario
from iuran.wilayah import default_wilayah


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_segment_mix_is_complete_and_sums_to_one(name: str) -> None:
    s = scenario(name)
    assert set(s.mix) == set(Segment) == set(s.activeness)
    assert sum(s.mix.values()) == pytest.approx(1.0)
    assert s.opening < s.month


def test_kalteng_mix_gives_the_province_activeness_of_70_95() -> None:
    s = scenario("kalteng-2023")
    assert s.overall_activeness() == pytest.approx(0.7095, abs=0.00005)
    assert sorted(s.coverage) == [r.code for r in default_wilayah().kabupaten_kota("62")]
    assert s.coverage["62.09"] == 0.9812  # Lamandau: not reported, the province's figure


def test_bogor_is_76_percent_active_with_5_3_million_registered() -> None:
    s = scenario("bogor-2024")
    assert s.overall_activeness() == pytest.approx(0.76)
    population = default_wilayah().population("32.01")
    assert population is not None
    assert round(s.coverage["32.01"] * population) == 5_300_000


def test_unknown_scenario_is_named() -> None:
    with pytest.raises(UnknownScenario, match="kalteng-2023"):
        scenario("jakarta-1999")
