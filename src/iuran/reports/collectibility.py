"""Kolektibilitas (collection rate): collected ÷ billed, per month, for the 12 months up to month(as_of).

- billed: Σ charge.amount of the month, kinds `contribution`, `subsidy_central`, `subsidy_pemda` (not `opening`,
  the migrated arrears), less reversals recorded on or before as_of. Write-offs are not deducted: a month written
  off at reactivation was billed and not collected.
- collected: Σ allocation.amount to those charges, allocated on or before as_of (a negative allocation, money
  released after a reversal, counts against it).
- cash: Σ payment.amount paid in the month, up to the end of as_of, whatever months it settled.

`--by segment` breaks each month down by the payer (the account's kind), which is who is billed and who pays:
family (PBPU/BP), employer (PPU), central government (PBI APBN and the central Kelas III share), Pemda (PBI APBD
and the Pemda's Kelas III share). `--branch` keeps the accounts whose kabupaten/kota is in the branch; the central
government's account has none and is left out.

Cost: each figure is one GROUP BY month over an index range, never per-row Python. The month totals read every
charge, allocation and payment of the window once (~400k of each a month at full scale), so they want covering
indexes (a migration after 0001; SQLite: the same columns without INCLUDE):
    CREATE INDEX charge_kind_month ON charge (kind, month) INCLUDE (amount, account_id);
    CREATE INDEX allocation_month ON allocation (month, allocated_on) INCLUDE (amount, account_id);
    CREATE INDEX payment_paid_at_amount ON payment (paid_at) INCLUDE (amount, account_id);
The payer breakdown reads only the few non-family accounts (employers, governments) through the existing indexes
on charge (account_id, month, kind) and payment (account_id, paid_at); families are the month total less them.
A branch reads its own accounts that way when it holds at most half of them, else subtracts the other accounts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from iuran.db import months
from iuran.reports.model import Branch, Cell, Column, Fact, Kind, Report, Row, ratio
from iuran.reports.scope import as_int, check_by, in_branch, params, resolve_branch, snapshot_month
from iuran.rules.month import Month, month_range

BY = (None, "segment")
WINDOW = 12  # months shown, ending with month(as_of)

FAMILY = "family"
PAYERS = (FAMILY, "employer", "central_gov", "pemda")  # account.kind
PAYER_LABELS = {
    FAMILY: "Keluarga (PBPU/BP)",
    "employer": "Pemberi Kerja (PPU)",
    "central_gov": "Pemerintah Pusat (PBI APBN)",
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

_BILLED_KINDS = "c.kind IN ('contribution', 'subsidy_central', 'subsidy_pemda')"

# --- month totals of the whole ledger: index range scans over the window ---
_BILLED_SQL = f"""
SELECT c.month AS month, CAST(sum(c.amount) AS BIGINT) AS amount
FROM charge c
WHERE {_BILLED_KINDS} AND c.month BETWEEN :lo AND :hi
GROUP BY c.month
"""
_REVERSED_SQL = f"""
SELECT c.month AS month, CAST(sum(v.amount) AS BIGINT) AS amount
FROM reversal v JOIN charge c ON c.id = v.charge_id
WHERE {_BILLED_KINDS} AND c.month BETWEEN :lo AND :hi AND v.reversed_on <= :as_of
GROUP BY c.month
"""
# Allocations to the window's months (allocation.month is its charge's month) less those to `opening` charges:
# two index range scans instead of joining every allocation to its charge.
_ALLOCATED_SQL = """
SELECT l.month AS month, CAST(sum(l.amount) AS BIGINT) AS amount
FROM allocation l
WHERE l.month BETWEEN :lo AND :hi AND l.allocated_on <= :as_of
GROUP BY l.month
"""
_ALLOCATED_TO_OPENING_SQL = """
SELECT c.month AS month, CAST(sum(l.amount) AS BIGINT) AS amount
FROM charge c JOIN allocation l ON l.charge_id = c.id
WHERE c.kind = 'opening' AND c.month BETWEEN :lo AND :hi AND l.allocated_on <= :as_of
GROUP BY c.month
"""
# {months}: one row (month, lo, hi) per month of the window, so that each month is an index range of paid_at.
_CASH_SQL = """
SELECT m.month AS month, CAST(sum(p.amount) AS BIGINT) AS amount
FROM ({months}) m JOIN payment p ON p.paid_at >= m.lo AND p.paid_at < m.hi
GROUP BY m.month
"""

# --- a set of accounts ({accounts}: a condition on account a) by kind, reached through the account_id indexes
# of charge and payment: the cost follows the number of accounts, not the size of the ledger ---
_ACCOUNTS_BILLED_SQL = f"""
SELECT c.month AS month, a.kind AS kind, CAST(sum(c.amount) AS BIGINT) AS amount
FROM account a JOIN charge c ON c.account_id = a.id
WHERE {{accounts}} AND {_BILLED_KINDS} AND c.month BETWEEN :lo AND :hi
GROUP BY c.month, a.kind
"""
_ACCOUNTS_REVERSED_SQL = f"""
SELECT c.month AS month, a.kind AS kind, CAST(sum(v.amount) AS BIGINT) AS amount
FROM account a JOIN charge c ON c.account_id = a.id JOIN reversal v ON v.charge_id = c.id
WHERE {{accounts}} AND {_BILLED_KINDS} AND c.month BETWEEN :lo AND :hi AND v.reversed_on <= :as_of
GROUP BY c.month, a.kind
"""
_ACCOUNTS_COLLECTED_SQL = f"""
SELECT c.month AS month, a.kind AS kind, CAST(sum(l.amount) AS BIGINT) AS amount
FROM account a JOIN charge c ON c.account_id = a.id JOIN allocation l ON l.charge_id = c.id
WHERE {{accounts}} AND {_BILLED_KINDS} AND c.month BETWEEN :lo AND :hi AND l.allocated_on <= :as_of
GROUP BY c.month, a.kind
"""
_ACCOUNTS_CASH_SQL = """
SELECT m.month AS month, a.kind AS kind, CAST(sum(p.amount) AS BIGINT) AS amount
FROM account a JOIN payment p ON p.account_id = a.id JOIN ({months}) m ON p.paid_at >= m.lo AND p.paid_at < m.hi
WHERE {accounts} AND p.paid_at >= :first_day AND p.paid_at < :day_after
GROUP BY m.month, a.kind
"""
_NOT_FAMILY = "a.kind <> 'family'"

Key = tuple[int, str]  # (yyyymm, payer); payer "" in the month totals
Figures = dict[Key, int]


@dataclass(frozen=True)
class _Books:
    """Billed, collected and cash, each per (month, payer)."""

    billed: Figures
    collected: Figures
    cash: Figures

    def __sub__(self, other: _Books) -> _Books:
        return _Books(*(_minus(a, b) for a, b in zip(self.parts(), other.parts(), strict=True)))

    def parts(self) -> tuple[Figures, Figures, Figures]:
        return self.billed, self.collected, self.cash

    def per_month(self) -> _Books:
        return _Books(*(_collapse(f) for f in self.parts()))


def collectibility_report(conn: Connection, as_of: dt.date, by: str | None = None, branch: str | None = None) -> Report:
    """Billed, collected, collection rate and cash per month for the 12 months to month(as_of), with totals."""
    breakdown = check_by("collectibility", by, BY)
    scope = resolve_branch(conn, branch)
    position = snapshot_month(conn, as_of)
    last = Month.of(as_of)
    first = last - (WINDOW - 1)
    window = list(month_range(first, last))
    day_after = as_of + dt.timedelta(days=1)
    values = params(
        scope,
        lo=months.to_db(first),
        hi=months.to_db(last),
        as_of=as_of,
        first_day=first.first_day(),
        day_after=day_after,
    )
    month_rows = []
    for i, m in enumerate(window):
        values |= {f"m{i}": months.to_db(m), f"lo{i}": m.first_day(), f"hi{i}": min((m + 1).first_day(), day_after)}
        month_rows.append(f"SELECT :m{i} AS month, :lo{i} AS lo, :hi{i} AS hi")
    month_ranges = " UNION ALL ".join(month_rows)

    def run(template: str, accounts: str = "") -> Figures:
        query = template.format(months=month_ranges, accounts=accounts)
        return _by_key(conn.execute(text(query), values))

    def totals() -> _Books:
        billed = _minus(run(_BILLED_SQL), run(_REVERSED_SQL))
        return _Books(billed, _minus(run(_ALLOCATED_SQL), run(_ALLOCATED_TO_OPENING_SQL)), run(_CASH_SQL))

    def accounts(condition: str) -> _Books:
        billed = _minus(run(_ACCOUNTS_BILLED_SQL, condition), run(_ACCOUNTS_REVERSED_SQL, condition))
        return _Books(billed, run(_ACCOUNTS_COLLECTED_SQL, condition), run(_ACCOUNTS_CASH_SQL, condition))

    def by_payer() -> _Books:
        # Families are nearly every account: their figures are the month totals less the few other accounts.
        others = accounts(_NOT_FAMILY)
        return _Books(*(_with_families(t, o) for t, o in zip(totals().parts(), others.parts(), strict=True)))

    if scope is None:
        books = by_payer() if breakdown else totals()
    else:
        inside = in_branch("a.kabkota_code", scope)
        if _branch_is_the_smaller_part(conn, inside, values):
            books = accounts(inside)
        else:
            books = by_payer() - accounts(f"(a.kabkota_code IS NULL OR NOT {inside})")
        if not breakdown:
            books = books.per_month()

    rows: list[Row] = []
    for m in window:
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
            Fact("period_start", "Periode awal", Kind.MONTH, first),
            Fact("period_end", "Periode akhir", Kind.MONTH, last),
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


def _by_key(rows: Iterable[Any]) -> Figures:
    out: Figures = defaultdict(int)
    for r in rows:
        out[(as_int(r.month), getattr(r, "kind", ""))] += as_int(r.amount)
    return out


def _minus(a: Mapping[Key, int], b: Mapping[Key, int]) -> Figures:
    return {k: a.get(k, 0) - b.get(k, 0) for k in a.keys() | b.keys()}


def _with_families(totals: Figures, others: Figures) -> Figures:
    """Per (month, payer): the other accounts as summed, families the month's total less them."""
    out = dict(others)
    for (month, _), amount in totals.items():
        out[(month, FAMILY)] = amount - sum(v for (m, _kind), v in others.items() if m == month)
    return out


def _collapse(figures: Figures) -> Figures:
    out: Figures = defaultdict(int)
    for (month, _), amount in figures.items():
        out[(month, "")] += amount
    return out


def _row(month: Month, payer: str, billed: int, collected: int, cash: int) -> dict[str, Cell]:
    row: dict[str, Cell] = {"month": month}
    if payer:
        row |= {"payer": payer, "payer_label": PAYER_LABELS.get(payer, payer)}
    return row | {"billed": billed, "collected": collected, "rate": ratio(collected, billed), "cash": cash}


def _total(rows: Iterable[Row], key: str) -> int:
    return sum(as_int(r[key]) for r in rows)
