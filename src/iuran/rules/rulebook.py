"""Versioned rule data: each entry carries the date it takes effect and its legal basis.

The shipped rule data is `data/rulebook.toml`. Code asks for "the entry in force on this date";
a new regulation is a new entry in that file, not a code change.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from functools import cache
from importlib import resources
from typing import Any, Protocol, TypeVar


class RuleNotInForce(LookupError):
    """No entry of a rule table is in force on the date asked."""


class Dated(Protocol):
    @property
    def effective(self) -> dt.date: ...


@dataclass(frozen=True)
class PbpuRate:
    effective: dt.date
    kelas1: int
    kelas2: int
    kelas3_participant: int
    kelas3_government_central: int
    kelas3_government_pemda: int
    basis: str

    @property
    def kelas3_government(self) -> int:
        return self.kelas3_government_central + self.kelas3_government_pemda


@dataclass(frozen=True)
class PbiRate:
    effective: dt.date
    amount: int
    basis: str


@dataclass(frozen=True)
class PpuRate:
    segment: str
    effective: dt.date
    employer_bp: int
    worker_bp: int
    basis: str


@dataclass(frozen=True)
class PpuWageCap:
    segment: str
    effective: dt.date
    cap: int
    basis: str


@dataclass(frozen=True)
class PpuExtraMember:
    effective: dt.date
    worker_bp: int
    family_members_included: int
    basis: str


@dataclass(frozen=True)
class DueDateRule:
    effective: dt.date
    day: int
    shift: str
    basis: str


@dataclass(frozen=True)
class SuspensionRule:
    """When an account of one payer kind in arrears stops covering its people: on a day when more months before
    the day's month are unpaid than `months_tolerated`, or, up to the `grace_days`-th of the month, than one more
    (0 and 0: from the 1st after an unpaid month; 0 and 10: more than a month after the 10th it was due)."""

    payer: str
    effective: dt.date
    months_tolerated: int
    grace_days: int
    basis: str


@dataclass(frozen=True)
class ReactivationRule:
    """What a suspended account pays to be active again: of its months in arrears the latest
    `max_months_in_arrears` are billed (0: all), older ones written off; and of those, when `months_to_reactivate`
    is set, only the latest that many are due to reactivate, the rest staying owed until `remainder_due`."""

    effective: dt.date
    max_months_in_arrears: int  # 0: no cap
    basis: str
    months_to_reactivate: int = 0  # 0: every billed month
    remainder_due: dt.date | None = None


@dataclass(frozen=True)
class PaymentPolicy:
    """Which amounts a payer account of one kind may pay: `whole_bill` or `oldest_months`; and how many coming
    months it may pay ahead (`months_ahead`: what a payment brings beyond its bill is held as credit, applied by
    the coming cycles; credit beyond that many months is listed for refund)."""

    payer: str
    effective: dt.date
    settles: str
    months_ahead: int
    basis: str


@dataclass(frozen=True)
class LateFeeRule:
    """A late fee (denda keterlambatan) on paying months in arrears, per payer kind: `bp_per_month` of the arrears
    paid for each month in arrears, at most `max_months` of them, paid with the arrears."""

    payer: str
    effective: dt.date
    bp_per_month: int
    max_months: int
    basis: str


@dataclass(frozen=True)
class ServicePenaltyRule:
    effective: dt.date
    rate_bp: int
    max_months: int
    cap: int
    window_days: int
    basis: str


@dataclass(frozen=True)
class NewPbpuRule:
    effective: dt.date
    first_payment_min_days: int
    first_payment_max_days: int
    basis: str


@dataclass(frozen=True)
class RehabRule:
    version: str
    effective: dt.date
    min_months: int
    max_months: int
    max_installments: int
    max_installments_ratio_den: int  # 2: at most half the months in arrears; 0: no such limit
    includes_current_month: bool
    activation: str  # "last" | "first"
    on_missed: str  # "lapse" | "continue"
    registration_last_day: int
    registration_last_day_february: int
    first_installment_offset_months: int
    segments: tuple[str, ...]
    moved_min_months: int  # 0: participants who moved segment are not eligible
    moved_max_installments: int
    moved_min_installment: int
    basis: str


@dataclass(frozen=True)
class ClassChangeRule:
    effective: dt.date
    min_months_in_class: int
    whole_family: bool
    requires_no_arrears: bool
    effective_offset_months: int
    basis: str


@dataclass(frozen=True)
class StatusChangeRule:
    effective: dt.date
    phk_free_months: int
    phk_kelas: int
    pbpu_to_ppu_arrears_promise_months: int
    newborn_registration_days: int
    mutasi_cutoff_day: int
    basis: str


@dataclass(frozen=True)
class PpuWageFloor:
    """The floor of the PPU wage base: the minimum wage (`source`, "umk") of the employer's kabupaten/kota, for
    the `segments` it applies to (private employers' workers; a civil servant's base is their salary)."""

    source: str
    segments: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class BpPensionRate:
    """BP Pensiunan: a percentage of the principal's monthly pension (pensiun pokok and tunjangan keluarga),
    `government_bp` paid by the government and `pensioner_bp` by the pensioner (deducted from the pension), both
    billed to the `payer` account kind; one contribution covers the principal and `family_members_included`."""

    effective: dt.date
    government_bp: int
    pensioner_bp: int
    pension_cap: int  # 0: no cap
    family_members_included: int
    kelas: tuple[int, ...]  # the care classes a pensioner may have (by rank)
    payer: str  # account.kind
    basis: str


@dataclass(frozen=True)
class BpVeteranRate:
    """BP Veteran: `rate_bp` of `reference_bp` of a reference salary (the gaji pokok of a PNS golongan III/a with
    14 years of service in the salary table in force), rounded once, paid in full by the government (`payer`)
    for the principal; it covers the principal and `family_members_included`."""

    effective: dt.date
    reference_salary: int
    reference_bp: int
    rate_bp: int
    family_members_included: int
    kelas: tuple[int, ...]
    payer: str  # account.kind
    basis: str


@dataclass(frozen=True)
class VirtualAccountRule:
    default_prefix: str
    prefixes: tuple[str, ...]
    card_digits: int
    card_tail_digits: int
    basis: str


@dataclass(frozen=True)
class JknRule:
    """The programme itself: the day JKN began, and the most people one family account covers."""

    start: dt.date
    max_family_members: int
    basis: str


@dataclass(frozen=True)
class UhcPrioritasRule:
    effective: dt.date
    min_coverage_bp: int
    min_activeness_bp: int
    requires_no_pemda_arrears: bool
    basis: str


@dataclass(frozen=True)
class UhcAwardRule:
    effective: dt.date
    tier: str
    min_coverage_bp: int
    min_activeness_bp: int
    min_pemda_share_bp: int
    basis: str


@dataclass(frozen=True)
class CoverageTarget:
    effective: dt.date
    target_bp: int
    basis: str


@dataclass(frozen=True)
class Rulebook:
    """All rule tables, each a tuple of entries sorted by effective date."""

    pbpu_rate: tuple[PbpuRate, ...]
    pbi_rate: tuple[PbiRate, ...]
    ppu_rate: tuple[PpuRate, ...]
    ppu_wage_cap: tuple[PpuWageCap, ...]
    ppu_extra_member: tuple[PpuExtraMember, ...]
    ppu_wage_floor: PpuWageFloor
    bp_pension_rate: tuple[BpPensionRate, ...]
    bp_veteran_rate: tuple[BpVeteranRate, ...]
    due_date: tuple[DueDateRule, ...]
    suspension: tuple[SuspensionRule, ...]
    reactivation: tuple[ReactivationRule, ...]
    payment_policy: tuple[PaymentPolicy, ...]
    late_fee: tuple[LateFeeRule, ...]
    service_penalty: tuple[ServicePenaltyRule, ...]
    new_pbpu: tuple[NewPbpuRule, ...]
    rehab: tuple[RehabRule, ...]
    class_change: tuple[ClassChangeRule, ...]
    status_change: tuple[StatusChangeRule, ...]
    virtual_account: VirtualAccountRule
    jkn: JknRule
    uhc_prioritas: tuple[UhcPrioritasRule, ...]
    uhc_award: tuple[UhcAwardRule, ...]
    coverage_target: tuple[CoverageTarget, ...]


T = TypeVar("T", bound=Dated)

_TABLES: dict[str, type[Any]] = {
    "pbpu_rate": PbpuRate,
    "pbi_rate": PbiRate,
    "ppu_rate": PpuRate,
    "ppu_wage_cap": PpuWageCap,
    "ppu_extra_member": PpuExtraMember,
    "bp_pension_rate": BpPensionRate,
    "bp_veteran_rate": BpVeteranRate,
    "due_date": DueDateRule,
    "suspension": SuspensionRule,
    "reactivation": ReactivationRule,
    "payment_policy": PaymentPolicy,
    "late_fee": LateFeeRule,
    "service_penalty": ServicePenaltyRule,
    "new_pbpu": NewPbpuRule,
    "rehab": RehabRule,
    "class_change": ClassChangeRule,
    "status_change": StatusChangeRule,
    "uhc_prioritas": UhcPrioritasRule,
    "uhc_award": UhcAwardRule,
    "coverage_target": CoverageTarget,
}
_SINGLES: dict[str, type[Any]] = {
    "ppu_wage_floor": PpuWageFloor,
    "virtual_account": VirtualAccountRule,
    "jkn": JknRule,
}


def _build(cls: type[Any], table: str, raw: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    missing = {f.name for f in fields(cls) if f.default is MISSING} - raw.keys()
    unknown = raw.keys() - names
    if missing or unknown:
        raise ValueError(f"rulebook [{table}]: missing {sorted(missing)}, unknown {sorted(unknown)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return cls(**values)


def parse_rulebook(text: str) -> Rulebook:
    """Parse rule data in TOML into a Rulebook; entries are sorted by effective date."""
    doc = tomllib.loads(text)
    tables: dict[str, Any] = {}
    for name, cls in _TABLES.items():
        entries = [_build(cls, name, raw) for raw in doc.get(name, [])]
        if not entries:
            raise ValueError(f"rulebook: table [[{name}]] is empty")
        tables[name] = tuple(sorted(entries, key=lambda e: e.effective))
    for name, cls in _SINGLES.items():
        tables[name] = _build(cls, name, doc[name])
    return Rulebook(**tables)


@cache
def default_rulebook() -> Rulebook:
    """The rule data shipped with iuran."""
    text = resources.files("iuran.rules").joinpath("data/rulebook.toml").read_text(encoding="utf-8")
    return parse_rulebook(text)


def periods(entries: Sequence[T]) -> list[tuple[T, dt.date | None]]:
    """Each entry (sorted by effective date) with the day the next one takes effect; None: still in force.

    Example:
        >>> [(e.amount, until) for e, until in periods(default_rulebook().pbi_rate)][-1]
        (42000, None)
    """
    return [(e, entries[i + 1].effective if i + 1 < len(entries) else None) for i, e in enumerate(entries)]


def in_force(entries: Sequence[T], day: dt.date, what: str) -> T:
    """The entry in force on `day`: the last one whose effective date is not after it.

    Example:
        >>> in_force(default_rulebook().pbi_rate, dt.date(2019, 8, 1), "PBI rate").amount
        42000
    """
    found: T | None = None
    for entry in entries:
        if entry.effective <= day:
            found = entry
        else:
            break
    if found is None:
        raise RuleNotInForce(f"no {what} rule in force on {day.isoformat()}")
    return found
