"""Use case: prove the books balance (`iuran ledger verify`), in one consistent read."""

from __future__ import annotations

from iuran.billing.ledger import Verification, verify
from iuran.services.unit_of_work import UnitOfWork


def verify_books(uow: UnitOfWork) -> Verification:
    """Every check of `iuran.billing.ledger` over one snapshot of the books; writes nothing."""
    return verify(uow.conn, uow.rules)
