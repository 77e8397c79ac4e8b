"""Synthetic people of a chunk of families: ages, sexes, NIKs, KKs, names, phones, registration, vectorised.

NIK (docs/rules.md §11): kecamatan of first issue + DDMMYY of birth (40 added to the day for women) + a serial from 0001
that runs per (kecamatan, birth date, sex) across the whole branch, kept in `Serials`. The formatting is the
vectorised twin of `iuran.rules.nik.make_nik` (the tests check them against each other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iuran.rules.nik import FEMALE_DAY_OFFSET
from iuran.rules.rulebook import default_rulebook
from iuran.rules.segments import Segment
from iuran.synth.names import (
    CHANNEL_EMPLOYER,
    CHANNEL_KEMENSOS,
    CHANNEL_PEMDA,
    FEMALE_NAMES,
    MALE_NAMES,
    REGISTRATION_CHANNELS,
    SECOND_NAMES,
)
from iuran.synth.plan import EPOCH_2014, SEG, SEGMENTS, Families, Geography

I64 = NDArray[np.int64]
Rng = np.random.Generator

YEAR = 365.25
BIRTH_EPOCH = int(np.datetime64("1925-01-01", "D").astype(np.int64))
BIRTH_DAYS = int(np.datetime64("2030-01-01", "D").astype(np.int64)) - BIRTH_EPOCH
KK_EPOCH = int(np.datetime64("2000-01-01", "D").astype(np.int64))
KK_DAYS = int(np.datetime64("2030-01-01", "D").astype(np.int64)) - KK_EPOCH

# Card numbers: the rule's length (13 digits), zeros, "1" and nine more, a permutation of the person's sequence
# number; the family virtual account takes the rule's tail of it (11 digits), so that tail must hold all ten.
_CARD_BASE = 1_000_000_000
_CARD_MODULUS = 999_999_937  # a prime: seq × a + b mod p is one-to-one for seq < p
_CARD_VALUE_DIGITS = len(str(_CARD_BASE + _CARD_MODULUS - 1))

_MALE_HEAD_P = {Segment.PPU_BU: 0.7, Segment.PPU_PN: 0.6, Segment.BP: 0.7}  # default 0.85


class Serials:
    """Running serial counters of NIKs (per kecamatan, birth date, sex) and KKs (per kecamatan, issue date)."""

    def __init__(self, kecamatan: int) -> None:
        self.nik = np.zeros(kecamatan * BIRTH_DAYS * 2, dtype=np.uint16)
        self.kk = np.zeros(kecamatan * KK_DAYS, dtype=np.uint16)

    @staticmethod
    def _next(counter: NDArray[np.uint16], keys: I64) -> I64:
        """1 + the serials already issued in each key's group + the rank of the item within its group here."""
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        counts = np.diff(np.r_[starts, len(keys)])
        rank = np.arange(len(keys)) - np.repeat(starts, counts)
        out = np.empty(len(keys), dtype=np.int64)
        out[order] = counter[sorted_keys].astype(np.int64) + rank + 1
        if len(keys) and int(out.max()) > 9999:
            raise OverflowError("more than 9999 serials for one kecamatan and date")
        counter[sorted_keys[starts]] += counts.astype(np.uint16)
        return out


@dataclass
class People:
    """The families and persons of one chunk; person arrays are in family order."""

    family_of: I64  # family (chunk-local index) of each person
    head: NDArray[np.bool_]
    sex_female: NDArray[np.bool_]
    birth: I64  # day numbers
    nik: NDArray[np.str_]
    card: NDArray[np.str_]
    name: list[str]
    phone: NDArray[np.object_]
    registered: I64  # day number, per family
    kk: NDArray[np.str_]  # per family
    channel: NDArray[np.str_]  # per family


def dates(days: I64) -> NDArray[np.str_]:
    """Day numbers as ISO dates."""
    return np.datetime_as_string(days.astype("datetime64[D]"))


def ddmmyy(days: I64) -> tuple[I64, I64, I64]:
    d64 = days.astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    day = (d64 - months).astype(np.int64) + 1
    month = months.astype(np.int64) % 12 + 1
    year = d64.astype("datetime64[Y]").astype(np.int64) + 1970
    return day, month, year


