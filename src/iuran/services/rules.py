"""Use case: the rule data in force on a day (`iuran rules show --on DATE`; the rules are described in docs/rules.md).

No database and no clock: the day and the rulebook are given, so every face (the command line, the web app) shows
the same tables for the same day.
"""

from __future__ import annotations

import datetime as dt

from iuran.rules import in_force
from iuran.rules.in_force import Entry, TableInForce
from iuran.rules.rulebook import Rulebook

__all__ = ["Entry", "TableInForce", "rules_in_force"]


def rules_in_force(rules: Rulebook, on: dt.date) -> dict[str, TableInForce]:
    """Every table of `rules` as it stands on `on`: the entries in force, or none (not in force yet).

    Example:
        >>> from iuran.rules.rulebook import default_rulebook
        >>> rules_in_force(default_rulebook(), dt.date(2024, 5, 1))["pbpu_rate"].entries[0]["effective"]
        datetime.date(2021, 1, 1)
    """
    return in_force.rules_in_force(rules, on)
