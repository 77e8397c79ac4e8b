"""A line of a bank's statement, as every format gives it: the money credited to the branch's account, the day, and
the reference that names the payment (the payer's: a bank file's reference, or a SNAP partner's paymentRequestId)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from iuran.rules.errors import RuleInputError


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    booked_on: dt.date
    amount: int  # whole Rupiah, > 0 (a credit)
    reference: str


def whole_rupiah(value: Decimal, line_no: int) -> int:
    if value != value.to_integral_value() or value <= 0:
        raise RuleInputError("amount", "a credit of whole Rupiah above 0", f"line {line_no}: {value}")
    return int(value)


def check_currency(currency: str | None, line_no: int) -> None:
    if currency not in (None, "", "IDR"):
        raise RuleInputError("currency", "a statement of an IDR account", f"line {line_no}: {currency}")


def check_reference(reference: str | None, line_no: int) -> str:
    reference = (reference or "").strip()
    if not reference or len(reference) > 140:
        raise RuleInputError("reference", "every credit names its payment (1 to 140 characters)", f"line {line_no}")
    return reference
