"""Every command of `iuran` given hostile input, on SQLite and on PostgreSQL: exit 2, exactly one line on stderr
that starts `iuran: `, no traceback, nothing on stdout, no personal data of the input in clear, nothing written
(the rows of the main tables are counted before and after; no file appears).

One small branch per database serves the whole table (issue 10, findings 5–7): a family of three in Kota Palangka
Raya, billed by the cycle from February 2024, in a branch whose only kabupaten/kota is 62.71.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text

import iuran.db.engine as db_engine
from iuran.db.engine import make_engine
from iuran.registry.enrolment import NewPerson, mask, register_family
from iuran.registry.family_file import HEADER
from iuran.rules.membership import va_number
from iuran.rules.month import Month
from iuran.rules.nik import make_nik
from iuran.rules.segments import Segment
from usecases import run_cycle

if TYPE_CHECKING:
    from conftest import RunIuran

DESA, KECAMATAN = "62.71.01.1001", "62.71.01"  # Kelurahan Pahandut, Kota Palangka Raya (real codes)
NOW = "2024-05-20T09:00"
TABLES = (
    "family",
    "person",
    "account",
    "membership",
    "charge",
    "charge_line",
    "open_item",
    "account_status",
    "payment",
    "allocation",
    "writeoff",
    "reversal",
    "import_batch",
    "payment_rejection",
    "cycle_step",
    "death_report",
    "synth_run",
    "branch",
    "branch_region",
    "payment_credit",
    "account_first",
)
# The family of the branch: in clear here, never in any output.
HEAD = NewPerson(
    make_nik(KECAMATAN, dt.date(1984, 2, 14), "M", 71),
    "Bambang Sutrisno",
    "0004200000071",
    DESA,
    dt.date(2024, 1, 10),
    phone="081234500071",
)
SPOUSE = NewPerson(
    make_nik(KECAMATAN, dt.date(1987, 7, 3), "F", 72),
    "Sri Wahyuni",
    "0004200000072",
    DESA,
    dt.date(2024, 1, 10),
    phone="081234500072",
)
CHILD = NewPerson(
    make_nik(KECAMATAN, dt.date(2020, 3, 3), "F", 73), "Putri Lestari", "0004200000073", DESA, dt.date(2024, 1, 10)
)
PEOPLE = (HEAD, SPOUSE, CHILD)
VA = va_number(HEAD.card_number)


PG_ADMIN = os.environ.get("IURAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")  # as tests/conftest.py


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


@dataclass(frozen=True)
class Branch:
    kind: str
    url: str
    engine: Engine


@dataclass(frozen=True)
class Ctx:
    """What a case builds its command line from: the branch's URL and a folder for its files."""

    url: str
    files: Path


