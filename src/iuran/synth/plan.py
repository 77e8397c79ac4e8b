"""The plan of a synthetic branch: families, payer accounts and what each account will do, as numpy arrays.

Pure: no database. The plan fixes, before any row is written, how many persons each kabupaten/kota and segment
has, which families and accounts will be active on the 1st of the scenario month, and how each account behaves
in the months the cycle plays (`Behaviour`). Activeness is calibrated exactly: the active families of a segment
are chosen so that their members add up to round(activeness × registered).

Months are running indexes (`Month.index`); days are numpy day numbers (days since 1970-01-01).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from iuran.rules.segments import Segment
from iuran.synth.scenarios import Scenario
from iuran.wilayah import Wilayah

I64 = NDArray[np.int64]
Rng = np.random.Generator

# Segments in the order of their codes in the plan arrays.
SEGMENTS: tuple[Segment, ...] = (
    Segment.PBI_APBN,
    Segment.PBI_APBD,
    Segment.PPU_PN,
    Segment.PPU_BU,
    Segment.PBPU,
    Segment.BP,
)
SEG = {s: i for i, s in enumerate(SEGMENTS)}
FAMILY_BILLED = tuple(SEG[s] for s in Segment if s.is_family_billed)

# Family sizes 1..7 (mean ≈ 3.3; BPS household size is about 3.8 persons, a KK is often smaller).
FAMILY_SIZE_P = np.array([0.16, 0.18, 0.22, 0.21, 0.13, 0.06, 0.04])
BP_FAMILY_SIZE_P = np.array([0.30, 0.40, 0.15, 0.10, 0.05, 0.0, 0.0])  # pensioners, investors: smaller families
# PBPU/BP class mix I/II/III.
KELAS_P = np.array([0.15, 0.25, 0.60])
# PPU: the 5% covers the worker and up to 4 family members; more cost 1% each (docs/rules.md §2).
PPU_COVERED = 5

EPOCH_2014 = int(np.datetime64("2014-01-01", "D").astype(np.int64))  # JKN starts


class Behaviour(IntEnum):
    """What a payer account does in the months the cycle plays (stored in `synth_payer`)."""

    REGULAR = 0  # pays every month, before the 10th
    LATE = 1  # pays every month, after the 10th (still covered: suspension is from the 1st of the next month)
    SKIPPER = 2  # misses one month and pays it with the next
    REACTIVATOR = 3  # in arrears at the opening; pays the arrears (at most 24 months) and the current month
    LAPSER = 4  # paid until a month in the window, then stops
    ARREARS = 5  # in arrears at the opening; never pays


@dataclass(frozen=True)
class Geography:
    """The branch's regions, indexed: kabupaten/kota, their kecamatan and desa."""

    kab_codes: tuple[str, ...]
    kab_names: tuple[str, ...]
    population: NDArray[np.int64]  # per kabupaten/kota
    kec_codes: tuple[str, ...]
    kec_kab: NDArray[np.int64]  # kabupaten index of each kecamatan
    kec_digits: NDArray[np.int64]  # 620101 for 62.01.01
    kec_desa_start: NDArray[np.int64]
    kec_desa_count: NDArray[np.int64]
    desa_codes: NDArray[np.str_]

    @classmethod
    def of(cls, w: Wilayah, kab_codes: list[str], population: Mapping[str, int] | None = None) -> Geography:
        """The regions of `kab_codes` and their population: `population` (the release the branch's reports read,
        `iuran.db.population`), else the packaged table's."""
        kec_codes: list[str] = []
        kec_kab: list[int] = []
        desa: list[str] = []
        start: list[int] = []
        count: list[int] = []
        names: list[str] = []
        pops: list[int] = []
        for k, code in enumerate(kab_codes):
            region = w.region(code)
            pop = w.population(code) if population is None else population.get(code)
            if region is None or pop is None:
                raise ValueError(f"kabupaten/kota {code} is not in the region or population table")
            names.append(region.name)
            pops.append(pop)
            for kec in w.kecamatan(code):
                ds = [d.code for d in w.desa(kec.code)]
                if not ds:
                    continue
                kec_codes.append(kec.code)
                kec_kab.append(k)
                start.append(len(desa))
                count.append(len(ds))
                desa.extend(ds)
        return cls(
            kab_codes=tuple(kab_codes),
            kab_names=tuple(names),
            population=np.array(pops, dtype=np.int64),
            kec_codes=tuple(kec_codes),
            kec_kab=np.array(kec_kab, dtype=np.int64),
            kec_digits=np.array([int(c.replace(".", "")) for c in kec_codes], dtype=np.int64),
            kec_desa_start=np.array(start, dtype=np.int64),
            kec_desa_count=np.array(count, dtype=np.int64),
            desa_codes=np.array(desa),
        )


