"""A bank's side of SNAP, written from the standard (ASPI SNAP, "Security"; docs/snap.md) and independent of
iuran's own code: what a partner signs and sends. Tests sign their requests with it."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TOKEN_PATH = "/v1.0/access-token/b2b"
INQUIRY_PATH = "/v1.0/transfer-va/inquiry"
PAYMENT_PATH = "/v1.0/transfer-va/payment"
SECRET = "s3cr3t-0f-bank-mandiri-for-hmac-512-xyz"


@functools.cache
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey | None = None) -> str:
    return (
        (key or private_key())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def stamp(at: dt.datetime) -> str:
    """X-TIMESTAMP: ISO 8601 with the offset, e.g. 2024-05-06T10:00:00+07:00."""
    return at.isoformat(timespec="seconds")


def rsa_signature(client_id: str, timestamp: str, key: rsa.RSAPrivateKey | None = None) -> str:
    """SHA256withRSA over `clientId|X-TIMESTAMP`, base64."""
    message = f"{client_id}|{timestamp}".encode()
    return base64.b64encode((key or private_key()).sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def minify(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


def hmac_signature(secret: str, method: str, path: str, token: str, body: str, timestamp: str) -> str:
    """HMAC-SHA512 over `METHOD:path:token:lowercase(hex(SHA-256(minified body))):timestamp`, base64."""
    digest = hashlib.sha256(body.encode()).hexdigest().lower()
    message = f"{method}:{path}:{token}:{digest}:{timestamp}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha512).digest()).decode()


@dataclass
class Bank:
    """A partner: its ids, its secret and its key."""

    client_id: str = "BANKMANDIRI"
    channel_id: str = "95221"
    secret: str = SECRET

    def token_request(self, at: dt.datetime) -> tuple[dict[str, str], str]:
        ts = stamp(at)
        headers = {
            "Content-Type": "application/json",
            "X-TIMESTAMP": ts,
            "X-CLIENT-KEY": self.client_id,
            "X-SIGNATURE": rsa_signature(self.client_id, ts),
        }
        return headers, minify({"grantType": "client_credentials"})

    def signed(
        self, path: str, token: str, body: dict[str, Any], at: dt.datetime, external_id: str
    ) -> tuple[dict[str, str], str]:
        ts, text = stamp(at), minify(body)
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": hmac_signature(self.secret, "POST", path, token, text, ts),
            "X-PARTNER-ID": self.client_id,
            "X-EXTERNAL-ID": external_id,
            "CHANNEL-ID": self.channel_id,
        }
        return headers, text


def va_fields(va: str) -> dict[str, str]:
    """The family VA as SNAP fields: the 5-digit prefix padded with spaces to 8, the 11 others."""
    return {"partnerServiceId": va[:5].rjust(8), "customerNo": va[5:], "virtualAccountNo": va[:5].rjust(8) + va[5:]}


def inquiry_body(va: str, request_id: str) -> dict[str, Any]:
    return {**va_fields(va), "inquiryRequestId": request_id, "channelCode": 6011, "additionalInfo": {}}


def payment_body(va: str, request_id: str, amount: int, at: dt.datetime, *, advise: bool = False) -> dict[str, Any]:
    return {
        **va_fields(va),
        "paymentRequestId": request_id,
        "paidAmount": {"value": f"{amount}.00", "currency": "IDR"},
        "trxDateTime": stamp(at),
        "flagAdvise": "Y" if advise else "N",
        "referenceNo": f"REF{request_id}",
        "additionalInfo": {},
    }
