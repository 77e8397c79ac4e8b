"""`iuran rules`: the rule data in force on a day, each entry with its legal basis (described in docs/rules.md).

`--format json` (the default, for machines): `on` and `tables`, one object per table of the rulebook with
`in_force`, `key` (the field a keyed table has one entry per value of, else null), `dated` (false for the single
tables), `entries` (the entries in force with every field, among them `effective` and `basis`; [] when the table
is not in force yet) and `next_effective` (the next date an entry takes effect, or null).
`--format table`: the same for people, with Bahasa Indonesia headings.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date
from iuran.rules.errors import RuleInputError
from iuran.rules.rulebook import default_rulebook
from iuran.services.rules import Entry, TableInForce, rules_in_force

app = typer.Typer(help="The rule data in force on a day, with its legal basis.", no_args_is_help=True)

FORMATS = ("json", "table")

# Heading of each table for people, and the section of docs/rules.md that describes it.
TITLES: dict[str, tuple[str, str]] = {
    "pbpu_rate": ("Iuran PBPU dan BP per orang per bulan (Rupiah)", "§3"),
    "pbi_rate": ("Iuran PBI per orang per bulan (Rupiah)", "§3"),
    "ppu_rate": ("Iuran PPU: bagian pemberi kerja dan pekerja dari upah", "§3"),
    "ppu_wage_cap": ("Batas atas upah PPU (Rupiah)", "§3"),
    "ppu_extra_member": ("Anggota keluarga tambahan PPU", "§2, §3"),
    "ppu_wage_floor": ("Batas bawah upah PPU", "§3"),
    "bp_pension_rate": ("Iuran BP penerima pensiun: bagian Pemerintah dan penerima pensiun dari pensiun", "§2, §3"),
    "bp_veteran_rate": ("Iuran BP veteran dan perintis kemerdekaan, dibayar Pemerintah", "§2, §3"),
    "due_date": ("Jatuh tempo iuran", "§4"),
    "suspension": ("Penonaktifan karena tunggakan", "§4"),
    "reactivation": ("Pengaktifan kembali: bulan tunggakan yang ditagih", "§4"),
    "payment_policy": ("Pembayaran yang diterima per jenis pembayar", "§4"),
    "late_fee": ("Denda keterlambatan iuran", "§4"),
    "service_penalty": ("Denda pelayanan rawat inap setelah aktif kembali", "§5"),
    "new_pbpu": ("Pendaftaran PBPU baru: pembayaran pertama", "§6"),
    "rehab": ("REHAB (Rencana Pembayaran Bertahap)", "§7"),
    "class_change": ("Perubahan kelas", "§9"),
    "status_change": ("Perubahan status: PHK, alih jenis, bayi baru lahir, mutasi", "§2, §9"),
    "virtual_account": ("Virtual account keluarga", "§2"),
    "jkn": ("Program JKN: tanggal mulai dan batas anggota satu akun keluarga", "§2"),
    "uhc_prioritas": ("UHC Prioritas (non cut off)", "§10"),
    "uhc_award": ("UHC Awards", "§10"),
    "coverage_target": ("Target cakupan nasional", "§10"),
}

# Fields where 0 means "no limit" or "none" in the rule data.
ZERO_MEANS = {
    "max_months_in_arrears": "tanpa batas (no cap)",
    "pension_cap": "tanpa batas (no cap)",
    "max_installments_ratio_den": "tanpa batas ini (no such limit)",
    "moved_min_months": "tidak berhak (not eligible)",
    "months_to_reactivate": "semua bulan yang ditagih (every billed month)",
}


@app.command("show")
def rules_show(
    on: Annotated[str, typer.Option("--on", help="The day, YYYY-MM-DD.")],
    fmt: Annotated[str, typer.Option("--format", help="json (for machines) or table (for people).")] = "json",
) -> None:
    """Every table of the rulebook as it stands on a day: the entry in force, its fields and its legal basis."""
    day = parse_date("on", on, jkn=False)
    fmt = _check_format(fmt)
    tables = rules_in_force(default_rulebook(), day)
    if fmt == "json":
        emit(as_json(day, tables))
    else:
        sys.stdout.write(render_table(day, tables))


def _check_format(fmt: str) -> str:
    value = fmt.strip().lower()
    if value not in FORMATS:
        raise RuleInputError("format", "one of " + ", ".join(FORMATS), f"got {fmt!r}")
    return value


def as_json(day: dt.date, tables: dict[str, TableInForce]) -> dict[str, object]:
    return {
        "on": day.isoformat(),
        "tables": {
            name: {
                "in_force": t.in_force,
                "key": t.key,
                "dated": t.dated,
                "entries": list(t.entries),
                "next_effective": t.next_effective,
            }
            for name, t in tables.items()
        },
    }


def render_table(day: dt.date, tables: dict[str, TableInForce]) -> str:
    """The tables for people: a heading per table, then each entry in force with its date, basis and fields."""
    lines = [f"Aturan yang berlaku pada {day.isoformat()} (rules in force on {day.isoformat()})", ""]
    for name, t in tables.items():
        title, section = TITLES.get(name, (name, ""))
        lines.append(f"{title}  [{name}]" + (f"  docs/rules.md {section}" if section else ""))
        if not t.in_force:
            first = t.next_effective.isoformat() if t.next_effective else "-"
            lines.append(f"  tidak berlaku (not in force): entri pertama berlaku {first}")
        for entry in t.entries:
            lines.extend(_entry_lines(entry, t.key))
        if t.in_force and t.next_effective is not None:
            lines.append(f"  perubahan berikutnya (next change): {t.next_effective.isoformat()}")
        lines.append("")
    return "\n".join(lines)


def _entry_lines(entry: Entry, key: str | None) -> list[str]:
    head = []
    if key is not None:
        head.append(f"{key} {entry[key]}")
    if "effective" in entry:
        head.append(f"berlaku sejak {_value('effective', entry['effective'])}")
    lines = ["  " + " · ".join(head)] if head else []
    lines.append(f"    dasar hukum (basis): {entry.get('basis', '-')}")
    shown = [k for k in entry if k not in ("effective", "basis", key)]
    width = max((len(k) for k in shown), default=0)
    lines.extend(f"    {k.ljust(width)}  {_value(k, entry[k])}" for k in shown)
    return lines


def _value(field: str, value: object) -> str:
    """A value for people: dots between thousands, basis points also as a percentage, ya/tidak, lists joined."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        text = ("-" if value < 0 else "") + f"{abs(value):,}".replace(",", ".")
        if field.endswith("_bp"):
            whole, hundredths = divmod(abs(value), 100)
            text += f" bp ({'-' if value < 0 else ''}{whole},{hundredths:02d}%)"
        if value == 0 and field in ZERO_MEANS:
            text += f" = {ZERO_MEANS[field]}"
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)
