"""Use cases: the bank and PPOB partners (`iuran partner add|list|disable`)."""

from __future__ import annotations

from iuran.partners import registry
from iuran.partners.registry import NewPartner, Partner, PartnerNotFound
from iuran.partners.vault import Vault, key_file
from iuran.services.unit_of_work import UnitOfWork

__all__ = [
    "NewPartner",
    "Partner",
    "PartnerNotFound",
    "Vault",
    "add_partner",
    "disable_partner",
    "key_file",
    "list_partners",
]


def add_partner(uow: UnitOfWork, new: NewPartner, vault: Vault) -> Partner:
    """Register a partner, its client secret sealed by `vault`. Raises `RuleInputError` naming the field."""
    partner = registry.add_partner(uow.conn, new, vault, uow.now)
    uow.commit()
    return partner


def list_partners(uow: UnitOfWork) -> list[Partner]:
    return registry.partners(uow.conn)


def disable_partner(uow: UnitOfWork, client_id: str) -> Partner:
    partner = registry.disable_partner(uow.conn, client_id, uow.now)
    uow.commit()
    return partner
