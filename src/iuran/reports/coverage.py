"""Cakupan (coverage): registered ÷ population per kabupaten/kota, the national target and UHC Prioritas
(docs/rules.md §10).

Reads `snapshot_coverage` (registered/active per kecamatan × segment, written by the cycle) and the Dukcapil
population of the release for the report's date (`iuran.db.population`); one GROUP BY, never per-person rows.
A synthetic branch is compared at the scale `iuran synth` built it at (`synth_run.scale`), a real branch at 1.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sqlalchemy import Connection, text

from iuran.db import months
from iuran.db.population import PopulationRelease, population_release
from iuran.reports.formatting import format_bp, format_date
from iuran.reports.model import Cell, Column, Fact, Kind, Ratio, Report, Row, ratio
from iuran.reports.scope import as_int, check_by, in_branch, params, resolve_branch, snapshot_month
from iuran.rules.errors import RuleInputError
from iuran.rules.rulebook import RuleNotInForce, default_rulebook, in_force
from iuran.rules.segments import Segment
from iuran.rules.uhc import RegionCounts, coverage_target_bp, uhc_prioritas

BY = ("kabupaten", "kecamatan")

KABUPATEN_COLUMNS = (
    Column("kabkota_code", None, Kind.TEXT),
    Column("kabkota_name", "Kabupaten/Kota", Kind.TEXT),
    Column("population", "Penduduk", Kind.COUNT),
    Column("registered", "Terdaftar", Kind.COUNT),
    Column("coverage", "Cakupan", Kind.RATIO),
    Column("active", "Aktif", Kind.COUNT),
    Column("active_coverage", "Aktif/Penduduk", Kind.RATIO),
    Column("activeness", "Keaktifan", Kind.RATIO),
    Column("meets_target", "Capai Target", Kind.FLAG),
    Column("uhc_prioritas", "UHC Prioritas", Kind.FLAG),
)

KECAMATAN_COLUMNS = (
    Column("kabkota_code", None, Kind.TEXT),
    Column("kabkota_name", "Kabupaten/Kota", Kind.TEXT),
    Column("kecamatan_code", None, Kind.TEXT),
    Column("kecamatan_name", "Kecamatan", Kind.TEXT),
    Column("population", "Penduduk", Kind.COUNT),
    Column("registered", "Terdaftar", Kind.COUNT),
    Column("coverage", "Cakupan", Kind.RATIO),
    Column("active", "Aktif", Kind.COUNT),
    Column("activeness", "Keaktifan", Kind.RATIO),
)

_BY_KABUPATEN_SQL = """
SELECT s.kabkota_code, r.name AS kabkota_name, p.total AS population,
       CAST(sum(s.registered) AS BIGINT) AS registered, CAST(sum(s.active) AS BIGINT) AS active
FROM snapshot_coverage s
LEFT JOIN region r ON r.code = s.kabkota_code
LEFT JOIN population p ON p.code = s.kabkota_code AND p.source = :population_source
WHERE s.month = :month AND {branch}
GROUP BY s.kabkota_code, r.name, p.total
ORDER BY s.kabkota_code
"""

_BY_KECAMATAN_SQL = """
SELECT s.kabkota_code, rk.name AS kabkota_name, s.kecamatan_code, rc.name AS kecamatan_name,
       CAST(sum(s.registered) AS BIGINT) AS registered, CAST(sum(s.active) AS BIGINT) AS active
