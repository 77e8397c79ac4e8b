"""A small branch built through the registry, for cycle and ledger tests."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import Connection

from iuran.registry.enrolment import (
    NewPerson,
    add_memberships,
    government_account,
    register_employer,
    register_family,
    register_persons,
    set_umk,
)
from iuran.rules.month import Month
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment

# Kota Palangka Raya, kecamatan Pahandut, kelurahan Pahandut (real codes).
DESA = "62.71.01.1001"
KECAMATAN = "62.71.01"
_serial = itertools.count(1)
_card = itertools.count(1_000_000)


def person(name: str, born: dt.date, sex: str = "M", registered_on: dt.date = dt.date(2014, 1, 1)) -> NewPerson:
    nik = make_nik(KECAMATAN, born, "F" if sex == "F" else "M", next(_serial))
    card = f"{next(_card):013d}"
    return NewPerson(nik=nik, name=name, card_number=card, desa_code=DESA, registered_on=registered_on)


def family(
    conn: Connection,
    size: int,
    kelas: int,
    *,
    billing_from: Month,
    segment: Segment = Segment.PBPU,
    activated_on: dt.date | None = dt.date(2014, 1, 1),
) -> int:
    members = [person(f"Anggota {i}", dt.date(1980 + i, 1 + i, 1 + i), "F" if i % 2 else "M") for i in range(size)]
    kk = f"6271{next(_serial):012d}"
    return register_family(conn, kk, members, segment, kelas, billing_from=billing_from, activated_on=activated_on)


def employer_with_workers(conn: Connection, wages: list[int], start: Month, umk: int = 3_000_000) -> int:
    account = register_employer(conn, f"BU{next(_serial)}", "PT Sawit Makmur", "bu", "62.71", dt.date(2014, 1, 1))
    for year in range(2014, 2027):
        set_umk(conn, "62.71", year, umk, "illustrative")
    for wage in wages:
        (pid,) = register_persons(conn, [person("Pekerja", dt.date(1985, 5, 5))])
        add_memberships(conn, [pid], Segment.PPU_BU, None, account, start, wage=wage, reason="registration")
    return account


def pbi(conn: Connection, n: int, start: Month) -> int:
    account = government_account(conn, "central_gov", dt.date(2014, 1, 1))
    ids = register_persons(conn, [person("Penerima", dt.date(1970, 3, 3)) for _ in range(n)])
    add_memberships(conn, ids, Segment.PBI_APBN, None, account, start, reason="SK Mensos")
    return account
