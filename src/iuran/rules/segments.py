"""Membership segments (docs/rules.md §2) and who pays for each."""

from __future__ import annotations

from enum import StrEnum

from iuran.rules.errors import RuleInputError


class Segment(StrEnum):
    PBI_APBN = "pbi-apbn"
    PBI_APBD = "pbi-apbd"
    PPU_PN = "ppu-pn"
    PPU_BU = "ppu-bu"
    PBPU = "pbpu"
    BP = "bp"  # non-workers other than the two below (investors, employers, ...): billed like PBPU
    BP_PENSIUNAN = "bp-pens"  # pensioners of the state (PNS, TNI, Polri, pejabat negara) and their survivors
    BP_VETERAN = "bp-vet"  # veterans, pioneers of independence (perintis kemerdekaan) and their survivors

    @property
    def is_family_billed(self) -> bool:
        """PBPU and BP families pay per person by class through one family virtual account."""
        return self in (Segment.PBPU, Segment.BP)

    @property
    def is_state_bp(self) -> bool:
        """BP whose contribution the government pays (docs/rules.md §2): pensioners (3% of the pension, with the
        pensioner's 2% deducted from it) and veterans (all of it). Registered as a family (KK) on the payer account
        the rule data names, one contribution for the principal that covers the family members included."""
        return self in (Segment.BP_PENSIUNAN, Segment.BP_VETERAN)

    @property
    def is_pension_based(self) -> bool:
        """A percentage of the principal's pension (BP Pensiunan)."""
        return self is Segment.BP_PENSIUNAN

    @property
    def is_wage_based(self) -> bool:
        """A percentage of a wage base: a PPU worker's wage, a pensioner's pension."""
        return self.is_ppu or self.is_pension_based

    @property
    def is_principal_billed(self) -> bool:
        """One contribution per principal (the membership with a wage or pension: a worker, a pensioner, a
        veteran), which covers the family members on the same payer account; those carry no wage and no charge."""
        return self.is_wage_based or self.is_state_bp

    @property
    def is_ppu(self) -> bool:
        return self in (Segment.PPU_PN, Segment.PPU_BU)

    @property
    def is_pbi(self) -> bool:
        return self in (Segment.PBI_APBN, Segment.PBI_APBD)

    @property
    def label(self) -> str:
        """The name used in BPJS Kesehatan's own reports."""
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Segment:
        try:
            return cls(text.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise RuleInputError("segment", f"one of {allowed}", f"got {text!r}") from None


_LABELS = {
    Segment.PBI_APBN: "PBI APBN",
    Segment.PBI_APBD: "PBI APBD",
    Segment.PPU_PN: "PPU PN",
    Segment.PPU_BU: "PPU BU",
    Segment.PBPU: "PBPU",
    Segment.BP: "BP",
    Segment.BP_PENSIUNAN: "BP Pensiunan",
    Segment.BP_VETERAN: "BP Veteran",
}

KELAS = (1, 2, 3)


def check_kelas(kelas: int | None) -> int:
    if kelas not in KELAS:
        raise RuleInputError("kelas", "PBPU and BP class is 1, 2 or 3", f"got {kelas}")
    return kelas
