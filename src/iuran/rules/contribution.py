"""Monthly contribution (iuran) of a person, a family or a worker, by segment (docs/rules.md §2–3)."""

from __future__ import annotations

from dataclasses import dataclass

from iuran.rules.errors import RuleInputError
from iuran.rules.money import apply_bp, apply_bp_of_bp
from iuran.rules.month import Month
from iuran.rules.rulebook import BpPensionRate, BpVeteranRate, Rulebook, RuleNotInForce, default_rulebook, in_force
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


def wage_floored(segment: Segment, rules: Rulebook | None = None) -> bool:
    """Whether the UMK floors the segment's wage base (`[ppu_wage_floor]` segments: PPU BU, not PPU PN).

    Example:
        >>> wage_floored(Segment.PPU_BU), wage_floored(Segment.PPU_PN)
        (True, False)
    """
    return segment.value in (rules or default_rulebook()).ppu_wage_floor.segments


def ppu_wage_base(segment: Segment, month: Month, wage: int, umk: int | None, rules: Rulebook | None = None) -> int:
    """The wage the PPU percentage applies to: at most the cap in force and, for the segments the floor applies
    to (`wage_floored`), at least the UMK (`umk`; not needed for the others).

    Example:
        >>> ppu_wage_base(Segment.PPU_BU, Month(2024, 1), 15_000_000, 4_800_000)
        12000000
        >>> ppu_wage_base(Segment.PPU_BU, Month(2024, 1), 3_000_000, 4_800_000)
        4800000
        >>> ppu_wage_base(Segment.PPU_PN, Month(2024, 1), 3_000_000, 4_800_000)
        3000000
    """
    rb = rules or default_rulebook()
    if wage < 0:
        raise RuleInputError("wage", "the wage is a non-negative whole Rupiah amount", f"got {wage}")
    if umk is not None and umk < 0:
        raise RuleInputError("umk", "the minimum wage is a non-negative whole Rupiah amount", f"got {umk}")
    caps = tuple(c for c in rb.ppu_wage_cap if c.segment == segment.value)
    cap = in_force(caps, month.first_day(), f"{segment.value} wage cap").cap
    if not wage_floored(segment, rb):
        # A civil servant's base is their salary components, however low (Perpres 75/2019 Pasal 33 ayat (1)).
        return min(wage, cap)
    if umk is None:
        raise RuleInputError(
            "umk",
            f"the {segment.label} wage base is at least the kabupaten/kota minimum wage ({rb.ppu_wage_floor.basis})",
        )
    # Perpres 82/2018 Pasal 32: the UMK is the floor of the wage base; the cap is the ceiling.
    return min(max(wage, umk), cap)


