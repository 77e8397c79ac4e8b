"""NIK rules (docs/rules.md §11): layout, women's day +40, century resolution, region codes, serial."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iuran.rules.nik import InvalidNik, NikInfo, RegionRef, make_nik, parse_nik
from iuran.wilayah import default_wilayah

W = default_wilayah()
REF = dt.date(2024, 6, 30)
DOCUMENTED_EXAMPLE = "3273056010900009"


def nik(day: str = "15", month: str = "10", yy: str = "90", serial: str = "0009", region: str = "327305") -> str:
    return f"{region}{day}{month}{yy}{serial}"


def parse(value: str, reference: dt.date = REF) -> NikInfo:
    return parse_nik(value, W, reference)


def invalid(value: str, reference: dt.date = REF) -> InvalidNik:
    with pytest.raises(InvalidNik) as exc:
        parse(value, reference)
    return exc.value


# --- the documented example (docs/rules.md §11) -----------------------------------------------------------------------


def test_domain_example_kecamatan_exists_in_data() -> None:
    kec = W.region("32.73.05")
    assert kec is not None and kec.level == "kecamatan"


def test_domain_example() -> None:
    info = parse(DOCUMENTED_EXAMPLE)
    assert info.province == RegionRef("32", "Jawa Barat")
    assert info.kabupaten_kota == RegionRef("32.73", "Kota Bandung")
    assert info.kecamatan == RegionRef("32.73.05", "Andir")
    assert info.birth_date == dt.date(1990, 10, 20)
    assert info.sex == "F"
    assert info.serial == 9
    assert info.warnings == ()
    assert W.is_kota(info.kabupaten_kota.code)


def test_domain_example_to_json() -> None:
    assert parse(DOCUMENTED_EXAMPLE).to_json() == {
        "valid": True,
        "province": {"code": "32", "name": "Jawa Barat"},
        "kabupaten_kota": {"code": "32.73", "name": "Kota Bandung"},
        "kecamatan": {"code": "32.73.05", "name": "Andir"},
        "birth_date": "1990-10-20",
        "sex": "F",
    }


def test_make_nik_domain_example() -> None:
    assert make_nik("32.73.05", dt.date(1990, 10, 20), "F", 9) == DOCUMENTED_EXAMPLE
    assert make_nik("327305", dt.date(1990, 10, 20), "F", 9) == DOCUMENTED_EXAMPLE


# --- format --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "327305601090000",  # 15 digits
        "32730560109000091",  # 17 digits
        "32730560109O0009",  # letter O
        "3273 05601090009",
        " 3273056010900009",
        "3273056010900009\n",
        "32.73.05.601090.0009",
        "３２７３０５６０１０９０００９",  # full-width digits are not 0-9
        "-273056010900009",
    ],
)
def test_format_rejected(value: str) -> None:
    err = invalid(value)
    assert (err.field, err.rule) == ("nik", "format")
    assert "nik" in str(err) and "format" in str(err)


# --- sex and day of birth ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "sex", "expected_day"), [("01", "M", 1), ("31", "M", 31), ("41", "F", 1), ("71", "F", 31)]
)
def test_day_bounds_valid(day: str, sex: str, expected_day: int) -> None:
    info = parse(nik(day=day, month="01"))
    assert info.sex == sex
    assert info.birth_date == dt.date(1990, 1, expected_day)


@pytest.mark.parametrize("day", ["00", "32", "39", "40", "72", "99"])
def test_day_bounds_invalid(day: str) -> None:
    err = invalid(nik(day=day, month="01"))
    assert (err.field, err.rule) == ("nik.birth_date", "day_range")
    assert "nik.birth_date" in str(err) and "day_range" in str(err)


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_month_invalid(month: str) -> None:
    err = invalid(nik(month=month))
    assert (err.field, err.rule) == ("nik.birth_date", "month_range")


@pytest.mark.parametrize("day", ["31", "71"])  # 31 February, men and women
def test_impossible_calendar_date(day: str) -> None:
    err = invalid(nik(day=day, month="02"))
    assert (err.field, err.rule) == ("nik.birth_date", "calendar_date")


def test_31_april_invalid() -> None:
    assert invalid(nik(day="31", month="04")).rule == "calendar_date"


def test_29_february_leap_year_valid() -> None:
    assert parse(nik(day="29", month="02", yy="88")).birth_date == dt.date(1988, 2, 29)
    assert parse(nik(day="69", month="02", yy="20")).birth_date == dt.date(2020, 2, 29)


def test_29_february_non_leap_year_invalid() -> None:
    assert invalid(nik(day="29", month="02", yy="89")).rule == "calendar_date"
    assert invalid(nik(day="69", month="02", yy="23")).rule == "calendar_date"


def test_29_february_00_depends_on_century() -> None:
    # 2000 is a leap year, 1900 is not: YY=00 is valid only if it resolves to 2000.
    assert parse(nik(day="29", month="02", yy="00")).birth_date == dt.date(2000, 2, 29)
    assert invalid(nik(day="29", month="02", yy="00"), reference=dt.date(2000, 2, 28)).rule == "calendar_date"


# --- century resolution --------------------------------------------------------------------------


def test_century_2000s_when_not_after_reference() -> None:
    assert parse(nik(day="15", month="06", yy="24"), dt.date(2024, 6, 30)).birth_date == dt.date(2024, 6, 15)


def test_century_same_day_as_reference_is_2000s() -> None:
    assert parse(nik(day="30", month="06", yy="24"), dt.date(2024, 6, 30)).birth_date == dt.date(2024, 6, 30)


def test_century_1900s_when_2000s_would_be_after_reference() -> None:
    # 01-07-2024 is one day after the reference, so the holder was born in 1924.
    assert parse(nik(day="01", month="07", yy="24"), dt.date(2024, 6, 30)).birth_date == dt.date(1924, 7, 1)
    assert parse(nik(yy="99"), dt.date(2024, 6, 30)).birth_date == dt.date(1999, 10, 15)


def test_century_follows_reference_not_today() -> None:
    value = nik(day="15", month="10", yy="10")
    assert parse(value, dt.date(2009, 1, 1)).birth_date == dt.date(1910, 10, 15)
    assert parse(value, dt.date(2011, 1, 1)).birth_date == dt.date(2010, 10, 15)


def test_reference_is_required() -> None:
    with pytest.raises(TypeError):
        parse_nik(DOCUMENTED_EXAMPLE, W)  # type: ignore[call-arg]


# --- regions ---------------------------------------------------------------------------------------


def test_unknown_province() -> None:
    err = invalid(nik(region="107305"))
    assert (err.field, err.rule) == ("nik.province", "known_code")
    assert "nik.province" in str(err)


def test_unknown_kabupaten_kota() -> None:
    err = invalid(nik(region="329905"))
    assert (err.field, err.rule) == ("nik.kabupaten_kota", "known_code")
    assert "32.99" in str(err)


def test_unknown_kecamatan_is_valid_with_warning() -> None:
    # Old NIKs may carry the code of a kecamatan that has since split (docs/rules.md §11).
    assert W.region("32.73.99") is None
    info = parse(nik(region="327399"))
    assert info.kecamatan is None
    assert info.kabupaten_kota.code == "32.73"
    assert len(info.warnings) == 1 and "32.73.99" in info.warnings[0]
    assert info.to_json()["kecamatan"] is None


def test_regions_checked_before_date() -> None:
    # A NIK with several problems reports the first field in reading order.
    assert invalid(nik(region="107305", day="99")).field == "nik.province"


def test_any_lookup_satisfying_the_protocol() -> None:
    class Fake:
        def region(self, code: str) -> RegionRef | None:
            return {"99": RegionRef("99", "P"), "99.01": RegionRef("99.01", "K")}.get(code)

    info = parse_nik("9901014501000001", Fake(), REF)
    assert (info.province.name, info.kabupaten_kota.name, info.kecamatan) == ("P", "K", None)
    assert info.birth_date == dt.date(2000, 1, 5) and info.sex == "F"


# --- serial ----------------------------------------------------------------------------------------


def test_serial_0000_invalid() -> None:
    err = invalid(nik(serial="0000"))
    assert (err.field, err.rule) == ("nik.serial", "serial_from_0001")


@pytest.mark.parametrize(("serial", "expected"), [("0001", 1), ("9999", 9999)])
def test_serial_bounds_valid(serial: str, expected: int) -> None:
    assert parse(nik(serial=serial)).serial == expected


# --- make_nik arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kec", "sex", "serial"),
    [
        ("32.73", "F", 1),
        ("32.73.5", "F", 1),
        ("32.73.05", "X", 1),
        ("32.73.05", "M", 0),
        ("32.73.05", "M", 10000),
    ],
)
def test_make_nik_rejects_bad_arguments(kec: str, sex: str, serial: int) -> None:
    with pytest.raises(ValueError):
        make_nik(kec, dt.date(1990, 1, 1), sex, serial)  # type: ignore[arg-type]


def test_invalid_nik_is_value_error() -> None:
    assert issubclass(InvalidNik, ValueError)


# --- property: make_nik -> parse_nik round-trips -------------------------------------------------

KECAMATAN_CODES = sorted(r.code for p in W.provinces() for k in W.kabupaten_kota(p.code) for r in W.kecamatan(k.code))


@st.composite
def nik_inputs(draw: st.DrawFn) -> tuple[str, dt.date, str, int, dt.date]:
    reference = draw(st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2098, 12, 31)))
    # Round-trip holds for births on/before the reference and less than 100 years before it.
    earliest = max(dt.date(1900, 1, 1), dt.date(reference.year - 99, 1, 1))
    birth = draw(st.dates(min_value=earliest, max_value=reference))
    kec = draw(st.sampled_from(KECAMATAN_CODES))
    sex = draw(st.sampled_from(["M", "F"]))
    serial = draw(st.integers(min_value=1, max_value=9999))
    return kec, birth, sex, serial, reference


@given(nik_inputs())
def test_make_parse_round_trip(args: tuple[str, dt.date, str, int, dt.date]) -> None:
    kec, birth, sex, serial, reference = args
    value = make_nik(kec, birth, sex, serial)  # type: ignore[arg-type]
    info = parse_nik(value, W, reference)
    assert info.nik == value
    assert info.kecamatan is not None and info.kecamatan.code == kec
    assert info.kabupaten_kota.code == kec[:5]
    assert info.province.code == kec[:2]
    assert (info.birth_date, info.sex, info.serial, info.warnings) == (birth, sex, serial, ())
