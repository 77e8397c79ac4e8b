"""The bounds of the JKN programme itself (rule data `[jkn]`): every input of iuran lies inside them.

A registration, a billed month, a payment, an arrears month or a death is not dated before JKN began; nothing that
happened is dated after today; a family account covers at least one and at most `max_family_members` people; an
amount of Rupiah is a whole number below a quadrillion. Each check raises `RuleInputError` naming the field and
the rule. Pure: today is given by the caller.
"""

from __future__ import annotations

import datetime as dt

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, default_rulebook

# The last year of a date iuran takes: due dates, months ahead and working days are computed up to it (a later
# year is a typo, not a plan).
LAST_YEAR = 2099
# Whole Rupiah fit 15 digits: a monthly contribution, wage or payment of a quadrillion Rupiah is a typo.
RUPIAH_MAX_DIGITS = 15
MAX_RUPIAH = 10**RUPIAH_MAX_DIGITS - 1


def jkn_start(rules: Rulebook | None = None) -> dt.date:
    """The day JKN began.

    Example:
        >>> jkn_start()
        datetime.date(2014, 1, 1)
    """
    return (rules or default_rulebook()).jkn.start


def check_jkn_date(field: str, day: dt.date, *, today: dt.date | None = None, rules: Rulebook | None = None) -> dt.date:
    """`day` if it lies in the JKN era: not before JKN began, not after `today` when given (a date of something
    that happened), not after `LAST_YEAR`.

    Example:
        >>> check_jkn_date("registered_on", dt.date(2013, 12, 31))
        Traceback (most recent call last):
        ...
        iuran.rules.errors.RuleInputError: registered_on: a date since JKN began on 2014-01-01 (got 2013-12-31)
    """
    start = jkn_start(rules)
    if day < start:
        raise RuleInputError(field, f"a date since JKN began on {start.isoformat()}", f"got {day.isoformat()}")
    if today is not None and day > today:
        raise RuleInputError(field, f"a date not after today ({today.isoformat()})", f"got {day.isoformat()}")
    if day.year > LAST_YEAR:
        raise RuleInputError(field, f"a date up to the end of {LAST_YEAR}", f"got {day.isoformat()}")
    return day


def check_jkn_month(field: str, month: Month, rules: Rulebook | None = None) -> Month:
    """`month` if it lies in the JKN era (from the month JKN began to the end of `LAST_YEAR`).

    Example:
        >>> str(check_jkn_month("month", Month(2014, 1)))
        '2014-01'
    """
    first = Month.of(jkn_start(rules))
    if month < first:
        raise RuleInputError(field, f"a month since JKN began in {first}", f"got {month}")
    if month.year > LAST_YEAR:
        raise RuleInputError(field, f"a month up to the end of {LAST_YEAR}", f"got {month}")
    return month


def check_month_not_ahead(field: str, month: Month, today: dt.date) -> Month:
    """`month` if it is not after the month that follows today's: the cycle bills the coming month at the earliest.

    Example:
        >>> str(check_month_not_ahead("month", Month(2024, 6), dt.date(2024, 5, 31)))
        '2024-06'
    """
    latest = Month.of(today) + 1
    if month > latest:
        raise RuleInputError(
            field, f"a month up to {latest}, the one after today's ({today.isoformat()})", f"got {month}"
        )
    return month


def check_family_size(field: str, members: int, rules: Rulebook | None = None) -> int:
    """`members` if one family account may cover that many people: 1 to `max_family_members`.

    Example:
        >>> check_family_size("members", 4)
        4
    """
    most = (rules or default_rulebook()).jkn.max_family_members
    if not 1 <= members <= most:
        raise RuleInputError(field, f"a family account covers 1 to {most} people", f"got {members}")
    return members


def check_extra_members(field: str, extra: int, rules: Rulebook | None = None) -> int:
    """`extra` PPU family members beyond those the contribution includes: 0 to `max_family_members`.

    Example:
        >>> check_extra_members("extra_members", 2)
        2
    """
    most = (rules or default_rulebook()).jkn.max_family_members
    if not 0 <= extra <= most:
        raise RuleInputError(field, f"0 to {most} extra family members", f"got {extra}")
    return extra


def check_rupiah(field: str, amount: int, *, minimum: int = 1) -> int:
    """`amount` if it is a whole Rupiah amount from `minimum` to `MAX_RUPIAH`.

    Example:
        >>> check_rupiah("umk", 0)
        Traceback (most recent call last):
        ...
        iuran.rules.errors.RuleInputError: umk: a whole Rupiah amount from 1 to 999999999999999 (got 0)
    """
    if not minimum <= amount <= MAX_RUPIAH:
        raise RuleInputError(field, f"a whole Rupiah amount from {minimum} to {MAX_RUPIAH}", f"got {amount}")
    return amount


def check_months_since_jkn(field: str, months: int, until: dt.date, rules: Rulebook | None = None) -> int:
    """`months` (in arrears, say) if that many months fit between the month JKN began and the month of `until`.

    Example:
        >>> check_months_since_jkn("months_in_arrears", 3, dt.date(2014, 3, 10))
        3
    """
    most = Month.of(jkn_start(rules)).months_until(Month.of(until)) + 1
    if not 0 <= months <= most:
        raise RuleInputError(
            field, f"0 to {max(most, 0)} months: no more than JKN has run up to {until.isoformat()}", f"got {months}"
        )
    return months
