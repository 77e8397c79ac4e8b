"""What a text column holds, the same on SQLite and PostgreSQL: checked before a value reaches the database.

PostgreSQL refuses a NUL byte and a value longer than its `VARCHAR(n)`; SQLite stores both. So that the two agree
(and a name never carries an escape sequence into a terminal or a report), every free text a person or a bank
gives is checked here, once, against the width of its column in the schema (`WIDTHS`, proved equal to the
migrated schema by tests/registry/test_text_columns.py): no control or format characters, at most that many characters.
"""

from __future__ import annotations

import unicodedata

from iuran.rules.errors import RuleInputError

# `table.column`: its VARCHAR width (migrations/versions/0001_initial.py).
WIDTHS: dict[str, int] = {
    "branch.code": 16,
    "person.name": 120,
    "person.phone": 20,
    "person.channel": 24,
    "employer.code": 16,
    "employer.name": 160,
    "account.name": 160,
    "payment.reference": 64,
    "payment.channel": 24,
    "membership.reason": 40,
    "reversal.reason": 80,
    "import_batch.filename": 400,
    "payment_rejection.detail": 400,
    "death_report.recorded_by": 64,
    "death_report.correction": 200,
}

# Unicode categories that are not text: controls (NUL, ESC, DEL…), format characters (bidi overrides, zero
# width), surrogates, private use, line and paragraph separators.
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def text_problem(value: str, width: int) -> str | None:
    """What makes `value` unfit for a text column `width` characters wide, or None. Never repeats the value.

    Example:
        >>> text_problem("Siti Aminah", 120), text_problem("Siti\\x00", 120), text_problem("x" * 121, 120)
        (None, 'a control character (U+0000)', '121 characters, at most 120')
    """
    for ch in value:
        if unicodedata.category(ch) in _NOT_TEXT:
            return f"a control character (U+{ord(ch):04X})"
    if len(value) > width:
        return f"{len(value)} characters, at most {width}"
    return None


def check_text(field: str, value: str, column: str, *, required: bool = True) -> str:
    """`value` without surrounding blanks, fit for `column` (`table.column` of `WIDTHS`), or `RuleInputError`
    naming `field`: required and empty, a control character, too long.

    Example:
        >>> check_text("name", "  Siti Aminah ", "person.name")
        'Siti Aminah'
    """
    width = WIDTHS[column]
    text = value.strip()
    if required and not text:
        raise RuleInputError(field, "required (text)", "empty")
    problem = text_problem(text, width)
    if problem is not None:
        raise RuleInputError(field, f"text of at most {width} characters, without control characters", problem)
    return text
