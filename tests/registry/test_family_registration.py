"""Registering families: every bad record is named with its rule, and nothing of a bad file is kept."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from iuran.registry.enrolment import RegistryError
from iuran.registry.family_file import HEADER, import_families
from iuran.rules.membership import va_number
from iuran.rules.nik import make_nik

DESA = "62.71.01.1001"  # Kelurahan Pahandut, Kota Palangka Raya
KEC = "62.71.01"


def nik(serial: int, born: dt.date = dt.date(1984, 4, 4), sex: str = "M") -> str:
    return make_nik(KEC, born, "F" if sex == "F" else "M", serial)


def row(kk: str, n: str, card: str, *, kelas: str = "3", desa: str = DESA, segment: str = "pbpu") -> list[str]:
    return [kk, n, "Nama Peserta", card, desa, segment, kelas, "2024-01-15", "kantor_cabang", ""]


def write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [list(HEADER), *rows]) + "\n", encoding="utf-8")
    return path


def persons(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM person")).scalar_one())


def good_family(kk: str = "6271010101240001", first_serial: int = 1) -> list[list[str]]:
    return [
        row(kk, nik(first_serial), "0001944358911"),
        row(kk, nik(first_serial + 1, dt.date(1986, 6, 6), "F"), "0001944358912"),
    ]


def test_a_family_is_registered_on_one_virtual_account_billed_from_next_month(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        counts = import_families(c, write(tmp_path / "f.csv", good_family()))
    assert counts == {"families": 1, "persons": 2}
    with engine.connect() as c:
        va, members, first_billed = c.execute(
            text(
                "SELECT a.va, count(*), min(m.valid_from) FROM account a JOIN person p ON p.family_id = a.family_id"
                " JOIN membership m ON m.person_id = p.id GROUP BY a.va"
            )
        ).one()
    assert (members, first_billed) == (2, 202402)  # registered in January, billed from February
    assert va == va_number("0001944358911") == "8888801944358911"


@pytest.mark.parametrize(
    ("rows", "field", "rule"),
    [
        ([row("6271010101240001", nik(1)[:8] + "9" + nik(1)[9:], "0001944358921")], "nik.birth_date", "month"),
        (
            [row("6271010101240001", nik(1), "0001944358911"), row("6271010101240001", nik(1), "0001944358912")],
            "nik",
            "registered once",
        ),
        ([row("6271010101240001", nik(1), "0001944358911", desa="62.71.01.9999")], "desa_code", "desa/kelurahan"),
        (
            [
                row("6271010101240001", nik(1), "0001944358911", kelas="3"),
                row("6271010101240001", nik(2), "0001944358912", kelas="2"),
            ],
            "kelas",
            "same class",
        ),
    ],
    ids=["invalid-nik", "duplicate-nik", "unknown-region", "class-disagrees"],
)
def test_a_bad_record_is_named_with_its_rule_and_nothing_is_written(
    engine: Engine, tmp_path: Path, rows: list[list[str]], field: str, rule: str
) -> None:
    path = write(tmp_path / "f.csv", good_family("6271010101240009", 50) + rows)
    with pytest.raises(RegistryError) as caught, engine.begin() as c:
        import_families(c, path)
    message = str(caught.value)
    assert field in message and rule in message and "line" in message
    assert persons(engine) == 0  # the good family before the bad one is not kept either


def test_a_nik_already_registered_is_refused(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        import_families(c, write(tmp_path / "a.csv", good_family()))
    again = [row("6271010101240002", nik(1), "0001944358999")]
    with pytest.raises(RegistryError, match="already registered"), engine.begin() as c:
        import_families(c, write(tmp_path / "b.csv", again))
    assert persons(engine) == 2


def test_the_command_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    bad = write(tmp_path / "f.csv", [row("6271010101240001", nik(1), "0001944358911", kelas="7")])
    iuran = str(Path(sys.executable).parent / "iuran")
    subprocess.run([iuran, "db", "init", "--database", db], capture_output=True, check=True)
    done = subprocess.run([iuran, "registry", "import", str(bad), "--database", db], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 2" in lines[0] and "kelas" in lines[0]
    assert "Traceback" not in done.stderr
