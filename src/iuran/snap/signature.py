"""The signatures of SNAP (ASPI, SNAP technical standard, "Security"): what each call signs and how it is checked.

- The access token (B2B): the partner signs `clientId|X-TIMESTAMP` with its RSA private key, SHA256withRSA
  (PKCS #1 v1.5); the biller checks it with the public key the partner registered.
- A transaction (inquiry, payment): HMAC-SHA512 with the partner's client secret over
  `METHOD:path:accessToken:lowercase-hex(SHA-256(minified body)):X-TIMESTAMP`, base64.

Example:
    >>> transaction_string("POST", "/p", "tok", b'{"a": 1}', "2024-05-01T10:00:00+07:00")
    b'POST:/p:tok:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862:2024-05-01T10:00:00+07:00'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class SignatureError(ValueError):
    """A signature that does not verify, or a key that is not one."""


def token_string(client_id: str, timestamp: str) -> bytes:
    return f"{client_id}|{timestamp}".encode()


def minified(body: bytes) -> bytes:
    """The body as SNAP hashes it: the partner's JSON text with the whitespace between its tokens taken out (the
    tokens themselves, strings and numbers, exactly as sent).

    Example:
        >>> minified(b'{ "name" : "Siti  Aminah",\\n "amount": {"value": "10.00"} }')
        b'{"name":"Siti  Aminah","amount":{"value":"10.00"}}'
    """
    out = bytearray()
    in_string = escaped = False
    for byte in body:
        if in_string:
            out.append(byte)
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte not in b" \t\r\n":
            out.append(byte)
            in_string = byte == 0x22
    return bytes(out)


def transaction_string(method: str, path: str, access_token: str, body: bytes, timestamp: str) -> bytes:
    digest = hashlib.sha256(minified(body)).hexdigest()
    return f"{method.upper()}:{path}:{access_token}:{digest}:{timestamp}".encode()


def public_key(pem: bytes) -> rsa.RSAPublicKey:
    """An RSA public key from PEM (SubjectPublicKeyInfo), or `SignatureError`."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise SignatureError("not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise SignatureError("an RSA public key of at least 2048 bits")
    return key


def _decoded(signature: str) -> bytes:
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the signature is not base64") from None


def check_rsa(pem: bytes, message: bytes, signature: str) -> None:
    """SHA256withRSA: raises `SignatureError` unless `signature` (base64) signs `message` under the key."""
    try:
        public_key(pem).verify(_decoded(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("the signature does not verify") from None


def hmac_sha512(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha512).digest()).decode()


def check_hmac(secret: str, message: bytes, signature: str) -> None:
    """HMAC-SHA512: raises `SignatureError` unless `signature` (base64) is the secret's over `message`."""
    expected = hmac.new(secret.encode(), message, hashlib.sha512).digest()
    if not hmac.compare_digest(expected, _decoded(signature)):
        raise SignatureError("the signature does not verify")
