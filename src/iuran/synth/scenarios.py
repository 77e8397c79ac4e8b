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

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

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
    umk_basis: str  # recorded with each UMK row (umk.basis, at most 200 characters)
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    opening_months: int = 3  # the synthetic ledger opens this many months before the picture
    # Share of PBPU/BP non-active persons whose family fell behind only in the last three months (aging 1-3).
    recent_lapse_share: float = 0.15
    # Non-active PPU BU persons whose employer is in arrears (the rest were dropped by their employer).
    employer_arrears_share: float = 0.5
    pbi_deactivated_in_window_share: float = 0.1
    # (kabupaten/kota, year) -> the number of the decree that sets the value in `umk` (a key of UMK_DECREES).
    umk_decree: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def opening(self) -> Month:
        """The first month the cycle bills; the months before it are opening balances."""
        return self.month - self.opening_months

    def overall_activeness(self) -> float:
        return sum(self.mix[s] * self.activeness[s] for s in self.mix)


# --- Minimum wages (UMK) -----------------------------------------------------------------------------------------
# The PPU wage base is floored at the UMK of the employer's kabupaten/kota for the year billed (docs/rules.md §3), so
# a scenario carries the UMK of every year its ledger bills. The values are the governors' decrees', each with its
# decree; the ledger keeps whole rupiah, so an amount with sen is rounded half up to the rupiah.


@dataclass(frozen=True)
class Decree:
    """A governor's decree (Keputusan Gubernur) setting minimum wages, and where its figures were read."""

    number: str
    title: str
    sources: tuple[str, ...]


UMK_DECREES: dict[str, Decree] = {
    d.number: d
    for d in (
        Decree(
            "188.44/604/2020",
            "Keputusan Gubernur Kalimantan Tengah, reported 8 December 2020: UMK 2021, 2020's (188.44/546/2019) kept",
            (
                "https://apahabar.com/2020/12/sama-dengan-tahun-sebelumnya-umk-palangka-raya-2021-rp29-juta/",
                "https://www.inikalteng.com/gubernur-kalteng-tetapkan-upah-minimum-kabupaten-kota/",
                "https://fbeta.republika.co.id/berita/r32z3o457/umk-kotawaringin-timur-naik-rp-22-ribu",
            ),
        ),
        Decree(
            "188.44/445/2021",
            "Keputusan Gubernur Kalimantan Tengah, 30 November 2021: UMK 2022 (Kapuas not in the annex)",
            (
                "https://kalimantan.bisnis.com/read/20211202/407/1473202/umk-kalteng-2022-kabupaten-seruyan-tertinggi",
                "https://balanganews.com/palangkaraya/berita-49608/umk-kabupaten-kapuas-harus-berpedoman-pada-ump-2022.html",
            ),
        ),
        Decree(
            "188.44/442/2021",
            "Keputusan Gubernur Kalimantan Tengah, 19 November 2021: UMP 2022, Rp2,922,516",
            (
                "https://mediaindonesia.com/nusantara/448431/gubernur-kalteng-tetapkan-ump-2022-naik-rp19-ribu-karena-terimbas-pandemi",
            ),
        ),
        Decree(
            "188.44/472/2022",
            "Keputusan Gubernur Kalimantan Tengah, 6 December 2022: UMK 2023",
            (
                "https://beritasampit.co.id/2022/12/08/umk-barito-utara-tertinggi-di-kalteng/",
                "https://kantamedia.com/kalimantan-tengah/palangka-raya/umk-palangka-raya-2023-naik-rp254-ribu",
            ),
        ),
        Decree(
            "561/Kep.732-Kesra/2021",
            "Keputusan Gubernur Jawa Barat, 30 November 2021: UMK 2022",
            (
                "https://news.detik.com/berita-jawa-barat/d-5835855/berikut-daftar-lengkap-umk-2022-yang-naik-dan-tak-naik-di-jabar",
            ),
        ),
        Decree(
            "561.7/Kep.776-Kesra/2022",
            "Keputusan Gubernur Jawa Barat, announced 7 December 2022: UMK 2023",
            (
                "https://kompas.tv/amp/bisnis/356263/daftar-umk-27-kabupaten-kota-di-jawa-barat-2023-kab-karawang-tertinggi-kota-banjar-terendah",
                "https://bogor.tribunnews.com/2022/12/08/resmi-umk-kabupaten-bogor-2023-naik-718-persen-nominalnya-menjadi-rp-45-juta",
            ),
        ),
        Decree(
            "561.7/Kep.804-Kesra/2023",
            "Keputusan Penjabat Gubernur Jawa Barat, 30 November 2023: UMK 2024",
            (
                "https://id.scribd.com/document/688771676/Press-Release-UMK-2024",
                "https://beritapasundan.com/tok-pj-gubernur-jabar-tetapkan-umk-2024-kota-bekasi-tertinggi-disusul-karawang",
            ),
        ),
        Decree(
            "561.7/Kep.798-Kesra/2024",
            "Keputusan Penjabat Gubernur Jawa Barat, 18 December 2024: UMK 2025",
            ("https://voi.id/berita/444305/sah-umk-kota-rp-5-1-juta-dan-kabupaten-bogor-rp-4-8-juta",),
        ),
    )
}


