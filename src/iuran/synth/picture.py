"""The picture a synthetic branch shows in a month: coverage per kabupaten/kota and activeness per segment,
read from the cycle's `snapshot_coverage` (the same figures the reports read).

Coverage is registered ÷ (population × scale), so that a branch built at a fraction of the real size compares
with the published percentages; the population is the release for the month's first day (`iuran.db.population`),
the one the coverage report of that day reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from iuran.db.months import to_db
from iuran.db.population import population_release
from iuran.rules.month import Month


@dataclass(frozen=True)
class Picture:
    month: Month
    scale: float
    registered: int
    active: int
    coverage: dict[str, float]  # kabupaten/kota code -> registered ÷ (population × scale)
    activeness: dict[str, float]  # segment -> active ÷ registered
    registered_by_segment: dict[str, int]

    @property
    def overall_activeness(self) -> float:
        return self.active / self.registered if self.registered else 0.0


def picture(engine: Engine, month: Month, scale: float) -> Picture:
    m = to_db(month)
    with engine.connect() as conn:
        release = population_release(conn, month.first_day())
        by_kab = conn.execute(
            text(
                "SELECT s.kabkota_code, sum(s.registered), max(p.total) FROM snapshot_coverage s"
                " JOIN population p ON p.code = s.kabkota_code AND p.source = :source"
                " WHERE s.month = :m GROUP BY s.kabkota_code"
            ),
            {"m": m, "source": release.source if release else None},
        ).all()
        by_seg = conn.execute(
            text(
                "SELECT segment, sum(registered), sum(active) FROM snapshot_coverage WHERE month = :m GROUP BY segment"
            ),
            {"m": m},
        ).all()
    return Picture(
        month=month,
        scale=scale,
        registered=sum(int(r[1]) for r in by_seg),
        active=sum(int(r[2]) for r in by_seg),
        coverage={str(k): int(reg) / (int(pop) * scale) for k, reg, pop in by_kab},
        activeness={str(s): int(a) / int(r) for s, r, a in by_seg if int(r)},
        registered_by_segment={str(s): int(r) for s, r, _a in by_seg},
    )
