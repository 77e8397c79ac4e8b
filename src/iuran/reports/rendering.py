"""A report as text: `table` for people (Bahasa Indonesia), `json` and `csv` for machines (English keys).

- table: title, the position (the cycle month's 1st day), facts, aligned columns, subtotal rows ("Jumlah"),
  the total row ("Total") and notes. Plain text, the same bytes on a terminal and in a pipe.
- json: one object: `report`, `title`, `as_of`, `snapshot_month`, `position_date`, `by`, `branch`, `summary`,
  `rows`, `subtotals` (each group's sum where a breakdown has them, else []), `total`, `notes`. Counts and Rupiah
  are integers; ratios are decimal strings with 4 decimals rounded half up ("0.9812", "1.0180"), null where
  undefined; flags true/false; months "2023-11".
- csv: a header row of the column keys, then the detail rows, plain numbers (ratios as in json, flags
  true/false, empty where undefined); no subtotal or total rows, so that columns can be summed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from iuran.reports.formatting import (
    DASH,
    decimal_string,
    format_count,
    format_date,
    format_flag,
    format_month,
    format_percent,
    format_rupiah,
)
from iuran.reports.model import Cell, Column, Kind, Ratio, Report, Row
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month

FORMATS = ("table", "json", "csv")


def check_format(fmt: str) -> str:
    value = fmt.strip().lower()
    if value not in FORMATS:
        raise RuleInputError("format", "one of " + ", ".join(FORMATS), f"got {fmt!r}")
    return value


def render(report: Report, fmt: str = "table") -> str:
    """The report as text in the format asked for, ending with a newline."""
    fmt = check_format(fmt)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    return render_table(report)


# --- table ---


def render_table(report: Report) -> str:
    position = report.position
    lines = [
        report.title,
        f"Posisi {format_date(position.first_day())} (siklus {format_month(position)}), "
        f"tanggal laporan {format_date(report.as_of)}",
    ]
    if report.branch:
        lines.append(
            f"Cabang {report.branch.code} {report.branch.name}: {len(report.branch.kabkota_codes)} kabupaten/kota"
        )
    lines += [f"{f.label}: {_table_cell(f.kind, f.value)}" for f in report.facts]
    lines.append("")

    columns = [c for c in report.columns if c.header is not None]
    body = [[_table_value(c, row) for c in columns] for row in report.rows]
    body = [_label_subtotal(columns, row, cells) for row, cells in zip(report.rows, body, strict=True)]
    total = _label_total(columns, [_table_value(c, report.total) for c in columns]) if report.total else None
    widths = [
        max(len(str(c.header)), *(len(r[i]) for r in [*body, *([total] if total else [])]))
        for i, c in enumerate(columns)
    ]
    rule = "  ".join("-" * w for w in widths)
    lines.append(_line(columns, widths, [str(c.header) for c in columns]))
    lines.append(rule)
    lines += [_line(columns, widths, cells) for cells in body]
    if total:
        lines.append(rule)
        lines.append(_line(columns, widths, total))
    if report.notes:
        lines += ["", "Catatan:", *(f"- {n}" for n in report.notes)]
    return "\n".join(lines) + "\n"


def _table_value(column: Column, row: Row) -> str:
    if column.key not in row.cells:
        return ""  # a label the total or a subtotal does not have
    return _table_cell(column.kind, row[column.key])


def _table_cell(kind: Kind, value: Cell) -> str:
    if value is None:
        return DASH
    if kind is Kind.COUNT:
        return format_count(_int(value))
    if kind is Kind.RUPIAH:
        return format_rupiah(_int(value))
    if kind is Kind.RATIO:
        return format_percent(_ratio(value))
    if kind is Kind.FLAG:
        return format_flag(_flag(value))
    if kind is Kind.MONTH:
        return format_month(_month(value))
    return str(value)


def _label_subtotal(columns: Sequence[Column], row: Row, cells: list[str]) -> list[str]:
    return _label(columns, cells, "Jumlah") if row.subtotal else cells


def _label_total(columns: Sequence[Column], cells: list[str]) -> list[str]:
    return _label(columns, cells, "Total")


def _label(columns: Sequence[Column], cells: list[str], label: str) -> list[str]:
    """Put the label in the first empty text column."""
    for i, c in enumerate(columns):
        if c.kind in (Kind.TEXT, Kind.MONTH) and cells[i] == "":
            return [*cells[:i], label, *cells[i + 1 :]]
    return cells


def _line(columns: Sequence[Column], widths: Sequence[int], cells: Sequence[str]) -> str:
    parts = [
        cell.ljust(w) if c.kind in (Kind.TEXT, Kind.MONTH) else cell.rjust(w)
        for c, w, cell in zip(columns, widths, cells, strict=True)
    ]
    return "  ".join(parts).rstrip()


# --- json and csv ---


def render_json(report: Report) -> str:
    doc: dict[str, Any] = {
        "report": report.name,
        "title": report.title,
        "as_of": report.as_of.isoformat(),
        "snapshot_month": str(report.position),
        "position_date": report.position.first_day().isoformat(),
        "by": report.by,
        "branch": (
            {"code": report.branch.code, "name": report.branch.name, "kabkota_codes": list(report.branch.kabkota_codes)}
            if report.branch
            else None
        ),
        "summary": {f.key: _json_cell(f.kind, f.value) for f in report.facts},
        "rows": [_json_row(report.columns, r, complete=True) for r in report.detail_rows()],
    }
    doc["subtotals"] = [_json_row(report.columns, r) for r in report.subtotal_rows()]
    doc["total"] = _json_row(report.columns, report.total) if report.total else None
    doc["notes"] = list(report.notes)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _json_row(columns: Sequence[Column], row: Row, complete: bool = False) -> dict[str, Any]:
    return {c.key: _json_cell(c.kind, row.cells.get(c.key)) for c in columns if complete or c.key in row.cells}


def _json_cell(kind: Kind, value: Cell) -> Any:
    if value is None:
        return None
    if kind in (Kind.COUNT, Kind.RUPIAH):
        return _int(value)
    if kind is Kind.RATIO:
        return decimal_string(_ratio(value))
    if kind is Kind.FLAG:
        return _flag(value)
    if kind is Kind.MONTH:
        return str(_month(value))
    return str(value)


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in report.columns])
    for row in report.detail_rows():
        writer.writerow([_csv_cell(c.kind, row.cells.get(c.key)) for c in report.columns])
    return out.getvalue()


def _csv_cell(kind: Kind, value: Cell) -> str:
    cell = _json_cell(kind, value)
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


# --- cell types: a report is built from exact values only ---


def _int(value: Cell) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer cell, got {value!r}")
    return value


def _ratio(value: Cell) -> Ratio:
    if not isinstance(value, Ratio):
        raise TypeError(f"expected a Ratio cell, got {value!r}")
    return value


def _flag(value: Cell) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a flag cell, got {value!r}")
    return value


def _month(value: Cell) -> Month:
    if not isinstance(value, Month):
        raise TypeError(f"expected a Month cell, got {value!r}")
    return value
