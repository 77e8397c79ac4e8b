"""Benchmark: twelve years of a branch's books on PostgreSQL: is a month's cost independent of its history?

    python bench/bench_history.py --scale 0.1 --months 144          # about 530,000 participants, twelve years
    python bench/bench_history.py --scale 0.002 --months 3 --smoke  # what CI runs

It builds `bogor-2024` into a fresh database, then plays `--months` months one after another: each month's
payments file imported (with the bank errors of bench_branch mixed in), then the next month's cycle (which seals
the month before it). It prints, for every month, the cycle's and the import's seconds; every `--every` months (and
at month 1, 12 and the last) also their floors measured in the same run (bench_branch's bare `INSERT … SELECT`
into the month's `charge_line` partition; the COPY plus bare inserts of the import), every report, and the daily
`ledger verify` after the import (one month's cycle and its imports posted since the latest seal). At the end,
`ledger verify --full` prints its time.

Target (docs/benchmarks.md): at the last month (144) the cycle, the import and each report take at most 1.25 × what
they took at month 12. Single months are noisy on a shared machine: the comparison uses the median of the five
months ending at each (8–12 and 140–144) for the cycle and the import, and each report's time at both, measured
three times, the best of three.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).parent))

from bench_branch import (
    ADMIN,
    BENCH,
    REPORTS,
    bare_insert_seconds,
    cycle,
    drop_database,
    fresh_database,
    import_floor_seconds,
    open_bench,
    vacuum,
    with_bank_errors,
)

from iuran.db.months import to_db
from iuran.db.partitions import partition_name
from iuran.rules.month import Month
from iuran.rules.rulebook import default_rulebook
from iuran.services.ledger import verify_books
from iuran.services.payments import import_payments
from iuran.services.reports import report
from iuran.services.unit_of_work import UnitOfWork
from iuran.synth.build import build_scenario
from iuran.synth.play import write_payments

GROWTH = 1.25  # the month at the end over the month at 12
WINDOW = 5


def carry_umk_forward(engine: Engine, until_year: int) -> int:
    """The benchmark plays years no UMK decree exists for yet: each kabupaten/kota's latest UMK carried forward
    (benchmark data, marked as such in its basis; the cycle refuses a PPU BU wage without a UMK)."""
    with engine.begin() as c:
        return c.execute(
            text(
                "INSERT INTO umk (kabkota_code, year, amount, basis)"
                " SELECT u.kabkota_code, y.year, u.amount, 'benchmark: the ' || u.year || ' UMK carried forward'"
                " FROM umk u JOIN (SELECT kabkota_code, max(year) AS year FROM umk GROUP BY kabkota_code) l"
                "   ON l.kabkota_code = u.kabkota_code AND l.year = u.year"
                " CROSS JOIN generate_series(u.year + 1, :until) AS y(year)"
            ),
            {"until": until_year},
        ).rowcount


def reports_seconds(engine: Engine, month: Month) -> dict[str, float]:
    as_of = month.first_day()
    best: dict[str, float] = {}
    with UnitOfWork(engine, now=dt.datetime.combine(as_of, dt.time(8)), actor=BENCH, read_only=True) as uow:
        for _ in range(3):
            for name, by in REPORTS:
                start = time.perf_counter()
                report(uow, name, as_of, by=by)
                key = f"{name} --by {by or '-'}"
                best[key] = min(best.get(key, 1e9), time.perf_counter() - start)
    return best


def verify_seconds(engine: Engine, month: Month, *, full: bool) -> tuple[bool, float]:
    with UnitOfWork(engine, now=dt.datetime.combine(month.first_day(), dt.time(8)), actor=BENCH, read_only=True) as uow:
        start = time.perf_counter()
        ok = verify_books(uow, full=full).ok
        return ok, time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--months", type=int, default=144)
    ap.add_argument("--every", type=int, default=12, help="measure floors, reports and verify every so many months")
    ap.add_argument("--database", default="iuran_bench_history")
    ap.add_argument("--smoke", action="store_true", help="small run for CI: figures printed, targets not judged")
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    ap.add_argument("--skip-full-verify", action="store_true", help="leave out `ledger verify --full` at the end")
    ap.add_argument("--drop", action="store_true", help="drop the database at the end (kept otherwise, to look into)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    engine = open_bench(fresh_database(args.database))
    summary = build_scenario(engine, "bogor-2024", args.scale, args.seed)
    month = summary.generation.month
    carry_umk_forward(engine, (month + args.months).year)
    print(
        f"setup: bogor-2024 at scale {args.scale}: {summary.generation.persons:,} participants, "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    measured = {1, 12, args.months} | {n for n in range(args.every, args.months + 1, args.every)}
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="iuran-history-") as tmp:
        for n in range(1, args.months + 1):
            began = time.perf_counter()
            simulated = Path(tmp) / "simulated.csv"
            write_payments(engine, month, simulated, default_rulebook())
            path = Path(tmp) / "payments.csv"
            with_bank_errors(simulated, path)
            start = time.perf_counter()
            with UnitOfWork(engine, now=dt.datetime.combine(month.last_day(), dt.time(23)), actor=BENCH) as uow:
                result = import_payments(uow, path).result
            import_s = time.perf_counter() - start
            row: dict[str, object] = {
                "n": n,
                "month": str(month + 1),
                "payments": result.lines,
                "import_s": round(import_s, 4),
            }
            if n in measured:
                row["import_floor_s"] = round(import_floor_seconds(engine, path, result.batch_id), 4)
                vacuum(engine, "payment", "allocation")
                # The daily proof with one month's cycle and its imports posted since the latest seal.
                ok, seconds = verify_seconds(engine, month, full=False)
                row["verify_s"], row["verify_ok"] = round(seconds, 2), ok
            vacuum(engine, "open_item", "account_status")
            month = month + 1
            start = time.perf_counter()
            run = cycle(engine, month)
            row["cycle_s"] = round(time.perf_counter() - start, 4)
            row["lines"] = run.rows.get("bill", 0)
            if n in measured:
                row["bare_s"] = round(bare_insert_seconds(engine, month, int(row["lines"])), 4)  # type: ignore[call-overload]
                vacuum(engine, partition_name("charge_line", to_db(month)))
                row["reports_s"] = {k: round(v, 5) for k, v in reports_seconds(engine, month).items()}
            row["wall_s"] = round(time.perf_counter() - began, 1)
            rows.append(row)
            extra = ""
            if "bare_s" in row:
                extra = (
                    f"; floors: import {row['import_floor_s']} s, cycle {row['bare_s']} s; reports (slowest)"
                    f" {max(row['reports_s'].values()):.3f} s; verify {row['verify_s']} s"
                )  # type: ignore[attr-defined]
            print(
                f"month {n:>3} ({row['month']}): import {result.lines:,} in {import_s:.2f} s,"
                f" cycle {row['lines']:,} lines in {row['cycle_s']} s{extra} (month's wall time {row['wall_s']} s)",
                flush=True,
            )
    ok, full_s = True, 0.0
    if not args.skip_full_verify:
        ok, full_s = verify_seconds(engine, month, full=True)
        print(f"ledger verify --full after {args.months} months: {'ok' if ok else 'DISCREPANCY'} in {full_s:.1f} s")

    def window(key: str, end: int) -> float:
        return statistics.median(float(r[key]) for r in rows if end - WINDOW < int(r["n"]) <= end)  # type: ignore[arg-type]

    figures: dict[str, float] = {}
    if args.months >= 12:
        last = args.months
        figures["cycle_growth"] = window("cycle_s", last) / window("cycle_s", 12)
        figures["import_growth"] = window("import_s", last) / window("import_s", 12)
        at = {int(r["n"]): r for r in rows}  # type: ignore[call-overload]
        for key in at[12]["reports_s"]:  # type: ignore[attr-defined]
            figures[f"report {key} growth"] = at[last]["reports_s"][key] / at[12]["reports_s"][key]  # type: ignore[index]
        figures["import_over_floor_12"] = float(at[12]["import_s"]) / float(at[12]["import_floor_s"])  # type: ignore[arg-type]
        figures["import_over_floor_last"] = float(at[last]["import_s"]) / float(at[last]["import_floor_s"])  # type: ignore[arg-type]
        figures["cycle_over_bare_last"] = float(at[last]["cycle_s"]) / float(at[last]["bare_s"])  # type: ignore[arg-type]
        print(f"\n{'figure':<42}{'measured':>10}  target")
        for k, v in figures.items():
            target = f"≤ {GROWTH}" if k.endswith("growth") else "≤ 3 (goal)"
            verdict = "-" if args.smoke else ("PASS" if v <= (GROWTH if k.endswith("growth") else 3) else "FAIL")
            print(f"{k:<42}{v:>10.2f}  {target}  {verdict}")
    results = {
        "scale": args.scale,
        "months": rows,
        "verify_full_s": round(full_s, 1),
        "verify_full_ok": ok,
        "figures": figures,
        "database": ADMIN.rsplit("/", 1)[0] + "/" + args.database,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"history-{args.scale}-{args.months}.json").write_text(json.dumps(results, indent=2))
    engine.dispose()
    if args.drop:
        drop_database(args.database)
    if not ok or not all(r.get("verify_ok", True) for r in rows):
        raise SystemExit("ledger verify failed")
    return results


if __name__ == "__main__":
    main()
