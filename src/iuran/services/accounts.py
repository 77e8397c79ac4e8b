"""Use case: what a payer account owes on a day, with who it covers (`iuran account show`, a bank's inquiry,
a family's own page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.billing import credit
from iuran.billing.quote import Quote, quote
from iuran.registry.accounts import Account, Member, account_by_id, account_by_nik, account_by_va, members
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AccountKey:
    """How a face names an account: exactly one of a family's virtual account, an account id, a member's NIK."""

    va: str | None = None
    account_id: int | None = None
    nik: str | None = None

    def __post_init__(self) -> None:
        given = [name for name in ("va", "account_id", "nik") if getattr(self, name) is not None]
        if len(given) != 1:
            raise RuleInputError("account", "name the account by exactly one of va, account or nik", f"got {given}")


@dataclass(frozen=True)
class AccountView:
    account: Account
    quote: Quote
    members: tuple[Member, ...]
    segment: str | None  # the members' segment (one per account); None when it covers no one this month
    kelas: int | None
    credit: int  # money paid ahead (or paid again), which the coming cycles apply to its new months


def show_account(uow: UnitOfWork, key: AccountKey, on: dt.date) -> AccountView:
    """The account, its quote on `on` and the persons it covers that month. Raises `AccountNotFound`, or
    `RuleInputError` for a day before the account opened."""
    conn, month = uow.conn, Month.of(on)
    if key.va is not None:
        account = account_by_va(conn, key.va)
    elif key.account_id is not None:
        account = account_by_id(conn, key.account_id)
    else:
        assert key.nik is not None
        account = account_by_nik(conn, key.nik, month)
    if on < account.opened_on:
        raise RuleInputError("as_of", "a day on or after the account opened", f"it opened on {account.opened_on}")
    covered = members(conn, account.id, month)
    q = quote(conn, account.id, account.kind, on, uow.rules, activated_on=account.activated_on)
    segments = sorted({m.segment for m in covered})
    kelas = sorted({m.kelas for m in covered if m.kelas is not None})
    return AccountView(
        account=account,
        quote=q,
        members=covered,
        segment=segments[0] if len(segments) == 1 else ("/".join(segments) or None),
        kelas=kelas[0] if len(kelas) == 1 else None,
        credit=credit.held(conn, account.id),
    )
