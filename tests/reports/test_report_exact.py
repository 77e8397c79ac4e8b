"""Reports carry exact values only: integers for money and counts, Ratios for ratios, never a float."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from iuran.reports import REPORTS, build_report, render
from iuran.reports import rendering as render_module
from iuran.reports.model import Ratio
from iuran.rules.month import Month

CASES = [
    ("coverage", None),
    ("coverage", "kecamatan"),
    ("activeness", None),
    ("activeness", "kabupaten"),
    ("arrears", None),
    ("arrears", "segment"),
    ("arrears", "kabupaten"),
    ("collectibility", None),
    ("collectibility", "segment"),
    ("credit", None),
]


def test_every_report_is_covered() -> None:
    assert {name for name, _ in CASES} == set(REPORTS)


def test_no_cell_is_a_float(kalteng: Engine) -> None:
    with kalteng.connect() as conn:
        reports = [build_report(conn, name, dt.date(2023, 11, 20), by=by) for name, by in CASES]
    for report in reports:
        for row in [*report.rows, *([report.total] if report.total else [])]:
            for key, value in row.cells.items():
                assert value is None or type(value) in (int, bool, str, Ratio, Month), (report.name, key, value)


def test_formatting_functions_never_receive_floats(kalteng: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, type]] = []

    def spy(name: str, original: Callable[[Any], str]) -> Callable[[Any], str]:
        def wrapped(value: Any) -> str:
            seen.append((name, type(value)))
            return original(value)

        return wrapped

    for name in ("format_rupiah", "format_count", "format_percent", "decimal_string"):
        monkeypatch.setattr(render_module, name, spy(name, getattr(render_module, name)))
    with kalteng.connect() as conn:
        for name, by in CASES:
            report = build_report(conn, name, dt.date(2023, 11, 20), by=by)
            for fmt in ("table", "json", "csv"):
                render(report, fmt)
    assert {n for n, _ in seen} == {"format_rupiah", "format_count", "format_percent", "decimal_string"}
    assert {t for n, t in seen if n in ("format_rupiah", "format_count")} == {int}
    assert {t for n, t in seen if n in ("format_percent", "decimal_string")} == {Ratio}
