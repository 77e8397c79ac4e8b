"""The family virtual account in SNAP's fields: `partnerServiceId` is the prefix left-padded with spaces to eight
characters, `customerNo` the card's tail, `virtualAccountNo` the two joined (banks send it with or without the
padding). The prefix and the tail's length are the rule data's (`[virtual_account]`).

Example:
    >>> from iuran.rules.rulebook import default_rulebook
    >>> fields("8888801944358911", default_rulebook())
    VaFields(partner_service_id='   88888', customer_no='01944358911', virtual_account_no='   8888801944358911')
    >>> va_of("   88888", "01944358911", "8888801944358911", default_rulebook())
    '8888801944358911'
"""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.rulebook import Rulebook
from iuran.snap.codes import Case, SnapError

PADDED = 8


@dataclass(frozen=True)
class VaFields:
    partner_service_id: str
    customer_no: str
    virtual_account_no: str


def fields(va: str, rules: Rulebook) -> VaFields:
    prefix = len(rules.virtual_account.default_prefix)
    service_id = va[:prefix].rjust(PADDED)
    return VaFields(service_id, va[prefix:], service_id + va[prefix:])


def va_of(partner_service_id: object, customer_no: object, virtual_account_no: object, rules: Rulebook) -> str:
    """The 16 digits the three fields name, or `SnapError` naming the field that is missing, malformed or does not
    agree with the others."""
    rule = rules.virtual_account
    prefix, tail = len(rule.default_prefix), rule.card_tail_digits
    named = {
        "partnerServiceId": partner_service_id,
        "customerNo": customer_no,
        "virtualAccountNo": virtual_account_no,
    }
    for name, value in named.items():
        if value is None or value == "":
            raise SnapError(Case.MISSING_FIELD, name)
        if not isinstance(value, str):
            raise SnapError(Case.INVALID_FIELD, name)
    service_id, customer, joined = (str(v) for v in named.values())
    if len(service_id) != PADDED or not _digits(service_id.lstrip(" "), prefix):
        raise SnapError(Case.INVALID_FIELD, "partnerServiceId")
    if not _digits(customer, tail):
        raise SnapError(Case.INVALID_FIELD, "customerNo")
    va = service_id.lstrip(" ") + customer
    if joined.lstrip(" ") != va or len(joined) not in (prefix + tail, PADDED + tail):
        raise SnapError(Case.INVALID_FIELD, "virtualAccountNo")
    return va


def _digits(value: str, n: int) -> bool:
    return len(value) == n and value.isascii() and value.isdigit()
