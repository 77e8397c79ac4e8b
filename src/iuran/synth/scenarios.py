"""The published pictures a synthetic branch reproduces, with their sources (docs/rules.md §13).

A scenario says which kabupaten/kota the branch serves, the coverage of each (registered ÷ population), the share of
each segment among the registered, the activeness of each segment (active ÷ registered) and the month the picture
is taken: the state on the 1st of that month, after its cycle.

Registered per kabupaten/kota = round(coverage × population × scale), with the population the coverage report of
the picture's day reads (`iuran.db.population`: the latest release at or before it, else the earliest; iuran packages
Dukcapil semester II 2024 only). The articles used older population figures (Kalimantan Tengah: 2,706,950, Dukcapil
semester II 2022), so the synthetic counts differ from the articles' counts while the ratios match.

Example:
    >>> s = scenario("kalteng-2023")
    >>> str(s.month), round(s.overall_activeness(), 4)
    ('2023-11', 0.7095)
"""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.month import Month
from iuran.rules.segments import Segment

S = Segment


class UnknownScenario(ValueError):
    """A scenario name that is not defined here."""


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    branch_code: str
    branch_name: str
    month: Month  # the picture is the state on the 1st of this month
    coverage: dict[str, float]  # kabupaten/kota code -> registered ÷ population
    mix: dict[Segment, float]  # segment -> share of the registered (sums to 1)
    activeness: dict[Segment, float]  # segment -> active ÷ registered
    umk: dict[tuple[str, int], int]  # (kabupaten/kota, year) -> minimum wage, Rupiah
    umk_basis: str
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    opening_months: int = 3  # the synthetic ledger opens this many months before the picture
    # Share of PBPU/BP non-active persons whose family fell behind only in the last three months (aging 1-3).
    recent_lapse_share: float = 0.15
    # Non-active PPU BU persons whose employer is in arrears (the rest were dropped by their employer).
    employer_arrears_share: float = 0.5
    pbi_deactivated_in_window_share: float = 0.1

    @property
    def opening(self) -> Month:
        """The first month the cycle bills; the months before it are opening balances."""
        return self.month - self.opening_months

    def overall_activeness(self) -> float:
        return sum(self.mix[s] * self.activeness[s] for s in self.mix)


# --- Kalimantan Tengah, 1 November 2023 --------------------------------------------------------------------------

_KALTENG_SOURCE = (
    "kaltengterkini.co.id, 'BPJS : Cakupan Kepesertaan di Kalteng 98,12% dengan Keaktifan 70,95%', 27 Nov 2023: "
    "coverage per kabupaten/kota and activeness per segment on 1 November 2023"
)

_KALTENG_COVERAGE = {
    "62.12": 1.1809,  # Murung Raya
    "62.07": 1.0517,  # Seruyan
    "62.06": 1.0272,  # Katingan
    "62.71": 1.0180,  # Kota Palangka Raya
    "62.08": 1.0175,  # Sukamara
    "62.10": 1.0173,  # Gunung Mas
    "62.01": 1.0109,  # Kotawaringin Barat
    "62.02": 1.0100,  # Kotawaringin Timur
    "62.04": 0.9934,  # Barito Selatan
    "62.13": 0.9917,  # Barito Timur
    "62.05": 0.9738,  # Barito Utara
    "62.11": 0.8613,  # Pulang Pisau
    "62.03": 0.8185,  # Kapuas
    "62.09": 0.9812,  # Lamandau: not reported by the article; the province's 98.12% is used
}

# Segment mix chosen so that the activeness weighted by it is the province's 70.95%:
# 0.36×77.66 + 0.19×73.94 + 0.1022×92.88 + 0.1578×70.41 + 0.16×35.75 + 0.03×87.35 = 70.95.
# Its shape (PBI over half, PPU about a quarter, PBPU a sixth) follows the article's 1.9 million active / 0.7 million
# non-active and the large Pemda-funded (APBD) share of Kalimantan Tengah; the split itself is not published.
_KALTENG_MIX = {
    S.PBI_APBN: 0.36,
    S.PBI_APBD: 0.19,
    S.PPU_PN: 0.1022,
    S.PPU_BU: 0.1578,
    S.PBPU: 0.16,
    S.BP: 0.03,
}
_KALTENG_ACTIVENESS = {
    S.PBI_APBD: 0.7394,
    S.PBI_APBN: 0.7766,
    S.BP: 0.8735,
    S.PBPU: 0.3575,
    S.PPU_BU: 0.7041,
    S.PPU_PN: 0.9288,
}

