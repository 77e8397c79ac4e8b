"""Synthetic branches built once per module on each backend (building is the expensive part)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from iuran.db.engine import make_engine

PG_ADMIN = os.environ.get("IURAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

FreshEngine = Callable[[str], Engine]


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def fresh_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshEngine]:
    """Makes fresh migrated databases with regions loaded, on the backend named; dropped at the module's end."""
    made: list[tuple[str, Engine]] = []

    def make(backend: str) -> Engine:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("synth") / "iuran.sqlite"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            engine = make_engine(f"sqlite:///{path}")
            made.append(("", engine))
            return engine
        template = request.getfixturevalue("pg_template")
        name = f"iuran_s_{uuid.uuid4().hex[:12]}"
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        admin.dispose()
        engine = make_engine(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
        made.append((name, engine))
        return engine

    yield make
    for name, engine in made:
        engine.dispose()
        if name:
            admin = _pg_admin()
            with admin.connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("payments")
