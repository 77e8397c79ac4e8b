"""Cakupan per kabupaten/kota and per kecamatan (docs/rules.md §10), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest
from sqlalchemy import Engine
from sqlalchemy import text as sql

from iuran.reports import NoCycle, coverage_report, render
from iuran.reports.formatting import format_percent
from iuran.reports.model import Cell, Ratio
from iuran.rules.errors import RuleInputError

NOV_15 = dt.date(2023, 11, 15)


def pct(value: Cell) -> str:
    """A ratio cell as the table writes it."""
    assert value is None or isinstance(value, Ratio)
    return format_percent(value)


def test_coverage_per_kabupaten_with_branch_total(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = coverage_report(conn, NOV_15)
    assert str(report.position) == "2023-11"
    assert [r["kabkota_code"] for r in report.rows] == ["62.02", "62.06", "62.71"]
    plk = report.find(kabkota_code="62.71")
    assert plk["kabkota_name"] == "Kota Palangkaraya"
    assert (plk["population"], plk["registered"], plk["active"]) == (315_153, 320_826, 237_965)
    assert plk["coverage"] == Ratio(320_826, 315_153)
    assert pct(plk["coverage"]) == "101,80%"
    assert pct(plk["active_coverage"]) == "75,51%"
    assert pct(plk["activeness"]) == "74,17%"
    assert plk["meets_target"] is True
    assert plk["uhc_prioritas"] is False  # activeness below 75% (criteria in force in Nov 2023)
    assert report.find(kabkota_code="62.06")["uhc_prioritas"] is True  # 102,72% and 75,44%
    assert report.find(kabkota_code="62.02")["uhc_prioritas"] is False  # Pemda's PBI APBD bill in arrears
    assert report.total is not None
    assert (report.total["population"], report.total["registered"], report.total["active"]) == (
        951_631,
        966_798,
        778_965,
    )
    assert pct(report.total["coverage"]) == "101,59%"


def test_coverage_table_speaks_bahasa_indonesia(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        text = render(coverage_report(conn, NOV_15), "table")
    lines = text.splitlines()
    assert lines[0] == "Cakupan Kepesertaan JKN per Kabupaten/Kota"
    assert lines[1] == "Posisi 1 Nov 2023 (siklus Nov 2023), tanggal laporan 15 Nov 2023"
    assert "Target cakupan nasional: 98,00%" in lines
    header = next(line for line in lines if line.startswith("Kabupaten/Kota"))
    for word in ("Penduduk", "Terdaftar", "Cakupan", "Aktif", "Aktif/Penduduk", "Keaktifan", "UHC Prioritas"):
        assert word in header
    plk = next(line for line in lines if line.startswith("Kota Palangkaraya"))
    assert plk.split() == [
        "Kota",
        "Palangkaraya",
        "315.153",
        "320.826",
        "101,80%",
        "237.965",
        "75,51%",
        "74,17%",
        "ya",
        "tidak",
    ]
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split() == ["Total", "951.631", "966.798", "101,59%", "778.965", "81,86%", "80,57%", "ya", "-"]
    assert "Penduduk: Dukcapil semester II 2024 via cahyadsn/wilayah (MIT), posisi 31 Des 2024." in text
    # The only release packaged describes a later day than the report's: the report says so.
    assert (
        "Belum ada data penduduk yang terbit untuk 15 Nov 2023: dipakai data paling awal yang tersedia "
        "(semester II 2024)."
    ) in text


def test_coverage_json_keys_are_english_and_numbers_exact(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        doc = json.loads(render(coverage_report(conn, NOV_15), "json"))
    assert doc["report"] == "coverage"
    assert (doc["as_of"], doc["snapshot_month"], doc["position_date"]) == ("2023-11-15", "2023-11", "2023-11-01")
    assert doc["summary"] == {"coverage_target": "0.9800"}
    katingan = doc["rows"][1]
    assert katingan == {
        "kabkota_code": "62.06",
        "kabkota_name": "Kabupaten Katingan",
        "population": 181_963,
        "registered": 186_912,
        "coverage": "1.0272",
        "active": 141_000,
        "active_coverage": "0.7749",
        "activeness": "0.7544",
        "meets_target": True,
        "uhc_prioritas": True,
    }
    assert doc["total"]["registered"] == 966_798
    assert doc["total"]["coverage"] == "1.0159"


def test_coverage_csv_has_a_header_and_plain_numbers(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        lines = render(coverage_report(conn, NOV_15), "csv").splitlines()
    assert lines[0] == (
        "kabkota_code,kabkota_name,population,registered,coverage,active,active_coverage,activeness,"
        "meets_target,uhc_prioritas"
    )
    assert lines[3] == "62.71,Kota Palangkaraya,315153,320826,1.0180,237965,0.7551,0.7417,true,false"
    assert len(lines) == 4  # no total row: the columns can be summed


def test_branch_keeps_its_kabupaten_only(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = coverage_report(conn, NOV_15, branch="PLK")
    assert [r["kabkota_code"] for r in report.rows] == ["62.06", "62.71"]
    assert report.total is not None
    assert (report.total["population"], report.total["registered"], report.total["active"]) == (
        497_116,
        507_738,
        378_965,
    )
    assert pct(report.total["coverage"]) == "102,14%"
    assert "Cabang PLK Palangka Raya: 2 kabupaten/kota" in render(report, "table")


def test_as_of_picks_the_latest_cycle_month_not_after_it(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        october = coverage_report(conn, dt.date(2023, 10, 31))
        later = coverage_report(conn, dt.date(2024, 2, 29))  # no cycle since November
        first_of_november = coverage_report(conn, dt.date(2023, 11, 1))
    assert str(october.position) == "2023-10"
    assert [(r["kabkota_code"], r["registered"]) for r in october.rows] == [("62.71", 1_000)]
    assert str(later.position) == "2023-11"
    assert str(first_of_november.position) == "2023-11"
    assert "Posisi 1 Nov 2023 (siklus Nov 2023), tanggal laporan 29 Feb 2024" in render(later, "table")


def test_no_cycle_before_as_of_is_a_clear_error(kalteng: Engine) -> None:
    with kalteng.connect() as conn, pytest.raises(NoCycle) as e:
        coverage_report(conn, dt.date(2023, 9, 30))
    assert e.value.field == "as_of"
    assert "no cycle has run for 2023-09" in str(e.value)
    assert "run `iuran cycle run --month 2023-09`" in str(e.value)


def test_a_cycle_recorded_without_snapshot_rows_still_counts(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO cycle_step (month, step, rows, finished_at) VALUES (202401, 'collection', 0, '2024-01-01')"
        )
    with engine.connect() as conn:
        report = coverage_report(conn, dt.date(2024, 1, 2))
    assert str(report.position) == "2024-01"
    assert report.rows == ()
    assert report.total is not None and report.total["registered"] == 0
    assert report.total["coverage"] is None


def test_a_cycle_whose_last_step_is_not_recorded_does_not_count(engine: Engine) -> None:
    # The snapshot steps run beside `bill` on PostgreSQL: recorded alone, they do not make a finished month.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO cycle_step (month, step, rows, finished_at) VALUES (202401, 'snapshot', 0, '2024-01-01')"
        )
    with engine.connect() as conn, pytest.raises(NoCycle):
        coverage_report(conn, dt.date(2024, 1, 2))


def test_coverage_per_kecamatan_has_no_population(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = coverage_report(conn, NOV_15, by="kecamatan", branch="PLK")
    assert [r["kecamatan_name"] for r in report.rows] == ["Kamipang", "Katingan Hilir", "Pahandut", "Bukit Batu"]
    pahandut = report.find(kecamatan_code="62.71.01")
    assert (pahandut["registered"], pahandut["active"], pahandut["population"]) == (150_000, 99_505, None)
    text = render(report, "table")
    assert "Data penduduk per kecamatan tidak tersedia" in text
    row = next(line for line in text.splitlines() if "Pahandut" in line)
    assert row.split() == ["Kota", "Palangkaraya", "Pahandut", "-", "150.000", "-", "99.505", "66,34%"]
    doc = json.loads(render(report, "json"))
    assert doc["rows"][2]["population"] is None and doc["rows"][2]["coverage"] is None


@pytest.mark.parametrize("by", ["segment", "desa", ""])
def test_unknown_breakdown_names_the_field(kalteng: Engine, by: str) -> None:
    with kalteng.connect() as conn, pytest.raises(RuleInputError) as e:
        coverage_report(conn, NOV_15, by=by)
    assert str(e.value).startswith("by: the coverage report is broken down by kabupaten or kecamatan")


def test_unknown_branch_names_the_field_and_the_known_codes(kalteng: Engine) -> None:
    with kalteng.connect() as conn, pytest.raises(RuleInputError) as e:
        coverage_report(conn, NOV_15, branch="XYZ")
    assert str(e.value) == "branch: a branch code from table branch (got 'XYZ'; known: PLK, SPT)"


def test_a_synthetic_branch_compares_with_a_scaled_population(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            "VALUES (202311, '62.71.01', 'pbpu', '62.71', 3208, 2200)"
        )
    with engine.connect() as conn:
        report = coverage_report(conn, NOV_15, population_scale=Fraction(1, 100))
        with pytest.raises(RuleInputError, match=r"^population_scale: an exact fraction greater than 0"):
            coverage_report(conn, NOV_15, population_scale=Fraction(3, 2))
    plk = report.find(kabkota_code="62.71")
    assert plk["population"] == 3_152  # 3,151.53 rounded half up
    assert plk["coverage"] == Ratio(320_800, 315_153)  # exact: 3,208 ÷ (315,153 × 1/100)
    assert pct(plk["coverage"]) == "101,79%"
    assert report.facts[1].key == "population_scale"
    assert "Skala penduduk: 1,00%" in render(report, "table")
    assert json.loads(render(report, "json"))["summary"] == {"coverage_target": "0.9800", "population_scale": "0.0100"}


# A release older than the packaged one, for the tests: Kota Palangkaraya and Kabupaten Katingan only.
SEMESTER_I_2023 = "Dukcapil semester I 2023 (test)"


def _add_release(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sql("INSERT INTO population_release (source, semester, as_of) VALUES (:s, 'semester I 2023', :d)"),
            {"s": SEMESTER_I_2023, "d": dt.date(2023, 6, 30)},
        )
        conn.execute(
            sql(
                "INSERT INTO population (code, name, male, female, total, source) VALUES "
                "('62.71', 'Kota Palangkaraya', 150000, 150000, 300000, :s), "
                "('62.06', 'Kabupaten Katingan', 90000, 90000, 180000, :s)"
            ),
            {"s": SEMESTER_I_2023},
        )


def test_the_population_is_the_release_for_the_report_date(kalteng: Engine) -> None:
    _add_release(kalteng)
    with kalteng.connect() as conn:
        november = coverage_report(conn, NOV_15)
        october = coverage_report(conn, dt.date(2023, 10, 31))
        later = coverage_report(conn, dt.date(2025, 1, 1))
    # 15 Nov 2023: semester I 2023 (30 June 2023) is the latest at or before it.
    plk = november.find(kabkota_code="62.71")
    assert (plk["population"], plk["coverage"]) == (300_000, Ratio(320_826, 300_000))
    assert november.find(kabkota_code="62.02")["population"] is None  # not in that release
    assert f"Penduduk: {SEMESTER_I_2023}, posisi 30 Jun 2023." in november.notes
    assert not any(n.startswith("Belum ada data penduduk") for n in november.notes)
    # 1 Jan 2025: semester II 2024 is out.
    assert later.find(kabkota_code="62.71")["population"] == 315_153
    assert "Penduduk: Dukcapil semester II 2024 via cahyadsn/wilayah (MIT), posisi 31 Des 2024." in later.notes
    # 31 Oct 2023 is after 30 June 2023 too.
    assert october.find(kabkota_code="62.71")["population"] == 300_000


def test_before_every_release_the_earliest_is_used_with_a_note(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            "VALUES (202301, '62.71.01', 'pbpu', '62.71', 300000, 200000)"
        )
    _add_release(engine)
    with engine.connect() as conn:
        report = coverage_report(conn, dt.date(2023, 1, 1))
    assert report.find(kabkota_code="62.71")["population"] == 300_000
    assert (
        "Belum ada data penduduk yang terbit untuk 1 Jan 2023: dipakai data paling awal yang tersedia "
        "(semester I 2023)."
    ) in report.notes


def test_a_synthetic_branch_is_compared_at_the_scale_it_was_built_at(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            "VALUES (202311, '62.71.01', 'pbpu', '62.71', 3208, 2200)"
        )
        conn.execute(
            sql(
                "INSERT INTO synth_run (scenario, scale, seed, opening_month, scenario_month, persons, created_at) "
                "VALUES ('kalteng-2023', 0.01, 1, 202308, 202311, 3208, :t)"
            ),
            {"t": dt.datetime(2023, 8, 1)},
        )
    with engine.connect() as conn:
        built = coverage_report(conn, NOV_15)
        unscaled = coverage_report(conn, NOV_15, population_scale=Fraction(1))
    plk = built.find(kabkota_code="62.71")
    assert (plk["population"], plk["coverage"]) == (3_152, Ratio(320_800, 315_153))  # 101,79%, not 1,02%
    assert json.loads(render(built, "json"))["summary"]["population_scale"] == "0.0100"
    assert any("skala cabang saat dibuat `iuran synth`" in n for n in built.notes)
    # An explicit scale wins.
    assert unscaled.find(kabkota_code="62.71")["population"] == 315_153
    assert [f.key for f in unscaled.facts] == ["coverage_target"]


def test_a_real_branch_has_scale_1(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = coverage_report(conn, NOV_15)
    assert [f.key for f in report.facts] == ["coverage_target"]
    assert report.find(kabkota_code="62.71")["population"] == 315_153
