"""Load the region codes and population (cahyadsn/wilayah, MIT: src/iuran/wilayah/data) into the database."""

from __future__ import annotations

from sqlalchemy import Connection, text

from iuran.db.engine import scalar
from iuran.wilayah import default_wilayah

POPULATION_SOURCE = "Dukcapil semester II 2024 via cahyadsn/wilayah (MIT)"


def load_regions(conn: Connection) -> int:
    """Insert every region and population figure once; a database that has them is left as it is."""
    if scalar(conn, "SELECT count(*) FROM region"):
        return 0
    w = default_wilayah()
    rows = [{"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code} for r in w.all_regions()]
    conn.execute(
        text("INSERT INTO region (code, name, level, parent_code) VALUES (:code, :name, :level, :parent_code)"), rows
    )
    pops = [
        {"code": code, "name": name, "male": male, "female": female, "total": total, "source": POPULATION_SOURCE}
        for code, name, male, female, total in w.population_rows()
    ]
    conn.execute(
        text(
            "INSERT INTO population (code, name, male, female, total, source) "
            "VALUES (:code, :name, :male, :female, :total, :source)"
        ),
        pops,
    )
    return len(rows)
