"""Membership changes: class change, new PBPU registrations, virtual account numbers (docs/rules.md §2, §6, §9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, default_rulebook, in_force
from iuran.rules.segments import Segment, check_kelas


@dataclass(frozen=True)
class ClassChangeDecision:
    allowed: bool
    reason: str
    effective_month: Month | None
    basis: str


def class_change(
    segment: Segment,
    current_kelas: int,
    new_kelas: int,
    in_class_since: Month,
    months_in_arrears: int,
    whole_family: bool,
    as_of: dt.date,
    rules: Rulebook | None = None,
) -> ClassChangeDecision:
    """Whether a PBPU/BP family may change class on `as_of`, and from which month.

    Only after 12 months in the current class, for the whole family, with no arrears; effective next month.

    Example:
        >>> class_change(Segment.PBPU, 3, 2, Month(2023, 5), 0, True, dt.date(2024, 5, 2)).effective_month
        Month(2024-06)
    """
    rule = in_force((rules or default_rulebook()).class_change, as_of, "class change")
    check_kelas(current_kelas)
    check_kelas(new_kelas)

    def refuse(reason: str) -> ClassChangeDecision:
        return ClassChangeDecision(False, reason, None, rule.basis)

    if not segment.is_family_billed:
        return refuse("class changes by request are for pbpu and bp families")
    if new_kelas == current_kelas:
        return refuse(f"the family is already in kelas {current_kelas}")
    months = in_class_since.months_until(Month.of(as_of))
    if months < rule.min_months_in_class:
        return refuse(f"{rule.min_months_in_class} months in the current class are needed; there are {months}")
    if rule.whole_family and not whole_family:
        return refuse("the whole family changes class together")
    if rule.requires_no_arrears and months_in_arrears > 0:
        return refuse(f"arrears must be paid first ({months_in_arrears} months)")
    return ClassChangeDecision(True, "allowed", Month.of(as_of) + rule.effective_offset_months, rule.basis)


def first_payment_window(registered_on: dt.date, rules: Rulebook | None = None) -> tuple[dt.date, dt.date]:
    """The days on which a new PBPU family may make its first payment; coverage starts when it is paid.

    Example:
        >>> first_payment_window(dt.date(2024, 1, 1))
        (datetime.date(2024, 1, 15), datetime.date(2024, 1, 31))
    """
    rule = in_force((rules or default_rulebook()).new_pbpu, registered_on, "new PBPU registration")
    return (
        registered_on + dt.timedelta(days=rule.first_payment_min_days),
        registered_on + dt.timedelta(days=rule.first_payment_max_days),
    )


def check_card_number(card_number: str, rules: Rulebook | None = None) -> str:
    """A JKN card number as the rules write it (13 digits), or `RuleInputError` naming `card_number`.

    Example:
        >>> check_card_number(" 0001944358911 ")
        '0001944358911'
    """
    digits = (rules or default_rulebook()).virtual_account.card_digits
    card = card_number.strip()
    if len(card) != digits or not (card.isdigit() and card.isascii()):
        raise RuleInputError("card_number", f"a JKN card number has {digits} digits", f"got {len(card)} characters")
    return card


def check_va_number(va: str, rules: Rulebook | None = None) -> str:
    """A family virtual account as the rules write it (a prefix and the card's tail: 16 digits), or
    `RuleInputError` naming `va`.

    Example:
        >>> check_va_number("8888801944358911")
        '8888801944358911'
    """
    rule = (rules or default_rulebook()).virtual_account
    digits = len(rule.default_prefix) + rule.card_tail_digits
    va = va.strip()
    if len(va) != digits or not (va.isdigit() and va.isascii()):
        raise RuleInputError("va", f"a virtual account has {digits} digits", f"got {len(va)} characters")
    return va


def va_number(card_number: str, prefix: str | None = None, rules: Rulebook | None = None) -> str:
    """The family virtual account: the prefix and the last 11 digits of the 13-digit card number.

    Example:
        >>> va_number("0001944358911")
        '8888801944358911'
    """
    rule = (rules or default_rulebook()).virtual_account
    card = check_card_number(card_number, rules)
    prefix = rule.default_prefix if prefix is None else prefix
    if prefix not in rule.prefixes:
        raise RuleInputError("prefix", f"virtual account prefixes are {', '.join(rule.prefixes)}", f"got {prefix!r}")
    return prefix + card[-rule.card_tail_digits :]


def kelas_for_phk(on: dt.date, rules: Rulebook | None = None) -> tuple[int, int]:
    """(kelas, free months) granted on `on` to a laid-off PPU worker on proof of the PHK (docs/rules.md §9)."""
    rule = in_force((rules or default_rulebook()).status_change, on, "status change")
    return check_kelas(rule.phk_kelas), rule.phk_free_months


def arrears_promise_due(moved_on: dt.date, rules: Rulebook | None = None) -> Month:
    """The last month by which a PBPU member who became a PPU worker on `moved_on` pays the old arrears.

    Example:
        >>> arrears_promise_due(dt.date(2024, 3, 4))
        Month(2024-09)
    """
    rule = in_force((rules or default_rulebook()).status_change, moved_on, "status change")
    return Month.of(moved_on) + rule.pbpu_to_ppu_arrears_promise_months


def newborn_registration_deadline(born_on: dt.date, rules: Rulebook | None = None) -> dt.date:
    """The last day a newborn is registered without contributions owed from birth.

    Example:
        >>> newborn_registration_deadline(dt.date(2024, 2, 1))
        datetime.date(2024, 2, 29)
    """
    rule = in_force((rules or default_rulebook()).status_change, born_on, "status change")
    return born_on + dt.timedelta(days=rule.newborn_registration_days)


def mutasi_effective_month(submitted_on: dt.date, rules: Rulebook | None = None) -> Month:
    """The month an employer's change (mutasi) submitted on `submitted_on` takes effect: the next month when sent
    by the cut-off day, else the month after.

    Example:
        >>> mutasi_effective_month(dt.date(2024, 5, 20)), mutasi_effective_month(dt.date(2024, 5, 21))
        (Month(2024-06), Month(2024-07))
    """
    rule = in_force((rules or default_rulebook()).status_change, submitted_on, "status change")
    return Month.of(submitted_on) + (1 if submitted_on.day <= rule.mutasi_cutoff_day else 2)
