"""Use case: run (or resume) the monthly cycle of a month (docs/ledger.md, "The monthly cycle").

Each step is its own transaction (a sibling of the caller's unit of work): a finished step is never run again and
a crash leaves whole steps only. A stage's lanes run side by side on PostgreSQL; SQLite has one writer at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from iuran.billing import month_state
from iuran.billing.cycle import STAGES, STEPS, CycleError, check_order, finished_steps, run_step
from iuran.db.locks import AlreadyHeld, held_alone
from iuran.rules.month import Month
from iuran.services.unit_of_work import UnitOfWork

__all__ = ["STEPS", "CycleError", "CycleResult", "Refreshed", "refresh_month", "run_cycle"]

# One cycle (or refresh of a month) at a time on a database.
_ALONE = "cycle"

Progress = Callable[[str, int, int], None]  # (step, steps done, steps in all)


@dataclass(frozen=True)
class CycleResult:
    month: Month
    rows: dict[str, int] = field(default_factory=dict)  # rows written per step run now
    skipped: tuple[str, ...] = ()  # steps already finished by an earlier run


def run_cycle(uow: UnitOfWork, month: Month, *, progress: Progress | None = None) -> CycleResult:
    """Run (or resume) the cycle for `month` at `uow.now` under `uow.rules`. A finished month is left as it is.

    The steps run in transactions of their own (`uow.fork()`); `uow`'s own transaction is not used.

    Raises `CycleError` (nothing run) when the month is out of order, or when a cycle is running already.
    """
    with _alone(uow):
        return _run_cycle(uow, month, progress)


@contextmanager
def _alone(uow: UnitOfWork) -> Iterator[None]:
    try:
        with held_alone(uow.engine, _ALONE):
            yield
    except AlreadyHeld:
        raise CycleError(
            "month: a cycle is running on this database already; wait for it to end (a cycle that died resumes"
            " where it stopped when run again)"
        ) from None


def _run_cycle(uow: UnitOfWork, month: Month, progress: Progress | None) -> CycleResult:
    with uow.fork(read_only=True) as look:
        check_order(look.conn, month)
        done = finished_steps(look.conn, month)
    rows: dict[str, int] = {}
    lock = threading.Lock()

    def run_lane(lane: tuple[str, ...], beside: bool = False) -> None:
        for step in lane:
            if step in done:
                continue
            with uow.fork() as step_uow:
                n = run_step(step_uow.conn, step, month, uow.now, uow.rules, beside=beside)
                step_uow.commit()
            with lock:
                rows[step] = n
                if progress:
                    progress(step, len(rows) + len(done), len(STEPS))

    for stage in STAGES:
        if uow.postgres and len(stage) > 1:
            with ThreadPoolExecutor(max_workers=len(stage), thread_name_prefix="cycle") as pool:
                # Every lane runs to its end (its finished steps stay committed) before the first error is raised.
                futures = [pool.submit(run_lane, lane, i > 0) for i, lane in enumerate(stage)]
                failures = [f.exception() for f in futures]
            if error := next((e for e in failures if e is not None), None):
                raise error
        else:
            for lane in stage:
                run_lane(lane)
    return CycleResult(month, {s: rows[s] for s in STEPS if s in rows}, tuple(s for s in STEPS if s in done))


@dataclass(frozen=True)
class Refreshed:
    month: Month
    rows: dict[str, int]  # rows written per step of the month's derived state


def refresh_month(uow: UnitOfWork, month: Month) -> Refreshed:
    """Write again the derived state of a month whose cycle has run (docs/ledger.md, "A month's derived state"):
    the subsidy the newly active are due, the coverage and arrears snapshots. Raises `CycleError` (nothing written)
    when the month has no cycle yet, or a cycle is running."""
    with _alone(uow):
        steps = month_state.written_months(uow.conn).get(month)
        if steps is None:
            raise CycleError(f"month: the cycle of {month} has not written its derived state; run `iuran cycle run`")
        rows = month_state.refresh(uow.conn, month, uow.now, uow.rules, steps)
        uow.commit()
    return Refreshed(month, rows)
