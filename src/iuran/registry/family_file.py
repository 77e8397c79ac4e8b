"""Registering PBPU/BP families from a file: one line per person, grouped by KK; all or nothing.

Header: `kk,nik,name,card_number,desa_code,segment,kelas,registered_on,channel,phone`. The first line of a KK is
the head of the family, whose card number gives the family's virtual account.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from iuran.registry.enrolment import NewPerson, RegistryError, register_family
from iuran.rules.errors import RuleInputError
from iuran.rules.segments import Segment

HEADER = ("kk", "nik", "name", "card_number", "desa_code", "segment", "kelas", "registered_on", "channel", "phone")


def _lines(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in HEADER if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(str(path.name), "header", f"the file has the columns {','.join(HEADER)}", str(missing))
        for number, row in enumerate(reader, start=2):
            yield number, {k: (v or "").strip() for k, v in row.items() if k}


def import_families(conn: Connection, path: Path) -> dict[str, int]:
    """Register every family of the file inside the caller's transaction; the first bad line stops it all."""
    families: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in _lines(path):
        families.setdefault(row["kk"], []).append((number, row))
    persons = 0
    for kk, rows in families.items():
        first = rows[0][0]
        record = f"line {first} (KK {kk[:6]}…)"
        try:
            segment = Segment.parse(rows[0][1]["segment"])
            classes = [int(r["kelas"]) for _, r in rows]
            members = [
                NewPerson(
                    nik=r["nik"],
                    name=r["name"],
                    card_number=r["card_number"],
                    desa_code=r["desa_code"],
                    registered_on=dt.date.fromisoformat(r["registered_on"]),
                    channel=r["channel"] or "kantor_cabang",
                    phone=r["phone"] or None,
                )
                for _, r in rows
            ]
        except ValueError as e:
            raise RegistryError(
                record, "kelas/registered_on/segment", "a class 1-3 and a YYYY-MM-DD date", str(e)
            ) from None
        if any(Segment.parse(r["segment"]) != segment for _, r in rows):
            raise RegistryError(record, "segment", "every member of a family is in the same segment")
        try:
            register_family(conn, kk, members, segment, classes)
        except RegistryError as e:
            raise RegistryError(f"{record}: {e.record}", e.field.split(": ", 1)[-1], e.rule, e.detail) from None
        except RuleInputError as e:
            raise RegistryError(record, e.field, e.rule, e.detail) from None
        persons += len(members)
    return {"families": len(families), "persons": persons}
