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
    BP = "bp"

    @property
    def is_family_billed(self) -> bool:
        """PBPU and BP families pay per person by class through one family virtual account."""
        return self in (Segment.PBPU, Segment.BP)

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
}

KELAS = (1, 2, 3)


def check_kelas(kelas: int | None) -> int:
    if kelas not in KELAS:
        raise RuleInputError("kelas", "PBPU and BP class is 1, 2 or 3", f"got {kelas}")
    return kelas
