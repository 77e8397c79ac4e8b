"""The rules package is pure: no database, web or CLI imports, and no clock reads (the layering of the other
packages is tests/test_layering.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import iuran.rules
from test_layering import imported_modules, module_name, package_of

RULES_DIR = Path(iuran.rules.__file__).parent
MODULES = sorted(RULES_DIR.rglob("*.py"))

FORBIDDEN_TOP_LEVEL = {
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "typer",
    "click",
    "rich",
    "fastapi",
    "starlette",
    "flask",
}
CLOCK_ATTRIBUTES = {"today", "now", "utcnow", "time"}
CLOCK_FUNCTIONS_OF_TIME = {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "localtime", "gmtime"}


def forbidden_imports(source: str, package: str) -> list[str]:
    bad = []
    for line, name in imported_modules(source, package):
        top = name.split(".")[0]
        if top in FORBIDDEN_TOP_LEVEL:
            bad.append(f"line {line}: {name}")
        elif name.startswith("iuran.") and name != "iuran.rules" and not name.startswith("iuran.rules."):
            bad.append(f"line {line}: {name} (outside iuran.rules)")
    return bad


def clock_reads(source: str) -> list[str]:
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_ATTRIBUTES:
            bad.append(f"line {node.lineno}: .{node.func.attr}()")
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            bad.extend(
                f"line {node.lineno}: from time import {a.name}"
                for a in node.names
                if a.name in CLOCK_FUNCTIONS_OF_TIME
            )
    return bad


def test_the_rules_package_has_modules_to_check() -> None:
    names = {p.stem for p in MODULES}
    assert {"contribution", "reactivation", "penalty", "rehab", "status", "rulebook", "calendar"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_rules_module_imports_nothing_from_the_database_web_or_cli_layers(path: Path) -> None:
    bad = forbidden_imports(path.read_text(encoding="utf-8"), package_of(path))
    assert not bad, f"{path.name} imports " + "; ".join(bad)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_rules_module_never_reads_the_clock(path: Path) -> None:
    bad = clock_reads(path.read_text(encoding="utf-8"))
    assert not bad, f"{path.name} reads the clock: " + "; ".join(bad)


def test_the_checks_catch_forbidden_imports_and_clock_reads() -> None:
    # Guard against checks that silently pass everything.
    source = (
        "import datetime as dt\n"
        "import time\n"
        "from sqlalchemy.orm import Session\n"
        "import typer\n"
        "from iuran import db\n"
        "from iuran.cli.main import main\n"
        "from ..wilayah import default_wilayah\n"
        "from .. import synth\n"
        "from . import money\n"
        "from .month import Month\n"
        "dt.date.today(); dt.datetime.now(); dt.datetime.utcnow(); time.time()\n"
    )
    assert forbidden_imports(source, "iuran.rules") == [
        "line 3: sqlalchemy.orm",
        "line 4: typer",
        "line 5: iuran.db (outside iuran.rules)",
        "line 6: iuran.cli.main (outside iuran.rules)",
        "line 7: iuran.wilayah (outside iuran.rules)",
        "line 8: iuran.synth (outside iuran.rules)",
    ]
    assert sorted(clock_reads(source)) == [
        "line 11: .now()",
        "line 11: .time()",
        "line 11: .today()",
        "line 11: .utcnow()",
    ]
    assert clock_reads("from time import monotonic\n") == ["line 1: from time import monotonic"]


def test_importing_the_rules_in_a_fresh_interpreter_loads_no_database_or_cli_library() -> None:
    modules = [module_name(p) for p in MODULES]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN_TOP_LEVEL)!r}"
        " or (m.startswith('iuran.') and not m.startswith('iuran.rules')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "", f"importing iuran.rules loaded: {result.stdout.strip()}"
