"""Every rulebook entry is read by some code: "a new regulation is a data change" holds only for data that is used.

For every table and single of `Rulebook` and every field of its entries, some module under `src/iuran` other than
`rules/rulebook.py` reads that attribute (an `ast.Attribute` of that name, or `getattr` with the name as a literal).
`effective` and `basis` are read generically (`in_force`, the rule's legal basis in every answer). A value that no
code applies yet belongs in a comment of `rulebook.toml` with its legal basis, not in the rule data.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import iuran
from iuran.rules import rulebook

SRC = Path(iuran.__file__).parent
RULEBOOK = Path(rulebook.__file__)
READ_GENERICALLY = {"effective", "basis"}
ENTRY_CLASSES: dict[str, type] = {**rulebook._TABLES, **rulebook._SINGLES}


def attributes_read(source: str) -> set[str]:
    """The attribute names a module reads: `x.name` anywhere, and `getattr(x, "name")`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            names.add(node.args[1].value)
    return names


def _read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        if path.resolve() != RULEBOOK.resolve():
            names |= attributes_read(path.read_text(encoding="utf-8"))
    return names


READ = _read_by_the_code()
FIELDS = [
    (f.name, e.name)
    for f in dataclasses.fields(rulebook.Rulebook)
    for e in dataclasses.fields(ENTRY_CLASSES[f.name])
    if e.name not in READ_GENERICALLY
]


def test_every_table_and_single_of_the_rulebook_has_an_entry_class() -> None:
    assert {f.name for f in dataclasses.fields(rulebook.Rulebook)} == set(ENTRY_CLASSES)


@pytest.mark.parametrize("table", [f.name for f in dataclasses.fields(rulebook.Rulebook)])
def test_every_rule_table_is_read_by_some_code(table: str) -> None:
    assert table in READ, f"rulebook [{table}] is read by no module under src/iuran: wire it or delete it"


@pytest.mark.parametrize(("table", "field"), FIELDS, ids=[f"{t}.{f}" for t, f in FIELDS])
def test_every_rule_field_is_read_by_some_code(table: str, field: str) -> None:
    assert field in READ, (
        f"rulebook [{table}] {field} is read by no module under src/iuran: wire it where the code applies that rule,"
        " or delete it from rulebook.toml and rulebook.py (keeping the value and its basis in a comment there)"
    )


def test_the_check_sees_attributes_and_getattr_and_nothing_else() -> None:
    # Guard against a check that passes everything.
    source = "rule.grace\ngetattr(rule, 'mutasi_cutoff_day')\ngetattr(rule, name)\nnewborn_registration_days = 28\n"
    assert attributes_read(source) == {"grace", "mutasi_cutoff_day"}
    assert "no_such_rule_field" not in READ
