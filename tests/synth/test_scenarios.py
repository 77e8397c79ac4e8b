"""The scenarios state the published figures and a segment mix that reproduces them."""

import pytest

from iuran.rules.segments import Segment
from iuran.synth.plan import SEGMENTS
from iuran.synth.scenarios import KALTENG_UMP, SCENARIOS, UMK_DECREES, UnknownScenario, rupiah, scenario
from iuran.wilayah import default_wilayah


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_segment_mix_is_complete_and_sums_to_one(name: str) -> None:
    s = scenario(name)
    # Every segment the synthetic branch generates; the state's BP pensioners and veterans (billed to the
    # government, docs/rules.md §2) are not generated: the published figures count them under BP.
    assert set(s.mix) == set(SEGMENTS) == set(s.activeness)
    assert set(Segment) - set(SEGMENTS) == {Segment.BP_PENSIUNAN, Segment.BP_VETERAN}
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


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_minimum_wage_has_its_decree_and_a_source(name: str) -> None:
    s = scenario(name)
    assert set(s.umk) == set(s.umk_decree)
    for number in set(s.umk_decree.values()):
        decree = UMK_DECREES[number]
        assert decree.sources and all(u.startswith("https://") for u in decree.sources), number
        assert number in s.umk_basis, number
    assert len(s.umk_basis) <= 200  # umk.basis is VARCHAR(200)
    assert "illustrative" not in s.umk_basis and "recalled" not in s.umk_basis


def test_kalteng_minimum_wages_are_the_governors_decrees() -> None:
    s = scenario("kalteng-2023")
    codes = [r.code for r in default_wilayah().kabupaten_kota("62")]
    assert set(s.umk) == {(code, year) for code in codes for year in (2021, 2022, 2023)}
    # Keputusan Gubernur Kalimantan Tengah 188.44/472/2022 (UMK 2023), as the brief and the reports quote it.
    assert s.umk[("62.05", 2023)] == 3_595_013  # Barito Utara, Rp3,595,013.49
    assert s.umk[("62.71", 2023)] == 3_226_753  # Kota Palangka Raya
    assert s.umk[("62.03", 2023)] == 3_194_237  # Kapuas
    assert s.umk[("62.07", 2023)] == 3_594_096  # Seruyan, Rp3,594,095.56
    assert {s.umk_decree[(c, 2023)] for c in codes} == {"188.44/472/2022"}
    # 188.44/445/2021 (UMK 2022) has no Kapuas: the UMP of 2022 (188.44/442/2021) applies there.
    assert s.umk[("62.03", 2022)] == KALTENG_UMP[2022] == 2_922_516
    assert s.umk_decree[("62.03", 2022)] == "188.44/442/2021"
    assert {s.umk_decree[(c, 2022)] for c in codes if c != "62.03"} == {"188.44/445/2021"}
    assert s.umk[("62.71", 2022)] == 2_972_542  # Rp2,972,541.60
    # 2021: the UMK of 2020 kept (188.44/604/2020).
    assert {s.umk_decree[(c, 2021)] for c in codes} == {"188.44/604/2020"}
    assert s.umk[("62.02", 2021)] == 2_991_946  # Kotawaringin Timur


def test_kalteng_minimum_wages_are_at_least_the_ump_and_never_fall() -> None:
    s = scenario("kalteng-2023")
    for (code, year), amount in s.umk.items():
        assert amount >= KALTENG_UMP[year], (code, year)
        if (code, year - 1) in s.umk:
            assert amount >= s.umk[(code, year - 1)], (code, year)


def test_bogor_minimum_wages_are_the_jawa_barat_decrees() -> None:
    s = scenario("bogor-2024")
    assert s.umk == {
        ("32.01", 2022): 4_217_206,
        ("32.01", 2023): 4_520_212,
        ("32.01", 2024): 4_579_541,
        ("32.01", 2025): 4_877_211,
    }
    assert s.umk_decree[("32.01", 2024)] == "561.7/Kep.804-Kesra/2023"


@pytest.mark.parametrize(
    ("amount", "whole"),
    [("3_594_095.56", 3_594_096), ("4_520_212.25", 4_520_212), ("2_972_541.50", 2_972_542), ("3_226_753", 3_226_753)],
)
def test_decree_amounts_are_rounded_half_up_to_the_rupiah(amount: str, whole: int) -> None:
    assert rupiah(amount) == whole


def test_unknown_scenario_is_named() -> None:
    with pytest.raises(UnknownScenario, match="kalteng-2023"):
        scenario("jakarta-1999")
