"""The aging buckets of arrears: how long an account has been in arrears, in months (docs/rules.md §8).

BPJS Kesehatan's arrears (tunggakan) reports group the accounts in arrears by the number of months they owe:
1, 2, 3, 4–6, 7–12, 13–24 and more than 24 months (beyond the at most 24 months a reactivation asks for, Perpres
64/2020 Pasal 42 ayat (3)). The cycle's SQL (`snapshot_arrears.bucket`) and the arrears report both take the buckets
from here.

Example:
    >>> [bucket_of(n) for n in (1, 3, 4, 12, 13, 24, 25, 120)]
    ['1', '3', '4-6', '7-12', '13-24', '13-24', '>24', '>24']
"""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.errors import RuleInputError


@dataclass(frozen=True)
class AgingBucket:
    """Accounts owing `low` to `high` months (both included); `high` None: `low` months or more."""

    name: str
    low: int
    high: int | None

    def holds(self, months: int) -> bool:
        return self.low <= months and (self.high is None or months <= self.high)


def _name(low: int, high: int | None) -> str:
    if high is None:
        return f">{low - 1}"
    return str(low) if low == high else f"{low}-{high}"


# The upper bound of every bucket but the last, which is open.
_UPPER_BOUNDS = (1, 2, 3, 6, 12, 24)

AGING_BUCKETS: tuple[AgingBucket, ...] = tuple(
    AgingBucket(_name(low, high), low, high)
    for low, high in zip((1, *(b + 1 for b in _UPPER_BOUNDS)), (*_UPPER_BOUNDS, None), strict=True)
)


def bucket_of(months: int) -> str:
    """The aging bucket of an account `months` in arrears (at least 1)."""
    for bucket in AGING_BUCKETS:
        if bucket.holds(months):
            return bucket.name
    raise RuleInputError("months_in_arrears", "an account in arrears owes at least 1 month", f"got {months}")
