"""NIK (Nomor Induk Kependudukan) parsing and validation — pure: no I/O, no clock.

Layout (docs/rules.md §11), 16 digits ``PPKKCCDDMMYYSSSS``:

- ``PP`` province, ``KK`` kabupaten/kota (01–69 kabupaten, 71–99 kota), ``CC`` kecamatan where the
  NIK was first issued (it does not change when the holder moves);
- ``DDMMYY`` birth date, with 40 added to the day for women (so 01–31 men, 41–71 women);
- ``SSSS`` serial, from 0001.

Region codes are checked against a :class:`RegionLookup` (e.g. ``iuran.wilayah.default_wilayah()``).
Province and kabupaten/kota must exist, otherwise the NIK is invalid. An unknown kecamatan under a
known kabupaten/kota is *accepted*: old NIKs may carry codes of regions that have since split
(docs/rules.md §11), so :attr:`NikInfo.kecamatan` is None and :attr:`NikInfo.warnings` says why.

The year has no century; it is resolved against an explicit reference date (normally the
registration date): ``2000 + YY`` if that birth date is not after the reference, else ``1900 + YY``.

Example:
    >>> from iuran.wilayah import default_wilayah
    >>> info = parse_nik("3273056010900009", default_wilayah(), reference=datetime.date(2024, 1, 1))
    >>> info.kabupaten_kota.name, info.birth_date.isoformat(), info.sex
    ('Kota Bandung', '1990-10-20', 'F')
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict

__all__ = [
    "FEMALE_DAY_OFFSET",
    "InvalidNik",
    "NamedRegion",
    "NikInfo",
    "NikJson",
    "RegionJson",
    "RegionLookup",
    "RegionRef",
    "Sex",
    "make_nik",
    "parse_nik",
]

Sex = Literal["M", "F"]

_NIK_RE = re.compile(r"[0-9]{16}")
_KECAMATAN_RE = re.compile(r"([0-9]{2})\.?([0-9]{2})\.?([0-9]{2})")
FEMALE_DAY_OFFSET = 40  # docs/rules.md §11: 40 is added to the day of birth for women.


class NamedRegion(Protocol):
    """Anything with a dotted region ``code`` and a ``name`` (e.g. ``iuran.wilayah.Region``)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class RegionLookup(Protocol):
    """Looks up a region by dotted code (``"32"``, ``"32.73"``, ``"32.73.05"``); None if unknown."""

    def region(self, code: str) -> NamedRegion | None: ...


class InvalidNik(ValueError):
    """A NIK that breaks a rule. ``field`` is e.g. ``"nik.birth_date"``, ``rule`` a short rule id.

    The message never repeats the whole NIK (it is personal data).
    """

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(f"{field}: {message} (rule: {rule})")
        self.field = field
        self.rule = rule
        self.message = message
        self.detail = message  # same attribute name as iuran.rules.errors.RuleInputError


class RegionJson(TypedDict):
    code: str
    name: str


class NikJson(TypedDict):
    valid: Literal[True]
    province: RegionJson
    kabupaten_kota: RegionJson
    kecamatan: RegionJson | None
    birth_date: str
    sex: Sex


@dataclass(frozen=True, slots=True)
class RegionRef:
    """A region as named in a NIK: dotted code and name."""

    code: str
    name: str

    def to_json(self) -> RegionJson:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True, slots=True)
class NikInfo:
    """What a valid NIK says. ``kecamatan`` is None when its code is unknown (see ``warnings``)."""

    nik: str
    province: RegionRef
    kabupaten_kota: RegionRef
    kecamatan: RegionRef | None
    birth_date: datetime.date
    sex: Sex
    serial: int
    warnings: tuple[str, ...] = ()

    def to_json(self) -> NikJson:
        """JSON-ready dict: valid, province, kabupaten_kota, kecamatan, birth_date, sex (nothing else)."""
        return {
            "valid": True,
            "province": self.province.to_json(),
            "kabupaten_kota": self.kabupaten_kota.to_json(),
            "kecamatan": self.kecamatan.to_json() if self.kecamatan is not None else None,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
        }


