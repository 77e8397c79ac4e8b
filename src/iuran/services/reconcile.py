"""Use case: a bank's statement reconciled with the books (`iuran reconcile`): every Rupiah the bank says it
collected is in the books, once. The statement is kept once (importing it again writes nothing and gives the same
report); the books are only read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from iuran.partners.registry import partner_by_client_id, payment_channel, payment_reference
from iuran.rules.errors import RuleInputError
from iuran.services.unit_of_work import UnitOfWork
from iuran.statements.camt053 import read_camt053
from iuran.statements.matching import Reconciliation, reconcile
from iuran.statements.mt940 import read_mt940
from iuran.statements.store import keep_statement

FORMATS = ("mt940", "camt053")

__all__ = ["FORMATS", "Reconciliation", "reconcile_statement"]


def reconcile_statement(
    uow: UnitOfWork, path: Path, format: str, *, partner: str | None = None, channel: str | None = None
) -> Reconciliation:
    """The statement in `path` (`format`: mt940 or camt053) against the payments of one channel: a SNAP partner's
    (`partner`, its client id: the statement names its paymentRequestIds) or a channel's (`channel`: the statement
    names the payments' references)."""
    if format not in FORMATS:
        raise RuleInputError("format", "a statement is mt940 or camt053", f"got {format!r}")
    if (partner is None) == (channel is None):
        raise RuleInputError("partner", "name the statement's payments by exactly one of --partner or --channel")
    if partner is not None:
        client_id = partner_by_client_id(uow.conn, partner).client_id
        channel = payment_channel(client_id)

        def reference(bank_reference: str) -> str:
            return payment_reference(client_id, bank_reference)

    else:

        def reference(bank_reference: str) -> str:
            return bank_reference

    assert channel is not None
    data = path.read_bytes()
    lines = read_mt940(data.decode("latin-1")) if format == "mt940" else read_camt053(path)
    statement = keep_statement(
        uow.conn,
        sha256=hashlib.sha256(data).hexdigest(),
        format=format,
        filename=path.name,
        channel=channel,
        lines=lines,
        payment_reference=reference,
        now=uow.now,
    )
    result = reconcile(uow.conn, statement)
    uow.commit()
    return result
