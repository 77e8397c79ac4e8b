"""Every face-level use case runs without any face: a unit of work, an injected clock and an injected rulebook.

The rulebook here is the shipped one with a Kelas III rate of our own from 2024 (the books must bill, quote and
settle by it, not by the shipped data), and every time is fixed (the books record it, never the machine's clock).
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
import time
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from cycle_fixtures import employer_with_workers, family
from iuran.db.engine import make_engine
from iuran.db.migrate import _config
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, parse_rulebook
from iuran.services.accounts import AccountKey, show_account
from iuran.services.cycle import run_cycle
from iuran.services.database import SchemaNotCurrent, open_branch
from iuran.services.ledger import verify_books
from iuran.services.payments import PaymentRequest, import_payments, post_payment
from iuran.services.reports import report
from iuran.services.unit_of_work import Actor, UnitOfWork

OFFICER = Actor("user", "petugas-1")
JAN, FEB = Month(2024, 1), Month(2024, 2)
OUR_KELAS3 = 41_000  # not the shipped 35,000


def our_rulebook() -> Rulebook:
    shipped = resources.files("iuran.rules").joinpath("data/rulebook.toml").read_text(encoding="utf-8")
    ours = (
        "\n[[pbpu_rate]]\neffective = 2024-01-01\nkelas1 = 150000\nkelas2 = 100000\n"
        f"kelas3_participant = {OUR_KELAS3}\nkelas3_government_central = 4200\nkelas3_government_pemda = 2800\n"
        'basis = "a rule of the test"\n'
    )
    return parse_rulebook(shipped + ours)


RULES = our_rulebook()


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def cycle(engine: Engine, month: Month) -> None:
    with UnitOfWork(engine, now=at(month.first_day(), 1), actor=Actor.job("cycle"), rules=RULES) as uow:
        run_cycle(uow, month)


def test_a_cycle_bills_by_the_injected_rulebook_and_records_the_injected_time(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 2, 3, billing_from=JAN)
    with UnitOfWork(engine, now=dt.datetime(2024, 1, 1, 1, 30), actor=Actor.job("cycle"), rules=RULES) as uow:
        result = run_cycle(uow, JAN)
    assert result.rows["bill"] == 2
    with engine.connect() as c:
        amount = c.execute(text("SELECT amount FROM charge WHERE account_id = :a"), {"a": account}).scalar_one()
        finished = {str(t)[:16] for t in c.execute(text("SELECT finished_at FROM cycle_step")).scalars()}
    assert amount == 2 * OUR_KELAS3
    assert finished == {"2024-01-01 01:30"}


def test_quote_and_one_payment_go_by_the_injected_rulebook_and_clock(engine: Engine) -> None:
    with engine.begin() as c:
        account = family(c, 2, 3, billing_from=JAN)
        va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar_one()
    cycle(engine, JAN)
    cycle(engine, FEB)
    with UnitOfWork(engine, now=at(dt.date(2024, 2, 6)), actor=OFFICER, rules=RULES, read_only=True) as uow:
        view = show_account(uow, AccountKey(va=va), dt.date(2024, 2, 6))
    assert [m.month for m in view.quote.months] == [JAN]
    assert view.quote.total == 2 * 2 * OUR_KELAS3 and not view.quote.active
    assert view.quote.unpaid_since == JAN and len(view.members) == 2

    pay = PaymentRequest("TELLER-1", view.quote.total, dt.datetime(2024, 2, 6, 10), "kantor_cabang", va=va)
    with UnitOfWork(engine, now=at(dt.date(2024, 2, 6), 11), actor=OFFICER, rules=RULES) as uow:
        posted = post_payment(uow, pay)
    assert posted.active and [m.month for m in posted.settled] == [JAN, FEB] and not posted.duplicate
    # A payment dated after the injected "now" is refused: the time is the unit of work's, not the machine's.
    late = PaymentRequest("TELLER-2", 1, dt.datetime(2024, 2, 6, 12), "kantor_cabang", va=va)
    with (
        UnitOfWork(engine, now=at(dt.date(2024, 2, 6), 11), actor=OFFICER, rules=RULES) as uow,
        pytest.raises(ValueError, match="paid_at"),
    ):
        post_payment(uow, late)


def test_a_file_imports_inside_one_unit_of_work_and_a_report_reads_it(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as c:
        account = family(c, 1, 3, billing_from=JAN)
        va = c.execute(text("SELECT va FROM account WHERE id = :a"), {"a": account}).scalar_one()
        employer = employer_with_workers(c, [5_000_000], JAN)
    cycle(engine, JAN)
    path = tmp_path / "bank.csv"
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["reference", "va", "account", "amount", "paid_at", "channel"])
        out.writerow(["B-1", va, "", OUR_KELAS3, "2024-01-09 10:00", "bank"])
        out.writerow(["B-2", "", employer, 250_000, "2024-01-09 11:00", "bank"])
    with UnitOfWork(engine, now=at(dt.date(2024, 1, 10)), actor=Actor("partner", "bank"), rules=RULES) as uow:
        imported = import_payments(uow, path, report_path=tmp_path / "rejected.csv")
    assert (imported.result.accepted, imported.result.rejected) == (2, 0)
    assert (tmp_path / "rejected.csv").exists()
    with UnitOfWork(engine, now=at(dt.date(2024, 1, 31)), actor=OFFICER, rules=RULES, read_only=True) as uow:
        activeness = report(uow, "activeness", dt.date(2024, 1, 31), by="segment")
        assert verify_books(uow).ok
    assert activeness.name == "activeness" and activeness.rows


def test_nothing_is_kept_when_the_use_case_does_not_commit(engine: Engine) -> None:
    with engine.begin() as c:
        family(c, 1, 3, billing_from=JAN)
    with UnitOfWork(engine, now=at(dt.date(2024, 1, 2)), actor=OFFICER) as uow:
        uow.conn.execute(text("DELETE FROM membership"))  # work that no use case commits
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM membership")).scalar_one() == 1


def test_a_read_does_not_wait_for_a_writer_on_sqlite(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never wait for writers")
    engine = make_engine(db_url)
    try:
        with engine.begin() as c:
            account = family(c, 1, 3, billing_from=JAN)
        writing, done = threading.Event(), threading.Event()

        def writer() -> None:
            with UnitOfWork(engine, now=at(dt.date(2024, 1, 2)), actor=OFFICER) as uow:
                uow.conn.execute(text("UPDATE account SET name = name WHERE id = :a"), {"a": account})
                writing.set()  # the write lock is held until this unit of work ends
                done.wait(10)

        thread = threading.Thread(target=writer)
        thread.start()
        assert writing.wait(10)
        start = time.monotonic()
        with UnitOfWork(engine, now=at(dt.date(2024, 1, 2)), actor=OFFICER, read_only=True) as uow:
            view = show_account(uow, AccountKey(account_id=account), dt.date(2024, 1, 2))
        waited = time.monotonic() - start
        done.set()
        thread.join(10)
        assert view.account.id == account and waited < 2
    finally:
        engine.dispose()


def test_a_schema_behind_this_iuran_is_refused_until_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    cfg = _config()
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    with pytest.raises(SchemaNotCurrent, match=r"revision 0004 .* run `iuran db upgrade`"):
        open_branch(url)
