"""Keaktifan: active ÷ registered, overall and per segment in BPJS order, or per kabupaten/kota."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine

from iuran.reports import activeness_report, render
from iuran.reports.formatting import format_percent
from iuran.reports.model import Cell, Ratio
from iuran.rules.errors import RuleInputError

NOV_15 = dt.date(2023, 11, 15)


def pct(value: Cell) -> str:
    """A ratio cell as the table writes it."""
    assert value is None or isinstance(value, Ratio)
    return format_percent(value)


def test_activeness_per_segment_in_bpjs_order_with_overall_total(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = activeness_report(conn, NOV_15)
    assert [r["segment_label"] for r in report.rows] == [
        "PBI APBN",
        "PBI APBD",
        "PPU PN",
        "PPU BU",
        "PBPU",
        "BP",
        "BP Pensiunan",
        "BP Veteran",
    ]
    figures = {r["segment"]: (r["registered"], r["active"], pct(r["activeness"])) for r in report.rows}
    assert figures == {
        "pbi-apbn": (340_000, 310_000, "91,18%"),
        "pbi-apbd": (287_738, 236_550, "82,21%"),
        "ppu-pn": (50_000, 46_440, "92,88%"),  # as Kalimantan Tengah's PPU PN in Nov 2023 (docs/rules.md §13)
        "ppu-bu": (90_000, 65_205, "72,45%"),
        "pbpu": (179_060, 103_300, "57,69%"),
        "bp": (20_000, 17_470, "87,35%"),
        "bp-pens": (0, 0, "-"),
        "bp-vet": (0, 0, "-"),
    }
    assert report.total is not None
    assert (report.total["registered"], report.total["active"], report.total["non_active"]) == (
        966_798,
        778_965,
        187_833,
    )
    assert pct(report.total["activeness"]) == "80,57%"


def test_segments_with_nobody_registered_are_still_listed(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = activeness_report(conn, NOV_15, branch="SPT")
    bp = report.find(segment="bp")
    assert (bp["registered"], bp["active"], bp["activeness"]) == (0, 0, None)
    line = next(x for x in render(report, "table").splitlines() if x.startswith("BP "))
    assert line.split() == ["BP", "0", "0", "0", "-"]


def test_activeness_table(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        lines = render(activeness_report(conn, NOV_15), "table").splitlines()
    assert lines[0] == "Keaktifan Peserta JKN per Segmen"
    assert lines[3].split() == ["Segmen", "Terdaftar", "Aktif", "Non-aktif", "Keaktifan"]
    assert lines[5].split() == ["PBI", "APBN", "340.000", "310.000", "30.000", "91,18%"]
    assert next(x for x in lines if x.startswith("Total")).split() == [
        "Total",
        "966.798",
        "778.965",
        "187.833",
        "80,57%",
    ]


def test_activeness_per_kabupaten_in_json_and_csv(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = activeness_report(conn, NOV_15, by="kabupaten", branch="PLK")
    doc = json.loads(render(report, "json"))
    assert doc["by"] == "kabupaten"
    assert doc["rows"][1] == {
        "kabkota_code": "62.71",
        "kabkota_name": "Kota Palangkaraya",
        "registered": 320_826,
        "active": 237_965,
        "non_active": 82_861,
        "activeness": "0.7417",
    }
    assert doc["total"] == {"registered": 507_738, "active": 378_965, "non_active": 128_773, "activeness": "0.7464"}
    csv_lines = render(report, "csv").splitlines()
    assert csv_lines[0] == "kabkota_code,kabkota_name,registered,active,non_active,activeness"
    assert csv_lines[1] == "62.06,Kabupaten Katingan,186912,141000,45912,0.7544"


def test_activeness_per_kecamatan_adds_up_to_its_kabupaten(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        by_kecamatan = activeness_report(conn, NOV_15, by="kecamatan", branch="PLK")
        by_kabupaten = activeness_report(conn, NOV_15, by="kabupaten", branch="PLK")
    assert by_kecamatan.columns[1].header == "Kecamatan"
    for kab in by_kabupaten.rows:
        inside = [r for r in by_kecamatan.rows if str(r["kecamatan_code"]).startswith(f"{kab['kabkota_code']}.")]
        assert inside and sum(int(r["registered"]) for r in inside) == kab["registered"]
        assert sum(int(r["active"]) for r in inside) == kab["active"]
    assert by_kecamatan.total == by_kabupaten.total


def test_activeness_refuses_an_unknown_breakdown(kalteng: Engine) -> None:
    with kalteng.connect() as conn, pytest.raises(RuleInputError, match=r"^by: the activeness report is broken down"):
        activeness_report(conn, NOV_15, by="desa")