def ppu_month(
    segment: Segment,
    month: Month,
    wage: int,
    umk: int | None,
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
    floor = (rb.ppu_wage_floor.basis,) if wage_floored(segment, rb) else ()
    basis = (rate.basis, *floor) + ((extra.basis,) if extra_members else ())
    return Shares(employer=employer, worker=worker), basis


def bp_pension_rate(month: Month, rules: Rulebook | None = None) -> BpPensionRate:
    return in_force((rules or default_rulebook()).bp_pension_rate, month.first_day(), "BP Pensiunan rate")


def bp_veteran_rate(month: Month, rules: Rulebook | None = None) -> BpVeteranRate:
    return in_force((rules or default_rulebook()).bp_veteran_rate, month.first_day(), "BP Veteran rate")


def bp_pension_month(month: Month, pension: int, rules: Rulebook | None = None) -> tuple[Shares, str]:
    """BP Pensiunan contribution of one pensioner and family: a percentage of the monthly pension, the government's
    share and the pensioner's (deducted from the pension), rounded as `ppu_month`: the whole percentage once, the
    pensioner's share taken from it, so that the two add up to exactly the rounded whole.

    Example:
        >>> bp_pension_month(Month(2024, 1), 4_567_891)[0]  # 5% = 228,394.55: 228,395; 2%: 91,358
        Shares(participant=0, government=137037, employer=0, worker=91358)
    """
    rate = bp_pension_rate(month, rules)
    if pension < 0:
        raise RuleInputError("pension", "the pension is a non-negative whole Rupiah amount", f"got {pension}")
    base = min(pension, rate.pension_cap) if rate.pension_cap else pension
    pensioner = apply_bp(base, rate.pensioner_bp)
    government = apply_bp(base, rate.government_bp + rate.pensioner_bp) - pensioner
    return Shares(government=government, worker=pensioner), rate.basis


def bp_veteran_month(month: Month, rules: Rulebook | None = None) -> tuple[Shares, str]:
    """BP Veteran contribution of one veteran (or pioneer of independence, or their survivor) and family, paid in
    full by the government: `rate_bp` of `reference_bp` of the reference salary, rounded once.

    Example:
        >>> bp_veteran_month(Month(2024, 1))[0]  # 5% of 45% of Rp3,461,100 = 77,874.75
        Shares(participant=0, government=77875, employer=0, worker=0)
    """
    rate = bp_veteran_rate(month, rules)
    return Shares(government=apply_bp_of_bp(rate.reference_salary, rate.rate_bp, rate.reference_bp)), rate.basis


def state_bp_rule(segment: Segment, month: Month, rules: Rulebook | None = None) -> BpPensionRate | BpVeteranRate:
    """The rule in force for a BP segment the government pays (`Segment.is_state_bp`), or `RuleInputError` naming
    `month` when the rule data has none for the month (BP Veteran before its first reference salary)."""
    rb = rules or default_rulebook()
    if not segment.is_state_bp:
        raise RuleInputError("segment", "bp-pens or bp-vet (a BP paid by the government)", f"got {segment}")
    try:
        if segment.is_pension_based:
            return in_force(rb.bp_pension_rate, month.first_day(), f"{segment.label} rate")
        return in_force(rb.bp_veteran_rate, month.first_day(), f"{segment.label} rate")
    except RuleNotInForce:
        first = Month.of((rb.bp_pension_rate if segment.is_pension_based else rb.bp_veteran_rate)[0].effective)
        raise RuleInputError(
            "month", f"a month with a {segment.label} rate in the rule data (from {first})", f"got {month}"
        ) from None


def check_state_bp_kelas(segment: Segment, month: Month, kelas: int | None, rules: Rulebook | None = None) -> int:
    """The care class of a pensioner's or veteran's family, which must be one the rule in force allows (by rank:
    docs/rules.md §2), or `RuleInputError` naming `kelas`."""
    rule = state_bp_rule(segment, month, rules)
    if kelas not in rule.kelas:
        allowed = " or ".join(str(k) for k in rule.kelas)
        raise RuleInputError("kelas", f"a {segment.label} family's class is {allowed}, by rank", f"got {kelas}")
    return kelas


def contribution(
    segment: Segment,
    month: Month,
    *,
    kelas: int | None = None,
    members: int = 1,
    wage: int | None = None,
    umk: int | None = None,
    extra_members: int = 0,
    pension: int | None = None,
    rules: Rulebook | None = None,
) -> Contribution:
    """The contribution for `members` people of one payer account in one month.

    PBPU/BP need `kelas`; PPU needs `wage` (and `umk` where the floor applies: PPU BU), one worker with family;
    BP Pensiunan needs `pension`, one pensioner with family; BP Veteran and PBI need neither.

    Example:
        >>> contribution(Segment.PBPU, Month(2024, 5), kelas=2, members=4).total
        400000
        >>> contribution(Segment.BP_PENSIUNAN, Month(2024, 5), pension=3_000_000).shares
        Shares(participant=0, government=90000, employer=0, worker=60000)
    """
    rb = rules or default_rulebook()
    _check_members(members)
    if segment.is_family_billed:
        shares, basis = pbpu_person_month(month, check_kelas(kelas), rb)
        return Contribution(month, segment, shares.times(members), (basis,))
    if segment.is_pbi:
        shares, basis = pbi_person_month(month, rb)
        return Contribution(month, segment, shares.times(members), (basis,))
    if segment.is_state_bp:
        rule = state_bp_rule(segment, month, rb)
        if kelas is not None:
            check_state_bp_kelas(segment, month, kelas, rb)
        if members != 1 or extra_members:
            raise RuleInputError(
                "members",
                f"a {segment.label} contribution is per principal, covering up to {rule.family_members_included}"
                " family members",
            )
        if not segment.is_pension_based:
            shares, basis = bp_veteran_month(month, rb)
            return Contribution(month, segment, shares, (basis,))
        if pension is None:
            raise RuleInputError(
                "pension", "a BP Pensiunan contribution is a percentage of the pension: give --pension"
            )
        shares, basis = bp_pension_month(month, pension, rb)
        return Contribution(month, segment, shares, (basis,))
    if wage is None:
        raise RuleInputError("wage", "a PPU contribution is a percentage of the wage: give --wage")
    if umk is None and wage_floored(segment, rb):
        raise RuleInputError("umk", "the PPU BU wage base is at least the kabupaten/kota minimum wage: give --umk")
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
