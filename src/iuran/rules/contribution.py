"""Monthly contribution (iuran) of a person, a family or a worker, by segment (docs/rules.md §2–3)."""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.money import apply_bp
from iuran.rules.month import Month
from iuran.rules.rulebook import Rulebook, default_rulebook, in_force
from iuran.rules.segments import Segment, check_kelas


@dataclass(frozen=True)
class Shares:
    """Who pays what of one contribution, in whole Rupiah."""

    participant: int = 0
    government: int = 0
    employer: int = 0
    worker: int = 0

    @property
    def total(self) -> int:
        return self.participant + self.government + self.employer + self.worker

    def times(self, n: int) -> Shares:
        return Shares(self.participant * n, self.government * n, self.employer * n, self.worker * n)


@dataclass(frozen=True)
class Contribution:
    month: Month
    segment: Segment
    shares: Shares
    basis: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.shares.total


def pbpu_person_month(month: Month, kelas: int, rules: Rulebook | None = None) -> tuple[Shares, str]:
    """Contribution of one PBPU/BP (non-pensioner) person for a month, with its legal basis.

    Kelas III carries a government share (docs/rules.md §3), paid only for active participants.

    Example:
        >>> pbpu_person_month(Month(2021, 1), 3)[0]
        Shares(participant=35000, government=7000, employer=0, worker=0)
    """
    rate = in_force((rules or default_rulebook()).pbpu_rate, month.first_day(), "PBPU rate")
    kelas = check_kelas(kelas)
    if kelas == 1:
        return Shares(participant=rate.kelas1), rate.basis
    if kelas == 2:
        return Shares(participant=rate.kelas2), rate.basis
    return Shares(participant=rate.kelas3_participant, government=rate.kelas3_government), rate.basis


def family_due(month: Month, kelas: int, members: int, rules: Rulebook | None = None) -> int:
    """What a PBPU/BP family pays for a month: the participant share of every member."""
    return pbpu_person_month(month, kelas, rules)[0].participant * _check_members(members)


def pbi_person_month(month: Month, rules: Rulebook | None = None) -> tuple[Shares, str]:
    """PBI contribution for one person, paid in full by the central government or the Pemda."""
    rate = in_force((rules or default_rulebook()).pbi_rate, month.first_day(), "PBI rate")
    return Shares(government=rate.amount), rate.basis


def ppu_wage_base(segment: Segment, month: Month, wage: int, umk: int, rules: Rulebook | None = None) -> int:
    """The wage the PPU percentage applies to: at least the UMK, at most the cap in force.

    Example:
        >>> ppu_wage_base(Segment.PPU_BU, Month(2024, 1), 15_000_000, 4_800_000)
        12000000
    """
    rb = rules or default_rulebook()
    if wage < 0:
        raise RuleInputError("wage", "the wage is a non-negative whole Rupiah amount", f"got {wage}")
    if umk < 0:
        raise RuleInputError("umk", "the minimum wage is a non-negative whole Rupiah amount", f"got {umk}")
    caps = tuple(c for c in rb.ppu_wage_cap if c.segment == segment.value)
    cap = in_force(caps, month.first_day(), f"{segment.value} wage cap").cap
    # Perpres 82/2018 Pasal 32: the UMK is the floor of the wage base; the cap is the ceiling.
    return min(max(wage, umk), cap)


def ppu_month(
    segment: Segment,
    month: Month,
    wage: int,
    umk: int,
    extra_members: int = 0,
    rules: Rulebook | None = None,
) -> tuple[Shares, tuple[str, ...]]:
    """PPU contribution of one worker and family; the worker pays 1% more per extra family member.

    Example:
        >>> ppu_month(Segment.PPU_BU, Month(2024, 1), 5_000_000, 4_800_000)[0]
        Shares(participant=0, government=0, employer=200000, worker=50000)
    """
    rb = rules or default_rulebook()
    if not segment.is_ppu:
        raise RuleInputError("segment", "a wage-based contribution is for ppu-bu or ppu-pn", f"got {segment}")
    if extra_members < 0:
        raise RuleInputError("extra_members", "the number of extra family members is 0 or more")
    day = month.first_day()
    rates = tuple(r for r in rb.ppu_rate if r.segment == segment.value)
    rate = in_force(rates, day, f"{segment.value} rate")
    extra = in_force(rb.ppu_extra_member, day, "PPU extra family member")
    base = ppu_wage_base(segment, month, wage, umk, rb)
    # The whole percentage is rounded once and the worker's part taken from it, so that the shares always add
    # up to exactly 5% of the wage base.
    worker_own = apply_bp(base, rate.worker_bp)
    employer = apply_bp(base, rate.employer_bp + rate.worker_bp) - worker_own
    worker = worker_own + extra_members * apply_bp(base, extra.worker_bp)
    basis = (rate.basis, rb.ppu_wage_floor.basis) + ((extra.basis,) if extra_members else ())
    return Shares(employer=employer, worker=worker), basis


def contribution(
    segment: Segment,
    month: Month,
    *,
    kelas: int | None = None,
    members: int = 1,
    wage: int | None = None,
    umk: int | None = None,
    extra_members: int = 0,
    rules: Rulebook | None = None,
) -> Contribution:
    """The contribution for `members` people of one payer account in one month.

    PBPU/BP need `kelas`; PPU needs `wage` and `umk` (one worker with family); PBI needs neither.

    Example:
        >>> contribution(Segment.PBPU, Month(2024, 5), kelas=2, members=4).total
        400000
    """
    rb = rules or default_rulebook()
    _check_members(members)
    if segment.is_family_billed:
        shares, basis = pbpu_person_month(month, check_kelas(kelas), rb)
        return Contribution(month, segment, shares.times(members), (basis,))
    if segment.is_pbi:
        shares, basis = pbi_person_month(month, rb)
        return Contribution(month, segment, shares.times(members), (basis,))
    if wage is None:
        raise RuleInputError("wage", "a PPU contribution is a percentage of the wage: give --wage")
    if umk is None:
        raise RuleInputError("umk", "the PPU wage base is at least the kabupaten/kota minimum wage: give --umk")
    if members != 1:
        raise RuleInputError(
            "members", "a PPU contribution is per worker (covering up to 4 family members); use --extra-members"
        )
    shares, bases = ppu_month(segment, month, wage, umk, extra_members, rb)
    return Contribution(month, segment, shares, bases)


def _check_members(members: int) -> int:
    if members < 1:
        raise RuleInputError("members", "a payer account covers at least 1 person", f"got {members}")
    return members
