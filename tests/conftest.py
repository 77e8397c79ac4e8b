"""Fixtures: every database test runs on SQLite and on PostgreSQL, each a fresh migrated database.

PostgreSQL is at IURAN_TEST_PG (default postgresql://postgres@127.0.0.1:5432/postgres). If it cannot be reached
the PostgreSQL half is skipped, unless IURAN_REQUIRE_POSTGRES=1 (as in CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from iuran.billing.ledger import verify
from iuran.cli.main import main
from iuran.db.engine import make_engine
from iuran.services.database import upgrade_database

PG_ADMIN = os.environ.get("IURAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TEMPLATE = f"iuran_tpl_{os.getpid()}"


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")


def _pg_url(db: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + db


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    try:
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE}"))
            c.execute(text(f"CREATE DATABASE {TEMPLATE}"))
    except Exception as e:
        if os.environ.get("IURAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (IURAN_REQUIRE_POSTGRES=1) but unreachable: {e}")
        pytest.skip(f"PostgreSQL unreachable: {e}")
    upgrade_database(_pg_url(TEMPLATE))
    yield TEMPLATE
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
    admin.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "unbalanced_books: the test leaves the ledger unbalanced on purpose (skips the final proof)"
    )
    config.addinivalue_line("markers", "families(n): the served branch (tests/api) bills n more one-person families")


def _prove_books_balance(request: pytest.FixtureRequest, url: str) -> None:
    """After every test on a database, `iuran ledger verify`'s checks must pass."""
    if request.node.get_closest_marker("unbalanced_books"):
        return
    eng = make_engine(url)
    try:
        with eng.connect() as c:
            result = verify(c)
    finally:
        eng.dispose()
    assert result.ok, f"ledger verify failed after the test: {result.problems}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database at the newest schema with regions loaded, on each backend.

    When the test ends, the books of that database are proved to balance.
    """
    if request.param == "sqlite":
        path = tmp_path / "iuran.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        yield url
        _prove_books_balance(request, url)
        return
    template = request.getfixturevalue("pg_template")
    name = f"iuran_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    try:
        yield _pg_url(name)
        _prove_books_balance(request, _pg_url(name))
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


# `run_iuran("report", "coverage", ...)`: the `iuran` command run in this process; (exit code, stdout, stderr).
RunIuran = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_iuran(capsys: pytest.CaptureFixture[str]) -> RunIuran:
    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as e:
            main(list(args))
        out, err = capsys.readouterr()
        code = e.value.code
        return (code if isinstance(code, int) else 0 if code is None else 1), out, err

    return run
