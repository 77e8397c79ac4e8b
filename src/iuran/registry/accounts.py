"""Finding a payer account, by its virtual account, its id or a member's NIK, and the persons it covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.db.months import to_db
from iuran.db.values import as_date
from iuran.registry.enrolment import check_nik_format, mask
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import check_va_number
from iuran.rules.month import Month


class AccountNotFound(RuleInputError):
    """No payer account answers to the virtual account, id or NIK given."""


@dataclass(frozen=True)
class Account:
    id: int
    kind: str
    name: str
    va: str | None
    opened_on: dt.date
    activated_on: dt.date | None


@dataclass(frozen=True)
class Member:
    """A person the account pays for in a month; the NIK masked."""

    nik: str
    name: str
    segment: str
    kelas: int | None
    died_on: dt.date | None


_ACCOUNT = "SELECT id, kind, name, va, opened_on, activated_on FROM account"


def account_by_va(conn: Connection, va: str) -> Account:
    va = check_va_number(va)
    return _one(
        conn, f"{_ACCOUNT} WHERE va = :v AND kind = 'family'", {"v": va}, "va", "no family has this virtual account"
    )


def account_by_id(conn: Connection, account_id: int) -> Account:
    return _one(conn, f"{_ACCOUNT} WHERE id = :i", {"i": account_id}, "account", f"no account {account_id}")


def account_by_nik(conn: Connection, nik: str, month: Month) -> Account:
    """The account that pays for the person in `month` (or in the person's last membership before it)."""
    nik = check_nik_format(nik)
    row = conn.execute(
        text(
            "SELECT m.account_id FROM person p JOIN membership m ON m.person_id = p.id"
            " WHERE p.nik = :n AND m.valid_from <= :m ORDER BY m.valid_from DESC"
        ),
        {"n": nik, "m": to_db(month)},
    ).first()
    if row is None:
        raise AccountNotFound("nik", "a registered person with a membership", f"no member {mask(nik)} in {month}")
    if row[0] is None:
        raise AccountNotFound("nik", "a person with a payer account", f"{mask(nik)} has no payer in {month}")
    return account_by_id(conn, int(row[0]))


def members(conn: Connection, account_id: int, month: Month) -> tuple[Member, ...]:
    """The persons whose membership the account pays in `month`, in order of registration."""
    rows = conn.execute(
        text(
            "SELECT p.nik, p.name, m.segment, m.kelas, p.died_on FROM membership m JOIN person p ON p.id = m.person_id"
            " WHERE m.account_id = :a AND m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)"
            " ORDER BY p.id"
        ),
        {"a": account_id, "m": to_db(month)},
    ).all()
    return tuple(
        Member(mask(r.nik), r.name, r.segment, r.kelas, None if r.died_on is None else as_date(r.died_on)) for r in rows
    )


def _one(conn: Connection, sql: str, params: dict[str, object], field: str, detail: str) -> Account:
    row = conn.execute(text(sql), params).first()
    if row is None:
        raise AccountNotFound(field, "a registered payer account", detail)
    activated_on = None if row.activated_on is None else as_date(row.activated_on)
    return Account(int(row.id), row.kind, row.name, row.va, as_date(row.opened_on), activated_on)
