"""The rule data in force on one day: every table of the rulebook as it stands that day (docs/rules.md).

A dated table has one entry in force: the last one whose `effective` date is not after the day. A keyed table
(`KEYS`: PPU rates and caps per segment, payment policies and suspension rules per payer kind, UHC Award tiers,
REHAB versions) has one entry in force per value of its key. A table whose first entry is later than the day is
not in force. The single tables (`ppu_wage_floor`, `virtual_account`) carry no date: they are in force as they
are.

Example:
    >>> import datetime as dt
    >>> from iuran.rules.rulebook import default_rulebook
    >>> tables = rules_in_force(default_rulebook(), dt.date(2024, 5, 1))
    >>> tables["pbpu_rate"].entries[0]["kelas3_participant"], tables["reactivation"].entries[0]["max_months_in_arrears"]
    (35000, 24)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from iuran.rules.rulebook import Rulebook, RuleNotInForce, in_force

# The tables with one entry in force per value of a field, and that field.
KEYS: Mapping[str, str] = {
    "ppu_rate": "segment",
    "ppu_wage_cap": "segment",
    "payment_policy": "payer",
    "suspension": "payer",
    "late_fee": "payer",
    "uhc_award": "tier",
    "rehab": "version",
}

Entry = dict[str, object]


@dataclass(frozen=True)
class TableInForce:
    """One table of the rulebook on one day.

    `entries` are the entries in force, with every field (among them `effective` and `basis`): one for a dated
    table, one per key value for a keyed table (in the order of their first appearance in the rule data), the one
    entry of a single table; none when the table is not in force yet. `next_effective` is the next date after the
    day on which an entry of the table takes effect (for a table not in force: its first entry's), or None.
    """

    table: str
    key: str | None  # the field that keys the table (e.g. "segment"), None for one entry in force
    dated: bool  # False for the single tables, which carry no effective date
    entries: tuple[Entry, ...]
    next_effective: dt.date | None

    @property
    def in_force(self) -> bool:
        return bool(self.entries)


def rules_in_force(rules: Rulebook, day: dt.date) -> dict[str, TableInForce]:
    """Every table of `rules` as it stands on `day`, by table name, in the order of the Rulebook's fields.

    Example:
        >>> from iuran.rules.rulebook import default_rulebook
        >>> t = rules_in_force(default_rulebook(), dt.date(2014, 1, 1))
        >>> [(e["segment"], e["employer_bp"], e["worker_bp"]) for e in t["ppu_rate"].entries]
        [('ppu-bu', 400, 50), ('ppu-pn', 300, 200)]
        >>> t["service_penalty"].in_force, t["service_penalty"].next_effective
        (False, datetime.date(2016, 7, 1))
    """
    tables: dict[str, TableInForce] = {}
    for f in fields(rules):
        value = getattr(rules, f.name)
        if isinstance(value, tuple):
            tables[f.name] = _dated(f.name, value, day)
        else:
            tables[f.name] = TableInForce(f.name, None, False, (_entry(value),), None)
    return tables


def _dated(name: str, entries: tuple[Any, ...], day: dt.date) -> TableInForce:
    key = KEYS.get(name)
    groups: dict[object, list[Any]] = {}
    for entry in entries:
        groups.setdefault(getattr(entry, key) if key else None, []).append(entry)
    found: list[Entry] = []
    for group in groups.values():
        try:
            found.append(_entry(in_force(group, day, name)))
        except RuleNotInForce:
            continue
    later = [e.effective for e in entries if e.effective > day]
    return TableInForce(name, key, True, tuple(found), min(later) if later else None)


def _entry(entry: Any) -> Entry:
    return asdict(entry)
