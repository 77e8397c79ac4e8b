"""Registering a pensioner's or a veteran's family from the families file (segment `bp-pens` or `bp-vet`, the
optional `pension` column): on the central government's account, the head the principal; every bad record named
with its field and rule, nothing of a bad file kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from iuran.registry.enrolment import RegistryError
from iuran.registry.family_file import HEADER, import_families
from iuran.rules.nik import make_nik

DESA = "62.71.01.1001"  # Kelurahan Pahandut, Kota Palangka Raya
KEC = "62.71.01"
KK = "6271010101240009"


def line(n: int, *, segment: str, kelas: str = "1", pension: str = "", kk: str = KK) -> list[str]:
    nik = make_nik(KEC, dt.date(1950 + n, 1 + n, 1 + n), "F" if n % 2 else "M", 100 + n)
    card = f"{2_000_000 + n:013d}"
    return [kk, nik, "Nama Peserta", card, DESA, segment, kelas, "2024-01-15", "kantor_cabang", "", pension]


def write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [[*HEADER, "pension"], *rows]) + "\n", encoding="utf-8")
    return path


def memberships(engine: Engine) -> list[tuple[str, int | None, int | None, str]]:
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT m.segment, m.kelas, m.wage, a.kind FROM membership m JOIN account a ON a.id = m.account_id"
                " ORDER BY m.person_id"
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_pensioners_family_is_registered_on_the_central_government_with_the_pension_on_the_head(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [line(0, segment="bp-pens", pension="4567891"), line(1, segment="bp-pens"), line(2, segment="bp-pens")]
    with engine.begin() as c:
        assert import_families(c, write(tmp_path / "f.csv", rows)) == {"families": 1, "persons": 3}
        accounts = c.execute(text("SELECT kind, va FROM account")).all()
        billed_from = c.execute(text("SELECT DISTINCT valid_from FROM membership")).scalars().all()
    assert [tuple(a) for a in accounts] == [("central_gov", None)]  # no virtual account: the government pays
    assert billed_from == [202402]
    assert memberships(engine) == [
        ("bp-pens", 1, 4_567_891, "central_gov"),
        ("bp-pens", 1, None, "central_gov"),
        ("bp-pens", 1, None, "central_gov"),
    ]


def test_a_veterans_family_carries_no_pension(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        import_families(c, write(tmp_path / "f.csv", [line(0, segment="bp-vet"), line(1, segment="bp-vet")]))
    assert memberships(engine) == [("bp-vet", 1, 0, "central_gov"), ("bp-vet", 1, None, "central_gov")]


@pytest.mark.parametrize(
    ("rows", "field", "rule"),
    [
        ([line(0, segment="bp-pens")], "pension", "percentage of the monthly pension"),
        ([line(0, segment="bp-pens", pension="3.000.000")], "pension", "digits only"),
        ([line(0, segment="bp-pens", pension="0")], "pension", "whole Rupiah amount from 1"),
        (
            [line(0, segment="bp-pens", pension="3000000"), line(1, segment="bp-pens", pension="1000000")],
            "pension",
            "the head of the family",
        ),
        ([line(0, segment="bp-pens", kelas="3", pension="3000000")], "kelas", "class is 1 or 2, by rank"),
        ([line(0, segment="bp-vet", kelas="2")], "kelas", "class is 1, by rank"),
        ([line(0, segment="bp-vet", pension="3000000")], "pension", "fixed amount"),
        ([line(0, segment="pbpu", kelas="3", pension="3000000")], "pension", "bp-pens"),
        (
            [line(0, segment="bp-pens", pension="3000000")] + [line(n, segment="bp-pens") for n in range(1, 6)],
            "members",
            "at most 4 family members",
        ),
    ],
    ids=[
        "no-pension",
        "pension-not-digits",
        "pension-zero",
        "pension-on-a-member",
        "kelas-3",
        "veteran-kelas-2",
        "veteran-pension",
        "pbpu-pension",
        "six-persons",
    ],
)
def test_a_bad_record_stops_the_file_naming_the_field_and_the_rule(
    engine: Engine, tmp_path: Path, rows: list[list[str]], field: str, rule: str
) -> None:
    with engine.begin() as c, pytest.raises(RegistryError) as e:
        import_families(c, write(tmp_path / "f.csv", rows))
    assert e.value.field.endswith(field), str(e.value)
    assert rule in str(e.value)
    assert "line 2 (KK 627101…)" in str(e.value)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM person")).scalar() == 0


def test_a_file_without_the_pension_column_still_registers_pbpu_families(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    row = line(0, segment="pbpu", kelas="3")[:-1]
    path.write_text(",".join(HEADER) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    with engine.begin() as c:
        assert import_families(c, path) == {"families": 1, "persons": 1}
    assert memberships(engine) == [("pbpu", 3, None, "family")]
