"""Prepare a database for work: the newest schema and the reference data (regions, population)."""

from __future__ import annotations

from sqlalchemy import Engine

from iuran.db.engine import make_engine
from iuran.db.migrate import upgrade
from iuran.registry.regions import load_regions


def open_database(url: str | None = None) -> Engine:
    """An engine on a database at the newest schema with the region codes and population loaded."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        load_regions(conn)
    return engine
