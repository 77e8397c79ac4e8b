"""Ledger states for payment tests, written straight with SQL: accounts, charges, open items, statuses.

Independent of the monthly cycle: each test states the books it starts from.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from iuran.db.months import from_db, to_db
from iuran.rules.month import Month, month_range

# Kota Palangka Raya, kecamatan Pahandut, kelurahan Pahandut (real codes).
DESA, KECAMATAN, KABKOTA = "62.71.01.1001", "62.71.01", "62.71"
KELAS3 = 35_000  # Kelas III participant share from 2021 (Perpres 64/2020 Pasal 34)
HEADER = ("reference", "va", "account", "amount", "paid_at", "channel")
_serial = itertools.count(1)


@dataclass(frozen=True)
class Payer:
    """A payer account and the persons it pays for."""

    account: int
    kind: str
    persons: tuple[int, ...]


def months(first: str, last: str) -> list[int]:
    return [to_db(m) for m in month_range(Month.parse(first), Month.parse(last))]


def family(
    conn: Connection,
    va: str,
    *,
    members: int = 2,
    opened_on: dt.date = dt.date(2019, 1, 1),
    activated_on: dt.date | None = dt.date(2019, 1, 1),
) -> Payer:
    """A PBPU family account with its members."""
    n = next(_serial)
    family_id = conn.execute(
        text("INSERT INTO family (kk, desa_code) VALUES (:kk, :desa) RETURNING id"),
        {"kk": f"6271{n:012d}", "desa": DESA},
    ).scalar_one()
    persons = tuple(_person(conn, family_id) for _ in range(members))
    account = int(
        conn.execute(
            text(
                "INSERT INTO account (kind, name, va, family_id, kabkota_code, opened_on, activated_on)"
                " VALUES ('family', :name, :va, :f, :k, :o, :a) RETURNING id"
            ),
            {"name": f"Keluarga {n}", "va": va, "f": family_id, "k": KABKOTA, "o": opened_on, "a": activated_on},
        ).scalar_one()
    )
    return Payer(account, "family", persons)


def employer(conn: Connection, *, workers: int = 1) -> Payer:
    n = next(_serial)
    employer_id = conn.execute(
        text("INSERT INTO employer (code, name, kind, kabkota_code) VALUES (:c, :n, 'bu', :k) RETURNING id"),
        {"c": f"BU{n:06d}", "n": f"PT Contoh {n}", "k": KABKOTA},
    ).scalar_one()
    persons = tuple(_person(conn, None) for _ in range(workers))
    account = int(
        conn.execute(
            text(
                "INSERT INTO account (kind, name, employer_id, kabkota_code, opened_on)"
                " VALUES ('employer', :n, :e, :k, :o) RETURNING id"
            ),
            {"n": f"PT Contoh {n}", "e": employer_id, "k": KABKOTA, "o": dt.date(2019, 1, 1)},
        ).scalar_one()
    )
    return Payer(account, "employer", persons)


def _person(conn: Connection, family_id: int | None) -> int:
    n = next(_serial)
    return int(
        conn.execute(
            text(
                "INSERT INTO person (nik, card_number, name, sex, birth_date, family_id, desa_code, kecamatan_code,"
                " kabkota_code, registered_on, channel)"
                " VALUES (:nik, :card, :name, 'M', :born, :f, :desa, :kec, :kab, :reg, 'kantor_cabang') RETURNING id"
            ),
            {
                "nik": f"627101010180{n:04d}",
                "card": f"{n:013d}",
                "name": f"Peserta {n}",
                "born": dt.date(1980, 1, 1),
                "f": family_id,
                "desa": DESA,
                "kec": KECAMATAN,
                "kab": KABKOTA,
                "reg": dt.date(2019, 1, 1),
            },
        ).scalar_one()
    )


def bill(conn: Connection, payer: Payer, billed: list[int], per_person: int, *, kind: str = "contribution") -> None:
    """A charge per month with a line per person the account pays for, each still wholly open."""
    is_family = payer.kind == "family"
    persons = payer.persons
    account = payer.account
    for month in billed:
        charge = conn.execute(
            text(
                "INSERT INTO charge (account_id, month, kind, members, amount, created_at)"
                " VALUES (:a, :m, :k, :n, :amt, :t) RETURNING id"
            ),
            {
                "a": account,
                "m": month,
                "k": kind,
                "n": len(persons),
                "amt": per_person * len(persons),
                "t": dt.datetime(from_db(month).year, from_db(month).month, 1),
            },
        ).scalar_one()
        for person in persons:
            conn.execute(
                text(
                    "INSERT INTO charge_line (charge_id, person_id, month, segment, kelas, amount, participant,"
                    " government, employer, worker) VALUES (:c, :p, :m, :s, :k, :amt, :part, 0, :emp, 0)"
                ),
                {
                    "c": charge,
                    "p": person,
                    "m": month,
                    "s": "pbpu" if is_family else "ppu-bu",
                    "k": 3 if is_family else None,
                    "amt": per_person,
                    "part": per_person if is_family else 0,
                    "emp": 0 if is_family else per_person,
                },
            )
        conn.execute(
            text("INSERT INTO open_item (charge_id, account_id, month, amount_open) VALUES (:c, :a, :m, :amt)"),
            {"c": charge, "a": account, "m": month, "amt": per_person * len(persons)},
        )


def status_as_of(conn: Connection, payer: Payer, month: int, *, since: dt.date) -> None:
    """The status the cycle would have rebuilt for `month` from the open items."""
    conn.execute(
        text(
            "INSERT INTO account_status (account_id, active, status_since, months_in_arrears, arrears_amount,"
            " unpaid_since, as_of_month)"
            " SELECT :a, count(o.charge_id) = 0, :since, count(DISTINCT o.month), COALESCE(sum(o.amount_open), 0),"
            " min(o.month), :m FROM (SELECT * FROM open_item WHERE account_id = :a AND month < :m) o"
        ),
        {"a": payer.account, "m": month, "since": since},
    )


def write_csv(path: Path, rows: list[tuple[object, ...]], header: tuple[str, ...] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every money table and the derived state, to prove that something changed nothing."""
    tables = {
        "payment": "SELECT id, reference, account_id, amount, channel FROM payment ORDER BY id",
        "allocation": "SELECT id, payment_id, charge_id, amount FROM allocation ORDER BY id",
        "writeoff": "SELECT id, charge_id, amount, payment_id FROM writeoff ORDER BY id",
        "open_item": "SELECT charge_id, amount_open FROM open_item ORDER BY charge_id",
        "account_status": (
            "SELECT account_id, active, status_since, months_in_arrears, arrears_amount, unpaid_since, as_of_month"
            " FROM account_status ORDER BY account_id"
        ),
        "account": "SELECT id, activated_on FROM account ORDER BY id",
    }
    with engine.connect() as c:
        return {name: [tuple(map(str, r)) for r in c.execute(text(sql))] for name, sql in tables.items()}


def day(value: object) -> dt.date | None:
    """A DATE column as read back from either database (SQLite gives text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
