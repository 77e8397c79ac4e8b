"""Play a synthetic branch's months through the real books: the monthly cycle, then the banks' payments.

For each month M from the opening month to the scenario month: the monthly cycle of M (`iuran.services.cycle`);
then, except for the scenario month itself, every account that pays in M by its behaviour (`synth_payer`) pays
exactly its bill as a bank would quote it, in a payments CSV imported as a bank's file (`iuran.services.payments`).
The bill is the quote's (`iuran.billing.payable.due_items`, the statement the settlement itself asks): a family
pays every open month up to M, of the months in arrears only the latest N (the reactivation cap in force; older
months are written off by the import); employers and governments pay all their open months.

The scenario month's payments are not played (the picture is the state on its 1st). `bank_file` writes them, or
those of any later month whose cycle has run, as the banks would send them: `iuran synth payments --month M`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from iuran.billing.payable import due_items, sql_among
from iuran.billing.payments_staging import Dialect
from iuran.db.engine import is_postgres
from iuran.db.months import from_db, to_db
from iuran.rules.month import Month, month_range
from iuran.rules.payment_policy import WHOLE_BILL, payers_settling
from iuran.rules.reactivation import arrears_cap
from iuran.rules.rulebook import Rulebook, default_rulebook
from iuran.services.cycle import run_cycle
from iuran.services.payments import import_payments
from iuran.services.unit_of_work import Actor, UnitOfWork
from iuran.synth.progress import count, rupiah

Progress = Callable[[str], None]
HEADER = ("reference", "va", "account", "amount", "paid_at", "channel")
FETCH = 20_000


class PlayError(RuntimeError):
    """The books did not take the synthetic payments as planned."""


@dataclass(frozen=True)
class MonthPlayed:
    month: Month
    cycle_seconds: float
    payments: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    amount: int = 0
    written_off: int = 0
    payment_seconds: float = 0.0


def run_months(engine: Engine) -> tuple[Month, Month]:
    """The synthetic branch's opening month and scenario month."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT opening_month, scenario_month FROM synth_run ORDER BY id DESC")).first()
    if row is None:
        raise PlayError("synth_run: this database holds no synthetic branch (run the generation first)")
    return from_db(int(row[0])), from_db(int(row[1]))


ACTOR = Actor.job("synth")


def play(
    engine: Engine, workdir: Path, *, progress: Progress | None = None, rules: Rulebook | None = None
) -> list[MonthPlayed]:
    """Run every month from the opening month to the scenario month; resumable (finished work is skipped)."""
    rb = rules or default_rulebook()
    opening, last = run_months(engine)
    say = progress or (lambda _m: None)
    workdir.mkdir(parents=True, exist_ok=True)
    played: list[MonthPlayed] = []
    for month in month_range(opening, last):
        t0 = time.monotonic()
        clock = _StepClock(t0)
        with UnitOfWork(
            engine, now=dt.datetime.combine(month.first_day(), dt.time(1, 0)), actor=ACTOR, rules=rb
        ) as uow:
            run_cycle(uow, month, progress=clock)
        cycle_seconds = round(time.monotonic() - t0, 2)
        say(f"{month}: cycle {cycle_seconds}s ({', '.join(clock.steps) or 'already run'})")
        refresh_statistics(engine)
        if month == last or _already_paid(engine, month):
            played.append(MonthPlayed(month, cycle_seconds))
            continue
        t1 = time.monotonic()
        path = workdir / f"payments-{month}.csv"
        lines = write_payments(engine, month, path, rb)
        with UnitOfWork(
            engine, now=dt.datetime.combine(month.last_day(), dt.time(23, 59)), actor=ACTOR, rules=rb
        ) as uow:
            result = import_payments(uow, path, report_path=workdir / f"rejections-{month}.csv").result
        if result.rejected:
            raise PlayError(
                f"payments {month}: {result.rejected} of {lines} synthetic payments were rejected "
                f"({dict(result.rejections)}); see {workdir / f'rejections-{month}.csv'}"
            )
        played.append(
            MonthPlayed(
                month,
                cycle_seconds,
                lines,
                result.accepted,
                result.rejected,
                result.duplicates,
                result.amount_accepted,
                result.amount_written_off,
                round(time.monotonic() - t1, 2),
            )
        )
        say(f"{month}: {count(result.accepted)} payments, {rupiah(result.amount_accepted)}")
        refresh_statistics(engine)
    return played


class _StepClock:
    """Times the cycle's steps for the progress report."""

    def __init__(self, start: float) -> None:
        self.last = start
        self.steps: list[str] = []

    def __call__(self, step: str, _done: int, _total: int) -> None:
        now = time.monotonic()
        self.steps.append(f"{step} {now - self.last:.1f}s")
        self.last = now


