"""Use case: record a hospital's inpatient claim, and bill the service penalty it brings (docs/rules.md §5).

One transaction of the unit of work, at its time, under its rules and by its actor: the claim, the penalty's
charge and open item, and the statuses and months' state that count it are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.billing import service_penalty
from iuran.billing.service_penalty import Claim, ClaimRejected, RecordedClaim, check_claim, check_sep
from iuran.registry.insured import insured_in
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork

__all__ = ["ClaimRejected", "InpatientClaim", "RecordedClaim", "record_claim"]


@dataclass(frozen=True)
class InpatientClaim:
    """A claim as a hospital sends it: the participant by JKN card number or NIK (exactly one), the claim
    reference (nomor SEP), the INA-CBG amount in whole Rupiah, the day of admission."""

    sep: str
    inacbg: int
    admitted: dt.date
    card: str | None = None
    nik: str | None = None


def record_claim(uow: UnitOfWork, claim: InpatientClaim) -> RecordedClaim:
    """Record the claim and charge its service penalty to the participant's payer account (the family's, or the
    employer's for PPU). The same SEP again returns the first result. Raises `RuleInputError` naming the field and
    the rule (nothing written)."""
    sep = check_sep(claim.sep)
    inacbg, admitted = check_claim(claim.inacbg, claim.admitted, uow.today)
    insured = insured_in(uow.conn, Month.of(admitted), card=claim.card, nik=claim.nik)
    if insured.died_on is not None and admitted > insured.died_on:
        raise ClaimRejected("admitted", "an admission on or before the participant's death", "the death is before it")
    recorded = service_penalty.record_claim(
        uow.conn,
        Claim(sep, insured.person_id, insured.segment, insured.account_id, insured.account_kind, admitted, inacbg),
        now=uow.now,
        rules=uow.rules,
        by=str(uow.actor),
    )
    uow.commit()
    return recorded