FROM snapshot_coverage s
LEFT JOIN region rk ON rk.code = s.kabkota_code
LEFT JOIN region rc ON rc.code = s.kecamatan_code
WHERE s.month = :month AND {branch}
GROUP BY s.kabkota_code, rk.name, s.kecamatan_code, rc.name
ORDER BY s.kabkota_code, s.kecamatan_code
"""

# UHC Prioritas needs "no arrears on the Pemda's own bill": the Pemda pays PBI APBD (docs/rules.md §2), so a kabupaten's
# PBI APBD arrears in the snapshot are the Pemda's arrears.
_PEMDA_IN_ARREARS_SQL = """
SELECT DISTINCT kabkota_code FROM snapshot_arrears
WHERE month = :month AND segment = :segment AND accounts > 0
"""


def coverage_report(
    conn: Connection,
    as_of: dt.date,
    by: str = "kabupaten",
    branch: str | None = None,
    population_scale: Fraction | None = None,
) -> Report:
    """Coverage per kabupaten/kota (default) or per kecamatan, with a branch total.

    The population is the release for `as_of` (the latest semester at or before it, else the earliest, noted).
    `population_scale` compares a synthetic branch built at a fraction of the real size with the published figures:
    the population is multiplied by it (shown rounded half up; the ratios stay exact). None: the scale the branch
    was built at by `iuran synth` (1 for a real branch).

    Example:
        >>> report = coverage_report(conn, dt.date(2023, 11, 15))  # doctest: +SKIP
        >>> format_percent(report.find(kabkota_code="62.71")["coverage"])  # doctest: +SKIP
        '101,80%'
    """
    breakdown = check_by("coverage", by, BY)
    scope = resolve_branch(conn, branch)
    month = snapshot_month(conn, as_of)
    release = population_release(conn, as_of)
    values = params(scope, month=months.to_db(month), population_source=release.source if release else None)
    scale = _check_scale(_built_scale(conn) if population_scale is None else population_scale)
    target_bp = _target_bp(as_of)
    facts = [
        Fact(
            "coverage_target",
            "Target cakupan nasional",
            Kind.RATIO,
            None if target_bp is None else ratio(target_bp, 10_000),
        ),
    ]
    notes = [
        "Cakupan = terdaftar ÷ penduduk; bisa lebih dari 100% (domisili peserta vs data kependudukan).",
        "Keaktifan = aktif ÷ terdaftar.",
        *_population_notes(release, as_of),
    ]
    if scale != 1:
        facts.append(Fact("population_scale", "Skala penduduk", Kind.RATIO, Ratio(scale.numerator, scale.denominator)))
        built = " (skala cabang saat dibuat `iuran synth`; --population-scale menggantinya)"
        notes.append(
            "Penduduk dikalikan skala cabang sintetis (dibulatkan); cakupan dihitung dengan skala yang tepat"
            f"{built if population_scale is None else ''}."
        )

    if breakdown == "kecamatan":
        rows = []
        registered = active = 0
        for r in conn.execute(text(_BY_KECAMATAN_SQL.format(branch=in_branch("s.kabkota_code", scope))), values):
            reg, act = as_int(r.registered), as_int(r.active)
            registered, active = registered + reg, active + act
            rows.append(
                Row(
                    {
                        "kabkota_code": r.kabkota_code,
                        "kabkota_name": r.kabkota_name or r.kabkota_code,
                        "kecamatan_code": r.kecamatan_code,
                        "kecamatan_name": r.kecamatan_name or r.kecamatan_code,
                        "population": None,
                        "registered": reg,
                        "coverage": None,
                        "active": act,
                        "activeness": ratio(act, reg),
                    }
                )
            )
        total = Row(
            {
                "population": None,
                "registered": registered,
                "coverage": None,
                "active": active,
                "activeness": ratio(active, registered),
            }
        )
        notes.insert(
            0,
            "Data penduduk per kecamatan tidak tersedia (Dukcapil sampai kabupaten/kota): Penduduk dan "
            'Cakupan ditulis "-"; lihat --by kabupaten.',
        )
        return Report(
            name="coverage",
            title="Cakupan Kepesertaan JKN per Kecamatan",
            as_of=as_of,
            position=month,
            by=breakdown,
            branch=scope,
            columns=KECAMATAN_COLUMNS,
            rows=tuple(rows),
            total=total,
            facts=tuple(facts),
            notes=tuple(notes),
        )

    pemda_in_arrears = {
        code
        for (code,) in conn.execute(
            text(_PEMDA_IN_ARREARS_SQL), {"month": months.to_db(month), "segment": Segment.PBI_APBD.value}
        )
    }
    rows = []
    population = registered = active = 0
    for r in conn.execute(text(_BY_KABUPATEN_SQL.format(branch=in_branch("s.kabkota_code", scope))), values):
        pop = as_int(r.population) if r.population is not None else None
        reg, act = as_int(r.registered), as_int(r.active)
        population, registered, active = population + (pop or 0), registered + reg, active + act
        rows.append(
            Row(
                {
                    "kabkota_code": r.kabkota_code,
                    "kabkota_name": r.kabkota_name or r.kabkota_code,
                    **_figures(pop, reg, act, target_bp, scale),
                    "uhc_prioritas": _uhc(pop, reg, act, r.kabkota_code in pemda_in_arrears, as_of, scale),
                }
            )
        )
    total = Row({**_figures(population, registered, active, target_bp, scale), "uhc_prioritas": None})
    notes.append(_uhc_note(as_of))
    notes.append(
        f"Total: cabang {scope.code} ({scope.name})." if scope else "Total: semua kabupaten/kota dalam snapshot."
    )
    return Report(
        name="coverage",
        title="Cakupan Kepesertaan JKN per Kabupaten/Kota",
        as_of=as_of,
        position=month,
        by=breakdown,
        branch=scope,
        columns=KABUPATEN_COLUMNS,
        rows=tuple(rows),
        total=total,
        facts=tuple(facts),
        notes=tuple(notes),
    )


def _figures(
    population: int | None, registered: int, active: int, target_bp: int | None, scale: Fraction
) -> dict[str, Cell]:
    # x ÷ (population × p/q) = (x × q) ÷ (population × p): exact with the scale.
    p, q = scale.numerator, scale.denominator
    scaled = None if population is None else population * p
    coverage = ratio(registered * q, scaled)
    return {
        "population": None if population is None else (2 * population * p + q) // (2 * q),
        "registered": registered,
        "coverage": coverage,
        "active": active,
        "active_coverage": ratio(active * q, scaled),
        "activeness": ratio(active, registered),
        "meets_target": None if coverage is None or target_bp is None else coverage.at_least_bp(target_bp),
    }


def _check_scale(scale: Fraction | None) -> Fraction:
    if scale is None:
        return Fraction(1)
    if not isinstance(scale, Fraction) or not 0 < scale <= 1:
        raise RuleInputError("population_scale", "an exact fraction greater than 0 and at most 1", f"got {scale}")
    return scale


def _target_bp(as_of: dt.date) -> int | None:
    try:
        return coverage_target_bp(as_of)
    except RuleNotInForce:
        return None  # before the first RPJMN target: the column reads "-"


def _uhc(
    population: int | None, registered: int, active: int, pemda_in_arrears: bool, as_of: dt.date, scale: Fraction
) -> bool | None:
    if not population:
        return None
    p, q = scale.numerator, scale.denominator  # registered ÷ (population × p/q), activeness unchanged
    counts = RegionCounts(
        population=population * p, registered=registered * q, active=active * q, pemda_in_arrears=pemda_in_arrears
    )
    try:
        return uhc_prioritas(counts, as_of)
    except RuleNotInForce:
        return None


def _uhc_note(as_of: dt.date) -> str:
    try:
        rule = in_force(default_rulebook().uhc_prioritas, as_of, "UHC Prioritas")
    except RuleNotInForce:
        return f"UHC Prioritas: belum ada kriteria yang berlaku pada {format_date(as_of)}."
    arrears = ", tanpa tunggakan PBI APBD (Pemda)" if rule.requires_no_pemda_arrears else ""
    return (
        f"UHC Prioritas: cakupan ≥ {format_bp(rule.min_coverage_bp)}, keaktifan ≥ "
        f"{format_bp(rule.min_activeness_bp)}{arrears}. Dasar: {rule.basis}."
    )


def _population_notes(release: PopulationRelease | None, as_of: dt.date) -> list[str]:
    if release is None:
        return ["Penduduk: tidak ada data penduduk."]
    notes = [f"Penduduk: {release.source}, posisi {format_date(release.as_of)}."]
    if release.after_day:
        notes.append(
            f"Belum ada data penduduk yang terbit untuk {format_date(as_of)}: dipakai data paling awal yang tersedia "
            f"({release.semester})."
        )
    return notes


# The scale of the synthetic branch this database holds (`iuran synth` records it); none: a real branch.
_BUILT_SCALE_SQL = "SELECT scale FROM synth_run ORDER BY id DESC"


def _built_scale(conn: Connection) -> Fraction:
    value = conn.execute(text(_BUILT_SCALE_SQL)).scalar()
    # The decimal `iuran synth --scale` was given (0.01), not the binary float it is stored as.
    return Fraction(1) if value is None else Fraction(repr(float(value)))
