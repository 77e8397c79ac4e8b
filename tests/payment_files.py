"""A bank's payments file for the tests, in the columns `iuran payments import` reads."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

PaymentRow = tuple[str, str, str, int, dt.datetime, str]  # reference, va, account, amount, paid_at, channel


def write_csv(path: Path, rows: Iterable[PaymentRow]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["reference", "va", "account", "amount", "paid_at", "channel"])
        for ref, va, account, amount, paid_at, channel in rows:
            w.writerow([ref, va, account, amount, paid_at.isoformat(), channel])
    return path
