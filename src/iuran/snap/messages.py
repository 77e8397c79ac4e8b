"""The bodies of the VA biller's calls: an inquiry and a payment as a partner sends them (parsed and checked, each
error naming the field), and the biller's answers (`virtualAccountData`), built from plain values.

A family's bill is one line per month it must pay (`billNo` the month, `yyyymm`), and the late fee of the months in
arrears where one is due; the VA is a closed one (`virtualAccountTrxType` "C"): a payment brings exactly the total.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook
from iuran.snap import money, timestamp
from iuran.snap.codes import Case, SnapError
from iuran.snap.va import fields, va_of

MAX_ID = 128  # characters of a partner's request ids
SUCCESS_REASON = {"english": "Success", "indonesia": "Sukses"}
_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember")  # fmt: skip
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")  # fmt: skip


def body_of(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request body, or `SnapError` (a body that is not one)."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise SnapError(Case.BAD_REQUEST) from None
    if not isinstance(value, dict):
        raise SnapError(Case.BAD_REQUEST)
    return value


def text_field(body: dict[str, Any], name: str, *, required: bool = True, longest: int = MAX_ID) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise SnapError(Case.MISSING_FIELD, name)
        return None
    if not isinstance(value, str) or len(value) > longest or not value.isprintable():
        raise SnapError(Case.INVALID_FIELD, name)
    return value


@dataclass(frozen=True)
class VaInquiry:
    va: str
    inquiry_request_id: str


@dataclass(frozen=True)
class VaPayment:
    va: str
    payment_request_id: str
    paid_amount: int
    trx_date_time: dt.datetime  # aware
    advice: bool  # flagAdvise "Y": the partner is not sure it was posted
    reference_no: str | None


def _va(body: dict[str, Any], rules: Rulebook) -> str:
    return va_of(body.get("partnerServiceId"), body.get("customerNo"), body.get("virtualAccountNo"), rules)


def inquiry(body: dict[str, Any], rules: Rulebook) -> VaInquiry:
    va = _va(body, rules)
    request_id = text_field(body, "inquiryRequestId")
    assert request_id is not None
    return VaInquiry(va, request_id)


def payment(body: dict[str, Any], rules: Rulebook) -> VaPayment:
    va = _va(body, rules)
    request_id = text_field(body, "paymentRequestId")
    assert request_id is not None
    paid = money.rupiah(body.get("paidAmount"), "paidAmount")
    at = timestamp.parse(text_field(body, "trxDateTime", longest=40), "trxDateTime")
    flag = body.get("flagAdvise", "N")
    if flag not in ("Y", "N", "", None):
        raise SnapError(Case.INVALID_FIELD, "flagAdvise")
    return VaPayment(va, request_id, paid, at, flag == "Y", text_field(body, "referenceNo", required=False))


@dataclass(frozen=True)
class BillLine:
    """A month the family pays (or, `month` None, the late fee)."""

    month: Month | None
    amount: int


def bill_details(lines: tuple[BillLine, ...]) -> list[dict[str, Any]]:
    details = []
    for n, line in enumerate(lines, start=1):
        if line.month is None:
            english, indonesia, number = "Late fee", "Denda keterlambatan", "DENDA"
        else:
            english = f"JKN contribution {_MONTHS_EN[line.month.month - 1]} {line.month.year}"
            indonesia = f"Iuran JKN {_MONTHS_ID[line.month.month - 1]} {line.month.year}"
            number = f"{line.month.year}{line.month.month:02d}"
        details.append(
            {
                "billCode": f"{n:02d}",
                "billNo": number,
                "billName": indonesia,
                "billShortName": number,
                "billDescription": {"english": english, "indonesia": indonesia},
                "billAmount": money.amount(line.amount),
            }
        )
    return details


def _va_fields(va: str, rules: Rulebook) -> dict[str, str]:
    f = fields(va, rules)
    return {
        "partnerServiceId": f.partner_service_id,
        "customerNo": f.customer_no,
        "virtualAccountNo": f.virtual_account_no,
    }


def inquiry_reply(request: VaInquiry, name: str, lines: tuple[BillLine, ...], rules: Rulebook) -> dict[str, Any]:
    return {
        "inquiryStatus": "00",
        "inquiryReason": SUCCESS_REASON,
        **_va_fields(request.va, rules),
        "virtualAccountName": name,
        "inquiryRequestId": request.inquiry_request_id,
        "totalAmount": money.amount(sum(line.amount for line in lines)),
        "billDetails": bill_details(lines),
        "virtualAccountTrxType": "C",
        "additionalInfo": {},
    }


def payment_reply(
    request: VaPayment, name: str, lines: tuple[BillLine, ...], reference: str, rules: Rulebook
) -> dict[str, Any]:
    return {
        "paymentFlagReason": SUCCESS_REASON,
        **_va_fields(request.va, rules),
        "virtualAccountName": name,
        "paymentRequestId": request.payment_request_id,
        "paidAmount": money.amount(request.paid_amount),
        "totalAmount": money.amount(request.paid_amount),
        "trxDateTime": timestamp.format_time(request.trx_date_time),
        "referenceNo": reference,
        "paymentFlagStatus": "00",
        "billDetails": bill_details(lines),
        "additionalInfo": {},
    }


def display_name(name: str) -> str:
    """The account's name as a bank shows it to the payer: the first word whole, the others by their initial (the
    payer recognises the family; a bystander learns little).

    Example:
        >>> display_name("Siti Nur Aminah")
        'SITI N** A*****'
    """
    words = name.upper().split()
    return " ".join(words[:1] + [w[0] + "*" * (len(w) - 1) for w in words[1:]])
