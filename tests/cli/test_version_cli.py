"""`iuran --version`: the package's version on stdout, exit 0."""

from __future__ import annotations

from typing import TYPE_CHECKING

import iuran

if TYPE_CHECKING:
    from conftest import RunIuran


def test_version_prints_the_package_version(run_iuran: RunIuran) -> None:
    code, out, err = run_iuran("--version")
    assert (code, out, err) == (0, f"iuran {iuran.__version__}\n", "")


def test_version_comes_before_any_command(run_iuran: RunIuran) -> None:
    code, out, _err = run_iuran("--version", "report", "coverage")
    assert (code, out) == (0, f"iuran {iuran.__version__}\n")
