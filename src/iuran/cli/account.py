"""`iuran account show`: what a payer account owes on a day, and who it covers."""

from __future__ import annotations

from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date
from iuran.cli.common_db import DatabaseOpt, unit_of_work
from iuran.rules.errors import RuleInputError
from iuran.services.accounts import AccountKey, AccountView, show_account

app = typer.Typer(help="Payer accounts: what they owe and who they cover.", no_args_is_help=True)

FORMATS = ("json", "table")


@app.command("show")
def account_show(
    as_of: Annotated[str, typer.Option("--as-of", help="The day of the quote, YYYY-MM-DD.")],
    va: Annotated[str | None, typer.Option("--va", help="A family's virtual account (16 digits).")] = None,
    account: Annotated[str | None, typer.Option("--account", help="An account id.")] = None,
    nik: Annotated[str | None, typer.Option("--nik", help="A member's NIK (16 digits).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json (for machines) or table (for people).")] = "json",
    database: DatabaseOpt = None,
) -> None:
    """The account's status, the months it owes at the rate of each month, and the total to pay that day."""
    if fmt not in FORMATS:
        raise RuleInputError("format", "json or table", f"got {fmt!r}")
    on = parse_date("as_of", as_of)
    account_id = None
    if account is not None:
        if not (account.strip().isdigit() and account.strip().isascii()):
            raise RuleInputError("account", "an account id is a number", f"got {account!r}")
        account_id = int(account.strip())
    key = AccountKey(va=va, account_id=account_id, nik=nik)
    with unit_of_work(database, read_only=True) as uow:
        view = show_account(uow, key, on)
    if fmt == "json":
        emit(view_json(view))
    else:
        typer.echo(view_table(view))


def _status(view: AccountView) -> str:
    if view.account.kind == "family" and view.account.activated_on is None:
        return "new"
    return "active" if view.quote.active else "non-active"


def view_json(view: AccountView) -> dict[str, object]:
    a, q = view.account, view.quote
    active = _status(view) == "active"
    return {
        "account": a.id,
        "va": a.va,
        "kind": a.kind,
        "name": a.name,
        "segment": view.segment,
        "kelas": view.kelas,
        "as_of": q.on.isoformat(),
        "status": _status(view),
        "unpaid_since": str(q.unpaid_since) if q.unpaid_since else None,
        "settles": q.settles,
        "months": [{"month": str(m.month), "amount": m.amount} for m in q.months],
        "written_off": [{"month": str(m.month), "amount": m.amount} for m in q.written_off],
        "current_month": {"month": str(q.current_month.month), "amount": q.current_month.amount},
        "late_fee": q.late_fee,
        "deferred": [{"month": str(m.month), "amount": m.amount} for m in q.deferred],
        "total": q.total,
        "credit": view.credit,
        "members": [
            {
                "nik": m.nik,
                "name": m.name,
                "segment": m.segment,
                "kelas": m.kelas,
                "status": "deceased" if m.died_on else ("active" if active else "non-active"),
            }
            for m in view.members
        ],
    }


_STATUS_ID = {"active": "aktif", "non-active": "nonaktif", "new": "baru (menunggu pembayaran pertama)"}


def view_table(view: AccountView) -> str:
    """The quote for people, in Bahasa Indonesia."""
    a, q = view.account, view.quote

    def rp(n: int) -> str:
        return "Rp" + f"{n:,}".replace(",", ".")

    lines = [
        f"Akun {a.id} ({a.kind})" + (f", VA {a.va}" if a.va else ""),
        f"Segmen {view.segment or '-'}" + (f", kelas {view.kelas}" if view.kelas else ""),
        f"Status per {q.on.isoformat()}: {_STATUS_ID[_status(view)]}"
        + (f", menunggak sejak {q.unpaid_since}" if q.unpaid_since else ""),
        "",
        f"{'Bulan':<10}{'Iuran':>16}",
    ]
    lines += [f"{m.month!s:<10}{rp(m.amount):>16}" for m in q.months]
    lines.append(f"{q.current_month.month!s:<10}{rp(q.current_month.amount):>16}  (bulan berjalan)")
    if q.late_fee:
        lines.append(f"{'Denda':<10}{rp(q.late_fee):>16}  (denda keterlambatan)")
    lines += [f"{m.month!s:<10}{rp(m.amount):>16}  (dihapuskan saat membayar)" for m in q.written_off]
    lines.append(f"{'Total':<10}{rp(q.total):>16}")
    if q.deferred:
        lines.append(f"{'Ditunda':<10}{rp(sum(m.amount for m in q.deferred)):>16}  (sisa tunggakan, {len(q.deferred)}")
        lines[-1] += " bulan: tetap wajib dibayar, tidak menghalangi status aktif sampai jatuh temponya)"
    if view.credit:
        lines.append(f"{'Titipan':<10}{rp(view.credit):>16}  (dipakai untuk iuran bulan berikutnya)")
    lines += ["", "Anggota:"]
    lines += [f"  {m.nik}  {m.name}  {m.segment}" + (f" kelas {m.kelas}" if m.kelas else "") for m in view.members]
    return "\n".join(lines)