# The books' tables a month of billing and payments grows: PostgreSQL's planner needs to know their new size.
_LEDGER_TABLES = ("charge", "charge_line", "open_item", "account_status", "payment", "allocation", "writeoff")


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE the books after a bulk month, as autovacuum would eventually (a synthetic history is fast)."""
    with engine.begin() as conn:
        if is_postgres(conn):
            for table in _LEDGER_TABLES:
                conn.execute(text(f"ANALYZE {table}"))
        else:
            conn.execute(text("ANALYZE"))


def _already_paid(engine: Engine, month: Month) -> bool:
    """Whether the month's synthetic payments were imported by an earlier run."""
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM payment WHERE reference LIKE :r"), {"r": f"SYN-{to_db(month)}-%"})
        return found.first() is not None


# Accounts that pay in month :m by their behaviour: one request each for the quote's statement.
_PAYERS = """(
  SELECT a.id AS line_no, a.id AS account_id, CASE WHEN {whole_bill} THEN 1 ELSE 0 END AS whole_bill,
         CAST(:cap AS INTEGER) AS arrears_cap, CAST(:m AS INTEGER) AS paid_month, {paid_on} AS paid_on, 0 AS amount
  FROM synth_payer sp JOIN account a ON a.id = sp.account_id
  WHERE sp.first_paid <= :m AND (sp.last_paid IS NULL OR sp.last_paid >= :m)
    AND (sp.skip_month IS NULL OR sp.skip_month <> :m)
)"""

# What each of them pays: its quote, less what the payment writes off.
_BILLS = """
SELECT a.id, a.kind, a.va, sp.pay_day, sp.channel, b.amount
FROM (SELECT u.account_id, sum(u.amount_open) AS amount FROM ({due}) u WHERE u.writes_off = 0
      GROUP BY u.account_id) b
JOIN account a ON a.id = b.account_id JOIN synth_payer sp ON sp.account_id = b.account_id
ORDER BY a.id
"""


@dataclass(frozen=True)
class BankFile:
    month: Month
    path: Path
    lines: int
    amount: int


def bank_file(engine: Engine, month: Month, path: Path, rules: Rulebook | None = None) -> BankFile:
    """The payments the synthetic branch's payers make in `month`, as a bank's file for `iuran payments import`:
    each paying account (by its `synth_payer` behaviour) pays its whole bill as the quote states it.

    The month's cycle must have run (its bills are what is paid) and its synthetic payments not be in the books yet.
    The file appears whole or not at all.

    Example:
        >>> bank_file(engine, Month(2023, 11), Path("var/payments-2023-11.csv")).lines  # doctest: +SKIP
        1472
    """
    opening, _last = run_months(engine)
    if month < opening:
        raise PlayError(f"month: the synthetic branch opens in {opening}; got {month}")
    with engine.connect() as conn:
        billed = conn.execute(text("SELECT 1 FROM charge WHERE month = :m"), {"m": to_db(month)}).first()
    if billed is None:
        raise PlayError(f"month: {month} has not been billed; run `iuran cycle run --month {month}` first")
    if _already_paid(engine, month):
        raise PlayError(f"month: the synthetic payments of {month} are in the books already")
    partial = path.with_name(path.name + ".partial")
    try:
        lines, amount = _write_payments(engine, month, partial, rules or default_rulebook())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BankFile(month, path, lines, amount)


def write_payments(engine: Engine, month: Month, path: Path, rules: Rulebook) -> int:
    """The month's payments file: one line per paying account, streamed from the database."""
    return _write_payments(engine, month, path, rules)[0]


def _write_payments(engine: Engine, month: Month, path: Path, rules: Rulebook) -> tuple[int, int]:
    day = month.first_day()
    m = to_db(month)
    n = total = 0
    with engine.connect() as conn, path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        d = Dialect.of(conn)
        payers = _PAYERS.format(
            whole_bill=sql_among("a.kind", payers_settling(WHOLE_BILL, day, rules)),
            paid_on="CAST(:day AS DATE)" if d.postgres else ":day",
        )
        bills = _BILLS.format(due=due_items(d, payers, rules))
        result = conn.execution_options(stream_results=True).execute(
            text(bills), {"m": m, "cap": arrears_cap(day, rules), "day": day}
        )
        while rows := result.fetchmany(FETCH):
            for account_id, kind, va, pay_day, channel, amount in rows:
                paid_at = dt.datetime.combine(
                    month.day(int(pay_day)), dt.time(8 + int(account_id) % 12, int(account_id) % 60)
                )
                out.writerow(
                    (
                        f"SYN-{m}-{account_id}",
                        va if kind == "family" else "",
                        "" if kind == "family" else account_id,
                        int(amount),
                        paid_at.isoformat(sep=" "),
                        channel,
                    )
                )
                n += 1
                total += int(amount)
    return n, total
