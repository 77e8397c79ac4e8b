"""Build a synthetic branch and play its months: the entry point of `iuran synth`, demos and benchmarks."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from iuran.synth.generate import GenerationSummary, Progress, generate_branch
from iuran.synth.picture import Picture, picture
from iuran.synth.play import MonthPlayed, play
from iuran.synth.scenarios import Scenario, scenario


@dataclass(frozen=True)
class Summary:
    scenario: Scenario
    generation: GenerationSummary
    months: tuple[MonthPlayed, ...]
    picture: Picture


def build_scenario(
    engine: Engine,
    name: str,
    scale: float,
    seed: int,
    *,
    workdir: Path | None = None,
    created_at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Generate the scenario's branch into the empty registry of `engine`, run the cycles from the opening month
    to the scenario month with the month's payments in between, and read the picture of the scenario month.

    `workdir` keeps the payments files (a temporary directory otherwise).

    Example:
        >>> s = build_scenario(engine, "kalteng-2023", 0.01, 7)  # doctest: +SKIP
        >>> round(s.picture.overall_activeness, 3)  # doctest: +SKIP
        0.709
    """
    sc = scenario(name)
    generation = generate_branch(engine, name, scale, seed, created_at=created_at, progress=progress)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="iuran-synth-") as tmp:
            months = play(engine, Path(tmp), progress=progress)
    else:
        months = play(engine, workdir, progress=progress)
    return Summary(sc, generation, tuple(months), picture(engine, sc.month, scale))
