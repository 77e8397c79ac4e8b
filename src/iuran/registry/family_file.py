"""Registering PBPU/BP families from a file: one line per person, grouped by KK; all or nothing.

Header: `kk,nik,name,card_number,desa_code,segment,kelas,registered_on,channel,phone` (columns in any order; other
columns are ignored), and optionally `pension`. The first line of a KK is the head of the family, whose card number
gives the family's virtual account. A pensioner's or a veteran's family (segment `bp-pens` or `bp-vet`, paid by the
government: `iuran.registry.enrolment.register_state_bp_family`) has no virtual account; its head is the principal,
and a pensioner's head carries the monthly pension in `pension` (whole Rupiah, digits only; empty on every other
line). The file is UTF-8 (a byte-order mark is fine); a file that cannot be read is one error
(`iuran.db.input_file`), and every field is checked as the registry checks it (`iuran.registry.enrolment`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from iuran.db.input_file import csv_rows
from iuran.registry.enrolment import NewPerson, RegistryError, register_family, register_state_bp_family
from iuran.rules.errors import RuleInputError
from iuran.rules.segments import Segment

HEADER = ("kk", "nik", "name", "card_number", "desa_code", "segment", "kelas", "registered_on", "channel", "phone")
OPTIONAL = ("pension",)  # read when the header has it
WHAT = "a registry file"


def _lines(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    rows = csv_rows(path, WHAT)
    first = next(rows, None)
    if first is None:
        raise RegistryError(path.name, "header", f"the file starts with the header {','.join(HEADER)}", "it is empty")
    names = [cell.strip().lower() for cell in first[1]]
    missing = [c for c in HEADER if c not in names]
    if missing:
        raise RegistryError(
            path.name, "header", f"the file has the columns {','.join(HEADER)}", f"missing: {', '.join(missing)}"
        )
    repeated = sorted({n for n in names if n in HEADER + OPTIONAL and names.count(n) > 1})
    if repeated:
        raise RegistryError(path.name, "header", "each column is named once", f"repeated: {', '.join(repeated)}")
    at = {name: names.index(name) for name in HEADER + OPTIONAL if name in names}
    for number, row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if len(row) != len(names):
            raise RegistryError(
                f"line {number}", "line", "a line has as many fields as the header", f"{len(row)}, not {len(names)}"
            )
        yield number, {name: row[i].strip() for name, i in at.items()}


def _registered_on(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RuleInputError("registered_on", "a date written YYYY-MM-DD", "not such a date") from None


def _kelas(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise RuleInputError("kelas", "PBPU and BP class is 1, 2 or 3", "not a number")
    return int(text)


def _pension(rows: list[tuple[int, dict[str, str]]]) -> int | None:
    """The head's monthly pension (the first line's `pension`), None when empty; every other line has none."""
    if any(r.get("pension", "") for _, r in rows[1:]):
        raise RuleInputError("pension", "the pension is the head of the family's (the first line of the KK) alone")
    text = rows[0][1].get("pension", "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise RuleInputError("pension", "a monthly pension in whole Rupiah, digits only", "not a number")
    return int(text)


def import_families(conn: Connection, path: Path, *, today: dt.date | None = None) -> dict[str, int]:
    """Register every family of the file inside the caller's transaction; the first bad line stops it all.
    `today` (the unit of work's): no registration is dated after it."""
    families: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in _lines(path):
        families.setdefault(row["kk"], []).append((number, row))
    persons = 0
    for kk, rows in families.items():
        shown = kk[:6] if kk[:6].isascii() and kk[:6].isdigit() else "?"
        record = f"line {rows[0][0]} (KK {shown}…)"
        try:
            segment = Segment.parse(rows[0][1]["segment"])
            if any(Segment.parse(r["segment"]) != segment for _, r in rows):
                raise RuleInputError("segment", "every member of a family is in the same segment")
            classes = [_kelas(r["kelas"]) for _, r in rows]
            members = [
                NewPerson(
                    nik=r["nik"],
                    name=r["name"],
                    card_number=r["card_number"],
                    desa_code=r["desa_code"],
                    registered_on=_registered_on(r["registered_on"]),
                    channel=r["channel"] or "kantor_cabang",
                    phone=r["phone"] or None,
                )
                for _, r in rows
            ]
            if segment.is_state_bp:
                register_state_bp_family(conn, kk, members, segment, classes, _pension(rows), today=today)
            elif _pension(rows) is not None:
                raise RuleInputError("pension", "a pension is the base of a BP Pensiunan's (bp-pens) contribution only")
            else:
                register_family(conn, kk, members, segment, classes, today=today)
        except RegistryError as e:
            raise RegistryError(f"{record}: {e.record}", e.field.split(": ", 1)[-1], e.rule, e.detail) from None
        except RuleInputError as e:
            raise RegistryError(record, e.field, e.rule, e.detail) from None
        persons += len(members)
    return {"families": len(families), "persons": persons}
