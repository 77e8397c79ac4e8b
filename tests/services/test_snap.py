"""The SNAP biller's use cases, called as `iuran serve` calls them (the call's method, path, headers and bytes), with
an injected clock, on both databases; every request signed by the bank's side of the standard (`snap_client`),
which shares no code with the server. Each refusal has its code and leaves nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

import snap_client as bank
from cycle_fixtures import family
from iuran.rules.month import Month
from iuran.services.partners import NewPartner, Vault, add_partner, disable_partner
from iuran.services.snap import SnapCall, SnapPolicy, SnapReply, access_token, va_inquiry, va_payment
from iuran.services.unit_of_work import Actor, UnitOfWork
from usecases import report_death, run_cycle

POLICY = SnapPolicy()
WIB = POLICY.zone
JAN, FEB = Month(2024, 1), Month(2024, 2)
NOW = dt.datetime(2024, 2, 6, 10, 0)  # the branch's wall clock (WIB)
BANK = bank.Bank()
KELAS3 = 35_000


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.at(tmp_path / "secret.key", create=True)


@pytest.fixture
def branch(engine: Engine, vault: Vault) -> Iterator[dict[str, Any]]:
    """Two families of two, billed January and February 2024, and the bank registered."""
    with engine.begin() as c:
        accounts = [family(c, 2, 3, billing_from=JAN) for _ in range(2)]
        vas = [c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": a}).scalar_one() for a in accounts]
    for month in (JAN, FEB):
        run_cycle(engine, month, now=dt.datetime.combine(month.first_day(), dt.time(1)))
    with UnitOfWork(engine, now=NOW - dt.timedelta(days=30), actor=Actor.cli()) as uow:
        add_partner(
            uow, NewPartner(BANK.client_id, "Bank Mandiri", BANK.channel_id, BANK.secret, bank.public_pem()), vault
        )
    yield {"accounts": accounts, "vas": vas}


def counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as c:
        return tuple(
            c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("partner_token", "snap_request", "payment", "allocation")
        )


def _call(path: str, headers: dict[str, str], body: str | bytes) -> SnapCall:
    raw = body.encode() if isinstance(body, str) else body
    return SnapCall("POST", path, {k.lower(): v for k, v in headers.items()}, raw)


def token_call(engine: Engine, headers: dict[str, str], body: str, now: dt.datetime = NOW) -> SnapReply:
    with UnitOfWork(engine, now=now, actor=Actor("partner", "test")) as uow:
        return access_token(uow, _call(bank.TOKEN_PATH, headers, body), POLICY)


def get_token(engine: Engine, now: dt.datetime = NOW) -> str:
    reply = token_call(engine, *BANK.token_request(now.replace(tzinfo=WIB)), now=now)
    assert reply.http == 200, reply.body
    return str(reply.body["accessToken"])


def signed_call(
    engine: Engine,
    vault: Vault,
    path: str,
    token: str,
    body: dict[str, Any],
    external_id: str,
    now: dt.datetime = NOW,
    tamper: Any = None,
) -> SnapReply:
    headers, text_ = BANK.signed(path, token, body, now.replace(tzinfo=WIB), external_id)
    if tamper:
        headers, text_ = tamper(headers, text_)
    use_case = va_inquiry if path == bank.INQUIRY_PATH else va_payment
    with UnitOfWork(engine, now=now, actor=Actor("partner", "test")) as uow:
        return use_case(uow, _call(path, headers, text_), vault, POLICY)


# --- the token --------------------------------------------------------------------------------------------------


def test_a_partner_signing_with_its_key_gets_a_bearer_token_for_900_seconds(engine: Engine, branch: dict) -> None:
    reply = token_call(engine, *BANK.token_request(NOW.replace(tzinfo=WIB)))
    assert reply.http == 200
    assert reply.body["responseCode"] == "2007300" and reply.body["tokenType"] == "Bearer"
    assert reply.body["expiresIn"] == "900" and len(reply.body["accessToken"]) >= 32
    with engine.connect() as c:  # only its hash is kept
        assert c.execute(text("SELECT token_hash FROM partner_token")).scalar_one() != reply.body["accessToken"]


def _other_key_signature(headers: dict[str, str]) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return headers | {"X-SIGNATURE": bank.rsa_signature(BANK.client_id, headers["X-TIMESTAMP"], other)}


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("another key", "4017300"),
        ("unknown client", "4017300"),
        ("stale timestamp", "4007301"),
        ("no signature", "4007302"),
        ("wrong grant", "4007301"),
    ],
)
def test_a_token_request_that_does_not_check_out_is_refused(engine: Engine, branch: dict, how: str, code: str) -> None:
    before = counts(engine)
    at = NOW.replace(tzinfo=WIB) - (dt.timedelta(minutes=10) if how == "stale timestamp" else dt.timedelta())
    headers, body = BANK.token_request(at)
    if how == "another key":
        headers = _other_key_signature(headers)
    elif how == "unknown client":
        headers = headers | {"X-CLIENT-KEY": "BANKLAIN"}
    elif how == "no signature":
        del headers["X-SIGNATURE"]
    elif how == "wrong grant":
        body = bank.minify({"grantType": "password"})
    reply = token_call(engine, headers, body)
    assert reply.body["responseCode"] == code and reply.http == int(code[:3])
    assert "accessToken" not in reply.body and counts(engine) == before


def test_a_disabled_partner_gets_no_token_and_its_tokens_stop_working(
    engine: Engine, vault: Vault, branch: dict
) -> None:
    token = get_token(engine)
    with UnitOfWork(engine, now=NOW, actor=Actor.cli()) as uow:
        disable_partner(uow, BANK.client_id)
    assert token_call(engine, *BANK.token_request(NOW.replace(tzinfo=WIB))).body["responseCode"] == "4017300"
    reply = signed_call(engine, vault, bank.INQUIRY_PATH, token, bank.inquiry_body(branch["vas"][0], "Q1"), "1")
    assert reply.body["responseCode"] == "4012401"


# --- the inquiry ------------------------------------------------------------------------------------------------


def test_the_inquiry_returns_the_familys_bill_month_by_month(engine: Engine, vault: Vault, branch: dict) -> None:
    token = get_token(engine)
    va = branch["vas"][0]
    reply = signed_call(engine, vault, bank.INQUIRY_PATH, token, bank.inquiry_body(va, "INQ-1"), "100001")
    assert reply.http == 200 and reply.body["responseCode"] == "2002400", reply.body
    data = reply.body["virtualAccountData"]
    assert data["virtualAccountNo"] == va[:5].rjust(8) + va[5:] and data["inquiryRequestId"] == "INQ-1"
    assert data["totalAmount"] == {"value": f"{2 * 2 * KELAS3}.00", "currency": "IDR"}
    assert [b["billNo"] for b in data["billDetails"]] == ["202401", "202402"]
    assert data["billDetails"][0]["billDescription"]["indonesia"] == "Iuran JKN Januari 2024"
    assert data["virtualAccountName"] == "KELUARGA A****** 0"  # the first word whole, the others by their initial


def test_the_va_may_come_without_its_padding(engine: Engine, vault: Vault, branch: dict) -> None:
    token, va = get_token(engine), branch["vas"][0]
    body = bank.inquiry_body(va, "INQ-2") | {"virtualAccountNo": va}
    reply = signed_call(engine, vault, bank.INQUIRY_PATH, token, body, "100002")
    assert reply.body["responseCode"] == "2002400"


def _tampered_body(headers: dict[str, str], body: str) -> tuple[dict[str, str], str]:
    return headers, body.replace('"INQ-3"', '"INQ-4"')


def _wrong_secret(headers: dict[str, str], body: str) -> tuple[dict[str, str], str]:
    ts = headers["X-TIMESTAMP"]
    token = headers["Authorization"].split()[1]
    sig = bank.hmac_signature("not-the-secret", "POST", bank.INQUIRY_PATH, token, body, ts)
    return headers | {"X-SIGNATURE": sig}, body


def _pretty_body(headers: dict[str, str], body: str) -> tuple[dict[str, str], str]:
    """The same JSON, indented: the signature is over its minified form, so it still verifies."""
    import json

    return headers, json.dumps(json.loads(body), indent=2)


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("tampered body", "4012400"),
        ("wrong secret", "4012400"),
        ("bad token", "4012401"),
        ("expired token", "4012401"),
        ("stale timestamp", "4002401"),
        ("missing customerNo", "4002402"),
        ("malformed customerNo", "4002401"),
        ("unknown va", "4042412"),
        ("no external id", "4002402"),
    ],
)
def test_an_inquiry_that_does_not_check_out_is_refused_and_nothing_is_written(
    engine: Engine, vault: Vault, branch: dict, how: str, code: str
) -> None:
    token = get_token(engine)
    va = branch["vas"][0]
    body = bank.inquiry_body(va, "INQ-3")
    now, tamper = NOW, None
    if how == "tampered body":
        tamper = _tampered_body
    elif how == "wrong secret":
        tamper = _wrong_secret
    elif how == "bad token":
        token = "x" * 43
    elif how == "expired token":
        now = NOW + dt.timedelta(seconds=901)
    elif how == "stale timestamp":

        def tamper(h: dict[str, str], b: str) -> tuple[dict[str, str], str]:
            old = bank.stamp(NOW.replace(tzinfo=WIB) - dt.timedelta(minutes=6))
            return h | {
                "X-TIMESTAMP": old,
                "X-SIGNATURE": bank.hmac_signature(BANK.secret, "POST", bank.INQUIRY_PATH, token, b, old),
            }, b

    elif how == "missing customerNo":
        del body["customerNo"]
    elif how == "malformed customerNo":
        body["customerNo"] = "12345"
    elif how == "unknown va":
        body = bank.inquiry_body("8888899999999999", "INQ-3")
    elif how == "no external id":

        def tamper(h: dict[str, str], b: str) -> tuple[dict[str, str], str]:
            return {k: v for k, v in h.items() if k != "X-EXTERNAL-ID"}, b

    before = counts(engine)
    reply = signed_call(engine, vault, bank.INQUIRY_PATH, token, body, "100003", now=now, tamper=tamper)
    assert reply.body["responseCode"] == code, reply.body
    assert reply.http == int(code[:3]) and "virtualAccountData" not in reply.body
    assert BANK.secret not in str(reply.body) and counts(engine) == before


def test_a_pretty_printed_body_verifies_by_its_minified_form(engine: Engine, vault: Vault, branch: dict) -> None:
    token = get_token(engine)
    body = bank.inquiry_body(branch["vas"][0], "INQ-3")
    reply = signed_call(engine, vault, bank.INQUIRY_PATH, token, body, "100004", tamper=_pretty_body)
    assert reply.body["responseCode"] == "2002400", reply.body


def test_an_external_id_is_used_once_a_day(engine: Engine, vault: Vault, branch: dict) -> None:
    token = get_token(engine)
    body = bank.inquiry_body(branch["vas"][0], "INQ-5")
    first = signed_call(engine, vault, bank.INQUIRY_PATH, token, body, "200001")
    again = signed_call(engine, vault, bank.INQUIRY_PATH, token, body, "200001")
    assert first.body["responseCode"] == "2002400" and again.body["responseCode"] == "4092400"
    assert again.http == 409


# --- the payment ------------------------------------------------------------------------------------------------


def pay(
    engine: Engine, vault: Vault, token: str, va: str, request_id: str, amount: int, external_id: str, **kw: Any
) -> SnapReply:
    body = bank.payment_body(va, request_id, amount, NOW.replace(tzinfo=WIB) - dt.timedelta(minutes=1), **kw)
    return signed_call(engine, vault, bank.PAYMENT_PATH, token, body, external_id)


def test_a_payment_of_the_bill_posts_it_and_activates_the_family(engine: Engine, vault: Vault, branch: dict) -> None:
    token, va = get_token(engine), branch["vas"][0]
    reply = pay(engine, vault, token, va, "PAY-1", 4 * KELAS3, "300001")
    assert reply.http == 200 and reply.body["responseCode"] == "2002500", reply.body
    data = reply.body["virtualAccountData"]
    assert data["paymentFlagStatus"] == "00" and data["paidAmount"]["value"] == f"{4 * KELAS3}.00"
    assert [b["billNo"] for b in data["billDetails"]] == ["202401", "202402"]
    with engine.connect() as c:
        assert c.execute(
            text("SELECT active FROM account_status WHERE account_id = :a"), {"a": branch["accounts"][0]}
        ).scalar_one()
        assert c.execute(text("SELECT channel FROM payment")).scalar_one() == f"snap:{BANK.client_id}"
    # Paid: a second payment request finds nothing to pay.
    again = pay(engine, vault, token, va, "PAY-2", 4 * KELAS3, "300002")
    assert again.body["responseCode"] == "4042514" and again.http == 404


def test_a_repeated_notification_returns_the_first_result_and_posts_nothing(
    engine: Engine, vault: Vault, branch: dict
) -> None:
    token, va = get_token(engine), branch["vas"][0]
    first = pay(engine, vault, token, va, "PAY-3", 4 * KELAS3, "300003")
    before = counts(engine)
    retry = pay(engine, vault, token, va, "PAY-3", 4 * KELAS3, "300004")
    advice = pay(engine, vault, token, va, "PAY-3", 4 * KELAS3, "300005", advise=True)
    for reply in (retry, advice):
        assert reply.body["responseCode"] == "2002500"
        assert reply.body["virtualAccountData"]["referenceNo"] == first.body["virtualAccountData"]["referenceNo"]
    after = counts(engine)
    assert after[2:] == before[2:]  # no payment, no allocation: only the two calls are recorded
    # The same request id with another amount is not a repeat.
    other = pay(engine, vault, token, va, "PAY-3", 5 * KELAS3, "300006")
    assert other.body["responseCode"] == "4042518"


@pytest.mark.parametrize(
    ("how", "code"),
    [("short", "4042513"), ("more", "4042513"), ("sen", "4002501"), ("unknown va", "4042512"), ("no id", "4002502")],
)
def test_a_payment_the_bill_does_not_take_is_refused_and_nothing_is_written(
    engine: Engine, vault: Vault, branch: dict, how: str, code: str
) -> None:
    token, va = get_token(engine), branch["vas"][1]
    before = counts(engine)
    at = NOW.replace(tzinfo=WIB) - dt.timedelta(minutes=1)
    body = bank.payment_body(va, "PAY-9", 4 * KELAS3, at)
    if how == "short":
        body["paidAmount"]["value"] = f"{4 * KELAS3 - 1}.00"
    elif how == "more":
        body["paidAmount"]["value"] = f"{5 * KELAS3}.00"
    elif how == "sen":
        body["paidAmount"]["value"] = f"{4 * KELAS3}.50"
    elif how == "unknown va":
        body = bank.payment_body("8888899999999999", "PAY-9", 4 * KELAS3, at)
    elif how == "no id":
        del body["paymentRequestId"]
    reply = signed_call(engine, vault, bank.PAYMENT_PATH, token, body, "400001")
    assert reply.body["responseCode"] == code and reply.http == int(code[:3]), reply.body
    assert counts(engine) == before


def test_a_family_that_covers_no_one_any_more_has_an_expired_bill(engine: Engine, vault: Vault, branch: dict) -> None:
    with engine.connect() as c:
        niks = (
            c.execute(
                text("SELECT p.nik FROM person p JOIN membership m ON m.person_id = p.id WHERE m.account_id = :a"),
                {"a": branch["accounts"][1]},
            )
            .scalars()
            .all()
        )
    for nik in niks:
        report_death(engine, nik, dt.date(2024, 1, 20), dt.date(2024, 2, 1))
    token = get_token(engine)
    inquiry = signed_call(engine, vault, bank.INQUIRY_PATH, token, bank.inquiry_body(branch["vas"][1], "Q9"), "500001")
    payment = pay(engine, vault, token, branch["vas"][1], "PAY-10", 2 * KELAS3, "500002")
    assert inquiry.body["responseCode"] == "4042419" and payment.body["responseCode"] == "4042519"


def test_an_advice_before_the_original_posts_it_and_the_original_then_finds_it(
    engine: Engine, vault: Vault, branch: dict
) -> None:
    """Out of order: the bank, unsure, sends the advice first (flagAdvise Y); it posts the payment. The original
    notification arriving after returns the same result and posts nothing; the bill is then paid."""
    token, va = get_token(engine), branch["vas"][0]
    advice = pay(engine, vault, token, va, "PAY-20", 4 * KELAS3, "600001", advise=True)
    original = pay(engine, vault, token, va, "PAY-20", 4 * KELAS3, "600002")
    assert advice.body["responseCode"] == original.body["responseCode"] == "2002500"
    assert advice.body["virtualAccountData"] == original.body["virtualAccountData"]
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM payment")).scalar_one() == 1
    inquiry = signed_call(engine, vault, bank.INQUIRY_PATH, token, bank.inquiry_body(va, "Q20"), "600003")
    assert inquiry.body["responseCode"] == "4042414" and inquiry.http == 404
