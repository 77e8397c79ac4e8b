"""SNAP response codes: the HTTP status, the service and the case, seven digits in all (`4012500`: HTTP 401, the
VA payment service 25, case 00 "Unauthorized"), with the standard's message.

Example:
    >>> SnapError(Case.MISSING_FIELD, "virtualAccountNo").response_code(Service.PAYMENT)
    '4002502'
    >>> SnapError(Case.MISSING_FIELD, "virtualAccountNo").message
    'Invalid Mandatory Field {virtualAccountNo}'
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Service(StrEnum):
    TOKEN = "73"  # access token B2B
    INQUIRY = "24"  # transfer VA inquiry
    PAYMENT = "25"  # transfer VA payment


class Case(Enum):
    """(HTTP status, case code, message, how the detail is written into it)."""

    SUCCESS = (200, "00", "Successful", "")
    BAD_REQUEST = (400, "00", "Bad Request", "")
    INVALID_FIELD = (400, "01", "Invalid Field Format", " {{{}}}")
    MISSING_FIELD = (400, "02", "Invalid Mandatory Field", " {{{}}}")
    UNAUTHORIZED = (401, "00", "Unauthorized.", " [{}]")
    INVALID_TOKEN = (401, "01", "Invalid Token (B2B)", "")
    NOT_PERMITTED = (403, "15", "Transaction Not Permitted.", " [{}]")
    BILL_NOT_FOUND = (404, "12", "Invalid Bill/Virtual Account [Not Found]", "")
    INVALID_AMOUNT = (404, "13", "Invalid Amount", "")
    PAID_BILL = (404, "14", "Paid Bill", "")
    INCONSISTENT = (404, "18", "Inconsistent Request", "")
    BILL_EXPIRED = (404, "19", "Invalid Bill/Virtual Account [Expired]", "")
    CONFLICT = (409, "00", "Conflict", "")
    GENERAL_ERROR = (500, "00", "General Error", "")

    @property
    def http(self) -> int:
        return self.value[0]


class SnapError(Exception):
    """A request the biller refuses, with its case and what to name in the message (a field, a reason); never a
    secret, never a stack trace."""

    def __init__(self, case: Case, detail: str = "") -> None:
        self.case = case
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        _, _, text, form = self.case.value
        return text + (form.format(self.detail) if form and self.detail else "")

    def response_code(self, service: Service) -> str:
        return response_code(self.case, service)


def response_code(case: Case, service: Service) -> str:
    http, code, _, _ = case.value
    return f"{http}{service.value}{code}"
