"""SWIFT MT940 statements, read with the `mt-940` package. A credit's reference is the first word of its `:86:`
information (where banks put the payer's reference), else its `:61:` reference for the account owner. Debits
(fees, transfers out) are not payments: they are left out and counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import mt940 as swift

from iuran.rules.errors import RuleInputError
from iuran.statements.lines import StatementLine, check_currency, check_reference, whole_rupiah


def read_mt940(text: str) -> Iterator[StatementLine]:
    statement = swift.models.Transactions()
    try:
        statement.parse(text)
    except (ValueError, KeyError, RuntimeError) as e:
        raise RuleInputError("file", "an MT940 statement", type(e).__name__) from None
    if not statement.data and not len(statement):
        raise RuleInputError("file", "an MT940 statement", "no :20: or :61: field")
    for n, transaction in enumerate(statement, start=1):
        data = transaction.data
        if data.get("status") not in ("C", "RD"):  # a debit, or a credit reversed
            continue
        amount = data["amount"]
        check_currency(getattr(amount, "currency", None), n)
        details = (data.get("transaction_details") or "").split()
        reference = details[0] if details else data.get("customer_reference")
        day = data["date"]  # the package's own date type
        booked = dt.date(day.year, day.month, day.day)
        yield StatementLine(n, booked, whole_rupiah(Decimal(amount.amount), n), check_reference(reference, n))