@dataclass
class Employers:
    """Employers of PPU workers: kabupaten, kind (0 bu, 1 pn), and their account's behaviour."""

    kab: I64
    kind: I64
    behaviour: I64
    arrears_months: I64  # opening arrears (months before the opening month); 0 = none
    first_paid: I64  # month index of the first payment in the window; -1 = none
    last_paid: I64  # month index of the last payment; -1 = open
    pay_day: I64

    def __len__(self) -> int:
        return len(self.kab)


@dataclass
class Families:
    """One row per family (KK). Account index -1 means nobody pays (registered, non-active)."""

    kab: I64
    segment: I64
    size: I64
    kelas: I64  # 1..3 for PBPU/BP, 0 otherwise
    kec: I64
    desa: I64
    employer: I64  # employer index for PPU families, -1 otherwise
    payer: I64  # -1: no payer; for PBPU/BP the family account; else 0 = paid by its institution
    behaviour: I64  # family accounts only (Behaviour), else -1
    arrears_months: I64  # opening arrears of the family account
    first_paid: I64
    last_paid: I64
    skip_month: I64
    pay_day: I64
    payer_until: I64  # last month the institution paid for a deactivated/dropped family; -1 = never
    reg_latest: I64  # latest month index in which the family may have registered
    wage: I64  # PPU worker's wage (the head), 0 otherwise

    def __len__(self) -> int:
        return len(self.kab)


@dataclass
class Plan:
    scenario: Scenario
    scale: float
    geography: Geography
    registered: I64  # [kab, segment] persons
    families: Families
    employers: Employers

    @property
    def persons(self) -> int:
        return int(self.families.size.sum())


def registered_counts(scenario: Scenario, geo: Geography, scale: float) -> I64:
    """Persons per [kabupaten/kota, segment]: round(coverage × population × scale), split by the segment mix."""
    mix = np.array([scenario.mix[s] for s in SEGMENTS])
    out = np.zeros((len(geo.kab_codes), len(SEGMENTS)), dtype=np.int64)
    for k, code in enumerate(geo.kab_codes):
        total = round(scenario.coverage[code] * int(geo.population[k]) * scale)
        out[k] = _largest_remainder(total, mix)
    return out


def _largest_remainder(total: int, weights: NDArray[np.float64]) -> I64:
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    short = total - int(base.sum())
    if short:
        base[np.argsort(-(raw - base), kind="stable")[:short]] += 1
    out: I64 = base
    return out


