"""Use cases: a bank's SNAP calls to the virtual-account biller (docs/snap.md), as `iuran serve` receives them.

Each takes the call as it came (method, path, headers, the body's bytes: the signatures are over those) and
answers with the SNAP reply. The partner is authenticated first (its token, then its signature and timestamp),
and nothing is written for a call refused: its external id, the payment, its allocations and the family's status
commit together or not at all, through the same settlement as every other payment
(`iuran.billing.payments.post_payment`). A payment's reference is the partner's `paymentRequestId` under its
client id: the same notification again returns the first result and posts nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from iuran.billing import payments
from iuran.billing.payments import PaymentRejected, PaymentRequest, PostedPayment
from iuran.billing.payments_file import Rejection
from iuran.billing.quote import Quote, quote
from iuran.partners.calls import DuplicateExternalId, record_call
from iuran.partners.registry import (
    Partner,
    PartnerNotFound,
    client_secret,
    partner_by_client_id,
    payment_channel,
    payment_reference,
)
from iuran.partners.tokens import issue_token, partner_of_token
from iuran.partners.vault import Vault
from iuran.registry.accounts import Account, AccountNotFound, account_by_va, members
from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork
from iuran.snap import messages, timestamp
from iuran.snap.codes import Case, Service, SnapError, response_code
from iuran.snap.messages import BillLine, VaInquiry, VaPayment
from iuran.snap.signature import SignatureError, check_hmac, check_rsa, token_string, transaction_string

__all__ = [
    "Service",
    "SnapCall",
    "SnapPolicy",
    "SnapReply",
    "access_token",
    "general_error",
    "va_inquiry",
    "va_payment",
]

MAX_EXTERNAL_ID = 36  # SNAP: X-EXTERNAL-ID, a string of at most 36


@dataclass(frozen=True)
class SnapPolicy:
    """The biller's settings: how long a token lives (SNAP: 900 s), how far a request's timestamp may be from the
    biller's clock, and the branch's time zone (the books' times are its wall-clock times)."""

    token_lifetime: dt.timedelta = dt.timedelta(seconds=900)
    clock_tolerance: dt.timedelta = dt.timedelta(minutes=5)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))


@dataclass(frozen=True)
class SnapCall:
    method: str
    path: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class SnapReply:
    http: int
    body: dict[str, Any]


def general_error(service: Service) -> SnapReply:
    """The reply to a call the biller failed on inside: SNAP's General Error, nothing more."""
    return refusal(SnapError(Case.GENERAL_ERROR), service)


def refusal(error: SnapError, service: Service) -> SnapReply:
    return SnapReply(error.case.http, {"responseCode": error.response_code(service), "responseMessage": error.message})


def _success(service: Service, **body: Any) -> SnapReply:
    return SnapReply(
        200, {"responseCode": response_code(Case.SUCCESS, service), "responseMessage": "Successful", **body}
    )


def _header(call: SnapCall, name: str, *, longest: int = 512) -> str:
    value = call.headers.get(name.lower())
    if not value:
        raise SnapError(Case.MISSING_FIELD, name)
    if len(value) > longest or not value.isprintable():
        raise SnapError(Case.INVALID_FIELD, name)
    return value


def _aware_now(uow: UnitOfWork, policy: SnapPolicy) -> dt.datetime:
    return uow.now.replace(tzinfo=policy.zone)


# --- the access token -------------------------------------------------------------------------------------------


def access_token(uow: UnitOfWork, call: SnapCall, policy: SnapPolicy) -> SnapReply:
    """`POST /v1.0/access-token/b2b`: a token for a partner whose RSA signature of `clientId|X-TIMESTAMP` checks
    out with its registered public key."""
    try:
        client_id = _header(call, "X-CLIENT-KEY", longest=64)
        stamp = _header(call, "X-TIMESTAMP", longest=40)
        signature = _header(call, "X-SIGNATURE", longest=2048)
        body = messages.body_of(call.body)
        grant = messages.text_field(body, "grantType")
        if grant != "client_credentials":
            raise SnapError(Case.INVALID_FIELD, "grantType")
        timestamp.check_fresh(stamp, _aware_now(uow, policy), policy.clock_tolerance)
        try:
            partner = partner_by_client_id(uow.conn, client_id)
        except PartnerNotFound:
            raise SnapError(Case.UNAUTHORIZED, "Unknown client") from None
        if not partner.enabled:
            raise SnapError(Case.UNAUTHORIZED, "Unknown client")
        try:
            check_rsa(partner.public_key.encode(), token_string(client_id, stamp), signature)
        except SignatureError:
            raise SnapError(Case.UNAUTHORIZED, "Signature") from None
    except SnapError as e:
        return refusal(e, Service.TOKEN)
    token = issue_token(uow.conn, partner, uow.now, policy.token_lifetime)
    uow.commit()
    return _success(
        Service.TOKEN,
        accessToken=token,
        tokenType="Bearer",
        expiresIn=str(int(policy.token_lifetime.total_seconds())),
        additionalInfo={},
    )


