"""A small known branch in Kalimantan Tengah, written straight into the snapshot and ledger tables.

Three kabupaten/kota: Kota Palangkaraya (62.71) and Kabupaten Katingan (62.06) form branch PLK, Kabupaten
Kotawaringin Timur (62.02) branch SPT. Cycle months: Oct 2023 (a stub) and Nov 2023 (the figures below).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, Engine, text

PLK, KTG, KOTIM = "62.71", "62.06", "62.02"

# month, kecamatan, segment, registered, active
COVERAGE = [
    (202310, "62.71.01", "pbpu", 1_000, 500),
    (202311, "62.71.01", "pbi-apbn", 60_000, 50_000),
    (202311, "62.71.01", "pbpu", 40_000, 14_300),
    (202311, "62.71.01", "ppu-bu", 50_000, 35_205),
    (202311, "62.71.02", "ppu-pn", 50_000, 46_440),
    (202311, "62.71.02", "pbi-apbd", 100_826, 74_550),
    (202311, "62.71.02", "bp", 20_000, 17_470),
    (202311, "62.06.01", "pbi-apbn", 80_000, 70_000),
    (202311, "62.06.01", "pbpu", 30_000, 9_000),
    (202311, "62.06.02", "ppu-bu", 40_000, 30_000),
    (202311, "62.06.02", "pbi-apbd", 36_912, 32_000),
    (202311, "62.02.01", "pbi-apbn", 200_000, 190_000),
    (202311, "62.02.01", "pbi-apbd", 150_000, 130_000),
    (202311, "62.02.02", "pbpu", 109_060, 80_000),
]

# month, kabkota, segment, bucket, accounts, persons, amount
ARREARS = [
    (202310, PLK, "pbpu", "1", 7, 20, 840_000),
    (202311, PLK, "pbpu", "1", 1_200, 3_100, 130_200_000),
    (202311, PLK, "pbpu", "4-6", 800, 2_000, 420_000_000),
    (202311, PLK, "pbpu", ">24", 500, 1_400, 1_764_000_000),
    (202311, PLK, "bp", "2", 100, 150, 30_000_000),
    (202311, KTG, "pbpu", "13-24", 300, 900, 567_000_000),
    (202311, KTG, "ppu-bu", "1", 12, 400, 61_234_567),
    # The Pemda of Kotawaringin Timur has not paid its PBI APBD bill: no UHC Prioritas.
    (202311, KOTIM, "pbi-apbd", "1", 1, 5_000, 210_000_000),
]


def _insert(conn: Connection, table: str, rows: list[dict[str, object]]) -> None:
    keys = list(rows[0])
    conn.execute(text(f"INSERT INTO {table} ({', '.join(keys)}) VALUES ({', '.join(':' + k for k in keys)})"), rows)


DESA = {PLK: "62.71.01.1001", KTG: "62.06.01.2001", KOTIM: "62.02.01.1009"}


def _members(first: int, count: int, kabkota: str) -> list[tuple[int, str]]:
    return [(i, DESA[kabkota]) for i in range(first, first + count)]


# account -> (person id, desa) of the members its contribution charges bill. Ani (person 1), of Keluarga B, died:
# her lines are reversed.
MEMBERS: dict[int, list[tuple[int, str]]] = {
    1: _members(2, 3, PLK),  # Keluarga A: 3 × 42,000
    2: [(1, DESA[PLK]), *_members(5, 1, KTG)],  # Keluarga B: 2 × 150,000
    5: _members(6, 1, KOTIM),  # Keluarga C: 1 × 42,000
    6: _members(7, 10, KTG),  # PT Sawit Katingan: 10 workers × 250,000
    4: _members(17, 100, PLK),  # PBI APBD of Palangka Raya: 100 × 42,000
    3: _members(117, 1_000, PLK),  # PBI APBN: 1,000 × 42,000
}

# account -> the line of each of its members: segment, class, amount owed by the account and the shares.
_NO_SHARES = {"participant": 0, "government": 0, "employer": 0, "worker": 0}
LINES: dict[int, dict[str, object]] = {
    1: {"segment": "pbpu", "kelas": 3, "amount": 42_000, **_NO_SHARES, "participant": 42_000},
    2: {"segment": "pbpu", "kelas": 1, "amount": 150_000, **_NO_SHARES, "participant": 150_000},
    5: {"segment": "pbpu", "kelas": 3, "amount": 42_000, **_NO_SHARES, "participant": 42_000},
    6: {"segment": "ppu-bu", "kelas": 1, "amount": 250_000, **_NO_SHARES, "employer": 200_000, "worker": 50_000},
    4: {"segment": "pbi-apbd", "kelas": 3, "amount": 42_000, **_NO_SHARES, "government": 42_000},
    3: {"segment": "pbi-apbn", "kelas": 3, "amount": 42_000, **_NO_SHARES, "government": 42_000},
}


def _person(i: int, desa: str, registered_on: dt.date) -> dict[str, object]:
    """A member with a unique NIK (born 1 Jan 1990 in the kecamatan of `desa`) and card number."""
    kecamatan = desa[:8]
    return {
        "id": i,
        "nik": f"{kecamatan.replace('.', '')}010190{i:04d}",
        "card_number": f"0002{i:09d}",
        "name": f"Peserta {i}",
        "sex": "M",
        "birth_date": dt.date(1990, 1, 1),
        "desa_code": desa,
        "kecamatan_code": kecamatan,
        "kabkota_code": desa[:5],
        "registered_on": registered_on,
        "channel": "kantor",
    }


def load_snapshots(conn: Connection) -> None:
    _insert(
        conn,
        "snapshot_coverage",
        [
            {"month": m, "kecamatan_code": kec, "segment": seg, "kabkota_code": kec[:5], "registered": r, "active": a}
            for m, kec, seg, r, a in COVERAGE
        ],
    )
    _insert(
        conn,
        "snapshot_arrears",
        [
            {"month": m, "kabkota_code": k, "segment": s, "bucket": b, "accounts": ac, "persons": p, "amount": am}
            for m, k, s, b, ac, p, am in ARREARS
        ],
    )
    _insert(
        conn, "branch", [{"id": 1, "code": "PLK", "name": "Palangka Raya"}, {"id": 2, "code": "SPT", "name": "Sampit"}]
    )
    _insert(
        conn,
        "branch_region",
        [
            {"branch_id": 1, "kabkota_code": PLK},
            {"branch_id": 1, "kabkota_code": KTG},
            {"branch_id": 2, "kabkota_code": KOTIM},
        ],
    )


def load_ledger(conn: Connection) -> None:
    """Charges, payments, allocations and reversals for the collectibility report (see test_report_collectibility).

    A balanced ledger (`iuran ledger verify` passes): every contribution charge has a line per member (MEMBERS,
    LINES), every balance left open has its open item, and no charge or payment is settled beyond its amount.
    """
    opened = dt.date(2020, 1, 1)
    _insert(
        conn,
        "employer",
        [{"id": 1, "code": "E001", "name": "PT Sawit Katingan", "kind": "bu", "kabkota_code": KTG}],
    )
    accounts = [
        (1, "family", "Keluarga A", PLK, None, None),
        (2, "family", "Keluarga B", KTG, None, None),
        (3, "central_gov", "Pemerintah Pusat", None, None, None),
        (4, "pemda", "Pemkot Palangka Raya", PLK, PLK, None),
        (5, "family", "Keluarga C", KOTIM, None, None),
        (6, "employer", "PT Sawit Katingan", KTG, None, 1),
    ]
    _insert(
        conn,
        "account",
        [
            {
                "id": i,
                "kind": k,
                "name": n,
                "kabkota_code": kab,
                "pemda_code": pemda,
                "employer_id": emp,
                "opened_on": opened,
            }
            for i, k, n, kab, pemda, emp in accounts
        ],
    )
    _insert(
        conn,
        "person",
        [
            {
                "id": 1,
                "nik": "6271014101900001",
                "card_number": "0001944358911",
                "name": "Ani",
                "sex": "F",
                "birth_date": dt.date(1990, 1, 1),
                "desa_code": "62.71.01.1001",
                "kecamatan_code": "62.71.01",
                "kabkota_code": PLK,
                "registered_on": opened,
                "channel": "kantor",
            },
            *(_person(i, desa, opened) for account in MEMBERS.values() for i, desa in account if i != 1),
        ],
    )
    t = dt.datetime(2023, 1, 1, 0, 5)
    charges = [  # id, account, month, kind, members, amount
        (1, 1, 202309, "contribution", 3, 126_000),
        (2, 1, 202310, "contribution", 3, 126_000),
        (3, 1, 202311, "contribution", 3, 126_000),
        (4, 2, 202310, "contribution", 2, 300_000),
        (5, 2, 202311, "contribution", 2, 300_000),
        (6, 3, 202311, "contribution", 1_000, 42_000_000),
        (7, 3, 202311, "subsidy_central", 500, 2_100_000),
        (8, 4, 202311, "contribution", 100, 4_200_000),
        (9, 4, 202311, "subsidy_pemda", 500, 1_400_000),
        (10, 1, 202309, "opening", 3, 126_000),  # migrated arrears: not billed in the period
        (11, 5, 202311, "contribution", 1, 42_000),
        (12, 1, 202312, "contribution", 3, 126_000),  # after month(as_of) in most tests
        (13, 1, 202210, "contribution", 3, 126_000),  # before the 12-month window
        (14, 6, 202311, "contribution", 10, 2_500_000),
    ]
    _insert(
        conn,
        "charge",
        [
            {"id": i, "account_id": a, "month": m, "kind": k, "members": n, "amount": am, "created_at": t}
            for i, a, m, k, n, am in charges
        ],
    )
    payments = [  # id, account, amount, paid_at
        (1, 1, 252_000, dt.datetime(2023, 10, 5, 9)),
        (2, 1, 252_000, dt.datetime(2023, 11, 8, 10)),
        (3, 2, 600_000, dt.datetime(2023, 11, 3, 11)),
        (4, 3, 44_100_000, dt.datetime(2023, 11, 9, 8)),
        (5, 4, 4_200_000, dt.datetime(2023, 11, 25, 8)),  # after as_of 2023-11-20
        (6, 5, 42_000, dt.datetime(2023, 11, 20, 23, 30)),  # on as_of, late in the day: counts
        (7, 1, 126_000, dt.datetime(2023, 9, 15, 14)),
        (8, 6, 2_500_000, dt.datetime(2023, 11, 10, 7)),
    ]
    _insert(
        conn,
        "payment",
        [
            {"id": i, "reference": f"REF{i}", "account_id": a, "amount": am, "paid_at": at, "channel": "bank"}
            for i, a, am, at in payments
        ],
    )
    allocations = [  # payment, charge, account, month, amount, allocated_on
        (1, 1, 1, 202309, 126_000, dt.date(2023, 10, 5)),
        (1, 2, 1, 202310, 126_000, dt.date(2023, 10, 5)),
        (2, 10, 1, 202309, 126_000, dt.date(2023, 11, 8)),
        (2, 3, 1, 202311, 126_000, dt.date(2023, 11, 8)),
        (3, 4, 2, 202310, 300_000, dt.date(2023, 11, 3)),
        (3, 5, 2, 202311, 300_000, dt.date(2023, 11, 3)),
        (3, 5, 2, 202311, -150_000, dt.date(2023, 11, 10)),  # released by the reversal below: credit
        (4, 6, 3, 202311, 42_000_000, dt.date(2023, 11, 9)),
        (4, 7, 3, 202311, 2_100_000, dt.date(2023, 11, 9)),
        (5, 8, 4, 202311, 4_200_000, dt.date(2023, 11, 25)),
        (6, 11, 5, 202311, 42_000, dt.date(2023, 11, 20)),
        (7, 13, 1, 202210, 126_000, dt.date(2023, 9, 15)),
        (8, 14, 6, 202311, 2_500_000, dt.date(2023, 11, 10)),
        # released by the reversal of 5 Dec 2023 once the year was closed (after every as_of that reads October's
        # figures): the charge is not settled beyond its amount, the money is credit on payment 3
        (3, 4, 2, 202310, -150_000, dt.date(2024, 1, 8)),
    ]
    _insert(
        conn,
        "allocation",
        [
            {"payment_id": p, "charge_id": c, "account_id": a, "month": m, "amount": am, "allocated_on": on}
            for p, c, a, m, am, on in allocations
        ],
    )
    # The per-member breakdown of every contribution charge: one line per member, summing to the charge.
    _insert(
        conn,
        "charge_line",
        [
            {"charge_id": i, "person_id": person, "month": m, **LINES[a]}
            for i, a, m, k, _, _ in charges
            if k == "contribution"
            for person, _ in MEMBERS[a]
        ],
    )
    # What is still owed after the allocations above and the reversals below: the Pemda's Kelas III
    # share of November (never paid) and Keluarga A's December bill.
    _insert(
        conn,
        "open_item",
        [
            {"charge_id": 9, "account_id": 4, "month": 202311, "amount_open": 1_400_000},
            {"charge_id": 12, "account_id": 1, "month": 202312, "amount_open": 126_000},
        ],
    )
    _insert(
        conn,
        "reversal",
        [
            {
                "charge_id": 5,
                "person_id": 1,
                "account_id": 2,
                "month": 202311,
                "amount": 150_000,
                "reason": "death",
                "reversed_on": dt.date(2023, 11, 10),
            },
            {
                "charge_id": 4,
                "person_id": 1,
                "account_id": 2,
                "month": 202310,
                "amount": 150_000,
                "reason": "death",
                "reversed_on": dt.date(2023, 12, 5),
            },  # after as_of 2023-11-20
        ],
    )
    # The released money is the payment's credit (derived state, as iuran.billing.credit.release keeps it).
    _insert(conn, "payment_credit", [{"payment_id": 3, "account_id": 2, "amount": 300_000}])


@pytest.fixture
def kalteng(engine: Engine) -> Engine:
    """The engine with the snapshots, branches and ledger above."""
    with engine.begin() as conn:
        load_snapshots(conn)
        load_ledger(conn)
    return engine
