"""A database that cannot be reached: one line naming it, exit 2, no traceback, nothing written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import RunIuran


@pytest.mark.parametrize(
    "command",
    [
        ("report", "coverage", "--as-of", "2024-01-01"),
        ("ledger", "verify"),
        ("cycle", "run", "--month", "2024-01"),
    ],
)
def test_a_sqlite_file_in_a_folder_that_does_not_exist(
    command: tuple[str, ...], tmp_path: Path, run_iuran: RunIuran
) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'branch.sqlite'}"
    code, _, err = run_iuran(*command, "--database", url)
    assert code == 2
    assert err.startswith("iuran: database: a branch database that exists; run `iuran db init` to create one (")
    assert "no file at" in err and "branch.sqlite" in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "no-such-folder").exists()


def test_a_postgresql_database_that_does_not_exist(pg_template: str, run_iuran: RunIuran) -> None:
    # pg_template: the suite's PostgreSQL server is up (or the test is skipped, or fails where it is required)
    server = os.environ.get("IURAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    url = f"{server}/iuran_no_such_database"
    code, _, err = run_iuran("report", "coverage", "--as-of", "2024-01-01", "--database", url)
    assert code == 2
    assert err.startswith("iuran: database: cannot connect (")
    assert '"iuran_no_such_database" does not exist' in err
    assert len(err.splitlines()) == 1
