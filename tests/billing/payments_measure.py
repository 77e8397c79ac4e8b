"""A local measurement of `iuran payments import` throughput (not a test; not collected by pytest).

Builds synthetic books on a fresh PostgreSQL database (families owing May and perhaps months in arrears, by --mix;
employers owing March to May),
writes a payments file of N lines that pays most of them (a few amounts wrong, a few unknown virtual accounts,
some employers paying twice), imports it and prints payments/s and the peak resident memory.

    .venv/bin/python tests/billing/payments_measure.py --rows 1000000 --mix monthly \
        --url postgresql://postgres@127.0.0.1:5432/payments_bench
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from iuran.db.engine import make_engine
from iuran.services.database import upgrade_database
from iuran.services.payments import import_payments
from iuran.services.unit_of_work import Actor, UnitOfWork

MAY = 202405
KELAS3_FAMILY = 70_000
EMPLOYER_MONTH = 1_250_000


# How many months before May each family owes, by account id: "arrears" is a heavy mix (5% with 30 months in
# arrears, 25% with two), "monthly" is an ordinary month (most pay May only).
MIXES = {
    "arrears": "CASE WHEN a.id % 20 = 0 THEN 30 WHEN a.id % 4 = 1 THEN 2 ELSE 0 END",
    "monthly": "CASE WHEN a.id % 50 = 0 THEN 2 WHEN a.id % 10 = 1 THEN 1 ELSE 0 END",
}


def arrears_months(mix: str, account: int) -> int:
    if mix == "arrears":
        return 30 if account % 20 == 0 else 2 if account % 4 == 1 else 0
    return 2 if account % 50 == 0 else 1 if account % 10 == 1 else 0


def build_books(url: str, families: int, employers: int, mix: str) -> None:
    admin = create_engine(
        url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    name = url.rsplit("/", 1)[1]
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO family (id, kk, desa_code) SELECT g, lpad(g::text, 16, '0'), '62.71.01.1001'"
                " FROM generate_series(1, :n) g"
            ),
            {"n": families},
        )
        c.execute(
            text(
                "INSERT INTO account (id, kind, name, va, family_id, kabkota_code, opened_on, activated_on)"
                " SELECT g, 'family', 'Keluarga', '88888' || lpad(g::text, 11, '0'), g, '62.71', DATE '2019-01-01',"
                " DATE '2019-01-01' FROM generate_series(1, :n) g"
            ),
            {"n": families},
        )
        c.execute(
            text(
                "INSERT INTO employer (id, code, name, kind, kabkota_code) SELECT g, 'BU' || g, 'PT', 'bu', '62.71'"
                " FROM generate_series(1, :n) g"
            ),
            {"n": employers},
        )
        c.execute(
            text(
                "INSERT INTO account (id, kind, name, employer_id, kabkota_code, opened_on)"
                " SELECT :f + g, 'employer', 'PT', g, '62.71', DATE '2019-01-01' FROM generate_series(1, :n) g"
            ),
            {"f": families, "n": employers},
        )
        c.execute(text("SELECT setval('account_id_seq', (SELECT max(id) FROM account))"))
        c.execute(
            text(
                "INSERT INTO charge (account_id, month, kind, members, amount, created_at)"
                " SELECT a.id, (m / 12) * 100 + m % 12 + 1, 'contribution', 2, :amt, TIMESTAMP '2024-05-01'"
                f" FROM account a, generate_series(2024 * 12 + 4 - {MIXES[mix]}, 2024 * 12 + 4) m"
                " WHERE a.kind = 'family'"
            ),
            {"amt": KELAS3_FAMILY},
        )
        c.execute(
            text(
                "INSERT INTO charge (account_id, month, kind, members, amount, created_at)"
                " SELECT a.id, m, 'contribution', 5, :amt, TIMESTAMP '2024-05-01'"
                " FROM account a, (VALUES (202403), (202404), (202405)) v(m) WHERE a.kind = 'employer'"
            ),
            {"amt": EMPLOYER_MONTH},
        )
        c.execute(
            text(
                "INSERT INTO open_item (charge_id, account_id, month, amount_open) SELECT id, account_id, month,"
                " amount FROM charge"
            )
        )
        c.execute(
            text(
                "INSERT INTO account_status (account_id, active, status_since, months_in_arrears, arrears_amount,"
                " unpaid_since, as_of_month) SELECT a.id, o.n IS NULL, DATE '2024-05-01', COALESCE(o.n, 0),"
                " COALESCE(o.amt, 0), o.since, :m FROM account a LEFT JOIN (SELECT account_id, count(*) n,"
                " sum(amount_open) amt, min(month) since FROM open_item WHERE month < :m GROUP BY account_id) o"
                " ON o.account_id = a.id"
            ),
            {"m": MAY},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def family_bill(mix: str, account: int) -> int:
    # Perpres 64/2020 Pasal 42(3): at most 24 months in arrears plus May; older months are written off.
    return (min(arrears_months(mix, account), 24) + 1) * KELAS3_FAMILY


def write_file(path: Path, rows: int, families: int, employers: int, mix: str) -> None:
    rng = random.Random(2024)
    employer_lines = min(employers * 2, rows // 20)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(("reference", "va", "account", "amount", "paid_at", "channel"))
        for i in range(rows - employer_lines):
            account = i + 1
            amount = family_bill(mix, account)
            va = f"88888{account:011d}"
            if i % 50 == 7:
                amount -= KELAS3_FAMILY // 2  # one member only: refused
            if i % 97 == 3:
                va = f"89888{account:011d}"  # unknown virtual account
            paid = dt.datetime(2024, 5, 1 + rng.randrange(19), rng.randrange(24), rng.randrange(60))
            out.writerow((f"B{i:09d}", va, "", amount, paid.isoformat(), "bank"))
        for j in range(employer_lines):
            account = families + j // 2 + 1
            # Each employer pays March and April on the 8th, then May on the 9th: two rounds.
            amount, paid = (2 * EMPLOYER_MONTH, "2024-05-08") if j % 2 == 0 else (EMPLOYER_MONTH, "2024-05-09")
            out.writerow((f"E{j:09d}", "", account, amount, paid, "bank"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/payments_bench")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--mix", choices=sorted(MIXES), default="monthly")
    args = parser.parse_args()
    employers = max(1, args.rows // 40)
    families = args.rows
    t0 = time.perf_counter()
    build_books(args.url, families, employers, args.mix)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bank.csv"
        write_file(source, args.rows, families, employers, args.mix)
        t2 = time.perf_counter()
        engine = make_engine(args.url)
        with engine.connect() as c:  # the pooled connection the import will use
            backend = int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())
        load = os.getloadavg()[0]
        server0, client0 = _server_cpu(backend), _client_cpu()
        t3 = time.perf_counter()
        with UnitOfWork(engine, now=dt.datetime(2024, 5, 20, 9, 0), actor=Actor.job("measure")) as uow:
            result = import_payments(uow, source, report_path=Path(tmp) / "r.csv").result
        t4 = time.perf_counter()
        server, client = _server_cpu(backend) - server0, _client_cpu() - client0
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"books {t1 - t0:.1f}s, file {t2 - t1:.1f}s; import of {result.lines} lines in {t4 - t3:.1f}s ="
        f" {result.lines / (t4 - t3):,.0f} payments/s (CPU: PostgreSQL backend {server:.1f}s, Python {client:.1f}s;"
        f" load average {load:.1f} on {os.cpu_count()} CPUs); accepted {result.accepted}, rejected"
        f" {result.rejected}, duplicates {result.duplicates}, written off {result.amount_written_off};"
        f" peak RSS {rss_mib:,.0f} MiB",
        file=sys.stderr,
    )


def _server_cpu(pid: int) -> float:
    """CPU seconds used so far by a PostgreSQL backend on this machine (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
