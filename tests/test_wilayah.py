"""The packaged region table (cahyadsn/wilayah, Kepmendagri 2025) and population (Dukcapil Dec 2024)."""

from __future__ import annotations

from importlib import resources

import pytest

from iuran.wilayah import INDONESIA, Region, Wilayah, default_wilayah

W = default_wilayah()


def test_loaded_once() -> None:
    assert default_wilayah() is W


def test_counts() -> None:
    assert len(W.provinces()) == 38
    assert len(W.kabupaten_kota()) == 514
    kecamatan = [k for kk in W.kabupaten_kota() for k in W.kecamatan(kk.code)]
    assert len(kecamatan) == 7285
    assert sum(len(W.desa(k.code)) for k in kecamatan) == 83762
    assert len(W) == 38 + 514 + 7285 + 83762


def test_population_of_indonesia() -> None:
    assert W.population(INDONESIA) == 284_973_643
    assert W.population("0") == 284_973_643


def test_population_adds_up_by_province() -> None:
    assert sum(W.population(p.code) or 0 for p in W.provinces()) == W.population(INDONESIA)


def test_population_unknown_or_below_kabkota() -> None:
    assert W.population("99") is None
    assert W.population("32.73.05") is None


def test_kalimantan_tengah() -> None:
    assert W.region("62") == Region("62", "Kalimantan Tengah", "provinsi")
    kk = W.kabupaten_kota("62")
    assert len(kk) == 14
    assert all(r.code.startswith("62.") and r.level == "kabupaten_kota" for r in kk)
    assert [r.code for r in kk] == sorted(r.code for r in kk)
    assert W.population("62") == 2_825_290


def test_region_lookup() -> None:
    assert W.region("32.73") == Region("32.73", "Kota Bandung", "kabupaten_kota")
    assert W.region("32.73.05") == Region("32.73.05", "Andir", "kecamatan")
    assert W.region("32.73.05.1001") == Region("32.73.05.1001", "Maleber", "desa_kelurahan")
    assert W.region("327305") is None  # codes carry dots
    assert W.region("99") is None


def test_names_with_commas_survive_csv() -> None:
    region = W.region("12.07.28.1007")
    assert region is not None and region.name == "Lubuk Pakam I,II"


def test_children_only_for_the_right_level() -> None:
    assert W.kecamatan("32") == ()
    assert W.desa("32.73") == ()
    assert W.kabupaten_kota("32.73") == ()
    assert W.kecamatan("99.99") == ()
    assert all(k.code.startswith("32.73.") for k in W.kecamatan("32.73"))


def test_parent_code() -> None:
    assert Region("32.73.05", "Andir", "kecamatan").parent_code == "32.73"
    assert Region("32", "Jawa Barat", "provinsi").parent_code is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("32.73", True),
        ("32.71", True),
        ("32.73.05", True),
        ("32.18", False),
        ("62.01", False),
        ("11.01.01.2001", False),
    ],
)
def test_is_kota(code: str, expected: bool) -> None:
    assert W.is_kota(code) is expected


def test_is_kota_rejects_province() -> None:
    with pytest.raises(ValueError):
        W.is_kota("32")


def test_is_kota_matches_names() -> None:
    # Kabupaten/kota digits 71–99 are kota; every kota name starts with "Kota".
    for r in W.kabupaten_kota():
        assert W.is_kota(r.code) == r.name.startswith("Kota"), r


def test_license_and_readme_travel_with_data() -> None:
    data = resources.files("iuran.wilayah").joinpath("data")
    assert "MIT" in data.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "cahyadsn/wilayah" in data.joinpath("README.md").read_text(encoding="utf-8")


def test_from_csv_and_validation() -> None:
    w = Wilayah.from_csv(
        ["code,name,level\n", "99,P,provinsi\n", "99.71,Kota K,kabupaten_kota\n"],
        ["code,name,male,female,total\n", "99,P,1,2,3\n"],
    )
    assert [r.code for r in w.kabupaten_kota("99")] == ["99.71"]
    assert w.population("99") == 3
    with pytest.raises(ValueError, match="level"):
        Wilayah.from_csv(["code,name,level\n", "99,P,negara\n"], ["code,name,male,female,total\n"])
    with pytest.raises(ValueError, match="does not match level"):
        Wilayah([Region("99.01", "X", "provinsi")], {})
    with pytest.raises(ValueError, match="duplicate"):
        Wilayah([Region("99", "X", "provinsi"), Region("99", "Y", "provinsi")], {})