def rupiah(amount: str) -> int:
    """A decree's amount (rupiah, sen after the point) in whole rupiah, half up: "3_594_095.56" -> 3594096."""
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _umk_table(
    rows: tuple[tuple[str, int, str, str], ...],
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], str]]:
    """(kabupaten/kota, year, amount, decree) rows -> the scenario's `umk` and `umk_decree`."""
    umk = {(code, year): rupiah(amount) for code, year, amount, _ in rows}
    decree = {(code, year): number for code, year, _, number in rows}
    assert len(umk) == len(rows), "a (kabupaten/kota, year) twice"
    return umk, decree


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

# Minimum wages: the UMK set by the Keputusan Gubernur Kalimantan Tengah for each year the ledger bills (the
# opening's employer arrears reach back to December 2021), each value with its decree (`UMK_DECREES` says where the
# figures were read: press reports of the decrees' annexes, in rupiah with sen after the point).
# 2021: the UMK of 2020 (Keputusan 188.44/546/2019), kept unchanged by Keputusan 188.44/604/2020 as the Menteri
# Ketenagakerjaan asked (SE M/11/HK.04/2020). 2022: Kapuas is not in the annex of 188.44/445/2021 (its wage council's
# formula gave less than its UMK of 2021), so the UMP of 2022 applies there; it is above Kapuas's UMK of 2021.
_KALTENG_UMK_ROWS: tuple[tuple[str, int, str, str], ...] = (
    # kabupaten/kota, year, UMK (Rp), Keputusan Gubernur Kalimantan Tengah
    ("62.01", 2021, "3_047_533.00", "188.44/604/2020"),  # Kotawaringin Barat
    ("62.01", 2022, "3_077_218.00", "188.44/445/2021"),
    ("62.01", 2023, "3_352_982.89", "188.44/472/2022"),
    ("62.02", 2021, "2_991_946.00", "188.44/604/2020"),  # Kotawaringin Timur
    ("62.02", 2022, "3_014_732.66", "188.44/445/2021"),
    ("62.02", 2023, "3_265_859.89", "188.44/472/2022"),
    ("62.03", 2021, "2_909_962.10", "188.44/604/2020"),  # Kapuas
    ("62.03", 2022, "2_922_516.00", "188.44/442/2021"),  # no UMK in 188.44/445/2021: the UMP of 2022
    ("62.03", 2023, "3_194_237.00", "188.44/472/2022"),
    ("62.04", 2021, "3_224_837.00", "188.44/604/2020"),  # Barito Selatan
    ("62.04", 2022, "3_245_604.00", "188.44/445/2021"),
    ("62.04", 2023, "3_528_912.00", "188.44/472/2022"),
    ("62.05", 2021, "3_307_767.00", "188.44/604/2020"),  # Barito Utara
    ("62.05", 2022, "3_307_767.00", "188.44/445/2021"),
    ("62.05", 2023, "3_595_013.49", "188.44/472/2022"),
    ("62.06", 2021, "2_962_344.00", "188.44/604/2020"),  # Katingan
    ("62.06", 2022, "2_980_076.00", "188.44/445/2021"),
    ("62.06", 2023, "3_230_700.39", "188.44/472/2022"),
    ("62.07", 2021, "3_193_750.00", "188.44/604/2020"),  # Seruyan
    ("62.07", 2022, "3_317_667.50", "188.44/445/2021"),
    ("62.07", 2023, "3_594_095.56", "188.44/472/2022"),
    ("62.08", 2021, "3_088_502.00", "188.44/604/2020"),  # Sukamara
    ("62.08", 2022, "3_110_304.00", "188.44/445/2021"),
    ("62.08", 2023, "3_389_398.00", "188.44/472/2022"),
    ("62.09", 2021, "3_130_152.00", "188.44/604/2020"),  # Lamandau
    ("62.09", 2022, "3_161_076.00", "188.44/445/2021"),
    ("62.09", 2023, "3_443_107.00", "188.44/472/2022"),
    # Gunung Mas 2021: the report of the 2020 decree prints 3,936,816.12, a slip for 2,936,816.12 (2021's is
    # reported as "Rp2,9 juta lebih"; 2022's 2,957,129.29 is 0.7% above it).
    ("62.10", 2021, "2_936_816.12", "188.44/604/2020"),  # Gunung Mas
    ("62.10", 2022, "2_957_129.29", "188.44/445/2021"),
    ("62.10", 2023, "3_227_351.76", "188.44/472/2022"),
    ("62.11", 2021, "2_947_368.00", "188.44/604/2020"),  # Pulang Pisau
    ("62.11", 2022, "2_954_756.00", "188.44/445/2021"),
    ("62.11", 2023, "3_223_402.42", "188.44/472/2022"),
    ("62.12", 2021, "3_205_291.00", "188.44/604/2020"),  # Murung Raya
    ("62.12", 2022, "3_205_291.00", "188.44/445/2021"),
    ("62.12", 2023, "3_488_798.00", "188.44/472/2022"),
    ("62.13", 2021, "2_973_171.29", "188.44/604/2020"),  # Barito Timur
    ("62.13", 2022, "2_980_816.54", "188.44/445/2021"),
    ("62.13", 2023, "3_236_138.38", "188.44/472/2022"),
    ("62.71", 2021, "2_931_674.00", "188.44/604/2020"),  # Kota Palangka Raya
    ("62.71", 2022, "2_972_541.60", "188.44/445/2021"),
    ("62.71", 2023, "3_226_753.00", "188.44/472/2022"),
)
# The provincial minimum wage (UMP) of Kalimantan Tengah, the floor every UMK is above: 2021 the UMP of 2020
# (Peraturan Gubernur 32/2019, Rp2,903,144.70) kept; 2022 Keputusan 188.44/442/2021; 2023 Keputusan 188.44/448/2022.
KALTENG_UMP = {2021: 2_903_145, 2022: 2_922_516, 2023: 3_181_013}
_KALTENG_UMK, _KALTENG_UMK_DECREE = _umk_table(_KALTENG_UMK_ROWS)

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
    umk_basis=(
        "Keputusan Gubernur Kalimantan Tengah 188.44/604/2020 (2021), 188.44/445/2021 (2022; Kapuas: UMP, "
        "188.44/442/2021), 188.44/472/2022 (2023); rounded to the rupiah"
    ),
    umk_decree=_KALTENG_UMK_DECREE,
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

