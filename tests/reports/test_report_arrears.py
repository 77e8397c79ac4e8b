"""Tunggakan per aging bucket (1, 2, 3, 4-6, 7-12, 13-24, >24 months), overall and per segment or kabupaten/kota."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine

from iuran.reports import arrears_report, render

NOV_15 = dt.date(2023, 11, 15)


def test_every_bucket_in_order_with_totals(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = arrears_report(conn, NOV_15)
    assert [(r["bucket"], r["accounts"], r["persons"], r["amount"]) for r in report.rows] == [
        ("1", 1_213, 8_500, 401_434_567),
        ("2", 100, 150, 30_000_000),
        ("3", 0, 0, 0),
        ("4-6", 800, 2_000, 420_000_000),
        ("7-12", 0, 0, 0),
        ("13-24", 300, 900, 567_000_000),
        (">24", 500, 1_400, 1_764_000_000),
    ]
    assert report.total is not None
    assert dict(report.total.cells) == {"accounts": 2_913, "persons": 12_950, "amount": 3_182_434_567}


def test_arrears_table_writes_rupiah_the_indonesian_way(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        lines = render(arrears_report(conn, NOV_15), "table").splitlines()
    assert lines[0] == "Tunggakan Iuran menurut Lama Tunggakan"
    assert lines[3].split() == ["Lama", "Tunggakan", "Akun", "Peserta", "Tunggakan"]
    assert lines[5].split() == ["1", "bulan", "1.213", "8.500", "Rp401.434.567"]
    assert lines[11].split() == [">", "24", "bulan", "500", "1.400", "Rp1.764.000.000"]
    assert lines[13].split() == ["Total", "2.913", "12.950", "Rp3.182.434.567"]


def test_arrears_per_segment_with_subtotals(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = arrears_report(conn, NOV_15, by="segment")
    pbpu = [r for r in report.rows if r["segment"] == "pbpu"]
    assert [(r["bucket"] if not r.subtotal else "Σ", r["amount"]) for r in pbpu] == [
        ("1", 130_200_000),
        ("4-6", 420_000_000),
        ("13-24", 567_000_000),
        (">24", 1_764_000_000),
        ("Σ", 2_881_200_000),
    ]
    assert [r["segment"] for r in report.subtotal_rows()] == ["pbi-apbd", "ppu-bu", "pbpu", "bp"]
    text = render(report, "table")
    assert "PPU BU    1 bulan            12      400     Rp61.234.567" in text
    assert "PBPU      Jumlah          2.800    7.400  Rp2.881.200.000" in text
    doc = json.loads(render(report, "json"))
    assert len(doc["rows"]) == 7 and len(doc["subtotals"]) == 4
    assert doc["rows"][1] == {
        "segment": "ppu-bu",
        "segment_label": "PPU BU",
        "bucket": "1",
        "bucket_label": "1 bulan",
        "accounts": 12,
        "persons": 400,
        "amount": 61_234_567,
    }
    assert doc["total"] == {"accounts": 2_913, "persons": 12_950, "amount": 3_182_434_567}


def test_arrears_per_kabupaten_for_a_branch(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = arrears_report(conn, NOV_15, by="kabupaten", branch="PLK")
    assert {r["kabkota_code"] for r in report.rows} == {"62.06", "62.71"}
    assert [(r["kabkota_name"], r["amount"]) for r in report.subtotal_rows()] == [
        ("Kabupaten Katingan", 628_234_567),
        ("Kota Palangkaraya", 2_344_200_000),
    ]
    assert report.total is not None and report.total["amount"] == 2_972_434_567
    lines = render(report, "csv").splitlines()
    assert lines[0] == "kabkota_code,kabkota_name,bucket,bucket_label,accounts,persons,amount"
    assert lines[1] == "62.06,Kabupaten Katingan,1,1 bulan,12,400,61234567"
    assert len(lines) == 7  # detail rows only


def test_arrears_read_the_month_of_as_of(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        october = arrears_report(conn, dt.date(2023, 10, 1))
    assert october.total is not None
    assert dict(october.total.cells) == {"accounts": 7, "persons": 20, "amount": 840_000}


def test_a_month_without_arrears_shows_zero_buckets(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            "VALUES (202401, '62.71.01', 'pbpu', '62.71', 10, 10)"
        )
    with engine.connect() as conn:
        report = arrears_report(conn, dt.date(2024, 1, 31))
    assert [r["amount"] for r in report.rows] == [0] * 7
    total = next(x for x in render(report, "table").splitlines() if x.startswith("Total"))
    assert total.split() == ["Total", "0", "0", "Rp0"]


def test_accounts_without_a_kabupaten_are_named(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO snapshot_coverage (month, kecamatan_code, segment, kabkota_code, registered, active) "
            "VALUES (202401, '62.71.01', 'pbi-apbn', '62.71', 10, 0)"
        )
        # The cycle ages the central government's account, which has no kabupaten/kota, under ''.
        conn.exec_driver_sql(
            "INSERT INTO snapshot_arrears (month, kabkota_code, segment, bucket, accounts, persons, amount) "
            "VALUES (202401, '', 'pbi-apbn', '1', 1, 10, 420000)"
        )
    with engine.connect() as conn:
        report = arrears_report(conn, dt.date(2024, 1, 1), by="kabupaten")
    assert report.rows[0]["kabkota_name"] == "(tanpa kabupaten/kota)"
    assert report.total is not None and report.total["amount"] == 420_000
