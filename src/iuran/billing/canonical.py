"""The canonical form of the books' rows, and the digests of a period and of a seal (docs/ledger.md, "Periods and
seals"; docs/audit.md recomputes them from an exported month with pyarrow and hashlib alone).

A row is one line of text: its columns in the order below, each as text (integers in decimal, dates
`YYYY-MM-DD`, times `YYYY-MM-DD HH:MM:SS.ffffff`, text as it is, NULL as `\\N`), joined by the unit separator
(U+001F). A table's rows of a period, ordered by its key, are cut into chunks of `CHUNK` lines; a chunk's digest is
the SHA-256 of its lines joined by a newline (UTF-8), the table's digest the SHA-256 of its chunks' digests one after
another (32 bytes each). A seal's digest is the SHA-256 of `seal_text`: the month, the previous seal's digest and,
per table, its rows, the sum of their amounts and its digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

CHUNK = 65536
SEPARATOR = "\x1f"
NULL = "\\N"
VERSION = "iuran-seal-v1"

INT, TEXT, DATE, TIME = "int", "text", "date", "time"


@dataclass(frozen=True)
class SealedTable:
    """A table of the books: its columns in canonical order with their kinds, its key, the column that names a
    row's period and the one summed into the period's totals ('' for none)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    period: str = "period"
    amount: str = "amount"


TABLES: tuple[SealedTable, ...] = (
    SealedTable(
        "charge",
        (
            ("id", INT),
            ("account_id", INT),
            ("month", INT),
            ("kind", TEXT),
            ("members", INT),
            ("amount", INT),
            ("created_at", TIME),
            ("period", INT),
        ),
        ("id",),
    ),
    # A line's period is its month: only the cycle of a month writes its lines (migration 0015).
    SealedTable(
        "charge_line",
        (
            ("charge_id", INT),
            ("person_id", INT),
            ("month", INT),
            ("segment", TEXT),
            ("kelas", INT),
            ("amount", INT),
            ("participant", INT),
            ("government", INT),
            ("employer", INT),
            ("worker", INT),
        ),
        ("charge_id", "person_id"),
        period="month",
    ),
    SealedTable(
        "payment",
        (
            ("id", INT),
            ("reference", TEXT),
            ("account_id", INT),
            ("amount", INT),
            ("paid_at", TIME),
            ("channel", TEXT),
            ("batch_id", INT),
            ("period", INT),
        ),
        ("id",),
    ),
    SealedTable(
        "allocation",
        (
            ("id", INT),
            ("payment_id", INT),
            ("charge_id", INT),
            ("account_id", INT),
            ("month", INT),
            ("amount", INT),
            ("allocated_on", DATE),
            ("period", INT),
        ),
        ("id",),
    ),
    SealedTable(
        "writeoff",
        (
            ("id", INT),
            ("charge_id", INT),
            ("account_id", INT),
            ("month", INT),
            ("amount", INT),
            ("reason", TEXT),
            ("written_off_on", DATE),
            ("payment_id", INT),
            ("period", INT),
        ),
        ("id",),
    ),
    SealedTable(
        "reversal",
        (
            ("id", INT),
            ("charge_id", INT),
            ("person_id", INT),
            ("account_id", INT),
            ("month", INT),
            ("amount", INT),
            ("reason", TEXT),
            ("reversed_on", DATE),
            ("period", INT),
        ),
        ("id",),
    ),
    SealedTable(
        "arrears_deferral",
        (
            ("charge_id", INT),
            ("account_id", INT),
            ("month", INT),
            ("payment_id", INT),
            ("deferred_on", DATE),
            ("due_month", INT),
            ("period", INT),
        ),
        ("charge_id",),
        amount="",
    ),
)


@dataclass(frozen=True)
class TableDigest:
    rows: int
    amount: int
    digest: str  # hex


def chunks_digest(chunk_digests: Iterable[bytes]) -> str:
    """A table's digest from its chunks' digests, in order."""
    h = hashlib.sha256()
    for d in chunk_digests:
        h.update(d)
    return h.hexdigest()


def chunk_digests_of_lines(lines: Iterable[str]) -> Iterator[bytes]:
    """The chunks' digests of a table's canonical lines, in key order."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == CHUNK:
            yield hashlib.sha256("\n".join(chunk).encode()).digest()
            chunk = []
    if chunk:
        yield hashlib.sha256("\n".join(chunk).encode()).digest()


def seal_text(month: int, previous: str, tables: dict[str, TableDigest]) -> str:
    lines = [VERSION, str(month), previous]
    lines += [
        f"{t.name}{SEPARATOR}{d.rows}{SEPARATOR}{d.amount}{SEPARATOR}{d.digest}"
        for t in TABLES
        for d in (tables[t.name],)
    ]
    return "\n".join(lines) + "\n"


def seal_digest(month: int, previous: str, tables: dict[str, TableDigest]) -> str:
    return hashlib.sha256(seal_text(month, previous, tables).encode()).hexdigest()


# --- the canonical line in SQL ---------------------------------------------------------------------------------


def column_sql(column: str, kind: str, postgres: bool) -> str:
    """SQL for one column's canonical text."""
    if kind == TIME:
        if postgres:
            value = f"to_char({column}, 'YYYY-MM-DD HH24:MI:SS.US')"
        else:  # stored as text, with or without its microseconds
            value = (
                f"replace(substr({column}, 1, 19), 'T', ' ') || '.' || substr(substr({column}, 21) || '000000', 1, 6)"
            )
    elif kind == DATE:
        value = f"to_char({column}, 'YYYY-MM-DD')" if postgres else f"substr({column}, 1, 10)"
    elif kind == INT:
        value = f"CAST({column} AS TEXT)"
    else:
        value = column
    return f"COALESCE({value}, '{NULL}')"


def line_sql(table: SealedTable, postgres: bool) -> str:
    """SQL for a row's canonical line."""
    sep = "chr(31)" if postgres else "char(31)"
    return f" || {sep} || ".join(column_sql(c, k, postgres) for c, k in table.columns)
