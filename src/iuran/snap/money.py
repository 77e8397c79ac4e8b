"""SNAP amounts: `{"value": "123000.00", "currency": "IDR"}`, always two decimals. iuran counts whole Rupiah: a
value with sen is not one it can take.

Example:
    >>> rupiah({"value": "123000.00", "currency": "IDR"}, "paidAmount")
    123000
    >>> amount(42000)
    {'value': '42000.00', 'currency': 'IDR'}
"""

from __future__ import annotations

import re

from iuran.snap.codes import Case, SnapError

CURRENCY = "IDR"
_VALUE = re.compile(r"\d{1,16}\.\d{2}")


def rupiah(value: object, field: str) -> int:
    """The whole Rupiah of a SNAP amount, or `SnapError` naming `field`."""
    if value is None:
        raise SnapError(Case.MISSING_FIELD, field)
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise SnapError(Case.INVALID_FIELD, f"{field}.value")
    if value.get("currency") != CURRENCY:
        raise SnapError(Case.INVALID_FIELD, f"{field}.currency")
    text = value["value"]
    if not _VALUE.fullmatch(text) or not text.endswith(".00"):
        raise SnapError(Case.INVALID_FIELD, f"{field}.value")
    return int(text[:-3])


def amount(rupiah: int) -> dict[str, str]:
    return {"value": f"{rupiah}.00", "currency": CURRENCY}