def _populate(engine: Engine) -> None:
    with engine.begin() as c:
        branch = c.execute(text("INSERT INTO branch (code, name) VALUES ('KC-PLK', 'KC Palangka Raya') RETURNING id"))
        c.execute(
            text("INSERT INTO branch_region (branch_id, kabkota_code) VALUES (:b, '62.71')"), {"b": branch.scalar_one()}
        )
        register_family(
            c,
            "6271010000007101",
            PEOPLE,
            Segment.PBPU,
            3,
            billing_from=Month(2024, 2),
            activated_on=dt.date(2024, 1, 25),
        )
    for m in (Month(2024, 2), Month(2024, 3)):
        run_cycle(engine, m, now=dt.datetime(m.year, m.month, 1, 2, 0))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def branch(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Branch]:
    """One small branch per database for the whole module."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("hostile") / "branch.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        _populate(engine)
        yield Branch("sqlite", url, engine)
        engine.dispose()
        return
    template = request.getfixturevalue("pg_template")
    name = f"iuran_h_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    engine = make_engine(_pg_url(name))
    try:
        _populate(engine)
        yield Branch("postgresql", _pg_url(name), engine)
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return {t: int(c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def personal_data(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    found = [p.nik for p in PEOPLE] + [p.name for p in PEOPLE] + [p.card_number for p in PEOPLE]
    found += [p.phone for p in PEOPLE if p.phone]
    return tuple(s for s in (*found, *extra) if s)


# --- the registry files the cases import --------------------------------------------------------------------

_serials = iter(range(101, 9999))


def _person_line(**fields: str) -> tuple[list[str], tuple[str, ...]]:
    """A valid line of a registry file for a new family of one, with `fields` replaced; and its personal data."""
    serial = next(_serials)
    nik = make_nik(KECAMATAN, dt.date(1990, 1, 1 + serial % 28), "M", serial)
    values = {
        "kk": f"62710100000{serial:05d}",
        "nik": nik,
        "name": f"Peserta Uji {serial}",
        "card_number": f"{5_100_000 + serial:013d}",
        "desa_code": DESA,
        "segment": "pbpu",
        "kelas": "3",
        "registered_on": "2024-04-02",
        "channel": "kantor_cabang",
        "phone": f"08129{serial:07d}",
    } | fields
    return [values[c] for c in HEADER], (nik, values["name"], values["card_number"], values["phone"])


def registry_file(
    file_name: str, /, *, encoding: str = "utf-8", bom: bool = False, **fields: str
) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    def build(ctx: Ctx) -> tuple[list[str], tuple[str, ...]]:
        line, secrets = _person_line(**fields)
        body = "\n".join(",".join(r) for r in (list(HEADER), line)) + "\n"
        path = ctx.files / file_name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode(encoding))
        return ["registry", "import", str(path), "--now", NOW, "--database", ctx.url], secrets

    return build


def raw_file(name: str, content: bytes | None) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    """`registry import` of a file holding `content` (None: no such file; b"/": a folder)."""

    def build(ctx: Ctx) -> tuple[list[str], tuple[str, ...]]:
        path = ctx.files / name
        if content == b"/":
            path.mkdir(exist_ok=True)
        elif content is not None:
            path.write_bytes(content)
        return ["registry", "import", str(path), "--now", NOW, "--database", ctx.url], ()

    return build


def payments_file(name: str, content: bytes | None, *extra: str) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    """`payments import` of a file holding `content` (None: no such file), with `extra` options."""

    def build(ctx: Ctx) -> tuple[list[str], tuple[str, ...]]:
        path = ctx.files / name
        if content is not None:
            path.write_bytes(content)
        now = () if "--now" in extra else ("--now", NOW)
        return ["payments", "import", str(path), *now, *extra, "--database", ctx.url], ()

    return build


def db(*args: str) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    """A command on the branch's database: `{nik}` in an argument is the head of the family's NIK."""
    return lambda ctx: ([a.replace("{nik}", HEAD.nik) for a in args] + ["--database", ctx.url], ())


def on_url(url: str, *args: str) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    """A command on another database URL (`{files}`: the case's folder)."""
    return lambda ctx: ([*args, "--database", url.replace("{files}", str(ctx.files))], ())


def plain(*args: str) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    """A command without a database (it is run on each all the same)."""
    return lambda ctx: (list(args), ())


def bad_file_in(folder_name: str) -> Callable[[Ctx], tuple[list[str], tuple[str, ...]]]:
    def build(ctx: Ctx) -> tuple[list[str], tuple[str, ...]]:
        (ctx.files / folder_name).write_text("not a folder\n")
        synth = ["synth", "--scenario", "kalteng-2023", "--scale", "0.0001", "--workdir", str(ctx.files / folder_name)]
        return [*synth, "--database", ctx.url], ()

    return build


WAGE = ("simulate", "contribution", "--segment", "ppu-bu", "--month", "2024-05")
FAMILY = ("simulate", "contribution", "--segment", "pbpu", "--month", "2024-05", "--kelas", "3")
REACT = ("simulate", "reactivation", "--segment", "pbpu", "--kelas", "3")
PENALTY = ("simulate", "penalty", "--reactivated", "2023-01-02", "--admitted", "2023-01-05")
REHAB = ("simulate", "rehab", "--segment", "pbpu", "--kelas", "3")
POST = ("payments", "post", "--va", VA, "--amount", "105000", "--channel", "teller", "--now", NOW)
DEATH = ("registry", "death", "--nik", "{nik}", "--now", NOW)
COVERAGE = ("report", "coverage", "--as-of", "2024-03-05")

# (id, the field the one line must name, the command line)
CASES: list[tuple[str, str, Callable[[Ctx], tuple[list[str], tuple[str, ...]]]]] = [
    # finding 5: files that cannot be read as a registry file
    ("registry-file-missing", "file", raw_file("nowhere.csv", None)),
    ("registry-file-is-a-folder", "file", raw_file("folder.csv", b"/")),
    ("registry-file-binary", "file", raw_file("binary.csv", bytes(range(256)) * 4)),
    ("registry-file-latin-1", "file", registry_file("latin1.csv", encoding="latin-1", name="José Peserta")),
    ("registry-file-bom-then-a-bad-line", "kelas", registry_file("bom.csv", bom=True, kelas="7")),
    ("registry-file-unclosed-quote", "file", raw_file("quote.csv", ",".join(HEADER).encode() + b'\n"6271,1\n')),
    ("registry-file-empty", "header", raw_file("empty.csv", b"")),
    ("registry-file-wrong-header", "header", raw_file("header.csv", b"kk;nik;name\n1;2;3\n")),
    # finding 5: database URLs
    ("database-not-a-url", "database", on_url("not a url", "ledger", "verify")),
    ("database-other-engine", "database", on_url("mysql://root@127.0.0.1/iuran", "ledger", "verify")),
    ("database-postgres-typo", "database", on_url("postgres://u:secret@127.0.0.1/x", "report", *COVERAGE[1:])),
    ("database-db-init-other-engine", "database", on_url("oracle://u@h/x", "db", "init")),
    # finding 7: a mistyped SQLite path is an error, and no file is created
    ("database-mistyped-sqlite-read", "database", on_url("sqlite:///{files}/typo.sqlite", "ledger", "verify")),
    (
        "database-mistyped-sqlite-write",
        "database",
        on_url("sqlite:///{files}/typo.sqlite", "cycle", "run", "--month", "2024-04"),
    ),
    ("database-sqlite-is-a-folder", "database", on_url("sqlite:///{files}", "db", "upgrade")),
    # finding 5: --now, --seed, --workdir
    ("now-garbage-cycle", "--now", db("cycle", "run", "--month", "2024-04", "--now", "garbage")),
    ("now-garbage-refresh", "--now", db("cycle", "refresh", "--month", "2024-03", "--now", "yesterday")),
    (
        "now-garbage-registry",
        "--now",
        db(
            "registry",
            "death",
            "--nik",
            "{nik}",
            "--died-on",
            "2024-03-01",
            "--reported-on",
            "2024-03-02",
            "--now",
            "soon",
        ),
    ),
    ("now-garbage-post", "--now", db(*POST[:-2], "--reference", "R-1", "--paid-at", "2024-03-05", "--now", "x")),
    ("seed-negative", "seed", db("synth", "--scenario", "kalteng-2023", "--scale", "0.0001", "--seed", "-1")),
    ("seed-huge", "seed", db("synth", "--scenario", "kalteng-2023", "--scale", "0.0001", "--seed", str(10**30))),
    ("synth-scale-tiny", "scale", db("synth", "--scenario", "kalteng-2023", "--scale", "1e-300")),
    ("workdir-is-a-file", "workdir", bad_file_in("workdir.txt")),
    # findings 5 and 6: NUL bytes, control characters and over-long fields, refused before the database
    ("name-nul", "name", registry_file("nul.csv", name="Peserta\x00Uji")),
    ("name-escape", "name", registry_file("esc.csv", name="Peserta\x1b[31mUji")),
    ("name-bidi-override", "name", registry_file("bidi.csv", name="Peserta\u202eUji")),
    ("name-over-long", "name", registry_file("long-name.csv", name="N" * 121)),
    ("name-empty", "name", registry_file("no-name.csv", name="")),
    ("phone-over-long", "phone", registry_file("long-phone.csv", phone="0" * 21)),
    ("phone-not-a-number", "phone", registry_file("phone.csv", phone="call me")),
    ("channel-over-long", "channel", registry_file("long-channel.csv", channel="c" * 25)),
    ("channel-nul", "channel", registry_file("nul-channel.csv", channel="teller\x00")),
    ("kk-over-long", "kk", registry_file("long-kk.csv", kk="62710100000001234")),
    # finding 6: digits that are not 0-9
    ("kk-fullwidth-digits", "kk", registry_file("fw-kk.csv", kk="６２７１０１０１０１２４０００１")),
    ("kk-arabic-indic-digits", "kk", registry_file("ar-kk.csv", kk="٦٢٧١٠١٠١٠١٢٤٠٠٠١")),
    ("card-fullwidth-digits", "card_number", registry_file("fw-card.csv", card_number="０００１９４４３５８９１１")),
    ("nik-fullwidth-digits", "nik", registry_file("fw-nik.csv", nik="６２７１０１０４０４８４０００１")),
    ("account-show-nik-fullwidth", "nik", db("account", "show", "--as-of", "2024-03-05", "--nik", "６" * 16)),
    (
        "payment-va-fullwidth",
        "va",
        db(*POST[:2], "--va", "８" * 16, *POST[4:], "--reference", "R-2", "--paid-at", "2024-03-05"),
    ),
    (
        "payment-amount-fullwidth",
        "amount",
        db(*POST[:4], "--amount", "１０５０００", *POST[6:], "--reference", "R-3", "--paid-at", "2024-03-05"),
    ),
    # finding 6: a desa outside the branch; registrations in 2099 or before JKN
    ("desa-outside-the-branch", "desa_code", registry_file("bandung.csv", desa_code="32.73.05.1001")),
    ("desa-unknown", "desa_code", registry_file("desa.csv", desa_code="62.71.01.9999")),
    ("registered-in-2099", "registered_on", registry_file("2099.csv", registered_on="2099-01-01")),
    ("registered-after-now", "registered_on", registry_file("later.csv", registered_on="2024-06-01")),
    ("registered-before-jkn", "registered_on", registry_file("2013.csv", registered_on="2013-12-31")),
    ("registered-not-a-date", "registered_on", registry_file("date.csv", registered_on="15/01/2024")),
    # finding 6: deaths dated 1900, 2099, before birth; corrections that are not one
    ("death-in-1900", "died_on", db(*DEATH, "--died-on", "1900-01-01", "--reported-on", "2024-03-02")),
    ("death-in-2099", "died_on", db(*DEATH, "--died-on", "2099-01-01", "--reported-on", "2099-01-02")),
    ("death-after-now", "died_on", db(*DEATH, "--died-on", "2024-05-21", "--reported-on", "2024-05-21")),
    ("death-reported-before-it", "died_on", db(*DEATH, "--died-on", "2024-03-05", "--reported-on", "2024-03-01")),
    (
        "death-before-birth",
        "died_on",
        db(
            "registry",
            "death",
            "--nik",
            CHILD.nik,
            "--died-on",
            "2019-06-01",
            "--reported-on",
            "2024-03-01",
            "--now",
            NOW,
        ),
    ),
    (
        "death-nik-malformed",
        "nik",
        db(
            "registry",
            "death",
            "--nik",
            "6271\x00",
            "--died-on",
            "2024-03-01",
            "--reported-on",
            "2024-03-02",
            "--now",
            NOW,
        ),
    ),
    ("death-without-dates", "died_on", db(*DEATH)),
    ("death-correct-without-reason", "reason", db(*DEATH, "--correct")),
    ("death-correct-with-dates", "correct", db(*DEATH, "--correct", "--reason", "x", "--died-on", "2024-03-01")),
    ("death-correct-nobody-died", "nik", db(*DEATH, "--correct", "--reason", "laporan keliru")),
    ("death-correct-reason-nul", "reason", db(*DEATH, "--correct", "--reason", "laporan\x00keliru")),
    # finding 6: simulate bounds
    ("members-10-to-the-30", "members", plain(*FAMILY, "--members", str(10**30))),
    ("members-zero", "members", plain(*FAMILY, "--members", "0")),
    ("members-21", "members", plain(*FAMILY, "--members", "21")),
    (
        "reactivation-members-huge",
        "members",
        plain(*REACT, "--members", str(10**30), "--unpaid-since", "2021-01", "--as-of", "2023-11-01"),
    ),
    (
        "rehab-members-huge",
        "members",
        plain(*REHAB, "--members", "1000000", "--unpaid-since", "2022-01", "--as-of", "2023-11-01"),
    ),
    ("wage-zero", "wage", plain(*WAGE, "--wage", "0", "--umk", "3000000")),
    ("umk-zero", "umk", plain(*WAGE, "--wage", "5000000", "--umk", "0")),
    ("wage-huge", "wage", plain(*WAGE, "--wage", str(10**26), "--umk", "3000000")),
    (
        "extra-members-huge",
        "extra_members",
        plain(*WAGE, "--wage", "5000000", "--umk", "3000000", "--extra-members", "1000000"),
    ),
    ("inacbg-huge", "inacbg", plain(*PENALTY, "--inacbg", str(10**24), "--months-in-arrears", "3")),
    ("arrears-longer-than-jkn", "months_in_arrears", plain(*PENALTY, "--inacbg", "1000", "--months-in-arrears", "200")),
    ("as-of-year-9999", "as_of", plain(*REACT, "--members", "4", "--unpaid-since", "2021-01", "--as-of", "9999-12-31")),
    # finding 6: months and arrears before 2014
    ("contribution-month-2013", "month", plain(*FAMILY[:4], "--month", "2013-12", "--kelas", "3")),
    (
        "unpaid-since-2010",
        "unpaid_since",
        plain(*REACT, "--members", "4", "--unpaid-since", "2010-01", "--as-of", "2023-11-01"),
    ),
    (
        "rehab-unpaid-since-2013",
        "unpaid_since",
        plain(*REHAB, "--members", "4", "--unpaid-since", "2013-06", "--as-of", "2023-11-01"),
    ),
    (
        "penalty-reactivated-2013",
        "reactivated",
        plain(
            "simulate",
            "penalty",
            "--inacbg",
            "1000",
            "--months-in-arrears",
            "3",
            "--reactivated",
            "2013-01-02",
            "--admitted",
            "2013-01-05",
        ),
    ),
    ("cycle-month-2013", "month", db("cycle", "run", "--month", "2013-12", "--now", NOW)),
    ("cycle-month-1900", "month", db("cycle", "run", "--month", "1900-01", "--now", NOW)),
    ("cycle-month-2099", "month", db("cycle", "run", "--month", "2099-12", "--now", NOW)),
    ("cycle-month-two-ahead", "month", db("cycle", "run", "--month", "2024-07", "--now", NOW)),
    ("cycle-refresh-month-2013", "month", db("cycle", "refresh", "--month", "2013-12", "--now", NOW)),
    ("cycle-refresh-no-cycle-yet", "month", db("cycle", "refresh", "--month", "2024-01", "--now", NOW)),
    ("report-credit-as-of-garbage", "as_of", db("report", "credit", "--as-of", "30/11/2023")),
    ("synth-payments-month-2013", "month", db("synth", "payments", "--month", "2013-12", "--out", "/dev/null")),
    ("report-as-of-2013", "as_of", db("report", "arrears", "--as-of", "2013-11-01")),
    ("account-as-of-2013", "as_of", db("account", "show", "--as-of", "2013-11-01", "--va", VA)),
    ("payment-paid-before-jkn", "paid_at", db(*POST, "--reference", "R-4", "--paid-at", "2013-12-31")),
    # finding 6: population scale
    ("population-scale-1e-300", "population_scale", db(*COVERAGE, "--population-scale", "1e-300")),
    ("population-scale-zero", "population_scale", db(*COVERAGE, "--population-scale", "0")),
    ("population-scale-above-1", "population_scale", db(*COVERAGE, "--population-scale", "2")),
    ("population-scale-1-over-0", "population_scale", db(*COVERAGE, "--population-scale", "1/0")),
    # finding 6: control characters in payment fields
    ("payment-reference-escape", "reference", db(*POST, "--reference", "R-\x1b[2J", "--paid-at", "2024-03-05")),
    ("payment-reference-nul", "reference", db(*POST, "--reference", "R-\x00", "--paid-at", "2024-03-05")),
    (
        "payment-channel-nul",
        "channel",
        db(*POST[:6], "--channel", "tel\x00ler", "--now", NOW, "--reference", "R-5", "--paid-at", "2024-03-05"),
    ),
    ("payment-reference-over-long", "reference", db(*POST, "--reference", "R" * 65, "--paid-at", "2024-03-05")),
    ("report-branch-nul", "branch", db(*COVERAGE, "--branch", "KC\x00")),
    ("report-branch-over-long", "branch", db(*COVERAGE, "--branch", "K" * 17)),
    # the other commands, given nonsense
    (
        "payments-import-now-garbage",
        "--now",
        payments_file("bank.csv", b"reference,va,account,amount,paid_at,channel\n", "--now", "tomorrow"),
    ),
    ("payments-import-missing-file", "file", payments_file("nowhere.csv", None)),
    ("payments-import-binary-file", "file", payments_file("bank.bin", bytes(range(256)) * 4)),
    (
        "payments-import-latin-1",
        "file",
        payments_file(
            "bank-latin1.csv", "reference,va,account,amount,paid_at,channel\nJosé,,,1,2024-03-05,x\n".encode("latin-1")
        ),
    ),
    ("report-collectibility-as-of-garbage", "as_of", db("report", "collectibility", "--as-of", "last month")),
    ("report-activeness-as-of-2100", "as_of", db("report", "activeness", "--as-of", "2100-01-01")),
    ("nik-parse-fullwidth", "nik", plain("nik", "parse", "６" * 16, "--reference", "2024-01-01")),
    ("rules-show-not-a-date", "on", plain("rules", "show", "--on", "yesterday")),
    ("ledger-verify-extra-argument", "", db("ledger", "verify", "--all")),
    ("account-show-va-nul", "va", db("account", "show", "--as-of", "2024-03-05", "--va", "88888\x00")),
]


@pytest.mark.parametrize(("field", "case"), [(f, c) for _, f, c in CASES], ids=[i for i, _, _ in CASES])
def test_hostile_input_is_one_line_exit_2_and_writes_nothing(
    branch: Branch,
    field: str,
    case: Callable[[Ctx], tuple[list[str], tuple[str, ...]]],
    tmp_path: Path,
    run_iuran: RunIuran,
) -> None:
    ctx = Ctx(branch.url, tmp_path)
    argv, secrets = case(ctx)
    before, files = counts(branch.engine), files_under(tmp_path)

    code, out, err = run_iuran(*argv)

    assert (code, out) == (2, ""), err
    assert "Traceback" not in err
    assert err.startswith("iuran: ") and err.endswith("\n") and len(err.splitlines()) == 1, err
    if field:
        assert f"{field}:" in err, f"{field!r} not named in {err!r}"
    for secret in personal_data(secrets):
        assert secret not in err, f"personal data in clear: {err!r}"
    assert counts(branch.engine) == before
    assert files_under(tmp_path) == files, "a file was written"


def test_a_registry_file_with_a_byte_order_mark_is_read(branch: Branch, tmp_path: Path, run_iuran: RunIuran) -> None:
    argv, secrets = registry_file("bom-ok.csv", bom=True)(Ctx(branch.url, tmp_path))
    before = counts(branch.engine)
    try:
        code, out, err = run_iuran(*argv)
        assert (code, err) == (0, ""), err
        assert '"persons": 1' in out
        assert all(s not in out for s in secrets)
        assert counts(branch.engine)["person"] == before["person"] + 1
    finally:
        _forget_last_family(branch.engine)


def _forget_last_family(engine: Engine) -> None:
    """Take the family just registered out again (it has no charges yet), so the module's branch stays as built."""
    with engine.begin() as c:
        family = c.execute(text("SELECT max(id) FROM family")).scalar_one()
        c.execute(
            text("DELETE FROM membership WHERE person_id IN (SELECT id FROM person WHERE family_id = :f)"),
            {"f": family},
        )
        c.execute(text("DELETE FROM account WHERE family_id = :f"), {"f": family})
        c.execute(text("DELETE FROM person WHERE family_id = :f"), {"f": family})
        c.execute(text("DELETE FROM family WHERE id = :f"), {"f": family})


def test_the_default_database_that_does_not_exist_is_not_created(
    tmp_path: Path, run_iuran: RunIuran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IURAN_DATABASE_URL", raising=False)

    code, out, err = run_iuran("report", "activeness", "--as-of", "2024-03-05")

    assert (code, out) == (2, "")
    assert err.startswith("iuran: database: ") and "run `iuran db init`" in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # neither var/ nor a database file


def test_sqlite_database_is_locked_is_one_line_and_reads_do_not_wait(
    tmp_path: Path, run_iuran: RunIuran, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> None:
    path = tmp_path / "locked.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setattr(db_engine, "SQLITE_BUSY_SECONDS", 0.2)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        for read in (
            ("ledger", "verify"),
            ("account", "show", "--as-of", "2024-03-05", "--account", "1"),
            ("report", "arrears", "--as-of", "2024-03-05"),
        ):
            code, _, err = run_iuran(*read, "--database", url)
            assert "locked" not in err and "writing" not in err, (read, err)  # a read takes no write lock
        code, out, err = run_iuran("cycle", "run", "--month", "2024-02", "--now", NOW, "--database", url)
    finally:
        writer.rollback()
        writer.close()
    assert (code, out) == (2, "")
    assert err.startswith("iuran: database: another iuran command is writing to this database")
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    check = make_engine(url)
    try:
        assert counts(check)["cycle_step"] == 0
    finally:
        check.dispose()


def test_a_database_error_names_no_value(branch: Branch) -> None:
    """A constraint the database enforces itself (here: a NIK registered twice, bypassing the registry's check)
    becomes one line without the value: PostgreSQL's `DETAIL: Key (nik)=(…)` never reaches the user."""
    from sqlalchemy.exc import DBAPIError

    from iuran.services.database import database_error_line

    with branch.engine.connect() as c, pytest.raises(DBAPIError) as caught:
        c.execute(
            text(
                "INSERT INTO person (nik, card_number, name, sex, birth_date, family_id, desa_code, kecamatan_code,"
                " kabkota_code, registered_on, channel) SELECT nik, '9999999999999', name, sex, birth_date,"
                " family_id, desa_code, kecamatan_code, kabkota_code, registered_on, channel FROM person"
                " WHERE nik = :n"
            ),
            {"n": HEAD.nik},
        )
    line = database_error_line(caught.value)
    assert line is not None and line.startswith("database: it refused the data (")
    assert all(s not in line for s in personal_data()), line
    # The statement's parameters are never shown; PostgreSQL's own message names the key, which is why the
    # command line prints `line` and never this error.
    assert "SQL parameters hidden" in str(caught.value)
    assert mask(HEAD.nik) not in line


def test_postgresql_refuses_what_sqlite_would_store_in_one_line(branch: Branch, run_iuran: RunIuran) -> None:
    """Belt and braces: a value that slips past the checks meets `hide_parameters` and one line, never a
    traceback with the parameters (here a NUL byte sent straight to a lookup)."""
    if branch.kind != "postgresql":
        pytest.skip("SQLite stores a NUL byte")
    from sqlalchemy.exc import DBAPIError

    from iuran.services.database import database_error_line

    with branch.engine.connect() as c, pytest.raises(DBAPIError) as caught:
        c.execute(text("SELECT id FROM person WHERE name = :n"), {"n": HEAD.name + "\x00"})
    line = database_error_line(caught.value)
    assert line is not None and "\n" not in line and HEAD.name not in line
    assert HEAD.name not in str(caught.value) and "SQL parameters hidden" in str(caught.value)


def test_the_mistyped_path_of_every_database_command_creates_nothing(tmp_path: Path, run_iuran: RunIuran) -> None:
    url = f"sqlite:///{tmp_path / 'brnach.sqlite'}"
    commands = [
        ("ledger", "verify"),
        ("account", "show", "--as-of", "2024-03-05", "--account", "1"),
        ("report", "coverage", "--as-of", "2024-03-05"),
        ("cycle", "run", "--month", "2024-04", "--now", NOW),
        ("registry", "death", "--nik", HEAD.nik, "--died-on", "2024-03-01", "--reported-on", "2024-03-02"),
        ("synth", "--scenario", "kalteng-2023", "--scale", "0.0001"),
    ]
    for command in commands:
        code, out, err = run_iuran(*command, "--database", url)
        assert (code, out) == (2, ""), command
        assert "run `iuran db init`" in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_a_payments_file_reject_their_line_with_the_reason(
    branch: Branch, tmp_path: Path, run_iuran: RunIuran
) -> None:
    lines = [
        "reference,va,account,amount,paid_at,channel",
        f"PAY-\x1b[2J,{VA},,105000,2024-03-05,teller",  # an escape sequence in the reference
        f"PAY-2,{VA},,105000,2024-03-05,tel\x00ler",  # a NUL byte in the channel
        f"PAY-3,{VA}\u202e,,105000,2024-03-05,teller",  # a right-to-left override after the va
    ]
    bank = tmp_path / "bank.csv"
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = counts(branch.engine)

    code, out, err = run_iuran("payments", "import", str(bank), "--now", NOW, "--database", branch.url)

    assert (code, err) == (0, ""), err
    assert '"accepted": 0' in out and '"rejected": 3' in out
    after = counts(branch.engine)
    assert after["payment"] == before["payment"] and after["payment_rejection"] == before["payment_rejection"] + 3
    with branch.engine.connect() as c:
        rows = c.execute(
            text("SELECT line_no, reference, reason, detail FROM payment_rejection ORDER BY id DESC LIMIT 3")
        ).all()
    assert sorted((r.line_no, r.reference, r.reason, r.detail) for r in rows) == [
        (2, None, "missing_field", "reference: a control character (U+001B)"),
        (3, "PAY-2", "missing_field", "channel: a control character (U+0000)"),
        (4, "PAY-3", "missing_field", "va: a control character (U+202E)"),
    ]
