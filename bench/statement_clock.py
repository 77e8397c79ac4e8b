"""Where a benchmark's database time goes: every SQL statement timed, slowest first.

    from statement_clock import StatementClock
    clock = StatementClock.attach(engine)
    ...  # run the cycle or an import
    clock.report(top=15)

Statements are keyed by their first words with whitespace folded, so that the same statement run in several rounds
adds up. Nothing personal is printed: the keys are the SQL text, never its parameters.
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, event

_SPACE = re.compile(r"\s+")


class StatementClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @classmethod
    def attach(cls, engine: Engine) -> StatementClock:
        clock = cls()
        event.listen(engine, "before_cursor_execute", clock._before)
        event.listen(engine, "after_cursor_execute", clock._after)
        return clock

    # The start time is kept on the connection: the cycle runs steps side by side on several connections.
    def _before(self, conn: Any, *_args: Any) -> None:
        conn.info.setdefault("statement_clock", []).append(time.perf_counter())

    def _after(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        key = _SPACE.sub(" ", statement).strip()[:150]
        self.seconds[key] += time.perf_counter() - conn.info["statement_clock"].pop()
        self.calls[key] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def report(self, title: str, top: int = 15) -> None:
        total = sum(self.seconds.values())
        print(f"  {title}: {total:.1f} s in SQL over all connections, slowest statements:", file=sys.stderr)
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            print(f"    {seconds:7.2f} s  ×{self.calls[key]:<3} {key}", file=sys.stderr)
        self.reset()
