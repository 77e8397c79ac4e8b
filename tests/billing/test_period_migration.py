"""Migration 0015 converts a branch built before it: the same rows, the same balances, every row given its period,
on PostgreSQL the charge lines partitioned by month; the next cycle then seals the periods exactly as a branch
built after it does."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, create_engine, func, select, text

from iuran.db.engine import is_postgres, make_engine
from iuran.db.migrate import _config, upgrade

if TYPE_CHECKING:
    from conftest import RunIuran

BEFORE = "0014"
PG_ADMIN = os.environ.get("IURAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")


def _pg_url(db: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + db


PERIOD_TABLES = ("charge", "payment", "allocation", "writeoff", "reversal", "arrears_deferral")


@pytest.fixture
def before_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend at the revision before periods and seals."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'before.sqlite'}"
    else:
        name = f"iuran_b_{uuid.uuid4().hex[:12]}"
        with _pg_admin().connect() as c:
            c.execute(text(f"CREATE DATABASE {name}"))
        url = _pg_url(name)
    engine = make_engine(url)
    with engine.begin() as c:
        cfg = _config()
        cfg.attributes["connection"] = c
        command.upgrade(cfg, BEFORE)
    engine.dispose()
    yield url
    if not db_url.startswith("sqlite"):
        with _pg_admin().connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))


def _copy(source: Engine, target: Engine) -> None:
    """Every row of the target's tables from the source, the columns they share."""
    meta = MetaData()
    meta.reflect(target)
    with source.connect() as src, target.begin() as dst:
        for table in meta.sorted_tables:
            if table.name == "alembic_version" or dst.execute(select(func.count()).select_from(table)).scalar():
                continue  # the migrations' own rows (reference data)
            columns = [c.name for c in table.columns]
            rows = [dict(r._mapping) for r in src.execute(select(table))]  # typed: the target's columns
            if rows:
                dst.execute(table.insert(), rows)
            if is_postgres(dst) and "id" in columns:
                sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                dst.execute(text(f"SELECT setval({sequence}, COALESCE(max(id), 1)) FROM {table.name}"))


def _periods(engine: Engine) -> dict[str, list[tuple[int, int]]]:
    meta = MetaData()
    meta.reflect(engine, only=PERIOD_TABLES)
    with engine.connect() as c:
        return {
            t: [
                tuple(r)
                for r in c.execute(
                    select(func.count(), meta.tables[t].c.period)
                    .group_by(meta.tables[t].c.period)
                    .order_by(meta.tables[t].c.period)
                )
            ]
            for t in PERIOD_TABLES
        }


def test_a_branch_built_before_periods_converts(
    db_url: str, before_url: str, run_iuran: RunIuran, engine: Engine
) -> None:
    code, _, err = run_iuran(
        "synth", "--scenario", "kalteng-2023", "--scale", "0.002", "--seed", "1", "--database", db_url
    )
    assert code == 0, err
    before = make_engine(before_url)
    try:
        _copy(engine, before)
        upgrade(before)
        code, out, _ = run_iuran("ledger", "verify", "--full", "--database", db_url)
        code_b, out_b, _ = run_iuran("ledger", "verify", "--full", "--database", before_url)
        assert code == code_b == 0, out_b
        # The same balances; periods given from the cycles that ran, as they were posted.
        assert json.loads(out)["totals"] == json.loads(out_b)["totals"]
        assert _periods(before) == _periods(engine)
        if is_postgres(before):
            with before.connect() as c:
                parts = c.execute(
                    text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'charge_line'::regclass")
                ).scalar()
                assert parts == 5  # August to November 2023 and the default partition
                parts = c.execute(
                    text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'charge'::regclass")
                ).scalar()
                assert parts == 5  # the months billed, and the default one (the opening arrears)
        # The next cycle seals the converted periods exactly as the branch built after the migration seals its own.
        for url in (db_url, before_url):
            code, _, err = run_iuran(
                "cycle", "run", "--month", "2023-12", "--now", "2023-12-01T01:00", "--database", url
            )
            assert code == 0, err
        with engine.connect() as a, before.connect() as b:
            seals = "SELECT month, digest FROM ledger_seal ORDER BY month"
            assert [tuple(r) for r in b.execute(text(seals))] == [tuple(r) for r in a.execute(text(seals))]
        code, _, _ = run_iuran("ledger", "verify", "--full", "--database", before_url)
        assert code == 0
    finally:
        before.dispose()