# --- a transaction's authentication -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Authenticated:
    partner: Partner
    external_id: str
    body: dict[str, Any]


def _authenticate(uow: UnitOfWork, call: SnapCall, vault: Vault, policy: SnapPolicy) -> _Authenticated:
    """The partner of a transaction call: its token valid, the call signed with its secret, fresh, on its channel;
    or `SnapError`."""
    authorization = call.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SnapError(Case.INVALID_TOKEN)
    token = token.strip()
    partner = partner_of_token(uow.conn, token, uow.now)
    if partner is None:
        raise SnapError(Case.INVALID_TOKEN)
    stamp = _header(call, "X-TIMESTAMP", longest=40)
    signature = _header(call, "X-SIGNATURE", longest=512)
    if _header(call, "X-PARTNER-ID", longest=64) != partner.client_id:
        raise SnapError(Case.UNAUTHORIZED, "Unknown partner")
    message = transaction_string(call.method, call.path, token, call.body, stamp)
    try:
        check_hmac(client_secret(uow.conn, partner, vault), message, signature)
    except SignatureError:
        raise SnapError(Case.UNAUTHORIZED, "Signature") from None
    timestamp.check_fresh(stamp, _aware_now(uow, policy), policy.clock_tolerance)
    external_id = _header(call, "X-EXTERNAL-ID", longest=MAX_EXTERNAL_ID)
    if _header(call, "CHANNEL-ID", longest=16) != partner.channel_id:
        raise SnapError(Case.INVALID_FIELD, "CHANNEL-ID")
    return _Authenticated(partner, external_id, messages.body_of(call.body))


def _record(uow: UnitOfWork, auth: _Authenticated, service: Service) -> None:
    try:
        record_call(uow.conn, auth.partner, auth.external_id, service.name.lower(), uow.now)
    except DuplicateExternalId:
        raise SnapError(Case.CONFLICT) from None


# --- the bill ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bill:
    account: Account
    quote: Quote
    lines: tuple[BillLine, ...]


def _family(uow: UnitOfWork, va: str) -> Account:
    """The family of `va`, or `SnapError` (not found)."""
    try:
        return account_by_va(uow.conn, va)
    except (AccountNotFound, RuleInputError):
        raise SnapError(Case.BILL_NOT_FOUND) from None


def _bill(uow: UnitOfWork, account: Account) -> _Bill:
    """What the family pays today, or `SnapError`: a family that covers no one any more (expired), nothing to pay
    (paid)."""
    today = uow.today
    if today < account.opened_on or not members(uow.conn, account.id, Month.of(today)):
        raise SnapError(Case.BILL_EXPIRED)
    q = quote(uow.conn, account.id, account.kind, today, uow.rules, activated_on=account.activated_on)
    lines = [BillLine(m.month, m.amount) for m in q.months]
    if q.current_month.amount:
        lines.append(BillLine(q.current_month.month, q.current_month.amount))
    if q.late_fee:
        lines.append(BillLine(None, q.late_fee))
    if q.total <= 0:
        raise SnapError(Case.PAID_BILL)
    return _Bill(account, q, tuple(lines))


def va_inquiry(uow: UnitOfWork, call: SnapCall, vault: Vault, policy: SnapPolicy) -> SnapReply:
    """`POST /v1.0/transfer-va/inquiry`: the family's bill today (the quote), month by month."""
    try:
        auth = _authenticate(uow, call, vault, policy)
        request: VaInquiry = messages.inquiry(auth.body, uow.rules)
        _record(uow, auth, Service.INQUIRY)
        bill = _bill(uow, _family(uow, request.va))
    except SnapError as e:
        return refusal(e, Service.INQUIRY)
    uow.commit()
    name = messages.display_name(bill.account.name)
    return _success(Service.INQUIRY, virtualAccountData=messages.inquiry_reply(request, name, bill.lines, uow.rules))


