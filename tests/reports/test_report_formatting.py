"""Numbers the Indonesian way (Rp1.234.567, 2.706.950, 98,12%): exact integers, half-up rounding, no floats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iuran.reports.formatting import (
    decimal_string,
    format_bp,
    format_count,
    format_date,
    format_flag,
    format_month,
    format_percent,
    format_rupiah,
)
from iuran.reports.model import Ratio, ratio
from iuran.reports.scope import as_int
from iuran.rules.month import Month


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1_000, "1.000"),
        (2_706_950, "2.706.950"),
        (-1_234, "-1.234"),
        (277_749_853, "277.749.853"),
    ],
)
def test_counts_have_dots_between_thousands(n: int, text: str) -> None:
    assert format_count(n) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp0"),
        (500, "Rp500"),
        (1_234_567, "Rp1.234.567"),
        (-42_000, "-Rp42.000"),
        (13_000_000_000_000, "Rp13.000.000.000.000"),
    ],
)
def test_rupiah_written_as_banks_do(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (Ratio(2_656_059, 2_706_950), "98,12%"),  # Kalimantan Tengah, 1 Nov 2023 (docs/rules.md §13)
        (Ratio(320_826, 315_153), "101,80%"),  # Palangka Raya: coverage above 100%
        (Ratio(98_125, 100_000), "98,13%"),  # exactly half: up, not to even
        (Ratio(1_005, 100_000), "1,01%"),  # 1.005%: a float would print 1,00%
        (Ratio(98_124_999, 100_000_000), "98,12%"),
        (Ratio(125, 100_000), "0,13%"),
        (Ratio(1, 1), "100,00%"),
        (Ratio(0, 5), "0,00%"),
        (Ratio(-1, 8), "-12,50%"),
        (Ratio(-98_125, 100_000), "-98,13%"),  # half away from zero
        (Ratio(-1, 1_000_000), "0,00%"),
        (Ratio(25, 1), "2.500,00%"),
        (Ratio(1, 0), "-"),
        (None, "-"),
    ],
)
def test_percentages_have_two_decimals_rounded_half_up(r: Ratio | None, text: str) -> None:
    assert format_percent(r) == text


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (Ratio(9_812, 10_000), "0.9812"),
        (Ratio(320_826, 315_153), "1.0180"),
        (Ratio(1, 3), "0.3333"),
        (Ratio(2, 3), "0.6667"),
        (Ratio(5, 100_000), "0.0001"),  # half up at the fifth decimal
        (Ratio(1, 1), "1.0000"),
        (Ratio(0, 1), "0.0000"),
        (Ratio(-1, 3), "-0.3333"),
        (Ratio(1, 0), None),
        (None, None),
    ],
)
def test_machine_ratios_are_decimal_strings_with_four_decimals(r: Ratio | None, text: str | None) -> None:
    assert decimal_string(r) == text


def test_no_denominator_no_ratio() -> None:
    assert ratio(5, 0) is None
    assert ratio(5, None) is None
    assert ratio(5, 10) == Ratio(5, 10)


def test_ratio_threshold_is_exact() -> None:
    assert Ratio(98, 100).at_least_bp(9_800)
    assert not Ratio(97_999_999, 100_000_000).at_least_bp(9_800)  # prints 98,00% but is below the target
    assert format_percent(Ratio(97_999_999, 100_000_000)) == "98,00%"
    assert not Ratio(1, 0).at_least_bp(0)


def test_dates_and_months_in_indonesian() -> None:
    assert format_date(dt.date(2023, 11, 1)) == "1 Nov 2023"
    assert format_date(dt.date(2024, 8, 17)) == "17 Agu 2024"
    assert format_month(Month(2023, 5)) == "Mei 2023"
    assert format_month(Month(2023, 12)) == "Des 2023"
    assert format_bp(9_800) == "98,00%"
    assert (format_flag(True), format_flag(False), format_flag(None)) == ("ya", "tidak", "-")


@pytest.mark.parametrize("bad", [1_234.5, 1_234.0, Decimal("1234"), True, "1234"])
def test_money_and_counts_refuse_anything_but_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        format_rupiah(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_count(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0.9812, Decimal("0.9812"), 1])
def test_percentages_refuse_anything_but_exact_ratios(bad: object) -> None:
    with pytest.raises(TypeError):
        format_percent(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decimal_string(bad)  # type: ignore[arg-type]


def test_ratios_are_made_of_integers() -> None:
    with pytest.raises(TypeError):
        Ratio(0.5, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Ratio(1, 2.0)  # type: ignore[arg-type]


def test_sql_sums_become_integers_and_floats_are_refused() -> None:
    assert as_int(Decimal("320826")) == 320_826  # PostgreSQL's sum(bigint) is numeric
    assert as_int(None) == 0
    for bad in (1.0, Decimal("1.5"), True):
        with pytest.raises(TypeError):
            as_int(bad)
