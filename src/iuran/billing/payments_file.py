"""Reading a bank's payments file: one line per payment, checked on its own before it meets the books.

The file is a UTF-8 CSV with the header `reference,va,account,amount,paid_at,channel` (columns in any order;
other columns are ignored). A line either becomes a `PaymentLine` ready to stage, or carries the reason it is
rejected; a file that cannot be read as such a CSV at all raises `PaymentFileError` and nothing is imported.

Nothing here reads the database or the clock: the import time and the reactivation cap come from the caller.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, NamedTuple

from iuran.db.columns import WIDTHS, text_problem
from iuran.rules.errors import RuleInputError
from iuran.rules.program import RUPIAH_MAX_DIGITS
from iuran.rules.rulebook import RuleNotInForce

COLUMNS = ("reference", "va", "account", "amount", "paid_at", "channel")

# Widths of the columns the payment and its rejection are stored in (iuran.db.columns).
REFERENCE_MAX = WIDTHS["payment.reference"]
CHANNEL_MAX = WIDTHS["payment.channel"]
VA_DIGITS = 16
DETAIL_MAX = WIDTHS["payment_rejection.detail"]
# Amounts are whole Rupiah in BIGINT; a payment of a quadrillion Rupiah is a typo, not a payment.
AMOUNT_MAX_DIGITS = RUPIAH_MAX_DIGITS
ACCOUNT_ID_MAX_DIGITS = 18


class Rejection(StrEnum):
    """Why a line of a payments file is not taken: stable codes, in the report and in `payment_rejection`."""

    MISSING_FIELD = "missing_field"  # a required field is empty, too long, holds a control character, or va and
    # account are both filled
    INVALID_AMOUNT = "invalid_amount"  # not a whole Rupiah amount above 0, digits only ("12.000", "-5")
    INVALID_DATE = "invalid_date"  # not an ISO date or date-time, after the import, or before JKN rules
    DUPLICATE_REFERENCE = "duplicate_reference"  # twice in the file, or imported before with other content
    UNKNOWN_ACCOUNT = "unknown_account"  # no family with this virtual account, no employer/government account
    WAITING_PERIOD = "waiting_period"  # a new PBPU family paying before its first payment window opens
    NOTHING_DUE = "nothing_due"  # no open month to settle
    AMOUNT_MISMATCH = "amount_mismatch"  # the amount does not settle whole months as the rules require


class PaymentFileError(RuleInputError):
    """The file cannot be read as a payments CSV at all: nothing of it is imported."""


class PaymentLine(NamedTuple):
    """One line of the file as staged for the set-based import; `reason` set means rejected already."""

    line_no: int
    reference: str | None
    va: str | None
    account_ref: int | None
    amount: int | None
    paid_at: dt.datetime | None
    paid_on: dt.date | None
    paid_month: int | None  # yyyymm
    arrears_cap: int | None  # months in arrears billed at reactivation on paid_on; None: all of them
    channel: str | None
    reason: str | None  # a Rejection code
    detail: str | None


# The latest months in arrears billed at reactivation on a day (None: no cap); raises RuleNotInForce before JKN.
ArrearsCap = Callable[[dt.date], int | None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with _open_binary(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_payment_lines(path: Path, *, now: dt.datetime, arrears_cap: ArrearsCap) -> Iterator[PaymentLine]:
    """Every non-blank line after the header, checked on its own; `line_no` is the line in the file.

    Example:
        A line `TRX-1,8888801944358911,,875000,2024-03-05,bank` becomes
        `PaymentLine(line_no=2, reference='TRX-1', va='8888801944358911', amount=875000, paid_month=202403, ...)`.
    """
    with _open_binary(path) as raw:
        # UTF-8, with or without the byte-order mark spreadsheet programs write; line ends are left to csv.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, strict=True)
        try:
            positions, width = _header(reader)
            parse = _LineParser(now, arrears_cap, positions, width)
            for row in reader:
                if row and (len(row) > 1 or row[0].strip()):
                    yield parse(reader.line_num, row)
        except UnicodeDecodeError:
            raise PaymentFileError(
                "file", "a payments file is UTF-8 text (CSV)", f"bytes that are not UTF-8 after line {reader.line_num}"
            ) from None
        except csv.Error as e:
            raise PaymentFileError("file", "a payments file is a CSV", f"line {reader.line_num}: {e}") from None


def read_payment(fields: Sequence[str], *, now: dt.datetime, arrears_cap: ArrearsCap) -> PaymentLine:
    """One payment's fields in the order of COLUMNS (a bank's call, the counter), checked as a file's line is.

    Example:
        `read_payment(("TRX-1", "8888801944358911", "", "875000", "2024-03-05", "teller"), ...)` gives the
        `PaymentLine` of line 1 of a file holding that line alone.
    """
    return _LineParser(now, arrears_cap, tuple(range(len(COLUMNS))), len(COLUMNS))(1, list(fields))


def _open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as e:
        raise PaymentFileError("file", "the payments file must exist and be readable", e.strerror or "") from None


def _header(reader: Iterator[list[str]]) -> tuple[tuple[int, ...], int]:
    """Where each column of COLUMNS is, and how many columns a line has; other columns are ignored."""
    expected = ",".join(COLUMNS)
    first = next(reader, None)
    if first is None:
        raise PaymentFileError("header", f"a payments file starts with the header {expected}", "the file is empty")
    names = [cell.strip().lower() for cell in first]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise PaymentFileError(
            "header", f"a payments file starts with the header {expected}", f"missing: {', '.join(missing)}"
        )
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if repeated:
        raise PaymentFileError(
            "header", f"a payments file names each column once ({expected})", f"repeated: {', '.join(repeated)}"
        )
    return tuple(names.index(name) for name in COLUMNS), len(names)


class _LineParser:
    """Checks one line; caches what depends only on the payment day. Written for speed: it runs once per line."""

    def __init__(self, now: dt.datetime, arrears_cap: ArrearsCap, positions: tuple[int, ...], width: int) -> None:
        self._positions = positions
        self._width = width
        self._now = now.replace(tzinfo=None)  # wall-clock time, as the payment times are read
        self._arrears_cap = arrears_cap
        # Per payment day: (month as yyyymm, reactivation cap); None when no JKN rule is in force yet.
        self._days: dict[dt.date, tuple[int, int | None] | None] = {}

    def __call__(self, line_no: int, row: list[str]) -> PaymentLine:
        if len(row) != self._width:
            detail = f"line: {len(row)} fields, the header has {self._width}"
            return _rejected(line_no, None, Rejection.MISSING_FIELD, detail)
        i_ref, i_va, i_account, i_amount, i_paid, i_channel = self._positions
        reference = row[i_ref].strip()
        va = row[i_va].strip()
        account = row[i_account].strip()
        amount_text = row[i_amount].strip()
        paid_text = row[i_paid].strip()
        channel = row[i_channel].strip()

        missing = _missing(reference, va, account, amount_text, paid_text, channel)
        if missing is not None:
            kept = reference[:REFERENCE_MAX] if text_problem(reference, len(reference)) is None else ""
            return _rejected(line_no, kept or None, Rejection.MISSING_FIELD, missing)
        # Whole Rupiah, digits only: "12.000" or "12,000" are ambiguous and "-5" is not a payment.
        if not (amount_text.isdigit() and amount_text.isascii()) or len(amount_text) > AMOUNT_MAX_DIGITS:
            return _rejected(
                line_no, reference, Rejection.INVALID_AMOUNT, "amount: a whole number of Rupiah, digits only"
            )
        amount = int(amount_text)
        if amount <= 0:
            return _rejected(line_no, reference, Rejection.INVALID_AMOUNT, "amount: more than 0 Rupiah")
        try:
            paid_at = dt.datetime.fromisoformat(paid_text)
        except ValueError:
            return _rejected(line_no, reference, Rejection.INVALID_DATE, _DATE_FORMAT)
        if paid_at.tzinfo is not None:
            # Banks write the wall-clock time where the payment was made; that day is the payment day.
            paid_at = paid_at.replace(tzinfo=None)
        if paid_at > self._now:
            return _rejected(line_no, reference, Rejection.INVALID_DATE, "paid_at: after the time of the import")
        paid_on = paid_at.date()
        day = self._days[paid_on] if paid_on in self._days else self._day(paid_on)
        if day is None:
            return _rejected(line_no, reference, Rejection.INVALID_DATE, "paid_at: before any JKN rule is in force")
        if va:
            if len(va) != VA_DIGITS or not (va.isdigit() and va.isascii()):
                return _rejected(line_no, reference, Rejection.UNKNOWN_ACCOUNT, _VA_FORMAT)
            return PaymentLine(
                line_no, reference, va, None, amount, paid_at, paid_on, day[0], day[1], channel, None, None
            )
        if not (account.isdigit() and account.isascii()) or len(account) > ACCOUNT_ID_MAX_DIGITS:
            return _rejected(line_no, reference, Rejection.UNKNOWN_ACCOUNT, "account: an account id is a number")
        return PaymentLine(
            line_no, reference, None, int(account), amount, paid_at, paid_on, day[0], day[1], channel, None, None
        )

    def _day(self, day: dt.date) -> tuple[int, int | None] | None:
        try:
            found: tuple[int, int | None] | None = (day.year * 100 + day.month, self._arrears_cap(day))
        except RuleNotInForce:
            found = None
        self._days[day] = found
        return found


_DATE_FORMAT = "paid_at: an ISO date or date-time (YYYY-MM-DD[THH:MM[:SS]])"
_VA_FORMAT = f"va: a virtual account has {VA_DIGITS} digits"


def _missing(reference: str, va: str, account: str, amount: str, paid_at: str, channel: str) -> str | None:
    """What is missing from a line, if anything: a field that is required, too long or not text (a control
    character), or both va and account."""
    if not reference:
        return "reference: required"
    if len(reference) > REFERENCE_MAX:
        return f"reference: at most {REFERENCE_MAX} characters"
    for name, value in (("reference", reference), ("va", va), ("account", account), ("channel", channel)):
        problem = text_problem(value, len(value))
        if problem is not None:
            return f"{name}: {problem}"
    if not va and not account:
        return "va/account: one of them is required"
    if va and account:
        return "va/account: fill only one of them"
    if not amount:
        return "amount: required"
    if not paid_at:
        return "paid_at: required"
    if not channel:
        return "channel: required"
    if len(channel) > CHANNEL_MAX:
        return f"channel: at most {CHANNEL_MAX} characters"
    return None


def _rejected(line_no: int, reference: str | None, reason: Rejection, detail: str) -> PaymentLine:
    return PaymentLine(line_no, reference, None, None, None, None, None, None, None, None, reason.value, detail)