def family_sizes(rng: Rng, persons: int, p: NDArray[np.float64]) -> I64:
    """Family sizes (1..len(p)) that add up to exactly `persons`."""
    if persons <= 0:
        return np.zeros(0, dtype=np.int64)
    mean = float((np.arange(1, len(p) + 1) * p).sum())
    sizes = rng.choice(np.arange(1, len(p) + 1), size=int(persons / mean * 1.1) + 10, p=p).astype(np.int64)
    while sizes.sum() < persons:
        sizes = np.concatenate([sizes, rng.choice(np.arange(1, len(p) + 1), size=len(sizes) // 2 + 10, p=p)])
    cum = np.cumsum(sizes)
    n = int(np.searchsorted(cum, persons)) + 1
    sizes = sizes[:n].copy()
    sizes[-1] -= int(cum[n - 1]) - persons
    return sizes


def pick_exact(sizes: I64, target: int, order: I64) -> NDArray[np.bool_]:
    """Items, taken in `order`, whose sizes add up to exactly `target` (or as near below as sizes allow)."""
    chosen = np.zeros(len(sizes), dtype=bool)
    if target <= 0 or len(sizes) == 0:
        return chosen
    total = int(sizes.sum())
    if target >= total:
        return ~chosen
    if 2 * target > total:
        # The smaller side is the easier one to fill exactly: leave out the last items in order instead.
        return ~pick_exact(sizes, total - target, order[::-1])
    cum = np.cumsum(sizes[order])
    k = int(np.searchsorted(cum, target, side="right"))  # the first k fit
    chosen[order[:k]] = True
    rest = target - (int(cum[k - 1]) if k else 0)
    remaining = order[k:]
    # Fill the remainder with the next items in order that fit, smallest need first.
    while rest > 0 and len(remaining):
        fits = remaining[sizes[remaining] <= rest]
        if not len(fits):
            break
        exact = fits[sizes[fits] == rest]
        take = exact[0] if len(exact) else fits[0]
        chosen[take] = True
        rest -= int(sizes[take])
        remaining = remaining[remaining != take]
    return chosen


def arrears_months(rng: Rng, n: int, longest: int = 60) -> I64:
    """Months in arrears at the opening, spread so that every aging bucket is populated (1 to > 24)."""
    band = rng.choice(4, size=n, p=[0.40, 0.25, 0.20, 0.15])
    hi = np.minimum(np.array([3, 9, 21, longest])[band], longest)
    lo = np.minimum(np.array([1, 4, 10, 22])[band], hi)
    out: I64 = rng.integers(lo, hi + 1).astype(np.int64)
    return out


def make_plan(scenario: Scenario, geo: Geography, scale: float, seed: int) -> Plan:
    rng = np.random.default_rng(seed)
    registered = registered_counts(scenario, geo, scale)
    opening = scenario.opening.index
    month = scenario.month.index
    parts: list[dict[str, I64]] = []
    for k in range(len(geo.kab_codes)):
        kec = np.flatnonzero(geo.kec_kab == k)
        # Kecamatan are weighted by their number of desa, each with some spread.
        kec_w = geo.kec_desa_count[kec] * rng.lognormal(0.0, 0.4, len(kec))
        for s, seg in enumerate(SEGMENTS):
            sizes = family_sizes(rng, int(registered[k, s]), BP_FAMILY_SIZE_P if seg == Segment.BP else FAMILY_SIZE_P)
            n = len(sizes)
            fam_kec = kec[rng.choice(len(kec), size=n, p=kec_w / kec_w.sum())]
            desa = geo.kec_desa_start[fam_kec] + (rng.random(n) * geo.kec_desa_count[fam_kec]).astype(np.int64)
            kelas = (
                rng.choice(3, size=n, p=KELAS_P).astype(np.int64) + 1
                if seg.is_family_billed
                else np.zeros(n, dtype=np.int64)
            )
            parts.append(
                {
                    "kab": np.full(n, k, dtype=np.int64),
                    "segment": np.full(n, s, dtype=np.int64),
                    "size": sizes,
                    "kelas": kelas,
                    "kec": fam_kec.astype(np.int64),
                    "desa": desa,
                }
            )
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    n = len(cols["kab"])
    minus = np.full(n, -1, dtype=np.int64)
    fam = Families(
        kab=cols["kab"],
        segment=cols["segment"],
        size=cols["size"],
        kelas=cols["kelas"],
        kec=cols["kec"],
        desa=cols["desa"],
        employer=minus.copy(),
        payer=np.zeros(n, dtype=np.int64),
        behaviour=minus.copy(),
        arrears_months=np.zeros(n, dtype=np.int64),
        first_paid=minus.copy(),
        last_paid=minus.copy(),
        skip_month=minus.copy(),
        pay_day=np.zeros(n, dtype=np.int64),
        payer_until=minus.copy(),
        reg_latest=np.full(n, opening - 1, dtype=np.int64),
        wage=np.zeros(n, dtype=np.int64),
    )
    employers = _employers(rng, scenario, geo, fam)
    for seg in SEGMENTS:
        target = round(scenario.activeness[seg] * int(registered[:, SEG[seg]].sum()))
        if seg.is_family_billed:
            _family_fates(rng, scenario, fam, SEG[seg], target)
        elif seg == Segment.PPU_BU:
            _ppu_bu_fates(rng, scenario, fam, employers, target)
        else:
            _unpaid_families(rng, scenario, fam, np.flatnonzero(fam.segment == SEG[seg]), target)
    # Families in arrears registered before their first unpaid month.
    has_arrears = fam.arrears_months > 0
    fam.reg_latest[has_arrears] = opening - fam.arrears_months[has_arrears] - 1
    dropped = fam.payer_until >= 0
    fam.reg_latest[dropped] = np.minimum(fam.reg_latest[dropped], fam.payer_until[dropped] - 1)
    emp_arrears = fam.employer >= 0
    emp_months = employers.arrears_months[fam.employer[emp_arrears]]
    fam.reg_latest[emp_arrears] = np.minimum(fam.reg_latest[emp_arrears], opening - emp_months - 1)
    assert (fam.reg_latest < month).all()
    return Plan(scenario, scale, geo, registered, fam, employers)


def _pay_days(rng: Rng, n: int, late: NDArray[np.bool_]) -> I64:
    """Day of the month a payer pays: most before the 10th (the due date), some later in the month."""
    early = rng.choice(np.arange(1, 10), size=n, p=np.array([3, 3, 2.5, 2, 1.5, 1.2, 1, 1, 1.5]) / 16.7)
    return np.where(late, rng.integers(11, 28, size=n), early).astype(np.int64)


def _family_fates(rng: Rng, scenario: Scenario, fam: Families, s: int, target: int) -> None:
    """PBPU/BP family accounts: choose the active families (exactly `target` persons) and how each behaves."""
    idx = np.flatnonzero(fam.segment == s)
    opening, month = scenario.opening.index, scenario.month.index
    # Kelas I families are more often active than Kelas III ones.
    key = rng.random(len(idx)) - 0.25 * (fam.kelas[idx] == 1) - 0.1 * (fam.kelas[idx] == 2)
    order = np.argsort(key, kind="stable")
    active = pick_exact(fam.size[idx], target, order)
    fam.payer[idx] = 1
    n = len(idx)
    u = rng.random(n)
    beh = np.where(
        active,
        np.select([u < 0.86, u < 0.92, u < 0.96], [Behaviour.REGULAR, Behaviour.LATE, Behaviour.SKIPPER],
                  Behaviour.REACTIVATOR),
        np.where(u < scenario.recent_lapse_share, Behaviour.LAPSER, Behaviour.ARREARS),
    ).astype(np.int64)  # fmt: skip
    fam.behaviour[idx] = beh
    fam.pay_day[idx] = _pay_days(rng, n, beh == Behaviour.LATE)
    first = np.full(n, opening, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    skip = np.full(n, -1, dtype=np.int64)
    owed = np.zeros(n, dtype=np.int64)
    window = month - opening  # months played before the scenario month
    react = beh == Behaviour.REACTIVATOR
    first[react] = opening + rng.integers(0, window, size=int(react.sum()))
    owed[react] = arrears_months(rng, int(react.sum()))
    skipper = beh == Behaviour.SKIPPER
    skip[skipper] = opening + rng.integers(0, max(window - 1, 1), size=int(skipper.sum()))
    lapser = beh == Behaviour.LAPSER
    # Stops paying in one of the window's months: 1 to `window` months in arrears at the scenario month.
    last[lapser] = opening + rng.integers(0, window, size=int(lapser.sum())) - 1
    first[lapser & (last < opening)] = -1
    arrears = beh == Behaviour.ARREARS
    first[arrears] = -1
    owed[arrears] = arrears_months(rng, int(arrears.sum()))
    fam.first_paid[idx], fam.last_paid[idx], fam.skip_month[idx], fam.arrears_months[idx] = first, last, skip, owed


def _unpaid_families(rng: Rng, scenario: Scenario, fam: Families, idx: I64, target: int) -> None:
    """PBI, PPU PN and the dropped PPU BU families: non-active ones lost their payer (account NULL) in a month
    before the scenario month: PBI deactivated by Kemensos or the Pemda, workers dropped by their employer."""
    opening, month = scenario.opening.index, scenario.month.index
    non_active = ~pick_exact(fam.size[idx], target, rng.permutation(len(idx)).astype(np.int64))
    lost = idx[non_active]
    fam.payer[lost] = -1
    recent = rng.random(len(lost)) < scenario.pbi_deactivated_in_window_share
    # The last month the payer paid: within the window for some, up to two years before for the others.
    fam.payer_until[lost] = np.where(
        recent, opening + rng.integers(0, month - opening, size=len(lost)), opening - 1 - rng.integers(0, 24, len(lost))
    )


def _employers(rng: Rng, scenario: Scenario, geo: Geography, fam: Families) -> Employers:
    """Employers with heavy-tailed sizes (a few plantations, many small firms), workers assigned at random."""
    kab_parts: list[I64] = []
    kind_parts: list[I64] = []
    offset = 0
    for k in range(len(geo.kab_codes)):
        for kind_code, seg in ((0, Segment.PPU_BU), (1, Segment.PPU_PN)):
            workers = np.flatnonzero((fam.kab == k) & (fam.segment == SEG[seg]))
            if not len(workers):
                continue
            cap = max(3, len(workers) // 8)
            alpha = 1.1 if kind_code == 0 else 0.9
            sizes = np.minimum(np.floor((1 - rng.random(len(workers))) ** (-1 / alpha)), cap).astype(np.int64)
            cum = np.cumsum(sizes)
            e = int(np.searchsorted(cum, len(workers))) + 1
            sizes = sizes[:e]
            sizes[-1] -= int(cum[e - 1]) - len(workers)
            slots = np.repeat(np.arange(e, dtype=np.int64), sizes)
            fam.employer[workers] = offset + rng.permutation(slots)
            kab_parts.append(np.full(e, k, dtype=np.int64))
            kind_parts.append(np.full(e, kind_code, dtype=np.int64))
            offset += e
            umk = np.array([scenario.umk[(geo.kab_codes[k], scenario.month.year)]], dtype=np.int64)[0]
            # Wages: private firms around and above the UMK (some report below it: the floor applies);
            # government employers: pay plus allowances of civil servants and contract staff.
            if kind_code == 0:
                factor = np.where(rng.random(len(workers)) < 0.3, 1.0, rng.lognormal(0.15, 0.35, len(workers)))
                factor = np.where(rng.random(len(workers)) < 0.05, rng.uniform(0.8, 1.0, len(workers)), factor)
                fam.wage[workers] = np.round(umk * factor, -3).astype(np.int64)
            else:
                fam.wage[workers] = np.round(rng.lognormal(np.log(umk * 1.4), 0.35, len(workers)), -3).astype(np.int64)
    kab = np.concatenate(kab_parts) if kab_parts else np.zeros(0, dtype=np.int64)
    kind = np.concatenate(kind_parts) if kind_parts else np.zeros(0, dtype=np.int64)
    e = len(kab)
    late = rng.random(e) < 0.08
    return Employers(
        kab=kab,
        kind=kind,
        behaviour=np.where(late, Behaviour.LATE, Behaviour.REGULAR).astype(np.int64),
        arrears_months=np.zeros(e, dtype=np.int64),
        first_paid=np.full(e, scenario.opening.index, dtype=np.int64),
        last_paid=np.full(e, -1, dtype=np.int64),
        pay_day=_pay_days(rng, e, late),
    )


def _ppu_bu_fates(rng: Rng, scenario: Scenario, fam: Families, emp: Employers, target: int) -> None:
    """PPU BU: part of the non-active work for employers in arrears, the rest were dropped by their employer."""
    idx = np.flatnonzero(fam.segment == SEG[Segment.PPU_BU])
    opening, month = scenario.opening.index, scenario.month.index
    registered = int(fam.size[idx].sum())
    non_active = registered - target
    bu = np.flatnonzero(emp.kind == 0)
    persons = np.bincount(fam.employer[idx], weights=fam.size[idx], minlength=len(emp)).astype(np.int64)
    # Small firms fall behind more often than large ones.
    key = rng.random(len(bu)) * np.log2(persons[bu] + 1)
    in_arrears = bu[pick_exact(persons[bu], round(non_active * scenario.employer_arrears_share), np.argsort(key))]
    n = len(in_arrears)
    lapse = rng.random(n) < 0.3
    emp.behaviour[in_arrears] = np.where(lapse, Behaviour.LAPSER, Behaviour.ARREARS)
    emp.last_paid[in_arrears] = np.where(lapse, opening + rng.integers(0, month - opening, n) - 1, -1)
    emp.first_paid[in_arrears] = np.where(lapse & (emp.last_paid[in_arrears] >= opening), opening, -1)
    emp.arrears_months[in_arrears] = np.where(lapse, 0, arrears_months(rng, n, longest=20))
    # A few paying employers clear their arrears in the window.
    paying = np.setdiff1d(bu, in_arrears)
    react = paying[rng.random(len(paying)) < 0.04]
    emp.behaviour[react] = Behaviour.REACTIVATOR
    emp.arrears_months[react] = rng.integers(1, 7, size=len(react))
    emp.first_paid[react] = opening + rng.integers(0, month - opening, size=len(react))
    # Everyone else who is non-active was dropped by a paying employer.
    at_paying = idx[~np.isin(fam.employer[idx], in_arrears)]
    _unpaid_families(rng, scenario, fam, at_paying, target)
