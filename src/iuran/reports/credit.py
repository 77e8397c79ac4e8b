"""Titipan iuran (credit): money payments brought beyond what they settled, per payer account (issue 10).

A family may pay months ahead (the rule data's `months_ahead` for its payment policy), or pay again once settled;
a reversal may release a month it had paid. The coming cycles apply the credit to the account's new months
(`iuran.billing.credit`); what goes beyond the months it may pay ahead, or belongs to an account no longer billed,
is listed for refund. Reads `payment_credit` as the books stand (credit the cycles have applied since `as_of` is
not shown again), for the payments dated up to `as_of`; no personal data (account ids only).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text

from iuran.db import months
from iuran.reports.formatting import format_date
from iuran.reports.model import Cell, Column, Kind, Report, Row
from iuran.reports.scope import as_int, check_by, in_branch, params, resolve_branch
from iuran.rules.month import Month
from iuran.rules.payment_policy import months_ahead

BY = (None,)

_COLUMNS = (
    Column("account", "Akun", Kind.COUNT),
    Column("kind", "Jenis", Kind.TEXT),
    Column("kabkota_code", "Kab/Kota", Kind.TEXT),
    Column("credit", "Titipan", Kind.RUPIAH),
    Column("monthly", "Iuran per Bulan", Kind.RUPIAH),
    Column("months_covered", "Bulan Terbayar di Muka", Kind.COUNT),
    Column("months_ahead", "Batas Bulan di Muka", Kind.COUNT),
    Column("to_refund", "Dikembalikan", Kind.RUPIAH),
)

# Per account with credit: the credit of its payments dated up to :day, and its latest monthly bill up to :month.
_SQL = """
SELECT a.id AS account, a.kind, COALESCE(a.kabkota_code, '') AS kabkota_code, c.credit,
       COALESCE((SELECT m.amount FROM charge m WHERE m.account_id = a.id AND m.kind = 'contribution'
                 AND m.month <= :month ORDER BY m.month DESC LIMIT 1), 0) AS monthly
FROM (SELECT k.account_id, sum(k.amount) AS credit FROM payment_credit k JOIN payment p ON p.id = k.payment_id
      WHERE p.paid_at < :next_day GROUP BY k.account_id) c
JOIN account a ON a.id = c.account_id
WHERE {branch}
ORDER BY a.id
"""


def credit_report(conn: Connection, as_of: dt.date, by: str | None = None, branch: str | None = None) -> Report:
    """Every account holding credit, with the months it pays ahead and what is to be refunded."""
    check_by("credit", by, BY)
    scope = resolve_branch(conn, branch)
    month = Month.of(as_of)
    sql = _SQL.format(branch=in_branch("COALESCE(a.kabkota_code, '')", scope))
    values = params(scope, month=months.to_db(month), next_day=as_of + dt.timedelta(days=1))
    rows = []
    for r in conn.execute(text(sql), values):
        credit, monthly = as_int(r.credit), as_int(r.monthly)
        ahead = months_ahead(str(r.kind), as_of)
        kept = min(credit, ahead * monthly)  # an account no longer billed keeps none
        cells: dict[str, Cell] = {
            "account": int(r.account),
            "kind": str(r.kind),
            "kabkota_code": str(r.kabkota_code),
            "credit": credit,
            "monthly": monthly,
            "months_covered": credit // monthly if monthly else 0,
            "months_ahead": ahead,
            "to_refund": credit - kept,
        }
        rows.append(Row(cells))
    total = {k: sum(as_int(r[k]) for r in rows) for k in ("credit", "to_refund")}
    return Report(
        name="credit",
        title="Titipan Iuran (Kelebihan Bayar) per Akun",
        as_of=as_of,
        position=month,
        by=None,
        branch=scope,
        columns=_COLUMNS,
        rows=tuple(rows),
        total=Row(
            {
                "account": len(rows),
                "kind": "",
                "kabkota_code": "",
                "monthly": 0,
                "months_covered": 0,
                "months_ahead": 0,
                **total,
            }
        ),
        notes=(
            f"Titipan dari pembayaran sampai {format_date(as_of)}, sebagaimana tercatat sekarang: siklus bulanan "
            "memakainya untuk iuran bulan berikutnya bila mencukupi satu bulan penuh.",
            "Dikembalikan: titipan di atas batas bulan yang boleh dibayar di muka, atau akun yang tidak lagi ditagih.",
        ),
    )