def month_end_day(month_index: I64) -> I64:
    """Day number of the last day of each month (running month index)."""
    return (((month_index + 1) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) - 1


def nik_numbers(kecamatan_digits: I64, birth: I64, female: NDArray[np.bool_], serial: I64) -> NDArray[np.str_]:
    """The vectorised `make_nik`: kecamatan, DDMMYY with 40 added to a woman's day, serial."""
    day, month, year = ddmmyy(birth)
    day = day + FEMALE_DAY_OFFSET * female
    value = kecamatan_digits * 10**10 + day * 10**8 + month * 10**6 + (year % 100) * 10**4 + serial
    return value.astype(np.str_)


def card_numbers(seq: I64, seed: int) -> NDArray[np.str_]:
    """JKN card numbers (`virtual_account.card_digits` long), one-to-one with the person's sequence number."""
    rule = default_rulebook().virtual_account
    if not _CARD_VALUE_DIGITS <= rule.card_tail_digits <= rule.card_digits:
        raise ValueError(
            f"virtual_account: synthetic card numbers need {_CARD_VALUE_DIGITS} digits within the virtual account's"
            f" tail of {rule.card_tail_digits} of the {rule.card_digits}-digit card"
        )
    a = 7_919 + (seed % 100_000) * 2
    b = (seed * 2_654_435_761) % _CARD_MODULUS
    return np.char.zfill((_CARD_BASE + (seq * a + b) % _CARD_MODULUS).astype(np.str_), rule.card_digits)


def va_numbers(card: NDArray[np.str_]) -> NDArray[np.str_]:
    """The vectorised `va_number`: the default prefix and the card number's tail (11 of its 13 digits)."""
    rule = default_rulebook().virtual_account
    tail = 10**rule.card_tail_digits
    return np.char.add(
        rule.default_prefix, np.char.zfill((card.astype(np.int64) % tail).astype(np.str_), rule.card_tail_digits)
    )


def make_people(
    rng: Rng,
    fam: Families,
    sl: slice,
    geo: Geography,
    serials: Serials,
    scenario_day: int,
    first_seq: int,
    seed: int,
) -> People:
    """Persons of the families `sl` of the plan; `first_seq` numbers them within the branch."""
    size = fam.size[sl]
    seg = fam.segment[sl]
    n_fam = len(size)
    family_of = np.repeat(np.arange(n_fam), size)
    starts = np.cumsum(size) - size
    pos = np.arange(len(family_of)) - np.repeat(starts, size)
    n = len(family_of)

    # Head of the family: age at the scenario date by segment.
    ppu = np.isin(seg, [SEG[s] for s in SEGMENTS if s.is_ppu])
    bp = seg == SEG[Segment.BP]
    age = np.where(
        ppu,
        20 + 38 * rng.beta(2, 2.5, n_fam),
        np.where(bp, 55 + 30 * rng.beta(2, 3, n_fam), 20 + 60 * rng.beta(2, 3, n_fam)),
    )
    head_birth = scenario_day - (age * YEAR).astype(np.int64)
    # Registration: between JKN's start (or the head's 18th birthday) and the latest month the plan allows.
    hi = month_end_day(fam.reg_latest[sl])
    head_birth = np.minimum(head_birth, hi - int(18 * YEAR))
    lo = np.maximum(EPOCH_2014, head_birth + int(18 * YEAR))
    lo = np.minimum(lo, hi)
    registered = lo + (rng.random(n_fam) * (hi - lo + 1)).astype(np.int64)
    # Many PBI and civil servants were migrated into JKN on its first day (Jamkesmas, Askes).
    migrated = (seg <= SEG[Segment.PPU_PN]) & (rng.random(n_fam) < 0.4) & (lo == EPOCH_2014)
    registered = np.where(migrated, EPOCH_2014, registered)

    male_head_p = np.array([_MALE_HEAD_P.get(s, 0.85) for s in SEGMENTS])[seg]
    head_female = rng.random(n_fam) >= male_head_p
    has_spouse = rng.random(n_fam) < 0.85

    f_reg = registered[family_of]
    f_head_birth = head_birth[family_of]
    is_head = pos == 0
    is_spouse = (pos == 1) & has_spouse[family_of]
    u = rng.random(n)
    female = np.where(is_head, head_female[family_of], np.where(is_spouse, ~head_female[family_of], u < 0.49))
    spouse_birth = np.minimum(
        f_head_birth + (rng.normal(2.0, 4.0, n) * YEAR).astype(np.int64)
        * np.where(head_female[family_of], -1, 1), f_reg - int(17 * YEAR)
    )  # fmt: skip
    child_lo = np.maximum(f_head_birth + int(18 * YEAR), f_reg - int(25 * YEAR))
    child_hi = f_reg - 7
    child_lo = np.minimum(child_lo, child_hi - 365)
    child_birth = child_lo + (rng.random(n) * (child_hi - child_lo)).astype(np.int64)
    birth = np.where(is_head, f_head_birth, np.where(is_spouse, spouse_birth, child_birth))
    birth = np.clip(birth, BIRTH_EPOCH + 366, f_reg - 1)

    # NIK: first issued in the family's kecamatan, or (one in ten) in another of the kabupaten (moved since).
    kec = fam.kec[sl][family_of]
    kab_first = np.searchsorted(geo.kec_kab, geo.kec_kab[kec], side="left")
    kab_count = np.searchsorted(geo.kec_kab, geo.kec_kab[kec], side="right") - kab_first
    moved = rng.random(n) < 0.1
    nik_kec = np.where(moved, kab_first + (rng.random(n) * kab_count).astype(np.int64), kec)
    keys = (nik_kec * BIRTH_DAYS + (birth - BIRTH_EPOCH)) * 2 + female
    serial = serials._next(serials.nik, keys)
    nik = nik_numbers(geo.kec_digits[nik_kec], birth, female, serial)

    # KK: the family's kecamatan, the day it was issued (DDMMYY), a serial per kecamatan and day.
    youngest = np.zeros(n_fam, dtype=np.int64)
    np.maximum.at(youngest, family_of, birth)
    kk_lo = np.maximum(youngest, KK_EPOCH + 5 * 366)
    kk_lo = np.minimum(kk_lo, registered)
    issued = kk_lo + (rng.random(n_fam) * (registered - kk_lo + 1)).astype(np.int64)
    fam_kec = fam.kec[sl]
    kk_serial = serials._next(serials.kk, fam_kec * KK_DAYS + (issued - KK_EPOCH))
    d, m, y = ddmmyy(issued)
    kk = (geo.kec_digits[fam_kec] * 10**10 + d * 10**8 + m * 10**6 + (y % 100) * 10**4 + kk_serial).astype(np.str_)

    first = np.where(
        female, np.array(FEMALE_NAMES)[rng.integers(0, len(FEMALE_NAMES), n)],
        np.array(MALE_NAMES)[rng.integers(0, len(MALE_NAMES), n)],
    )  # fmt: skip
    second = np.array(SECOND_NAMES)[rng.integers(0, len(SECOND_NAMES), n)]
    with_second = rng.random(n) < 0.65
    name = [
        f"{a} {b}" if w else a for a, b, w in zip(first.tolist(), second.tolist(), with_second.tolist(), strict=True)
    ]

    # Phones: most adults; "08" + operator prefix + 8 digits.
    adult = (scenario_day - birth) >= int(17 * YEAR)
    operator = np.array([11, 12, 13, 21, 22, 52, 53, 14, 15, 16, 55, 56, 57, 58, 17, 18, 19, 59, 77, 78, 81, 82, 83,
                         85, 87, 88, 89, 95, 96, 97, 98, 99])[rng.integers(0, 32, n)]  # fmt: skip
    phone_digits = (8 * 10**10 + operator * 10**8 + rng.integers(0, 10**8, n)).astype(np.str_)
    phone = np.char.add("0", phone_digits).astype(object)
    phone[~adult | (rng.random(n) >= 0.85)] = None

    names, weights = zip(*REGISTRATION_CHANNELS, strict=True)
    own = np.array(names)[rng.choice(len(names), size=n_fam, p=np.array(weights) / sum(weights))]
    channel = np.select(
        [seg == SEG[Segment.PBI_APBN], seg == SEG[Segment.PBI_APBD], ppu],
        [np.array(CHANNEL_KEMENSOS), np.array(CHANNEL_PEMDA), np.array(CHANNEL_EMPLOYER)],
        own,
    )
    card = card_numbers(first_seq + np.arange(n, dtype=np.int64), seed)
    return People(
        family_of=family_of,
        head=is_head,
        sex_female=female,
        birth=birth,
        nik=nik,
        card=card,
        name=name,
        phone=phone,
        registered=registered,
        kk=kk,
        channel=channel,
    )
