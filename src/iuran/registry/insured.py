"""A participant as a hospital's claim names them (JKN card number or NIK), with who paid for them in a month.

Messages name the field and the rule, never the NIK in clear (`mask`) nor the name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, text

from iuran.db.months import to_db
from iuran.db.values import as_date
from iuran.registry.enrolment import check_nik_format, mask
from iuran.rules.errors import RuleInputError
from iuran.rules.membership import check_card_number
from iuran.rules.month import Month
from iuran.rules.segments import Segment


class InsuredNotFound(RuleInputError):
    """No registered participant answers to the card number or NIK given, or none covered in the month."""


@dataclass(frozen=True)
class Insured:
    """A participant in a month: their membership's segment and the payer account that paid for them."""

    person_id: int
    segment: Segment
    account_id: int
    account_kind: str
    died_on: dt.date | None


def insured_in(conn: Connection, month: Month, *, card: str | None = None, nik: str | None = None) -> Insured:
    """The participant with JKN card number `card` or NIK `nik` (exactly one of them), covered in `month` by a
    membership with a payer account. Raises `InsuredNotFound` (or `RuleInputError` for a malformed key)."""
    if (card is None) == (nik is None):
        raise RuleInputError("card", "name the participant by exactly one of card or nik")
    if card is not None:
        card = check_card_number(card)
        field, shown, where, key = "card", f"card {card[:4]}…", "p.card_number = :k", card
    else:
        assert nik is not None
        nik = check_nik_format(nik)
        field, shown, where, key = "nik", mask(nik), "p.nik = :k", nik
    person = conn.execute(text(f"SELECT p.id, p.died_on FROM person p WHERE {where}"), {"k": key}).first()
    if person is None:
        raise InsuredNotFound(field, "a registered participant", f"no participant {shown}")
    row = conn.execute(
        text(
            "SELECT m.segment, m.account_id, a.kind FROM membership m LEFT JOIN account a ON a.id = m.account_id"
            " WHERE m.person_id = :p AND m.valid_from <= :m AND (m.valid_to IS NULL OR m.valid_to >= :m)"
        ),
        {"p": person.id, "m": to_db(month)},
    ).first()
    if row is None:
        raise InsuredNotFound(field, "a participant with a membership in the month of admission", f"none in {month}")
    if row.account_id is None:
        raise InsuredNotFound(
            field, "a participant with a payer account in the month of admission", f"nobody paid for {shown} in {month}"
        )
    died_on = None if person.died_on is None else as_date(person.died_on)
    return Insured(int(person.id), Segment(row.segment), int(row.account_id), str(row.kind), died_on)
