"""Sealed months as Parquet files (docs/audit.md): `export_month` writes a sealed period's rows, table by table,
with its seal in `seal.json`; `verify_archive` recomputes every exported month's digests from its files alone.

A month's folder is `ledger-YYYYMM/` (the opening period: `ledger-000000/`): one `<table>.parquet` per table of
the books, its rows in key order, and `seal.json` with the month, the previous seal's digest, the digest, and per
table its rows, the sum of their amounts and its digest. The values are written from their canonical text
(`iuran.billing.canonical`), so the files hold exactly what the seal hashed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, text

from iuran.billing import seal
from iuran.billing.canonical import (
    CHUNK,
    DATE,
    INT,
    NULL,
    SEPARATOR,
    TABLES,
    TIME,
    SealedTable,
    TableDigest,
    chunk_digests_of_lines,
    chunks_digest,
    column_sql,
    seal_digest,
)
from iuran.db.engine import is_postgres
from iuran.db.months import from_db, to_db
from iuran.rules.errors import RuleInputError

MANIFEST = "seal.json"
_ARROW = {INT: pa.int64(), DATE: pa.date32(), TIME: pa.timestamp("us")}


def folder_name(month: int) -> str:
    return f"ledger-{month:06d}"


@dataclass(frozen=True)
class Exported:
    month: int
    folder: Path
    digest: str
    rows: dict[str, int]


def export_month(conn: Connection, month: int, directory: Path) -> Exported:
    """Write the sealed period `month` to `directory/ledger-<month>/`; raises RuleInputError when it is not sealed."""
    sealed = {s.month: s for s in seal.seals(conn)}
    if month not in sealed:
        raise RuleInputError(
            "month", "a sealed month: a month is sealed when the next month's cycle starts", f"{month} is not sealed"
        )
    stored = sealed[month]
    folder = directory / folder_name(month)
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        _write_table(conn, table, month, folder / f"{table.name}.parquet")
    manifest = {
        "month": month,
        "previous": stored.previous,
        "digest": stored.digest,
        "tables": {
            name: {"rows": d.rows, "amount": d.amount, "digest": d.digest, "file": f"{name}.parquet"}
            for name, d in stored.tables.items()
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Exported(month, folder, stored.digest, {n: d.rows for n, d in stored.tables.items()})


def _schema(table: SealedTable) -> pa.Schema:
    return pa.schema([(c, _ARROW.get(k, pa.string())) for c, k in table.columns])


def _write_table(conn: Connection, table: SealedTable, month: int, path: Path) -> None:
    postgres = is_postgres(conn)
    columns = ", ".join(column_sql(c, k, postgres) for c, k in table.columns)
    rows = conn.execution_options(yield_per=CHUNK).execute(
        text(f"SELECT {columns} FROM {table.name} WHERE {table.period} = :p ORDER BY {', '.join(table.key)}"),
        {"p": month},
    )
    schema = _schema(table)
    with pq.ParquetWriter(path, schema) as writer:
        for part in rows.partitions():
            writer.write_table(_batch(table, schema, list(zip(*part, strict=True))))
        # A period without rows of the table still has its (empty) file.
        writer.write_table(schema.empty_table())


def _batch(table: SealedTable, schema: pa.Schema, columns: list[tuple[str, ...]]) -> pa.Table:
    arrays = []
    for (_, kind), values, field in zip(table.columns, columns, schema, strict=True):
        strings = pa.array(values, pa.string())
        strings = pc.if_else(pc.equal(strings, NULL), pa.scalar(None, pa.string()), strings)
        arrays.append(strings if kind not in _ARROW else pc.cast(strings, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


# --- the proof from the files ----------------------------------------------------------------------------------


def canonical_lines(table: SealedTable, data: pa.Table) -> list[str]:
    """A table's rows read back from Parquet as canonical lines, in key order."""
    data = data.sort_by([(k, "ascending") for k in table.key])
    parts = []
    for column, kind in table.columns:
        values = data.column(column)
        if kind == TIME:
            values = pc.strftime(values, format="%Y-%m-%d %H:%M:%S")
        parts.append(pc.fill_null(pc.cast(values, pa.string()), NULL))
    if not parts or data.num_rows == 0:
        return []
    lines: list[str] = pc.binary_join_element_wise(*parts, SEPARATOR).to_pylist()
    return lines


def _file_digest(table: SealedTable, data: pa.Table) -> TableDigest:
    amount = int(pc.sum(data.column(table.amount)).as_py() or 0) if table.amount else 0
    digest = chunks_digest(chunk_digests_of_lines(canonical_lines(table, data)))
    return TableDigest(data.num_rows, amount, digest)


def verify_archive(directory: Path, conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every exported month under `directory` against its own seal, the chain between exported months that follow
    one another, and the database's seal of the month: the problems, each naming the month."""
    folders = sorted(p for p in directory.glob("ledger-*") if (p / MANIFEST).is_file())
    if not folders:
        raise RuleInputError("archive", "a folder of exported months (ledger-YYYYMM/seal.json)", f"none in {directory}")
    problems: dict[str, list[tuple[object, ...]]] = {"archive_rows_changed": [], "archive_seal_broken": []}
    in_db = {s.month: s.digest for s in seal.seals(conn)}
    manifests = [json.loads((f / MANIFEST).read_text(encoding="utf-8")) for f in folders]
    by_month = {m["month"]: m for m in manifests}
    for folder, manifest in zip(folders, manifests, strict=True):
        month = manifest["month"]
        recorded = {n: TableDigest(t["rows"], t["amount"], t["digest"]) for n, t in manifest["tables"].items()}
        for table in TABLES:
            path = folder / f"{table.name}.parquet"
            now = _file_digest(table, pq.read_table(path)) if path.is_file() else None
            if now != recorded.get(table.name):
                problems["archive_rows_changed"].append((month, table.name))
        if (
            set(recorded) != {t.name for t in TABLES}
            or seal_digest(month, manifest["previous"], recorded) != manifest["digest"]
        ):
            problems["archive_seal_broken"].append((month, "digest does not follow from the tables it records"))
        before = to_db(from_db(month) - 1) if month else None
        if before in by_month and by_month[before]["digest"] != manifest["previous"]:
            problems["archive_seal_broken"].append((month, f"does not chain to the exported {before}"))
        if in_db.get(month) != manifest["digest"]:
            problems["archive_seal_broken"].append((month, "not the database's seal of the month"))
    return problems
