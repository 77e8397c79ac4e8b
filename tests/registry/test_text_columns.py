"""The widths `iuran.db.columns` checks text against are the widths of the migrated schema, on both databases;
and the check itself: control characters, format characters and over-long text are refused, names are kept."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from iuran.db.columns import WIDTHS, check_text, text_problem
from iuran.rules.errors import RuleInputError


def test_every_width_is_the_schema_s(engine: Engine) -> None:
    schema = inspect(engine)
    found = {}
    for column in WIDTHS:
        table, name = column.split(".")
        [col] = [c for c in schema.get_columns(table) if c["name"] == name]
        found[column] = col["type"].length
    assert found == WIDTHS


@pytest.mark.parametrize(
    "name", ["Siti Aminah", "I Gusti Ngurah Rai", "Dewi Sartika-Putri", "Nyoman O'Brien", "José Müller", "Ñ" * 120]
)
def test_names_people_have_are_kept(name: str) -> None:
    assert check_text("name", f"  {name} ", "person.name") == name


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Siti\x00", "U+0000"),
        ("Siti\tAminah", "U+0009"),
        ("Siti\nAminah", "U+000A"),
        ("Siti\x7f", "U+007F"),
        ("Siti\u200bAminah", "U+200B"),  # zero width space
        ("Siti\u202eAminah", "U+202E"),  # right-to-left override
        ("Siti\u2028Aminah", "U+2028"),  # line separator
        ("x" * 121, "121 characters, at most 120"),
    ],
)
def test_control_format_and_over_long_text_is_refused(value: str, problem: str) -> None:
    assert problem in (text_problem(value, 120) or "")
    with pytest.raises(RuleInputError, match="name: text of at most 120 characters") as caught:
        check_text("name", value, "person.name")
    assert value not in str(caught.value)


def test_required_text_is_not_empty() -> None:
    with pytest.raises(RuleInputError, match="name: required"):
        check_text("name", "   ", "person.name")
    assert check_text("phone", "", "person.phone", required=False) == ""
