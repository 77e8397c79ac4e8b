"""Kolektibilitas (collection rate): collected ÷ billed, per month, for the 12 months up to month(as_of).

The figures (billed, collected and cash: what each counts, and how they are read from the cycle's collection
snapshot and the ledger) are `iuran.billing.collection_figures`; this module lays them out as a report.

`--by segment` breaks each month down by the payer (the account's kind), which is who is billed and who pays:
family (PBPU/BP), employer (PPU), central government (PBI APBN and the central Kelas III share), Pemda (PBI APBD
and the Pemda's Kelas III share). `--branch` keeps the accounts whose kabupaten/kota is in the branch; the central
government's account has none and is left out. A branch reads its own accounts when it holds at most half of them,
else subtracts the other accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, text

from iuran.billing.collection_figures import FAMILY, PAYERS, CollectionFigures
from iuran.db import months
from iuran.db.values import as_int
from iuran.reports.model import Branch, Cell, Column, Fact, Kind, Report, Row, ratio
from iuran.reports.scope import check_by, in_branch, params, resolve_branch, snapshot_month
from iuran.rules.month import Month, month_range

BY = (None, "segment")

PAYER_LABELS = {
    FAMILY: "Keluarga (PBPU/BP)",
    "employer": "Pemberi Kerja (PPU)",
    "central_gov": "Pemerintah Pusat (PBI APBN, BP Pensiunan, BP Veteran)",
    "pemda": "Pemda (PBI APBD)",
}

_MONTH_COLUMN = Column("month", "Bulan", Kind.MONTH)
_PAYER_COLUMNS = (Column("payer", None, Kind.TEXT), Column("payer_label", "Pembayar", Kind.TEXT))
_FIGURES = (
    Column("billed", "Tagihan", Kind.RUPIAH),
    Column("collected", "Terkumpul", Kind.RUPIAH),
    Column("rate", "Kolektibilitas", Kind.RATIO),
    Column("cash", "Penerimaan", Kind.RUPIAH),
)
_MONEY = ("billed", "collected", "cash")


def collectibility_report(conn: Connection, as_of: dt.date, by: str | None = None, branch: str | None = None) -> Report:
    """Billed, collected, collection rate and cash per month for the 12 months to month(as_of), with totals."""
    breakdown = check_by("collectibility", by, BY)
    scope = resolve_branch(conn, branch)
    position = snapshot_month(conn, as_of)
    values = params(scope)
    figures = CollectionFigures.of(conn, as_of, position, values)

    if scope is None:
        books = figures.by_payer() if breakdown else figures.totals()
    else:
        inside = in_branch("a.kabkota_code", scope)
        if _branch_is_the_smaller_part(conn, inside, values):
            books = figures.accounts(inside)
        else:
            books = figures.by_payer() - figures.accounts(f"(a.kabkota_code IS NULL OR NOT {inside})")
        if not breakdown:
            books = books.per_month()

    rows: list[Row] = []
    for m in month_range(figures.first, figures.last):
        key = months.to_db(m)
        payers = PAYERS if breakdown else ("",)
        detail = [Row(_row(m, p, *(f.get((key, p), 0) for f in books.parts()))) for p in payers]
        # A month or payer with nothing billed, collected or paid is left out (e.g. before the first cycle).
        detail = [r for r in detail if any(r[k] for k in _MONEY)]
        rows.extend(detail)
        if breakdown and detail:
            rows.append(Row(_row(m, "", *(_total(detail, k) for k in _MONEY)), subtotal=True))
    total = {k: _total((r for r in rows if not r.subtotal), k) for k in _MONEY}
    return Report(
        name="collectibility",
        title="Kolektibilitas Iuran per Bulan" + (" dan Pembayar" if breakdown else ""),
        as_of=as_of,
        position=position,
        by=breakdown,
        branch=scope,
        columns=(_MONTH_COLUMN, *(_PAYER_COLUMNS if breakdown else ()), *_FIGURES),
        rows=tuple(rows),
        total=Row({**total, "rate": ratio(total["collected"], total["billed"])}),
        facts=(
            Fact("period_start", "Periode awal", Kind.MONTH, figures.first),
            Fact("period_end", "Periode akhir", Kind.MONTH, figures.last),
        ),
        notes=_notes(scope),
    )


def _branch_is_the_smaller_part(conn: Connection, inside: str, values: Mapping[str, object]) -> bool:
    """Whether the branch has at most half the accounts: then its accounts are read, else the others subtracted."""
    row = conn.execute(
        text(f"SELECT count(*) AS n, sum(CASE WHEN {inside} THEN 1 ELSE 0 END) AS inside FROM account a"), values
    ).one()
    return 2 * as_int(row.inside) <= as_int(row.n)


def _notes(scope: Branch | None) -> tuple[str, ...]:
    notes = [
        "Dibukukan sampai tanggal laporan; bulan tanpa tagihan, alokasi atau penerimaan tidak ditampilkan.",
        "Tagihan = iuran dan bantuan iuran Kelas III bulan itu, dikurangi pembatalan (tanpa saldo awal migrasi).",
        "Terkumpul = pembayaran yang dialokasikan ke tagihan bulan itu; Kolektibilitas = terkumpul ÷ tagihan.",
        "Penerimaan = uang masuk pada bulan itu, untuk bulan mana pun.",
    ]
    if scope:
        notes.append(f"Cabang {scope.code}: akun di kabupaten/kota cabang; akun Pemerintah Pusat tidak termasuk.")
    return tuple(notes)


def _row(month: Month, payer: str, billed: int, collected: int, cash: int) -> dict[str, Cell]:
    row: dict[str, Cell] = {"month": month}
    if payer:
        row |= {"payer": payer, "payer_label": PAYER_LABELS.get(payer, payer)}
    return row | {"billed": billed, "collected": collected, "rate": ratio(collected, billed), "cash": cash}


def _total(rows: Iterable[Row], key: str) -> int:
    return sum(as_int(r[key]) for r in rows)
