"""The calls a partner made, by `X-EXTERNAL-ID`: unique per partner per day (SNAP), so that a replayed request is
refused before it does anything. A call is recorded in the transaction of its work: a call refused leaves no trace
and its id may be used again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from iuran.partners.registry import Partner


class DuplicateExternalId(Exception):
    """The partner used this external id for another call today."""


def record_call(conn: Connection, partner: Partner, external_id: str, service: str, now: dt.datetime) -> None:
    """Record the call, or `DuplicateExternalId` (a call with the same id waits for the first to commit or roll
    back, then is refused or recorded). The caller rolls back on the error."""
    exists = text("SELECT 1 FROM snap_request WHERE partner_id = :p AND day = :d AND external_id = :x")
    params = {"p": partner.id, "d": now.date(), "x": external_id}
    if conn.execute(exists, params).first():
        raise DuplicateExternalId(external_id)
    try:
        with conn.begin_nested():
            conn.execute(
                text(
                    "INSERT INTO snap_request (partner_id, day, external_id, service, received_at)"
                    " VALUES (:p, :d, :x, :s, :t)"
                ),
                params | {"s": service, "t": now},
            )
    except IntegrityError:
        raise DuplicateExternalId(external_id) from None
