"""The layering the tree shows: faces → use cases → domain packages → rules; storage under all of them.

Each package of `iuran` may import only the packages its row of `ALLOWED` names. The faces (the command line, the
HTTP API, and the synthetic branch that drives the use cases as banks and officers would) call the use cases; they
may also ask the pure rules engine and region codes directly (simulations, NIK parsing) and render reports with
`reports.rendering`. Reports read the books and never write them. `snap` is a protocol (Bank Indonesia's SNAP):
pure functions the partners' package and the use cases speak it with.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import iuran

SRC = Path(iuran.__file__).parent

ALLOWED: dict[str, set[str]] = {
    # faces
    "cli": {"api", "services", "synth", "reports", "rules", "wilayah"},
    "api": {"services"},
    "synth": {"services", "billing", "db", "rules", "wilayah"},
    # use cases
    "services": {"billing", "registry", "reports", "partners", "statements", "snap", "db", "rules", "wilayah"},
    # domain packages
    "billing": {"db", "rules"},
    "registry": {"db", "rules", "wilayah"},
    "reports": {"billing", "db", "rules"},
    "partners": {"db", "rules", "snap"},
    "statements": {"db", "rules"},
    # protocols
    "snap": {"rules"},
    # storage, reference data, rules
    "db": {"rules"},
    "wilayah": set(),
    "rules": set(),
}


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """Every module a source file imports, relative imports resolved against `package`, with line numbers."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from iuran import db` imports iuran.db
            found.extend((node.lineno, f"{name}.{alias.name}") for alias in node.names if name == "iuran")
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def layer_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0]


MODULES = sorted(p for p in SRC.rglob("*.py") if len(p.relative_to(SRC).parts) > 1 and "migrations" not in p.parts)


def forbidden_imports(path: Path) -> list[str]:
    layer = layer_of(path)
    bad = []
    for line, name in imported_modules(path.read_text(encoding="utf-8"), package_of(path)):
        parts = name.split(".")
        if parts[0] == "iuran" and len(parts) > 1 and parts[1] != layer and parts[1] not in ALLOWED[layer]:
            bad.append(f"line {line}: {name}")
    return bad


def test_every_package_has_a_row_in_the_table() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    bad = forbidden_imports(path)
    assert not bad, f"{path.relative_to(SRC)} ({layer_of(path)}) imports " + "; ".join(bad)


def test_the_table_runs_one_way() -> None:
    # No two packages may import each other, directly or through others: the table has no cycle.
    def reaches(start: str, seen: frozenset[str] = frozenset()) -> set[str]:
        out: set[str] = set()
        for dep in ALLOWED[start]:
            assert dep not in seen | {start}, f"cycle through {start} -> {dep}"
            out |= {dep} | reaches(dep, seen | {start})
        return out

    for package in ALLOWED:
        reaches(package)


_WRITES = re.compile(
    r"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|TRUNCATE|CREATE\s+(TEMPORARY\s+)?TABLE)\b", re.I
)


@pytest.mark.parametrize("path", sorted((SRC / "reports").glob("*.py")), ids=lambda p: p.name)
def test_reports_read_and_never_write(path: Path) -> None:
    strings = [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Constant)]
    writes = [s for s in strings if isinstance(s, str) and _WRITES.search(s)]
    assert not writes, f"{path.name} writes: {writes[0][:80]}"


def test_the_check_catches_an_import_against_the_layering(tmp_path: Path) -> None:
    # Guard against a check that silently passes everything.
    assert imported_modules("from iuran.cli.main import main\nfrom ..services import payments\n", "iuran.billing") == [
        (1, "iuran.cli.main"),
        (2, "iuran.services"),
    ]
    assert "services" not in ALLOWED["billing"] and "cli" not in ALLOWED["services"]
