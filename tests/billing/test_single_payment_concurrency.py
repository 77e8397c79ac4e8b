"""Single payments side by side on PostgreSQL: one reference posts once, payments to one account serialise, and
payments to different accounts do not wait for each other (docs/ledger.md, "Payments"; issue 9, item 3).

SQLite has one writer (every writing transaction begins IMMEDIATE), so there is nothing to race: these run on
PostgreSQL only. Each payment runs in a unit of work of its own, in a thread; every wait is bounded (a barrier
timeout, `lock_timeout` on every connection, a timeout on every result), so that a regression fails rather than
hangs. The settlement holds its locks a little longer here (`lock_books` is followed by a short sleep), so that
the second payment surely arrives while the first one holds them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from payments_checks import assert_books_balance
from payments_ledger import KELAS3, Payer, bill, employer, family, months, status_as_of
from sqlalchemy import Connection, Engine, text

from iuran.billing import payments as billing
from iuran.billing import payments_settle
from iuran.billing.payments import PaymentRequest, PostedPayment
from iuran.billing.payments_staging import Dialect
from iuran.db.engine import is_postgres
from iuran.services import payments
from iuran.services.unit_of_work import Actor, UnitOfWork

NOW = dt.datetime(2024, 5, 20, 9, 0)
PAID_AT = dt.datetime(2024, 5, 6, 10, 15)
MAY = 202405
VA, VA2 = "8888801000000101", "8888801000000102"
FAMILY_BILL = 2 * 2 * KELAS3  # a Kelas III family of two, April and May open
WORKER_MONTH = 150_000
HOLD = 0.3  # seconds the settlement holds its locks before going on (see the module docstring)
WAIT = 20  # seconds: the bound of every wait in this file
T = TypeVar("T")


@pytest.fixture
def pg(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    if not is_postgres(engine):
        pytest.skip("SQLite has one writer: single payments cannot run side by side")
    locked = payments_settle.lock_books

    def lock_and_hold(conn: Connection, d: Dialect, staged: int) -> None:
        locked(conn, d, staged)
        time.sleep(HOLD)

    monkeypatch.setattr(payments_settle, "lock_books", lock_and_hold)
    yield engine
    assert_books_balance(engine)


def request(reference: str, amount: int, *, va: str | None = None, account: int | None = None) -> PaymentRequest:
    return PaymentRequest(reference, amount, PAID_AT, "teller", va=va, account_id=account)


def bounded(uow: UnitOfWork, wait: float = WAIT) -> Connection:
    """The unit of work's connection, whose every lock wait (and statement) gives up rather than hang."""
    uow.conn.execute(text(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'"))
    uow.conn.execute(text(f"SET LOCAL statement_timeout = '{int(2 * wait * 1000)}ms'"))
    return uow.conn


def post(
    engine: Engine, req: PaymentRequest, barrier: threading.Barrier | None = None, *, wait: float = WAIT
) -> PostedPayment:
    """The `post_payment` use case in a unit of work of its own (after the others reach `barrier`); it gives up
    waiting for a lock after `wait` seconds."""
    with UnitOfWork(engine, now=NOW, actor=Actor.job("counter")) as uow:
        bounded(uow, wait)
        if barrier is not None:
            barrier.wait(timeout=WAIT)
        return payments.post_payment(uow, req)


def side_by_side(*calls: Callable[[], T]) -> list[T | BaseException]:
    """Run the calls in threads at once; each one's result or the error it raised."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.exception(timeout=3 * WAIT) or f.result() for f in futures]


def suspended_family(engine: Engine, va: str) -> Payer:
    with engine.begin() as c:
        payer = family(c, va)
        bill(c, payer, months("2024-04", "2024-05"), KELAS3)
        status_as_of(c, payer, MAY, since=dt.date(2024, 5, 1))
    return payer


def employer_two_months(engine: Engine) -> Payer:
    """An employer of one worker with April and May open, each month the same amount."""
    with engine.begin() as c:
        payer = employer(c)
        bill(c, payer, months("2024-04", "2024-05"), WORKER_MONTH)
        status_as_of(c, payer, MAY, since=dt.date(2024, 5, 1))
    return payer


def count(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as c:
        return int(c.execute(text(sql), params).scalar_one())


def test_the_same_payment_twice_at_the_same_moment_posts_once(pg: Engine) -> None:
    payer = suspended_family(pg, VA)
    barrier = threading.Barrier(2)
    same = request("BANK-777", FAMILY_BILL, va=VA)

    results = side_by_side(lambda: post(pg, same, barrier), lambda: post(pg, same, barrier))

    assert all(isinstance(r, PostedPayment) for r in results), results
    posted = [r for r in results if isinstance(r, PostedPayment)]
    assert len({p.payment_id for p in posted}) == 1
    assert sorted(p.duplicate for p in posted) == [False, True]
    assert {p.settled for p in posted} == {posted[0].settled}  # the duplicate returns the first one's result
    assert count(pg, "SELECT count(*) FROM payment WHERE reference = 'BANK-777'") == 1
    assert count(pg, "SELECT count(*) FROM allocation") == 2  # April and May, once each
    assert count(pg, "SELECT count(*) FROM open_item WHERE account_id = :a", a=payer.account) == 0


def test_two_payments_of_the_oldest_month_settle_one_month_each(pg: Engine) -> None:
    payer = employer_two_months(pg)
    barrier = threading.Barrier(2)

    results = side_by_side(
        lambda: post(pg, request("EMP-1", WORKER_MONTH, account=payer.account), barrier),
        lambda: post(pg, request("EMP-2", WORKER_MONTH, account=payer.account), barrier),
    )

    assert all(isinstance(r, PostedPayment) for r in results), results
    posted = [r for r in results if isinstance(r, PostedPayment)]
    # In some serial order: the first settles April, the second (then the oldest open month) May.
    assert sorted(str(m.month) for p in posted for m in p.settled) == ["2024-04", "2024-05"]
    assert all(len(p.settled) == 1 for p in posted)
    assert count(pg, "SELECT count(*) FROM allocation") == 2
    twice = "SELECT count(*) FROM (SELECT charge_id FROM allocation GROUP BY charge_id HAVING count(*) > 1) x"
    assert count(pg, twice) == 0
    assert count(pg, "SELECT count(*) FROM open_item WHERE account_id = :a", a=payer.account) == 0


def test_two_whole_bills_of_one_family_at_once_one_settles_the_other_is_credit(pg: Engine) -> None:
    payer = suspended_family(pg, VA)
    barrier = threading.Barrier(2)

    results = side_by_side(
        lambda: post(pg, request("FAM-1", FAMILY_BILL, va=VA), barrier),
        lambda: post(pg, request("FAM-2", FAMILY_BILL, va=VA), barrier),
    )

    posted = sorted((r for r in results if isinstance(r, PostedPayment)), key=lambda p: p.credit)
    assert len(posted) == 2, results
    # The second sees the first one's settlement: nothing is open, so all it brings is credit.
    assert [p.credit for p in posted] == [0, FAMILY_BILL]
    assert count(pg, "SELECT count(*) FROM payment") == 2
    assert count(pg, "SELECT count(*) FROM allocation") == 2
    assert count(pg, "SELECT sum(amount) FROM payment_credit") == FAMILY_BILL
    assert count(pg, "SELECT count(*) FROM open_item WHERE account_id = :a", a=payer.account) == 0


def _waiting_for_a_lock(engine: Engine) -> int:
    """How many sessions of this database wait for a lock now."""
    return count(
        engine,
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE NOT l.granted AND a.datname = current_database()",
    )


def test_a_payment_to_another_account_does_not_wait_for_one_in_progress(pg: Engine) -> None:
    busy = employer_two_months(pg)
    suspended_family(pg, VA2)

    with ThreadPoolExecutor(max_workers=1) as pool:
        # A payment to the employer, settled and not yet committed: it holds that account's locks.
        with UnitOfWork(pg, now=NOW, actor=Actor.job("counter")) as holder:
            first = billing.post_payment(
                bounded(holder), request("EMP-1", WORKER_MONTH, account=busy.account), now=NOW, rules=holder.rules
            )
            # A second payment to the employer waits for it...
            waiting = pool.submit(post, pg, request("EMP-2", WORKER_MONTH, account=busy.account))
            deadline = time.monotonic() + WAIT
            while _waiting_for_a_lock(pg) == 0 and not waiting.done() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not waiting.done(), "the second payment to the same account did not wait for the first"
            assert _waiting_for_a_lock(pg) >= 1

            # ...while a payment to a family goes through at once (its own unit of work, committed).
            start = time.monotonic()
            other = post(pg, request("FAM-1", FAMILY_BILL, va=VA2), wait=5)  # LockNotAvailable if it waits
            elapsed = time.monotonic() - start
            assert elapsed < 5, f"a payment to another account waited {elapsed:.1f} s"
            assert [str(m.month) for m in other.settled] == ["2024-04", "2024-05"]
            assert not waiting.done(), "the waiting payment went on before the first committed"

            holder.commit()
        second = waiting.result(timeout=WAIT)

    assert [str(m.month) for m in first.settled] == ["2024-04"]
    assert [str(m.month) for m in second.settled] == ["2024-05"]  # after the first: May is the oldest month open
    assert count(pg, "SELECT count(*) FROM payment") == 3
