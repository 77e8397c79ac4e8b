"""`iuran payments`: payments from banks and payment points: a bank's file, or one payment at the counter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_rupiah
from iuran.cli.common_db import DatabaseOpt, NowOpt, unit_of_work
from iuran.rules.errors import RuleInputError
from iuran.services.payments import PaymentRequest, PostedPayment, import_payments, post_payment

app = typer.Typer(help="Payments from banks and payment points.", no_args_is_help=True)


@app.callback()
def payments() -> None:
    """Payments from banks and payment points."""


@app.command("import")
def payments_import(
    file: Annotated[Path, typer.Argument(help="CSV with the header reference,va,account,amount,paid_at,channel.")],
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the rejected lines (line, reference, reason) here.")
    ] = None,
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Import a payments file in one transaction; print a JSON summary. Importing it again changes nothing."""
    with unit_of_work(database, now=now) as uow:
        imported = import_payments(uow, file, report_path=report)
    result = imported.result
    emit(
        {
            "batch_id": result.batch_id,
            "lines": result.lines,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "duplicates": result.duplicates,
            "amount_accepted": result.amount_accepted,
            "amount_written_off": result.amount_written_off,
            "rejections": dict(result.rejections),
            "report": str(imported.report_path) if imported.report_path else None,
        }
    )


@app.command("post")
def payments_post(
    amount: Annotated[str, typer.Option("--amount", help="Whole Rupiah, digits only.")],
    reference: Annotated[str, typer.Option("--reference", help="The payment's reference, unique.")],
    paid_at: Annotated[str, typer.Option("--paid-at", help="When it was paid, ISO date-time.")],
    channel: Annotated[str, typer.Option("--channel", help="Where it was paid, e.g. kantor_cabang, teller.")],
    va: Annotated[str | None, typer.Option("--va", help="A family's virtual account (16 digits).")] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="An employer's or government's account id (not with --va).")
    ] = None,
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Post one payment (at the branch counter); the same reference again returns the first result."""
    request = PaymentRequest(
        reference=reference.strip(),
        amount=parse_rupiah("amount", amount),
        paid_at=_timestamp("paid_at", paid_at),
        channel=channel.strip(),
        va=va.strip() if va else None,
        account_id=_account_id(account),
    )
    with unit_of_work(database, now=now) as uow:
        posted = post_payment(uow, request)
    emit(posted_json(posted))


def posted_json(p: PostedPayment) -> dict[str, object]:
    return {
        "payment_id": p.payment_id,
        "reference": p.reference,
        "account": p.account_id,
        "amount": p.amount,
        "paid_at": p.paid_at.isoformat(sep=" "),
        "channel": p.channel,
        "settled": [{"month": str(m.month), "amount": m.amount} for m in p.settled],
        "written_off": [{"month": str(m.month), "amount": m.amount} for m in p.written_off],
        "credit": p.credit,
        "active": p.active,
        "duplicate": p.duplicate,
    }


def _timestamp(field: str, text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise RuleInputError(field, "an ISO date or date-time (YYYY-MM-DD[THH:MM[:SS]])", f"got {text!r}") from None


def _account_id(text: str | None) -> int | None:
    if text is None:
        return None
    if not (text.strip().isdigit() and text.strip().isascii()):
        raise RuleInputError("account", "an account id is a number", f"got {text!r}")
    return int(text.strip())
