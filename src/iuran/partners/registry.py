"""The partners registered to pay into family virtual accounts: registration, listing, disabling. A partner's client
secret is stored sealed by the vault and never returned by a listing."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.db.columns import WIDTHS
from iuran.db.values import as_datetime
from iuran.partners.vault import Vault
from iuran.rules.errors import RuleInputError
from iuran.snap.signature import SignatureError, public_key

_CHANNEL = "snap:"
CLIENT_ID_MAX = WIDTHS["payment.channel"] - len(_CHANNEL)
REFERENCE_MAX = WIDTHS["payment.reference"]
MIN_SECRET = 32  # characters: the HMAC key of every transaction
_CLIENT_ID = re.compile(rf"[A-Za-z0-9._-]{{1,{CLIENT_ID_MAX}}}")
_CHANNEL_ID = re.compile(r"[0-9]{1,16}")


def payment_channel(client_id: str) -> str:
    """The channel of the payments a partner posts over SNAP."""
    return _CHANNEL + client_id


def payment_reference(client_id: str, request_id: str) -> str:
    """The reference a partner's payment is posted under: its `paymentRequestId` under the partner's prefix (unique
    across partners); one too long for the column is named by its SHA-256 instead. A partner's statement names the
    request id: reconciliation turns it into this.

    Example:
        >>> payment_reference("BANKMANDIRI", "PAY-20241201-0001")
        'SNAP:BANKMANDIRI:PAY-20241201-0001'
    """
    prefix = f"SNAP:{client_id}:"
    if len(prefix) + len(request_id) <= REFERENCE_MAX:
        return prefix + request_id
    return prefix + "#" + hashlib.sha256(request_id.encode()).hexdigest()[: REFERENCE_MAX - len(prefix) - 1]


class PartnerNotFound(RuleInputError):
    """No partner has the client id given."""


@dataclass(frozen=True)
class Partner:
    id: int
    client_id: str
    name: str
    channel_id: str
    enabled: bool
    added_at: dt.datetime
    disabled_at: dt.datetime | None
    public_key: str  # PEM


@dataclass(frozen=True)
class NewPartner:
    client_id: str
    name: str
    channel_id: str
    client_secret: str
    public_key: str  # PEM


def check(new: NewPartner) -> None:
    """Every field of a registration as the rules want it, or `RuleInputError` naming the field."""
    if not _CLIENT_ID.fullmatch(new.client_id):
        raise RuleInputError(
            "client_id", f"1 to {CLIENT_ID_MAX} letters, digits, '.', '_' or '-'", f"got {len(new.client_id)} chars"
        )
    if not new.name.strip():
        raise RuleInputError("name", "a partner has a name")
    if not _CHANNEL_ID.fullmatch(new.channel_id):
        raise RuleInputError("channel_id", "the SNAP channel id: 1 to 16 digits")
    if len(new.client_secret) < MIN_SECRET or not new.client_secret.isascii() or not new.client_secret.isprintable():
        raise RuleInputError("client_secret", f"at least {MIN_SECRET} printable ASCII characters")
    try:
        public_key(new.public_key.encode())
    except SignatureError as e:
        raise RuleInputError("public_key", str(e)) from None


def add_partner(conn: Connection, new: NewPartner, vault: Vault, now: dt.datetime) -> Partner:
    check(new)
    if conn.execute(text("SELECT 1 FROM partner WHERE client_id = :c"), {"c": new.client_id}).first():
        raise RuleInputError("client_id", "a client id names one partner", f"{new.client_id} is registered")
    conn.execute(
        text(
            "INSERT INTO partner (client_id, name, channel_id, secret, public_key, enabled, added_at)"
            " VALUES (:c, :n, :ch, :s, :k, :e, :t)"
        ),
        {
            "c": new.client_id,
            "n": new.name.strip(),
            "ch": new.channel_id,
            "s": vault.seal(new.client_secret),
            "k": new.public_key,
            "e": True,
            "t": now,
        },
    )
    return partner_by_client_id(conn, new.client_id)


_SELECT = "SELECT id, client_id, name, channel_id, enabled, added_at, disabled_at, public_key FROM partner"


def _partner(row: object) -> Partner:
    r = row._mapping  # type: ignore[attr-defined]
    return Partner(
        id=int(r["id"]),
        client_id=str(r["client_id"]),
        name=str(r["name"]),
        channel_id=str(r["channel_id"]),
        enabled=bool(r["enabled"]),
        added_at=as_datetime(r["added_at"]),
        disabled_at=as_datetime(r["disabled_at"]) if r["disabled_at"] is not None else None,
        public_key=str(r["public_key"]),
    )


def partners(conn: Connection) -> list[Partner]:
    return [_partner(r) for r in conn.execute(text(f"{_SELECT} ORDER BY client_id"))]


def partner_by_client_id(conn: Connection, client_id: str) -> Partner:
    row = conn.execute(text(f"{_SELECT} WHERE client_id = :c"), {"c": client_id}).first()
    if row is None:
        raise PartnerNotFound("client_id", "a registered partner's client id", "no partner has it")
    return _partner(row)


def client_secret(conn: Connection, partner: Partner, vault: Vault) -> str:
    sealed = conn.execute(text("SELECT secret FROM partner WHERE id = :p"), {"p": partner.id}).scalar_one()
    return vault.open(str(sealed))


def disable_partner(conn: Connection, client_id: str, now: dt.datetime) -> Partner:
    """Disable a partner (its tokens stop working at once); disabling it again changes nothing."""
    partner = partner_by_client_id(conn, client_id)
    if partner.enabled:
        conn.execute(
            text("UPDATE partner SET enabled = :f, disabled_at = :t WHERE id = :p"),
            {"f": False, "t": now, "p": partner.id},
        )
    return partner_by_client_id(conn, client_id)
