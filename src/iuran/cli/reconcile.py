"""`iuran reconcile`: a bank's statement against the books; exit 1 when they disagree."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt, NowOpt, unit_of_work
from iuran.rules.errors import RuleInputError
from iuran.services.reconcile import FORMATS, Reconciliation, reconcile_statement

REPORTS = ("table", "json", "csv")
KINDS = ("matched", "missing_in_books", "missing_at_bank", "amount_mismatch")
_LABELS = {
    "matched": "cocok",
    "missing_in_books": "tidak ada di pembukuan",
    "missing_at_bank": "tidak ada di rekening koran",
    "amount_mismatch": "nominal berbeda",
}


def reconcile(
    file: Annotated[Path, typer.Argument(help="The bank's statement.")],
    fmt: Annotated[str, typer.Option("--format", help="mt940 or camt053.")] = "mt940",
    partner: Annotated[
        str | None, typer.Option("--partner", help="A SNAP partner's client id: its statement names paymentRequestIds.")
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Or the payments' channel: the statement names their references.")
    ] = None,
    report: Annotated[str, typer.Option("--report", help="table (for people), json or csv.")] = "table",
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Match a statement's credits with the payments posted: matched, missing in the books, missing at the bank,
    amounts that differ, and the Rupiah per day. Importing the statement again changes nothing."""
    if report not in REPORTS:
        raise RuleInputError("report", "table, json or csv", f"got {report!r}")
    if fmt not in FORMATS:
        raise RuleInputError("format", "a statement is mt940 or camt053", f"got {fmt!r}")
    with unit_of_work(database, now=now) as uow:
        result = reconcile_statement(uow, file, fmt, partner=partner, channel=channel)
    if report == "json":
        emit(as_json(result))
    else:
        sys.stdout.write(as_csv(result) if report == "csv" else as_table(result))
    if not result.reconciled:
        raise typer.Exit(1)


def as_json(r: Reconciliation) -> dict[str, Any]:
    s = r.statement
    return {
        "statement": {
            "id": s.id,
            "file": s.filename,
            "format": s.format,
            "channel": s.channel,
            "first_day": s.first_day.isoformat() if s.first_day else None,
            "last_day": s.last_day.isoformat() if s.last_day else None,
            "lines": s.lines,
            "imported_before": not s.new,
        },
        "reconciled": r.reconciled,
        **{k: {"count": getattr(r, k).count, "amount": getattr(r, k).amount} for k in KINDS},
        "days": [
            {
                "day": d.day.isoformat(),
                "channel": s.channel,
                "bank": d.bank,
                "books": d.books,
                "difference": d.bank - d.books,
            }
            for d in r.days
        ],
        "discrepancies": [
            {
                "kind": x.kind,
                "reference": x.reference,
                "day": x.day.isoformat(),
                "bank_amount": x.bank_amount,
                "books_amount": x.books_amount,
                "line": x.line_no,
                "payment_id": x.payment_id,
            }
            for x in r.discrepancies
        ],
    }


def as_csv(r: Reconciliation) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "day", "channel", "reference", "bank_amount", "books_amount", "line", "payment_id"])
    for d in r.days:
        w.writerow(["day", d.day.isoformat(), r.statement.channel, "", d.bank, d.books, "", ""])
    for x in r.discrepancies:
        w.writerow([x.kind, x.day.isoformat(), r.statement.channel, x.reference, x.bank_amount, x.books_amount,
                    x.line_no, x.payment_id])  # fmt: skip
    return out.getvalue()


def _rupiah(n: int) -> str:
    return "Rp" + f"{n:,}".replace(",", ".")


def as_table(r: Reconciliation) -> str:
    s = r.statement
    lines = [
        f"Rekonsiliasi rekening koran {s.filename} ({s.format}, {s.lines} baris, kanal {s.channel},"
        f" {s.first_day} s.d. {s.last_day}){' — sudah diimpor sebelumnya' if not s.new else ''}",
        "",
    ]
    for k in KINDS:
        t = getattr(r, k)
        lines.append(f"  {_LABELS[k]:<30} {t.count:>9}  {_rupiah(t.amount):>20}")
    lines += ["", f"  {'tanggal':<12} {'bank':>20} {'pembukuan':>20} {'selisih':>20}"]
    for d in r.days:
        lines.append(
            f"  {d.day.isoformat():<12} {_rupiah(d.bank):>20} {_rupiah(d.books):>20} {_rupiah(d.bank - d.books):>20}"
        )
    if r.discrepancies:
        lines += ["", "  Selisih (20 pertama):"]
        for x in r.discrepancies[:20]:
            bank = _rupiah(x.bank_amount) if x.bank_amount is not None else "-"
            books = _rupiah(x.books_amount) if x.books_amount is not None else "-"
            lines.append(f"  {_LABELS[x.kind]:<30} {x.day} {x.reference:<40} bank {bank:>16}  pembukuan {books:>16}")
    lines += ["", "  COCOK" if r.reconciled else "  TIDAK COCOK", ""]
    return "\n".join(lines)
