"""Keaktifan (activeness): active ÷ registered, per segment, kabupaten/kota or kecamatan (docs/rules.md §10).

Reads `snapshot_coverage` of the cycle month; one GROUP BY.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.db import months
from iuran.reports.model import Cell, Column, Kind, Report, Row, ratio
from iuran.reports.scope import as_int, check_by, in_branch, params, resolve_branch, snapshot_month
from iuran.rules.segments import Segment

BY = ("segment", "kabupaten", "kecamatan")

_FIGURES = (
    Column("registered", "Terdaftar", Kind.COUNT),
    Column("active", "Aktif", Kind.COUNT),
    Column("non_active", "Non-aktif", Kind.COUNT),
    Column("activeness", "Keaktifan", Kind.RATIO),
)
SEGMENT_COLUMNS = (Column("segment", None, Kind.TEXT), Column("segment_label", "Segmen", Kind.TEXT), *_FIGURES)
KABUPATEN_COLUMNS = (
    Column("kabkota_code", None, Kind.TEXT),
    Column("kabkota_name", "Kabupaten/Kota", Kind.TEXT),
    *_FIGURES,
)
KECAMATAN_COLUMNS = (
    Column("kecamatan_code", None, Kind.TEXT),
    Column("kecamatan_name", "Kecamatan", Kind.TEXT),
    *_FIGURES,
)

_BY_SEGMENT_SQL = """
SELECT s.segment, CAST(sum(s.registered) AS BIGINT) AS registered, CAST(sum(s.active) AS BIGINT) AS active
FROM snapshot_coverage s
WHERE s.month = :month AND {branch}
GROUP BY s.segment
"""

# Per area: {area} is kabkota_code or kecamatan_code of the snapshot.
_BY_AREA_SQL = """
SELECT s.{area} AS code, r.name AS name,
       CAST(sum(s.registered) AS BIGINT) AS registered, CAST(sum(s.active) AS BIGINT) AS active
FROM snapshot_coverage s
LEFT JOIN region r ON r.code = s.{area}
WHERE s.month = :month AND {branch}
GROUP BY s.{area}, r.name
ORDER BY s.{area}
"""
_AREAS = {
    "kabupaten": ("kabkota", KABUPATEN_COLUMNS, "Keaktifan Peserta JKN per Kabupaten/Kota"),
    "kecamatan": ("kecamatan", KECAMATAN_COLUMNS, "Keaktifan Peserta JKN per Kecamatan"),
}


def activeness_report(conn: Connection, as_of: dt.date, by: str = "segment", branch: str | None = None) -> Report:
    """Activeness overall (the total row) and per segment, in BPJS order (PBI APBN … BP), or per kabupaten/kota."""
    breakdown = check_by("activeness", by, BY)
    scope = resolve_branch(conn, branch)
    month = snapshot_month(conn, as_of)
    values = params(scope, month=months.to_db(month))
    where = in_branch("s.kabkota_code", scope)

    if breakdown in _AREAS:
        area, columns, title = _AREAS[breakdown]
        rows = [
            Row(
                {
                    f"{area}_code": r.code,
                    f"{area}_name": r.name or r.code,
                    **_figures(as_int(r.registered), as_int(r.active)),
                }
            )
            for r in conn.execute(text(_BY_AREA_SQL.format(area=f"{area}_code", branch=where)), values)
        ]
    else:
        found = {
            Segment(r.segment): (as_int(r.registered), as_int(r.active))
            for r in conn.execute(text(_BY_SEGMENT_SQL.format(branch=where)), values)
        }
        # Every segment, in the order of BPJS Kesehatan's reports, even one with nobody registered.
        rows = [Row({"segment": s.value, "segment_label": s.label, **_figures(*found.get(s, (0, 0)))}) for s in Segment]
        columns, title = SEGMENT_COLUMNS, "Keaktifan Peserta JKN per Segmen"

    registered = sum(as_int(r["registered"]) for r in rows)
    active = sum(as_int(r["active"]) for r in rows)
    return Report(
        name="activeness",
        title=title,
        as_of=as_of,
        position=month,
        by=breakdown,
        branch=scope,
        columns=columns,
        rows=tuple(rows),
        total=Row(_figures(registered, active)),
        notes=(
            "Keaktifan = aktif ÷ terdaftar; non-aktif: iuran tertunggak atau tanpa pembayar.",
            f"Total: cabang {scope.code} ({scope.name})." if scope else "Total: semua kabupaten/kota dalam snapshot.",
        ),
    )


def _figures(registered: int, active: int) -> dict[str, Cell]:
    return {
        "registered": registered,
        "active": active,
        "non_active": registered - active,
        "activeness": ratio(active, registered),
    }
