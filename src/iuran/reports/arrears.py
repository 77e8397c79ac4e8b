"""Tunggakan (arrears) by aging bucket: accounts, persons and Rupiah in arrears (docs/rules.md §4, §8).

Reads `snapshot_arrears` (buckets per kabupaten/kota × segment, written by the cycle); one GROUP BY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, text

from iuran.db import months
from iuran.reports.formatting import format_date, format_month
from iuran.reports.model import Cell, Column, Kind, Report, Row
from iuran.reports.scope import as_int, check_by, in_branch, params, resolve_branch, snapshot_month
from iuran.rules.arrears_aging import AGING_BUCKETS, AgingBucket
from iuran.rules.segments import Segment

BY = (None, "segment", "kabupaten")


def _label(bucket: AgingBucket) -> str:
    if bucket.high is None:
        return f"> {bucket.low - 1} bulan"
    return f"{bucket.low} bulan" if bucket.low == bucket.high else f"{bucket.low}–{bucket.high} bulan"


# The aging buckets of `snapshot_arrears.bucket`, in months in arrears (the rule's, written by the cycle's step 5).
BUCKETS = tuple(b.name for b in AGING_BUCKETS)
BUCKET_LABELS = {b.name: _label(b) for b in AGING_BUCKETS}

_BUCKET_COLUMNS = (Column("bucket", None, Kind.TEXT), Column("bucket_label", "Lama Tunggakan", Kind.TEXT))
_FIGURES = (
    Column("accounts", "Akun", Kind.COUNT),
    Column("persons", "Peserta", Kind.COUNT),
    Column("amount", "Tunggakan", Kind.RUPIAH),
)
_GROUP_COLUMNS = {
    None: (),
    "segment": (Column("segment", None, Kind.TEXT), Column("segment_label", "Segmen", Kind.TEXT)),
    "kabupaten": (Column("kabkota_code", None, Kind.TEXT), Column("kabkota_name", "Kabupaten/Kota", Kind.TEXT)),
}

_SQL = """
SELECT {group} s.bucket, CAST(sum(s.accounts) AS BIGINT) AS accounts, CAST(sum(s.persons) AS BIGINT) AS persons,
       CAST(sum(s.amount) AS BIGINT) AS amount
FROM snapshot_arrears s {join}
WHERE s.month = :month AND {branch}
GROUP BY {group} s.bucket
"""
_GROUP_SQL = {
    None: ("", ""),
    "segment": ("s.segment,", ""),
    "kabupaten": ("s.kabkota_code, r.name,", "LEFT JOIN region r ON r.code = s.kabkota_code"),
}

Key = tuple[str, ...]


def arrears_report(conn: Connection, as_of: dt.date, by: str | None = None, branch: str | None = None) -> Report:
    """Arrears per aging bucket (all seven, in order), or per segment / kabupaten and bucket with subtotals."""
    breakdown = check_by("arrears", by, BY)
    scope = resolve_branch(conn, branch)
    month = snapshot_month(conn, as_of)
    group, join = _GROUP_SQL[breakdown]
    sql = _SQL.format(group=group, join=join, branch=in_branch("s.kabkota_code", scope))
    found: dict[Key, dict[str, Cell]] = {}
    for r in conn.execute(text(sql), params(scope, month=months.to_db(month))):
        figures: dict[str, Cell] = {
            "accounts": as_int(r.accounts),
            "persons": as_int(r.persons),
            "amount": as_int(r.amount),
        }
        if breakdown == "segment":
            segment = Segment(r.segment)
            key: Key = (str(_segment_order(segment)), r.bucket)
            found[key] = {"segment": segment.value, "segment_label": segment.label, **_bucket(r.bucket), **figures}
        elif breakdown == "kabupaten":
            key = (r.kabkota_code, r.bucket)
            found[key] = {
                "kabkota_code": r.kabkota_code,
                # An account without a kabupaten/kota (the central government's) is aged under the code ''.
                "kabkota_name": r.name or r.kabkota_code or "(tanpa kabupaten/kota)",
                **_bucket(r.bucket),
                **figures,
            }
        else:
            found[(r.bucket,)] = {**_bucket(r.bucket), **figures}

    # Without a breakdown, every bucket, even an empty one: the aging profile reads the same every month.
    rows = [Row(found.get((b,), {**_bucket(b), **_zero()})) for b in BUCKETS] if breakdown is None else _grouped(found)
    detail = [r for r in rows if not r.subtotal]
    return Report(
        name="arrears",
        title="Tunggakan Iuran menurut Lama Tunggakan"
        + {None: "", "segment": " dan Segmen", "kabupaten": " dan Kabupaten/Kota"}[breakdown],
        as_of=as_of,
        position=month,
        by=breakdown,
        branch=scope,
        columns=(*_GROUP_COLUMNS[breakdown], *_BUCKET_COLUMNS, *_FIGURES),
        rows=tuple(rows),
        total=Row(_sum(detail)),
        notes=(
            f"Tunggakan posisi {format_date(month.first_day())}: bulan tertagih sebelum {format_month(month)} yang "
            "belum lunas, per akun pembayar (keluarga, pemberi kerja, pemerintah).",
            "Lama tunggakan = jumlah bulan tertunggak; pemulihan status membayar paling banyak 24 bulan "
            "(Perpres 64/2020 Pasal 42).",
        ),
    )


def _segment_order(segment: Segment) -> int:
    return list(Segment).index(segment)


def _bucket(bucket: str) -> dict[str, Cell]:
    return {"bucket": bucket, "bucket_label": BUCKET_LABELS.get(bucket, f"{bucket} bulan")}


def _bucket_order(bucket: str) -> int:
    return BUCKETS.index(bucket) if bucket in BUCKETS else len(BUCKETS)


def _zero() -> dict[str, Cell]:
    return {"accounts": 0, "persons": 0, "amount": 0}


def _sum(rows: Iterable[Row]) -> dict[str, Cell]:
    total = _zero()
    for row in rows:
        for k in total:
            total[k] = as_int(total[k]) + as_int(row[k])
    return total


def _grouped(found: dict[Key, dict[str, Cell]]) -> list[Row]:
    """Detail rows group by group, buckets in order, each group closed by its subtotal."""
    rows: list[Row] = []
    for group in sorted({k[0] for k in found}):
        keys = sorted((k for k in found if k[0] == group), key=lambda k: _bucket_order(k[1]))
        detail = [Row(found[k]) for k in keys]
        head = {
            k: v for k, v in found[keys[0]].items() if k in ("segment", "segment_label", "kabkota_code", "kabkota_name")
        }
        rows.extend(detail)
        rows.append(Row({**head, **_sum(detail)}, subtotal=True))
    return rows