# Illustrative minimum wages: the provincial minimum wage (UMP) of Kalimantan Tengah for the year (2021 Rp2,903,145;
# 2022 Rp2,922,516; 2023 Rp3,181,013), raised for the plantation and mining kabupaten as their UMK are. Not the
# published UMK decrees: replace with the Keputusan Gubernur Kalimantan Tengah figures before any real use.
_KALTENG_UMP = {2021: 2_903_145, 2022: 2_922_516, 2023: 3_181_013}
_KALTENG_UMK_UPLIFT = {
    "62.01": 1.08, "62.02": 1.08, "62.03": 1.00, "62.04": 1.02, "62.05": 1.04, "62.06": 1.05, "62.07": 1.07,
    "62.08": 1.06, "62.09": 1.06, "62.10": 1.03, "62.11": 1.00, "62.12": 1.05, "62.13": 1.04, "62.71": 1.03,
}  # fmt: skip
_KALTENG_UMK = {
    (code, year): round(ump * uplift)
    for code, uplift in _KALTENG_UMK_UPLIFT.items()
    for year, ump in _KALTENG_UMP.items()
}

KALTENG_2023 = Scenario(
    name="kalteng-2023",
    title="Kantor Cabang Palangka Raya: the 14 kabupaten/kota of Kalimantan Tengah, 1 November 2023",
    branch_code="KC-PLK",
    branch_name="Kantor Cabang Palangka Raya",
    month=Month(2023, 11),
    coverage=_KALTENG_COVERAGE,
    mix=_KALTENG_MIX,
    activeness=_KALTENG_ACTIVENESS,
    umk=_KALTENG_UMK,
    umk_basis="illustrative: UMP Kalimantan Tengah with a per-kabupaten uplift (iuran.synth.scenarios)",
    sources=(_KALTENG_SOURCE,),
    notes=(
        "Lamandau (62.09) is not in the article: the province's coverage, 98.12%, is used.",
        "Population is Dukcapil semester II 2024 (province 2,825,290), the earliest release iuran has, not the "
        "article's 2,706,950 (2022).",
        "The segment mix is chosen, not published: its weighted activeness is the province's 70.95%.",
    ),
)

# --- Kabupaten Bogor, 2024 -----------------------------------------------------------------------------------------

_BOGOR_SOURCE = (
    "ANTARA News Megapolitan 2024, 'sejuta peserta JKN di Kabupaten Bogor menunggak iuran': "
    "5.5 million must be covered, 5.3 million registered (97%), 76% active, about 1 million in arrears"
)
_BOGOR_POPULATION_2024 = 5_809_790  # Dukcapil semester II 2024, the population table
_BOGOR_REGISTERED = 5_300_000

# Segment mix and activeness per segment: not published; chosen so that the weighted activeness is 76% and that
# about a million of the 1.27 million non-active are in arrears (PBPU/BP families, employers), the rest PBI
# deactivated by Kemensos or workers dropped by their employer:
# 0.33×90 + 0.12×85 + 0.25×85 + 0.03×97 + 0.24×39.75 + 0.03×80 = 76.0.
_BOGOR_MIX = {S.PBI_APBN: 0.33, S.PBI_APBD: 0.12, S.PPU_BU: 0.25, S.PPU_PN: 0.03, S.PBPU: 0.24, S.BP: 0.03}
_BOGOR_ACTIVENESS = {
    S.PBI_APBN: 0.90,
    S.PBI_APBD: 0.85,
    S.PPU_BU: 0.85,
    S.PPU_PN: 0.97,
    S.PBPU: 0.3975,
    S.BP: 0.80,
}

BOGOR_2024 = Scenario(
    name="bogor-2024",
    title="Kantor Cabang Cibinong: Kabupaten Bogor, 1 July 2024",
    branch_code="KC-CBN",
    branch_name="Kantor Cabang Cibinong",
    month=Month(2024, 7),
    coverage={"32.01": _BOGOR_REGISTERED / _BOGOR_POPULATION_2024},
    mix=_BOGOR_MIX,
    activeness=_BOGOR_ACTIVENESS,
    # UMK Kabupaten Bogor as set by the Keputusan Gubernur Jawa Barat for each year (figures as recalled, to be
    # checked against the decrees before any real use).
    umk={
        ("32.01", 2022): 4_217_206,
        ("32.01", 2023): 4_520_212,
        ("32.01", 2024): 4_579_541,
        ("32.01", 2025): 4_877_211,  # the months the benchmark plays after the picture date
    },
    umk_basis="Keputusan Gubernur Jawa Barat on UMK (figures as recalled; illustrative)",
    sources=(_BOGOR_SOURCE,),
    notes=(
        "The article is undated within 2024; the picture is taken on 1 July 2024.",
        "5.3 million registered against the 2024 population table (5,809,790): coverage 91.2% here; the article's "
        "97% is of the 5.5 million it counts as required to be covered.",
        "The segment mix and per-segment activeness are chosen, not published: overall 76%.",
    ),
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (KALTENG_2023, BOGOR_2024)}


def scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UnknownScenario(f"scenario: unknown {name!r}; one of {', '.join(SCENARIOS)}") from None
