"""`iuran claim`: hospitals' inpatient claims, and the service penalty (denda pelayanan) they bring."""

from __future__ import annotations

from typing import Annotated

import typer

from iuran.cli.common import emit, parse_date, parse_rupiah
from iuran.cli.common_db import DatabaseOpt, NowOpt, unit_of_work
from iuran.rules.errors import RuleInputError
from iuran.services.claims import InpatientClaim, RecordedClaim, record_claim

app = typer.Typer(help="Inpatient claims and the service penalty they bring.", no_args_is_help=True)


@app.callback()
def claim() -> None:
    """Inpatient claims and the service penalty they bring."""


@app.command("record")
def claim_record(
    sep: Annotated[str, typer.Option("--sep", help="The hospital's claim reference (nomor SEP), unique.")],
    inacbg: Annotated[str, typer.Option("--inacbg", help="The INA-CBG amount of the claim, whole Rupiah.")],
    admitted: Annotated[str, typer.Option("--admitted", help="The day of admission, YYYY-MM-DD.")],
    card: Annotated[str | None, typer.Option("--card", help="The participant's JKN card number (13 digits).")] = None,
    nik: Annotated[
        str | None, typer.Option("--nik", help="The participant's NIK (16 digits; not with --card).")
    ] = None,
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Record an inpatient admission; within 45 days of a reactivation its service penalty is charged to the
    payer account (the family's, or the employer's for PPU) and billed with its next bill. The same SEP again
    returns the first result."""
    if (card is None) == (nik is None):
        raise RuleInputError("card", "name the participant by exactly one of --card or --nik")
    claim = InpatientClaim(
        sep=sep,
        inacbg=parse_rupiah("inacbg", inacbg),
        admitted=parse_date("admitted", admitted),
        card=card,
        nik=nik,
    )
    with unit_of_work(database, now=now) as uow:
        recorded = record_claim(uow, claim)
    emit(recorded_json(recorded))


def recorded_json(c: RecordedClaim) -> dict[str, object]:
    """The claim and its penalty, without the participant's NIK or name."""
    return {
        "claim_id": c.claim_id,
        "sep": c.sep,
        "account": c.account_id,
        "segment": c.segment,
        "admitted": c.admitted.isoformat(),
        "inacbg": c.inacbg,
        "penalty": c.penalty,
        "reason": c.reason,
        "rate": None if c.rate_bp is None else c.rate_bp / 10_000,
        "months_in_arrears": c.months_in_arrears,
        "months_counted": c.months_counted,
        "reactivated": None if c.reactivated is None else c.reactivated.isoformat(),
        "reactivation_payment": c.reactivation_payment_id,
        "basis": c.basis,
        "charge_id": c.charge_id,
        "duplicate": c.duplicate,
    }
