"""Coverage status on a date (docs/rules.md §4, Perpres 64/2020 Pasal 42): suspension, reactivation, new families."""

from __future__ import annotations

import datetime as dt

from iuran.rules.month import Month, month_range
from iuran.rules.reactivation import reactivation_quote
from iuran.rules.segments import Segment
from iuran.rules.status import BilledMonth, is_active, months_in_arrears

JAN, FEB, MAR, APR = Month(2024, 1), Month(2024, 2), Month(2024, 3), Month(2024, 4)


def test_current_month_unpaid_after_the_due_date_is_still_covered_to_month_end() -> None:
    billed = [BilledMonth(JAN, dt.date(2024, 1, 8)), BilledMonth(FEB)]
    assert is_active(dt.date(2024, 2, 12), billed)  # past the due date of the 12th
    assert is_active(dt.date(2024, 2, 29), billed)  # last day of February (leap year)
    assert not is_active(dt.date(2024, 3, 1), [*billed, BilledMonth(MAR)])


def test_late_payment_within_the_month_keeps_the_family_active() -> None:
    billed = [BilledMonth(JAN, dt.date(2024, 1, 25)), BilledMonth(FEB)]
    assert is_active(dt.date(2024, 2, 1), billed)


def test_month_paid_on_the_first_of_next_month_was_suspended_and_needs_the_current_month() -> None:
    paid = dt.date(2024, 2, 1)
    assert not is_active(paid, [BilledMonth(JAN, paid), BilledMonth(FEB)])
    assert is_active(paid, [BilledMonth(JAN, paid), BilledMonth(FEB, paid)])


def test_paying_arrears_without_the_current_month_does_not_reactivate() -> None:
    paid = dt.date(2024, 3, 5)
    billed = [BilledMonth(JAN, paid), BilledMonth(FEB, paid), BilledMonth(MAR)]
    assert not is_active(paid, billed)
    assert not is_active(dt.date(2024, 3, 31), billed)
    assert months_in_arrears(paid, billed) == 0


def test_paying_arrears_and_the_current_month_reactivates_from_the_day_of_payment() -> None:
    paid = dt.date(2024, 3, 5)
    billed = [BilledMonth(JAN, paid), BilledMonth(FEB, paid), BilledMonth(MAR, paid)]
    assert not is_active(dt.date(2024, 3, 4), billed)
    assert is_active(paid, billed)
    assert is_active(dt.date(2024, 3, 31), billed)


def test_paying_the_current_month_first_and_the_arrears_later_reactivates_when_the_arrears_are_paid() -> None:
    billed = [
        BilledMonth(JAN, dt.date(2024, 3, 20)),
        BilledMonth(FEB, dt.date(2024, 3, 20)),
        BilledMonth(MAR, dt.date(2024, 3, 2)),
    ]
    assert not is_active(dt.date(2024, 3, 10), billed)
    assert is_active(dt.date(2024, 3, 20), billed)


def test_reactivated_family_is_covered_next_month_until_that_month_ends_unpaid() -> None:
    paid = dt.date(2024, 3, 5)
    billed = [BilledMonth(JAN, paid), BilledMonth(FEB, paid), BilledMonth(MAR, paid), BilledMonth(APR)]
    assert is_active(dt.date(2024, 4, 30), billed)
    assert not is_active(dt.date(2024, 5, 1), billed)


def test_months_in_arrears_counts_open_months_before_the_current_month() -> None:
    billed = [BilledMonth(JAN), BilledMonth(FEB), BilledMonth(MAR)]
    assert months_in_arrears(dt.date(2024, 1, 31), billed) == 0
    assert months_in_arrears(dt.date(2024, 2, 1), billed) == 1
    assert months_in_arrears(dt.date(2024, 3, 15), billed) == 2


def test_new_pbpu_family_is_not_active_before_its_first_payment() -> None:
    registered, first_payment = dt.date(2024, 1, 5), dt.date(2024, 1, 25)
    billed = [BilledMonth(JAN, first_payment)]
    assert not is_active(registered, billed, active_from=first_payment)
    assert not is_active(dt.date(2024, 1, 24), billed, active_from=first_payment)
    assert is_active(first_payment, billed, active_from=first_payment)


def test_new_pbpu_family_without_a_bill_yet_is_still_not_active_before_first_payment() -> None:
    assert not is_active(dt.date(2024, 1, 10), [], active_from=dt.date(2024, 1, 20))


def test_written_off_months_settle_the_arrears_at_reactivation() -> None:
    as_of = dt.date(2024, 3, 5)
    quote = reactivation_quote(Segment.PBPU, 3, 1, Month(2020, 1), as_of)
    paid = [BilledMonth(m, as_of) for m in (*quote.billed_months, quote.current_month)]
    written_off = [BilledMonth(m, as_of) for m in quote.written_off_months]
    still_open = [BilledMonth(m) for m in quote.written_off_months]
    assert len(paid) + len(written_off) == len(list(month_range(Month(2020, 1), Month(2024, 3))))
    assert is_active(as_of, paid + written_off)
    assert months_in_arrears(as_of, paid + written_off) == 0
    # Without the explicit write-off entries the 26 old months would still block reactivation.
    assert not is_active(as_of, paid + still_open)
    assert months_in_arrears(as_of, paid + still_open) == 26


def test_family_that_never_fell_behind_is_active_all_year() -> None:
    billed = [BilledMonth(m, m.day(10)) for m in month_range(JAN, Month(2024, 12))]
    assert all(is_active(m.day(d), billed) for m in month_range(JAN, Month(2024, 12)) for d in (1, 15, 28))
