"""Kolektibilitas: billed, collected and cash per month from the ledger, as of a day (see conftest's ledger)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine

from iuran.reports import Report, collectibility_report, render
from iuran.reports.formatting import format_percent
from iuran.reports.model import Cell, Ratio, Row
from iuran.rules.errors import RuleInputError

NOV_20 = dt.date(2023, 11, 20)


def pct(value: Cell) -> str:
    """A ratio cell as the table writes it."""
    assert value is None or isinstance(value, Ratio)
    return format_percent(value)


def _figures(report: Report) -> list[tuple[str, Cell, Cell, Cell]]:
    return [(str(r["month"]), r["billed"], r["collected"], r["cash"]) for r in report.detail_rows()]


def test_billed_collected_and_cash_per_month(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = collectibility_report(conn, NOV_20)
    assert (report.facts[0].value, report.facts[1].value) == (report.position - 11, report.position)
    assert _figures(report) == [
        # the opening charge of Sep 2023 and its payment are migrated arrears: left out
        ("2023-09", 126_000, 126_000, 126_000),
        # the reversal of 5 Dec 2023 is after as_of: October is still billed in full
        ("2023-10", 426_000, 426_000, 252_000),
        # Nov: 150,000 reversed on 10 Nov (and its money released); the Pemda paid on the 25th, after as_of
        ("2023-11", 52_518_000, 46_918_000, 47_494_000),
    ]
    assert pct(report.rows[2]["rate"]) == "89,34%"
    assert report.total is not None
    assert dict(report.total.cells) == {
        "billed": 53_070_000,
        "collected": 47_470_000,
        "cash": 47_872_000,
        "rate": report.total["rate"],
    }
    assert pct(report.total["rate"]) == "89,45%"


def test_a_later_as_of_sees_later_postings(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = collectibility_report(conn, dt.date(2023, 12, 31))
    assert str(report.position) == "2023-11"  # no December cycle: the snapshot stays November
    assert _figures(report) == [
        ("2023-09", 126_000, 126_000, 126_000),
        ("2023-10", 276_000, 426_000, 252_000),  # the December reversal now nets October's bill
        ("2023-11", 52_518_000, 51_118_000, 51_694_000),  # the Pemda's payment of 25 Nov
        ("2023-12", 126_000, 0, 0),
    ]


def test_window_is_the_twelve_months_to_as_of(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = collectibility_report(conn, dt.date(2024, 9, 30))
    # Oct 2023 onwards is in the window; Sep 2023 (13 months back) and the Oct 2022 charge are not.
    assert [str(r["month"]) for r in report.rows] == ["2023-10", "2023-11", "2023-12"]


def test_collectibility_by_payer_for_a_branch(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = collectibility_report(conn, NOV_20, by="segment", branch="PLK")
    november = [r for r in report.rows if str(r["month"]) == "2023-11"]
    assert [(r.cells.get("payer"), r["billed"], r["collected"], r["cash"]) for r in november] == [
        ("family", 276_000, 276_000, 852_000),
        ("employer", 2_500_000, 2_500_000, 2_500_000),
        ("pemda", 5_600_000, 0, 0),
        (None, 8_376_000, 2_776_000, 3_352_000),  # the month's subtotal
    ]
    assert november[3].subtotal
    assert pct(november[2]["rate"]) == "0,00%"
    text = render(report, "table")
    assert "Nov 2023  Pemda (PBI APBD)     Rp5.600.000          Rp0           0,00%          Rp0" in text
    assert "akun Pemerintah Pusat tidak termasuk" in text


def test_collectibility_by_payer_sums_to_the_months(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        plain = collectibility_report(conn, NOV_20)
        by_payer = collectibility_report(conn, NOV_20, by="segment")
    assert [dict(r.cells) for r in plain.rows] == [
        {k: v for k, v in r.cells.items() if k not in ("payer", "payer_label")} for r in by_payer.subtotal_rows()
    ]
    central = by_payer.find(payer="central_gov")
    assert (central["billed"], central["collected"], central["cash"]) == (44_100_000, 44_100_000, 44_100_000)


def test_collectibility_json_and_csv(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        report = collectibility_report(conn, NOV_20)
    doc = json.loads(render(report, "json"))
    assert doc["summary"] == {"period_start": "2022-12", "period_end": "2023-11"}
    assert doc["rows"][2] == {
        "month": "2023-11",
        "billed": 52_518_000,
        "collected": 46_918_000,
        "rate": "0.8934",
        "cash": 47_494_000,
    }
    assert doc["subtotals"] == []
    lines = render(report, "csv").splitlines()
    assert lines == [
        "month,billed,collected,rate,cash",
        "2023-09,126000,126000,1.0000,126000",
        "2023-10,426000,426000,1.0000,252000",
        "2023-11,52518000,46918000,0.8934,47494000",
    ]


def test_collectibility_table(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        lines = render(collectibility_report(conn, NOV_20), "table").splitlines()
    assert lines[0] == "Kolektibilitas Iuran per Bulan"
    assert "Periode awal: Des 2022" in lines and "Periode akhir: Nov 2023" in lines
    header = next(x for x in lines if x.startswith("Bulan"))
    assert header.split() == ["Bulan", "Tagihan", "Terkumpul", "Kolektibilitas", "Penerimaan"]
    assert next(x for x in lines if x.startswith("Nov 2023")).split() == [
        "Nov",
        "2023",
        "Rp52.518.000",
        "Rp46.918.000",
        "89,34%",
        "Rp47.494.000",
    ]


def test_collectibility_needs_a_cycle_and_knows_its_breakdowns(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        with pytest.raises(RuleInputError, match=r"^as_of: .*no cycle has run for 2023-09"):
            collectibility_report(conn, dt.date(2023, 9, 30))
        with pytest.raises(RuleInputError, match=r"^by: the collectibility report is broken down by segment"):
            collectibility_report(conn, NOV_20, by="kabupaten")


@pytest.mark.parametrize("by", [None, "segment"])
def test_a_small_branch_reads_its_own_accounts(kalteng: Engine, by: str | None) -> None:
    # SPT holds 1 of the 6 accounts (PLK holds 4: its figures are the whole ledger less the others).
    with kalteng.connect() as conn:
        report = collectibility_report(conn, NOV_20, by=by, branch="SPT")
    assert [(r.cells.get("payer"), *_figures_of(r)) for r in report.rows] == [
        ("family" if by else None, "2023-11", 42_000, 42_000, 42_000),
        *([(None, "2023-11", 42_000, 42_000, 42_000)] if by else []),
    ]


def _figures_of(r: Row) -> tuple[str, Cell, Cell, Cell]:
    return str(r["month"]), r["billed"], r["collected"], r["cash"]
