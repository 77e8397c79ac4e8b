"""Due dates: the 10th of the month, or the next working day (docs/rules.md §4).

Indonesian public holidays come from the maintained `holidays` library, not a hand-typed list.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, default_rulebook, in_force


@cache
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an Indonesian public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def due_date(month: Month, rules: Rulebook | None = None) -> dt.date:
    """The last day to pay a month's contribution.

    Example:
        >>> due_date(Month(2024, 2))  # 10 Feb 2024 is a Saturday (and Chinese New Year)
        datetime.date(2024, 2, 12)
    """
    rule = in_force((rules or default_rulebook()).due_date, month.first_day(), "due date")
    day = month.day(rule.day)
    return next_working_day(day) if rule.shift == "next_working_day" else day
