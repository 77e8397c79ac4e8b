"""Reading a CSV file a person hands to iuran (a registry file, a bank's file): every way it cannot be read is one
`InputFileError` naming the file and the rule, never a traceback.

The file is UTF-8 text, with or without the byte-order mark spreadsheet programs write; line ends are left to
`csv`. A missing file, a folder, a file that cannot be opened, bytes that are not UTF-8 (a binary file, a Latin-1
export) and a malformed CSV (an unclosed quote) are each an error of the whole file, found before anything of it is
written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from iuran.rules.errors import RuleInputError


class InputFileError(RuleInputError):
    """A file that cannot be read as the CSV it should be: nothing of it is used."""


def csv_rows(path: Path, what: str) -> Iterator[tuple[int, list[str]]]:
    """Every line of the CSV at `path` with its line number (1 is the header), as the fields of that line.

    `what` names the file in messages ("a registry file").
    """
    raw = _open(path, what)
    with raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, strict=True)
        try:
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise InputFileError(
                "file", f"{what} is UTF-8 text (CSV)", f"bytes that are not UTF-8 in line {reader.line_num + 1}"
            ) from None
        except csv.Error as e:
            raise InputFileError("file", f"{what} is a CSV", f"line {reader.line_num}: {e}") from None


def _open(path: Path, what: str) -> io.BufferedReader:
    if path.is_dir():
        raise InputFileError("file", f"{what} is a file", f"{path} is a folder")
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputFileError("file", f"{what} must exist", f"no file {path}") from None
    except OSError as e:
        raise InputFileError("file", f"{what} must be readable", f"{path}: {e.strerror or type(e).__name__}") from None