# --- the payment ------------------------------------------------------------------------------------------------

_PAYMENT_CASES = {
    Rejection.UNKNOWN_ACCOUNT: Case.BILL_NOT_FOUND,
    Rejection.AMOUNT_MISMATCH: Case.INVALID_AMOUNT,
    Rejection.INVALID_AMOUNT: Case.INVALID_AMOUNT,
    Rejection.NOTHING_DUE: Case.PAID_BILL,
    Rejection.DUPLICATE_REFERENCE: Case.INCONSISTENT,
}


def _reference(partner: Partner, request: VaPayment) -> str:
    return payment_reference(partner.client_id, request.payment_request_id)


def _paid_lines(posted: PostedPayment) -> tuple[BillLine, ...]:
    lines = [BillLine(m.month, m.amount) for m in posted.settled]
    if posted.late_fee:
        lines.append(BillLine(None, posted.late_fee))
    return tuple(lines)


def _posted_before(uow: UnitOfWork, reference: str, request: VaPayment, account: Account) -> PostedPayment | None:
    """The payment this notification posted before, if it did; `SnapError` if that one was another payment."""
    posted = payments.payment_of_reference(uow.conn, reference)
    if posted is None:
        return None
    if posted.account_id != account.id or posted.amount != request.paid_amount:
        raise SnapError(Case.INCONSISTENT)
    return posted


def va_payment(uow: UnitOfWork, call: SnapCall, vault: Vault, policy: SnapPolicy) -> SnapReply:
    """`POST /v1.0/transfer-va/payment`: post the family's payment of its bill; the same `paymentRequestId` again
    (a retry, an advice) returns the first result and posts nothing."""
    try:
        auth = _authenticate(uow, call, vault, policy)
        request: VaPayment = messages.payment(auth.body, uow.rules)
        _record(uow, auth, Service.PAYMENT)
        reference = _reference(auth.partner, request)
        account = _family(uow, request.va)
        # Held for this notification (concurrent ones for the VA take turns): the bill read next is the bill it pays.
        payments.hold_account(uow.conn, account.id, reference)
        posted = _posted_before(uow, reference, request, account) or _post(
            uow, auth.partner, request, account, reference, policy
        )
    except SnapError as e:
        return refusal(e, Service.PAYMENT)
    uow.commit()
    reply = messages.payment_reply(
        request, messages.display_name(account.name), _paid_lines(posted), str(posted.payment_id), uow.rules
    )
    return _success(Service.PAYMENT, virtualAccountData=reply)


def _post(
    uow: UnitOfWork, partner: Partner, request: VaPayment, account: Account, reference: str, policy: SnapPolicy
) -> PostedPayment:
    bill = _bill(uow, account)
    if request.paid_amount != bill.quote.total:
        raise SnapError(Case.INVALID_AMOUNT)
    paid_at = request.trx_date_time.astimezone(policy.zone).replace(tzinfo=None)
    if paid_at > uow.now:
        if paid_at - uow.now > policy.clock_tolerance:
            raise SnapError(Case.INVALID_FIELD, "trxDateTime")
        paid_at = uow.now  # the bank's clock a little ahead of ours: paid now
    channel = payment_channel(partner.client_id)
    payment = PaymentRequest(reference, request.paid_amount, paid_at, channel, va=request.va)
    try:
        return payments.post_payment(uow.conn, payment, now=uow.now, rules=uow.rules)
    except PaymentRejected as e:
        reason = Rejection(e.reason)
        if reason == Rejection.DUPLICATE_REFERENCE:  # posted beside us by the same notification, now committed
            before = _posted_before(uow, reference, request, account)
            if before is not None:
                return before
        if reason == Rejection.WAITING_PERIOD:
            raise SnapError(Case.NOT_PERMITTED, "waiting period") from None
        if reason == Rejection.INVALID_DATE:
            raise SnapError(Case.INVALID_FIELD, "trxDateTime") from None
        raise SnapError(_PAYMENT_CASES.get(reason, Case.BAD_REQUEST)) from None