def parse_nik(nik: str, regions: RegionLookup, reference: datetime.date) -> NikInfo:
    """Parse and validate a NIK; raise :class:`InvalidNik` naming the first broken rule.

    ``reference`` (normally the registration date) resolves the century of the birth year.
    See the module docstring for an example.
    """
    # Format: exactly 16 ASCII digits (no spaces, no separators).
    if not isinstance(nik, str) or _NIK_RE.fullmatch(nik) is None:
        raise InvalidNik("nik", "format", "must be exactly 16 digits 0-9")

    prov_code = nik[0:2]
    kab_code = f"{prov_code}.{nik[2:4]}"
    kec_code = f"{kab_code}.{nik[4:6]}"

    # Digits 1–2: province must exist.
    province = regions.region(prov_code)
    if province is None:
        raise InvalidNik("nik.province", "known_code", f"unknown province code {prov_code}")
    # Digits 3–4: kabupaten/kota must exist (within that province, by construction of the code).
    kabkota = regions.region(kab_code)
    if kabkota is None:
        raise InvalidNik("nik.kabupaten_kota", "known_code", f"unknown kabupaten/kota code {kab_code}")
    # Digits 5–6: kecamatan of first issue; may be an old code of a region since split -> warning only.
    warnings: list[str] = []
    kecamatan = regions.region(kec_code)
    if kecamatan is None:
        warnings.append(f"nik.kecamatan: unknown kecamatan code {kec_code} (the region may have split since issue)")

    birth_date, sex = _birth_date_and_sex(nik[6:8], nik[8:10], nik[10:12], reference)

    # Digits 13–16: serial starts at 0001.
    serial = int(nik[12:16])
    if serial == 0:
        raise InvalidNik("nik.serial", "serial_from_0001", "serial 0000 is not issued; serials start at 0001")

    return NikInfo(
        nik=nik,
        province=RegionRef(province.code, province.name),
        kabupaten_kota=RegionRef(kabkota.code, kabkota.name),
        kecamatan=RegionRef(kecamatan.code, kecamatan.name) if kecamatan is not None else None,
        birth_date=birth_date,
        sex=sex,
        serial=serial,
        warnings=tuple(warnings),
    )


def make_nik(kecamatan_code: str, birth_date: datetime.date, sex: Sex, serial: int) -> str:
    """Build a NIK — the inverse of :func:`parse_nik` (synthetic data, tests).

    ``kecamatan_code`` is ``"32.73.05"`` or ``"327305"``. Round-trips through :func:`parse_nik` when the
    reference date is on or after ``birth_date`` and less than 100 years after it.

    Example:
        >>> make_nik("32.73.05", datetime.date(1990, 10, 20), "F", 9)
        '3273056010900009'
    """
    m = _KECAMATAN_RE.fullmatch(kecamatan_code)
    if m is None:
        raise ValueError(f"kecamatan code must look like 32.73.05, got {kecamatan_code!r}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1..9999, got {serial}")
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "F" else 0)
    return f"{''.join(m.groups())}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def _birth_date_and_sex(dd: str, mm: str, yy: str, reference: datetime.date) -> tuple[datetime.date, Sex]:
    # Digits 7–8: day, +40 for women -> 01–31 men, 41–71 women; anything else is invalid.
    raw_day = int(dd)
    sex: Sex
    if 1 <= raw_day <= 31:
        sex, day = "M", raw_day
    elif FEMALE_DAY_OFFSET + 1 <= raw_day <= FEMALE_DAY_OFFSET + 31:
        sex, day = "F", raw_day - FEMALE_DAY_OFFSET
    else:
        raise InvalidNik("nik.birth_date", "day_range", f"day {dd} is not in 01-31 (men) or 41-71 (women)")
    month, yy_int = int(mm), int(yy)
    if not 1 <= month <= 12:
        raise InvalidNik("nik.birth_date", "month_range", f"month {mm} is not in 01-12")

    # Century: 2000+YY if that date is not after the reference, else 1900+YY.
    recent = _date_or_none(2000 + yy_int, month, day)
    if recent is not None and recent <= reference:
        return recent, sex
    older = _date_or_none(1900 + yy_int, month, day)
    if older is None:
        raise InvalidNik("nik.birth_date", "calendar_date", f"{day:02d}-{mm}-{1900 + yy_int} is not a calendar date")
    if older > reference:
        raise InvalidNik("nik.birth_date", "not_after_reference", "birth date is after the reference date")
    return older, sex


def _date_or_none(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
