"""Bulk rows into the database: PostgreSQL `COPY … FROM STDIN`, SQLite `executemany`, a chunk at a time.

Columns are numpy arrays (integers, strings) or object arrays holding None for NULL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection

from iuran.db.engine import is_postgres

Column = NDArray[Any] | list[Any]


class BulkWriter:
    """Writes within the caller's transaction on the connection's own driver connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = is_postgres(conn)
        self.raw: Any = conn.connection.driver_connection
        self.rows: dict[str, int] = {}

    def write(self, table: str, columns: Mapping[str, Column]) -> int:
        names = list(columns)
        n = len(next(iter(columns.values()))) if columns else 0
        if n == 0:
            return 0
        if self.postgres:
            self._copy(table, names, [_texts(columns[c]) for c in names])
        else:
            values = [_values(columns[c]) for c in names]
            marks = ", ".join("?" for _ in names)
            cur = self.raw.cursor()
            cur.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", zip(*values, strict=True))
            cur.close()
        self.rows[table] = self.rows.get(table, 0) + n
        return n

    def _copy(self, table: str, names: list[str], texts: list[list[str]]) -> None:
        block = "".join("\t".join(row) + "\n" for row in zip(*texts, strict=True))
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            copy.write(block)


def _texts(col: Column) -> list[str]:
    if isinstance(col, np.ndarray) and col.dtype != object:
        return [str(v) for v in col.tolist()] if col.dtype.kind != "U" else col.tolist()
    return ["\\N" if v is None else str(v) for v in col]


def _values(col: Column) -> list[Any]:
    return col.tolist() if isinstance(col, np.ndarray) else list(col)
