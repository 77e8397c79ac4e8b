"""Indonesian administrative regions (Kemendagri codes) and their population.

The data in ``data/`` is copied verbatim from cahyadsn/wilayah (MIT, see ``data/LICENSE``,
which must travel with the data). Codes carry dots: province ``"32"``, kabupaten/kota
``"32.73"``, kecamatan ``"32.73.05"``, desa/kelurahan ``"32.73.05.1001"``; Indonesia as a
whole is ``"0"`` in the population table.

Example:
    >>> w = default_wilayah()
    >>> w.region("32.73")
    Region(code='32.73', name='Kota Bandung', level='kabupaten_kota')
    >>> w.is_kota("32.73")
    True
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal, NamedTuple

__all__ = ["INDONESIA", "Level", "Region", "Wilayah", "default_wilayah"]

Level = Literal["provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan"]

_LEVELS: tuple[Level, ...] = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")
# Number of dot-separated parts of a code at each level, in the order of ``Level``.
_PARTS: dict[str, int] = {level: i + 1 for i, level in enumerate(_LEVELS)}

INDONESIA = "0"
"""Population-table code for the whole country."""


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative region: dotted Kemendagri code, name as published, level."""

    code: str
    name: str
    level: Level

    @property
    def parent_code(self) -> str | None:
        """Code of the enclosing region (``"32.73.05"`` → ``"32.73"``), None for a province."""
        head, sep, _ = self.code.rpartition(".")
        return head if sep else None


class PopulationRow(NamedTuple):
    code: str
    name: str
    male: int
    female: int
    total: int


class Wilayah:
    """In-memory region table with parent/child lookups and population counts.

    Build it from rows (tests) or use :func:`default_wilayah` for the packaged data.
    """

    def __init__(
        self,
        regions: Iterable[Region],
        population: Mapping[str, int],
        population_rows: Iterable[PopulationRow] = (),
    ) -> None:
        self._by_code: dict[str, Region] = {}
        self._children: dict[str | None, list[Region]] = {}
        for r in sorted(regions, key=lambda r: r.code):
            if r.code in self._by_code:
                raise ValueError(f"duplicate region code {r.code!r}")
            if len(r.code.split(".")) != _PARTS[r.level]:
                raise ValueError(f"code {r.code!r} does not match level {r.level!r}")
            self._by_code[r.code] = r
            self._children.setdefault(r.parent_code, []).append(r)
        self._population = dict(population)
        self._population_rows = tuple(population_rows)

    @classmethod
    def from_csv(cls, regions_csv: Iterable[str], population_csv: Iterable[str]) -> Wilayah:
        """Parse ``regions.csv`` (code,name,level) and ``population.csv`` (code,name,male,female,total)."""
        regions = [Region(row["code"], row["name"], _level(row["level"])) for row in csv.DictReader(regions_csv)]
        rows = [
            PopulationRow(r["code"], r["name"], int(r["male"]), int(r["female"]), int(r["total"]))
            for r in csv.DictReader(population_csv)
        ]
        return cls(regions, {r.code: r.total for r in rows}, rows)

    def __len__(self) -> int:
        return len(self._by_code)

    def all_regions(self) -> tuple[Region, ...]:
        """Every region of every level, ordered by code."""
        return tuple(self._by_code.values())

    def population_rows(self) -> tuple[PopulationRow, ...]:
        """The population table as published: Indonesia, provinces and kabupaten/kota."""
        return self._population_rows

    def region(self, code: str) -> Region | None:
        """The region with this dotted code, or None if unknown."""
        return self._by_code.get(code)

    def provinces(self) -> tuple[Region, ...]:
        """All provinces, ordered by code."""
        return tuple(self._children.get(None, ()))

    def kabupaten_kota(self, province_code: str | None = None) -> tuple[Region, ...]:
        """Kabupaten/kota of one province, or of the whole country if ``province_code`` is None."""
        if province_code is None:
            return tuple(r for p in self.provinces() for r in self._children.get(p.code, ()))
        return self._children_of(province_code, "provinsi")

    def kecamatan(self, kabkota_code: str) -> tuple[Region, ...]:
        """Kecamatan of one kabupaten/kota, ordered by code."""
        return self._children_of(kabkota_code, "kabupaten_kota")

    def desa(self, kecamatan_code: str) -> tuple[Region, ...]:
        """Desa/kelurahan of one kecamatan, ordered by code."""
        return self._children_of(kecamatan_code, "kecamatan")

    def population(self, code: str) -> int | None:
        """Total population (Dukcapil semester II 2024: 31 Dec 2024) of Indonesia (``"0"``), a province or a
        kabupaten/kota. Reports and synthetic branches read the release for their date from the database instead
        (`iuran.db.population`)."""
        return self._population.get(code)

    @staticmethod
    def is_kota(code: str) -> bool:
        """True if ``code`` is (or lies in) a kota: kabupaten/kota digits 71–99; 01–69 is a kabupaten.

        Raises ValueError for a province code, which is neither.
        """
        parts = code.split(".")
        if len(parts) < 2 or not parts[1].isdigit():
            raise ValueError(f"not a kabupaten/kota code or below: {code!r}")
        return 71 <= int(parts[1]) <= 99

    def _children_of(self, code: str, level: Level) -> tuple[Region, ...]:
        parent = self._by_code.get(code)
        if parent is None or parent.level != level:
            return ()
        return tuple(self._children.get(code, ()))


def _level(text: str) -> Level:
    for level in _LEVELS:
        if text == level:
            return level
    raise ValueError(f"unknown region level {text!r}")


@functools.cache
def default_wilayah() -> Wilayah:
    """The packaged region table, loaded once per process."""
    data = resources.files(__name__).joinpath("data")
    regions = data.joinpath("regions.csv").read_text(encoding="utf-8")
    population = data.joinpath("population.csv").read_text(encoding="utf-8")
    return Wilayah.from_csv(io.StringIO(regions), io.StringIO(population))
