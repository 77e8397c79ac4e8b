"""`iuran reconcile`: a bank's statement, MT940 or camt.053, against the payments posted: every Rupiah the bank says
it collected is in the books once; what is not, and what the bank does not show, is named. Importing it again
changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, text

import snap_client as bank
from cycle_fixtures import family
from iuran.rules.month import Month
from iuran.services.partners import NewPartner, Vault, add_partner
from iuran.services.payments import PaymentRequest, post_payment
from iuran.services.unit_of_work import Actor, UnitOfWork
from usecases import run_cycle

if TYPE_CHECKING:
    from conftest import RunIuran

JAN = Month(2024, 1)
DAY = dt.date(2024, 1, 10)
KELAS3 = 35_000


@pytest.fixture
def books(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Three families paid through the bank on 10 January 2024 (P-1, P-2, P-3); the bank's statement will show P-1
    right, P-2 with another amount, not P-3, and a credit P-9 the books never saw."""
    monkeypatch.setenv("IURAN_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    with engine.begin() as c:
        vas = []
        for _ in range(3):
            a = family(c, 1, 3, billing_from=JAN)
            vas.append(c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": a}).scalar_one())
    run_cycle(engine, JAN, now=dt.datetime(2024, 1, 1, 1))
    now = dt.datetime.combine(DAY, dt.time(18))
    with UnitOfWork(engine, now=now, actor=Actor.cli()) as uow:
        vault = Vault.at(tmp_path / "secret.key", create=True)
        add_partner(
            uow, NewPartner(bank.Bank().client_id, "Bank Mandiri", "95221", bank.SECRET, bank.public_pem()), vault
        )
    for n, va in enumerate(vas, start=1):
        request = PaymentRequest(
            f"SNAP:BANKMANDIRI:P-{n}", KELAS3, dt.datetime.combine(DAY, dt.time(9, n)), "snap:BANKMANDIRI", va=va
        )
        with UnitOfWork(engine, now=now, actor=Actor.cli()) as uow:
            post_payment(uow, request)
    return {"vas": vas}


CREDITS = (("P-1", KELAS3), ("P-2", KELAS3 + 1000), ("P-9", 50_000))


def mt940(path: Path) -> Path:
    lines = [":20:STMT20240110", ":25:1230004567890", ":28C:00010/001", ":60F:C240110IDR0,00"]
    for ref, amount in CREDITS:
        lines += [f":61:2401100110C{amount},00NTRF{ref}//BNK{ref}", f":86:{ref} IURAN JKN"]
    lines += [":61:2401100110D6500,00NCHGNONREF//FEE", ":86:BIAYA ADMIN"]  # a fee: not a payment
    lines += [f":62F:C240110IDR{sum(a for _, a in CREDITS) - 6500},00", ""]
    path.write_text("\n".join(lines), encoding="ascii")
    return path


def camt053(path: Path) -> Path:
    entries = "".join(
        f"<Ntry><Amt Ccy='IDR'>{amount}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-10</Dt></BookgDt>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>{ref}</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>"
        for ref, amount in CREDITS
    )
    fee = "<Ntry><Amt Ccy='IDR'>6500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-01-10</Dt></BookgDt></Ntry>"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        "<GrpHdr><MsgId>STMT20240110</MsgId><CreDtTm>2024-01-10T23:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>1</Id>{entries}{fee}</Stmt></BkToCstmrStmt></Document>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", ["mt940", "camt053"])
def test_a_statement_names_each_rupiah_that_is_not_in_the_books_once(
    books: dict[str, Any], engine: Engine, db_url: str, run_iuran: RunIuran, tmp_path: Path, fmt: str
) -> None:
    path = (mt940 if fmt == "mt940" else camt053)(tmp_path / f"statement.{fmt}")
    args = ("reconcile", str(path), "--format", fmt, "--partner", "BANKMANDIRI", "--report", "json")
    code, out, err = run_iuran(*args, "--database", db_url)
    assert code == 1, err  # the statement and the books disagree
    report = json.loads(out)
    assert report["matched"] == {"count": 1, "amount": KELAS3}
    assert report["amount_mismatch"] == {"count": 1, "amount": KELAS3 + 1000}
    assert report["missing_in_books"] == {"count": 1, "amount": 50_000}
    assert report["missing_at_bank"] == {"count": 1, "amount": KELAS3}
    assert report["days"] == [
        {"day": "2024-01-10", "channel": "snap:BANKMANDIRI", "bank": 2 * KELAS3 + 51_000, "books": 3 * KELAS3,
         "difference": 51_000 - KELAS3}
    ]  # fmt: skip
    kinds = {(x["kind"], x["reference"]) for x in report["discrepancies"]}
    assert kinds == {
        ("amount_mismatch", "P-2"),
        ("missing_in_books", "P-9"),
        ("missing_at_bank", "SNAP:BANKMANDIRI:P-3"),
    }
    with engine.connect() as c:
        before = c.execute(text("SELECT count(*) FROM bank_statement_line")).scalar_one()
    again, out_again, _ = run_iuran(*args, "--database", db_url)
    second = json.loads(out_again)
    assert again == 1 and second["statement"]["imported_before"] is True
    assert {k: v for k, v in second.items() if k != "statement"} == {
        k: v for k, v in report.items() if k != "statement"
    }
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM bank_statement_line")).scalar_one() == before == 3
    code, table, _ = run_iuran(
        "reconcile", str(path), "--format", fmt, "--partner", "BANKMANDIRI", "--database", db_url
    )
    assert "tidak ada di pembukuan" in table and "TIDAK COCOK" in table
    code, csv_out, _ = run_iuran(*args[:-1], "csv", "--database", db_url)
    assert csv_out.splitlines()[0] == "section,day,channel,reference,bank_amount,books_amount,line,payment_id"


def test_a_statement_that_matches_reconciles(
    books: dict[str, Any], db_url: str, run_iuran: RunIuran, tmp_path: Path
) -> None:
    path = tmp_path / "ok.sta"
    lines = [":20:OK", ":25:1", ":28C:1/1", ":60F:C240110IDR0,00"]
    for n in (1, 2, 3):
        lines += [f":61:2401100110C{KELAS3},00NTRFP-{n}//B{n}", f":86:P-{n}"]
    path.write_text("\n".join([*lines, f":62F:C240110IDR{3 * KELAS3},00", ""]), encoding="ascii")
    code, out, err = run_iuran(
        "reconcile", str(path), "--partner", "BANKMANDIRI", "--report", "json", "--database", db_url
    )
    assert code == 0, err
    assert json.loads(out)["reconciled"] is True and json.loads(out)["matched"]["count"] == 3


def test_a_bad_statement_is_refused_naming_the_rule(
    books: dict[str, Any], db_url: str, run_iuran: RunIuran, tmp_path: Path
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<Document><unclosed>", encoding="utf-8")
    code, _, err = run_iuran(
        "reconcile", str(path), "--format", "camt053", "--partner", "BANKMANDIRI", "--database", db_url
    )
    assert code == 2 and "camt.053" in err
    code, _, err = run_iuran("reconcile", str(path), "--format", "mt940", "--database", db_url)
    assert code == 2 and "--partner or --channel" in err
