"""Access tokens (SNAP B2B): issued to a partner after its RSA signature checks out, valid for `lifetime`, stored as
their SHA-256 only. A token of a disabled partner, or past its expiry, opens nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Connection, text

from iuran.partners.registry import Partner, partner_by_client_id


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(conn: Connection, partner: Partner, now: dt.datetime, lifetime: dt.timedelta) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(
        text("INSERT INTO partner_token (token_hash, partner_id, issued_at, expires_at) VALUES (:h, :p, :i, :e)"),
        {"h": _hash(token), "p": partner.id, "i": now, "e": now + lifetime},
    )
    return token


def partner_of_token(conn: Connection, token: str, now: dt.datetime) -> Partner | None:
    """The enabled partner `token` was issued to, while it is valid; None otherwise."""
    row = conn.execute(
        text(
            "SELECT p.client_id FROM partner_token t JOIN partner p ON p.id = t.partner_id"
            " WHERE t.token_hash = :h AND t.expires_at > :now AND p.enabled"
        ),
        {"h": _hash(token), "now": now},
    ).first()
    return partner_by_client_id(conn, str(row[0])) if row else None
