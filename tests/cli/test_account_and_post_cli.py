"""`iuran account show` and `iuran payments post` from the command line, on both databases: the quote as JSON or
a table, the same account by its va, id or a member's NIK, one payment and its duplicate; and every bad input as
one line on stderr naming the field, exit 2, nothing written. No clear NIK is ever printed."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from iuran.registry.enrolment import NewPerson, mask, register_employer, register_family
from iuran.rules.contribution import family_due
from iuran.rules.month import Month, month_range
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment
from usecases import run_cycle

if TYPE_CHECKING:
    from conftest import RunIuran

# Kota Palangka Raya, kecamatan Pahandut, kelurahan Pahandut (real codes).
DESA, KECAMATAN = "62.71.01.1001", "62.71.01"
OPENED = dt.date(2024, 1, 10)  # the family registers, and pays its first month on 25 January
BILLED = (Month(2024, 3), Month(2024, 5))  # then the cycles bill March to May 2024, and nothing is paid
AS_OF = "2024-05-06"
NOW = "2024-05-20T09:00"
PAID_AT = "2024-05-06T10:15:00"
BILL = sum(family_due(m, 3, 2) for m in month_range(*BILLED))  # a Kelas III family of two, March to May

TABLES = {
    "payment": "SELECT id, reference, account_id, amount, paid_at, channel FROM payment ORDER BY id",
    "allocation": "SELECT id, payment_id, charge_id, amount FROM allocation ORDER BY id",
    "writeoff": "SELECT id, charge_id, amount, payment_id FROM writeoff ORDER BY id",
    "open_item": "SELECT charge_id, amount_open FROM open_item ORDER BY charge_id",
    "account_status": "SELECT * FROM account_status ORDER BY account_id",
    "account": "SELECT id, activated_on FROM account ORDER BY id",
    "import_batch": "SELECT * FROM import_batch ORDER BY id",
    "payment_rejection": "SELECT * FROM payment_rejection ORDER BY id",
}


@dataclass(frozen=True)
class Branch:
    url: str
    engine: Engine
    account: int
    va: str
    niks: tuple[str, ...]  # in the clear: they must never be printed


@pytest.fixture
def branch(engine: Engine, db_url: str) -> Branch:
    """A Kelas III PBPU family of two, billed by the real cycle from March 2024, that has not paid since."""
    niks = (
        make_nik(KECAMATAN, dt.date(1984, 2, 14), "M", 41),
        make_nik(KECAMATAN, dt.date(1987, 7, 3), "F", 42),
    )
    people = [
        NewPerson(
            nik=nik, name=f"Anggota {i}", card_number=f"{4_200_000 + i:013d}", desa_code=DESA, registered_on=OPENED
        )
        for i, nik in enumerate(niks)
    ]
    with engine.begin() as c:
        account = register_family(
            c, "6271010000004201", people, Segment.PBPU, 3, billing_from=BILLED[0], activated_on=dt.date(2024, 1, 25)
        )
        va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar_one()
    for m in month_range(*BILLED):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 2, 0))
    return Branch(db_url, engine, account, str(va), niks)


def books(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    with engine.connect() as c:
        return {name: [tuple(map(str, r)) for r in c.execute(text(sql))] for name, sql in TABLES.items()}


def payments_count(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM payment")).scalar_one())


def show(run_iuran: RunIuran, b: Branch, *key: str, fmt: str = "json", as_of: str = AS_OF) -> tuple[int, str, str]:
    return run_iuran("account", "show", *key, "--as-of", as_of, "--format", fmt, "--database", b.url)


def post(
    run_iuran: RunIuran, b: Branch, *args: str, reference: str = "CTR-1", amount: int = BILL
) -> tuple[int, str, str]:
    return run_iuran(
        "payments",
        "post",
        *args,
        "--amount",
        str(amount),
        "--reference",
        reference,
        "--paid-at",
        PAID_AT,
        "--channel",
        "kantor_cabang",
        "--now",
        NOW,
        "--database",
        b.url,
    )


def assert_no_clear_nik(b: Branch, *outputs: str) -> None:
    for nik in b.niks:
        assert all(nik not in o for o in outputs), "a NIK is printed in the clear"


def test_account_show_prints_the_quote_as_json(branch: Branch, run_iuran: RunIuran) -> None:
    code, out, err = show(run_iuran, branch, "--va", branch.va)

    assert (code, err) == (0, "")
    view = json.loads(out)
    required = {"account", "va", "kind", "segment", "kelas", "status", "unpaid_since", "months", "written_off"}
    assert required | {"current_month", "total", "members"} <= set(view)
    assert {k: view[k] for k in ("account", "va", "kind", "segment", "kelas", "status", "unpaid_since")} == {
        "account": branch.account,
        "va": branch.va,
        "kind": "family",
        "segment": "pbpu",
        "kelas": 3,
        "status": "non-active",  # two months in arrears: suspended by the cycle
        "unpaid_since": "2024-03",
    }
    assert view["months"] == [{"month": m, "amount": family_due(Month.parse(m), 3, 2)} for m in ("2024-03", "2024-04")]
    assert view["written_off"] == []
    assert view["current_month"] == {"month": "2024-05", "amount": family_due(Month(2024, 5), 3, 2)}
    assert view["total"] == BILL
    assert [m["nik"] for m in view["members"]] == [mask(n) for n in branch.niks]
    assert all(m["status"] == "non-active" for m in view["members"])
    assert_no_clear_nik(branch, out, err)


def test_by_va_by_account_and_by_nik_is_the_same_account(branch: Branch, run_iuran: RunIuran) -> None:
    outputs = [
        show(run_iuran, branch, "--va", branch.va),
        show(run_iuran, branch, "--account", str(branch.account)),
        show(run_iuran, branch, "--nik", branch.niks[0]),
        show(run_iuran, branch, "--nik", branch.niks[1]),
    ]

    assert [code for code, _, _ in outputs] == [0, 0, 0, 0]
    assert len({out for _, out, _ in outputs}) == 1
    assert json.loads(outputs[0][1])["account"] == branch.account
    assert_no_clear_nik(branch, *(out + err for _, out, err in outputs))


def test_account_show_as_a_table_for_people(branch: Branch, run_iuran: RunIuran) -> None:
    code, out, err = show(run_iuran, branch, "--nik", branch.niks[1], fmt="table")

    assert (code, err) == (0, "")
    assert not out.lstrip().startswith("{")
    assert f"Akun {branch.account} (family), VA {branch.va}" in out
    assert "menunggak sejak 2024-03" in out
    [total] = [line for line in out.splitlines() if line.startswith("Total")]
    assert total.split() == ["Total", f"Rp{BILL:,}".replace(",", ".")]
    for nik in branch.niks:
        assert mask(nik) in out
    assert_no_clear_nik(branch, out, err)


@pytest.mark.parametrize(
    ("key", "as_of", "field"),
    [
        (("--va", "8888809999999999"), AS_OF, "va"),  # unknown
        (("--va", "888880999999999"), AS_OF, "va"),  # 15 digits
        (("--account", "999999"), AS_OF, "account"),  # unknown
        (("--account", "12a"), AS_OF, "account"),  # not a number
        (("--nik", "62710112345"), AS_OF, "nik"),  # 11 digits
        (("--nik", "6271014444440001"), AS_OF, "nik"),  # well formed, registered nowhere
        (("--va", None), "2024-01-05", "as_of"),  # before the family registered (10 January 2024)
        (("--va", None), "2024-13-01", "as_of"),  # not a date
    ],
)
def test_account_show_bad_input_is_one_line_naming_the_field(
    branch: Branch, run_iuran: RunIuran, key: tuple[str, str | None], as_of: str, field: str
) -> None:
    option, given = key
    value = given or branch.va
    before = books(branch.engine)

    code, out, err = show(run_iuran, branch, option, value, as_of=as_of)

    assert (code, out) == (2, "")
    assert err.startswith(f"iuran: {field}: ")
    assert len(err.splitlines()) == 1
    assert books(branch.engine) == before
    assert_no_clear_nik(branch, err)
    if option == "--nik" and len(value) == 16:
        assert value not in err  # the NIK asked for is masked too


def test_one_payment_at_the_counter_and_the_same_one_again(branch: Branch, run_iuran: RunIuran) -> None:
    code, out, err = post(run_iuran, branch, "--va", branch.va)

    assert (code, err) == (0, "")
    first = json.loads(out)
    assert {k: first[k] for k in ("reference", "account", "amount", "channel", "active", "duplicate")} == {
        "reference": "CTR-1",
        "account": branch.account,
        "amount": BILL,
        "channel": "kantor_cabang",
        "active": True,
        "duplicate": False,
    }
    assert [s["month"] for s in first["settled"]] == ["2024-03", "2024-04", "2024-05"]
    assert sum(s["amount"] for s in first["settled"]) == BILL
    assert first["written_off"] == []
    after_first = books(branch.engine)
    assert payments_count(branch.engine) == 1

    code, out, err = post(run_iuran, branch, "--va", branch.va)

    assert (code, err) == (0, "")
    again = json.loads(out)
    assert again["duplicate"] is True
    assert again["payment_id"] == first["payment_id"]
    assert {k: v for k, v in again.items() if k != "duplicate"} == {k: v for k, v in first.items() if k != "duplicate"}
    assert books(branch.engine) == after_first  # nothing posted, nothing changed
    assert payments_count(branch.engine) == 1

    code, out, err = show(run_iuran, branch, "--va", branch.va)
    view = json.loads(out)
    assert (view["status"], view["total"], view["months"], view["unpaid_since"]) == ("active", 0, [], None)


def test_a_payment_of_the_wrong_amount_names_the_amount_and_the_bill(branch: Branch, run_iuran: RunIuran) -> None:
    before = books(branch.engine)

    code, out, err = post(run_iuran, branch, "--va", branch.va, amount=BILL - 35_000)

    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("iuran: amount: ")
    assert f"the bill is {BILL}: 3 month(s), 2024-03 to 2024-05" in err
    assert books(branch.engine) == before


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--va", "8888809999999999"), "va"),  # no family has it
        (("--va", "888880999999999"), "va"),  # 15 digits
        (("--account", "999999"), "account"),  # no such employer or government account
    ],
)
def test_a_payment_to_an_unknown_account_is_refused(
    branch: Branch, run_iuran: RunIuran, args: tuple[str, str], field: str
) -> None:
    before = books(branch.engine)

    code, out, err = post(run_iuran, branch, *args)

    assert (code, out) == (2, "")
    assert err.startswith(f"iuran: {field}: ")
    assert len(err.splitlines()) == 1
    assert args[1] not in err  # a virtual account is not echoed
    assert books(branch.engine) == before


def test_a_reference_already_used_for_another_amount_is_refused(branch: Branch, run_iuran: RunIuran) -> None:
    code, _, _ = post(run_iuran, branch, "--va", branch.va)
    assert code == 0
    before = books(branch.engine)

    code, out, err = post(run_iuran, branch, "--va", branch.va, amount=BILL + 1)

    assert (code, out) == (2, "")
    assert err.startswith("iuran: reference: ")
    assert "amount" in err  # what differs from the payment posted under it
    assert len(err.splitlines()) == 1
    assert books(branch.engine) == before
    assert payments_count(branch.engine) == 1


def test_a_family_paying_again_holds_credit_an_employer_with_nothing_open_is_refused(
    branch: Branch, run_iuran: RunIuran
) -> None:
    with branch.engine.begin() as c:
        employer = register_employer(c, "BU4201", "PT Sawit Makmur", "bu", "62.71", OPENED)  # never billed
    code, _, _ = post(run_iuran, branch, "--va", branch.va)
    assert code == 0

    again = post(run_iuran, branch, "--va", branch.va, reference="CTR-2")
    assert again[0] == 0
    posted = json.loads(again[1])
    assert (posted["settled"], posted["credit"]) == ([], posted["amount"])  # nothing open: all of it is credit
    before = books(branch.engine)

    by_account = post(run_iuran, branch, "--account", str(employer), reference="CTR-3")
    assert by_account[:2] == (2, "")
    assert by_account[2].startswith("iuran: account: ") and "nothing is open" in by_account[2]
    assert len(by_account[2].splitlines()) == 1
    assert books(branch.engine) == before


@pytest.mark.parametrize(
    "args",
    [
        ("--amount", "12.000"),
        ("--amount", "0"),
        ("--paid-at", "yesterday"),
    ],
)
def test_a_malformed_amount_or_time_is_refused_before_the_books(
    branch: Branch, run_iuran: RunIuran, args: tuple[str, str]
) -> None:
    before = books(branch.engine)
    option, value = args
    base = {"--amount": str(BILL), "--reference": "CTR-9", "--paid-at": PAID_AT, "--channel": "teller"}
    base[option] = value
    flat = [x for kv in base.items() for x in kv]

    code, out, err = run_iuran("payments", "post", "--va", branch.va, *flat, "--now", NOW, "--database", branch.url)

    assert (code, out) == (2, "")
    assert err.startswith(f"iuran: {option.removeprefix('--').replace('-', '_')}: ")
    assert len(err.splitlines()) == 1
    assert books(branch.engine) == before


def _empty_database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    request.getfixturevalue("pg_template")  # the suite's PostgreSQL is up (or the test is skipped)
    admin_url = os.environ.get("IURAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"iuran_e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    request.addfinalizer(drop)
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "command",
    [
        ("account", "show", "--va", "8888801000000001", "--as-of", AS_OF),
        (
            "payments",
            "post",
            "--va",
            "8888801000000001",
            "--amount",
            "70000",
            "--reference",
            "CTR-1",
            "--paid-at",
            PAID_AT,
            "--channel",
            "teller",
            "--now",
            NOW,
        ),
    ],
)
def test_a_database_without_the_iuran_schema_says_to_run_db_init(
    kind: str, command: tuple[str, ...], tmp_path: Path, request: pytest.FixtureRequest, run_iuran: RunIuran
) -> None:
    url = _empty_database(kind, tmp_path, request)

    code, out, err = run_iuran(*command, "--database", url)

    assert (code, out) == (2, "")
    assert err.startswith("iuran: database: ")
    assert "run `iuran db init`" in err
    assert len(err.splitlines()) == 1
    check = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with check.connect() as c:
            tables = inspect(c).get_table_names()
    finally:
        check.dispose()
    assert tables == []  # nothing was created: no silent migration