# UMK Kabupaten Bogor as the Keputusan Gubernur Jawa Barat of each year set it; 2025 for the months the benchmark
# plays after the picture. 2024's is 2023's plus the Rp59,328.75 the decree added.
_BOGOR_UMK, _BOGOR_UMK_DECREE = _umk_table(
    (
        # kabupaten/kota, year, UMK (Rp), Keputusan Gubernur Jawa Barat
        ("32.01", 2022, "4_217_206.00", "561/Kep.732-Kesra/2021"),  # unchanged from 2021
        ("32.01", 2023, "4_520_212.25", "561.7/Kep.776-Kesra/2022"),
        ("32.01", 2024, "4_579_541.00", "561.7/Kep.804-Kesra/2023"),
        ("32.01", 2025, "4_877_211.17", "561.7/Kep.798-Kesra/2024"),
    )
)

BOGOR_2024 = Scenario(
    name="bogor-2024",
    title="Kantor Cabang Cibinong: Kabupaten Bogor, 1 July 2024",
    branch_code="KC-CBN",
    branch_name="Kantor Cabang Cibinong",
    month=Month(2024, 7),
    coverage={"32.01": _BOGOR_REGISTERED / _BOGOR_POPULATION_2024},
    mix=_BOGOR_MIX,
    activeness=_BOGOR_ACTIVENESS,
    umk=_BOGOR_UMK,
    umk_basis=(
        "Keputusan Gubernur Jawa Barat 561/Kep.732-Kesra/2021 (2022), 561.7/Kep.776-Kesra/2022 (2023), "
        "561.7/Kep.804-Kesra/2023 (2024), 561.7/Kep.798-Kesra/2024 (2025); rounded to the rupiah"
    ),
    umk_decree=_BOGOR_UMK_DECREE,
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
