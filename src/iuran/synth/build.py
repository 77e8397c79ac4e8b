"""Build a synthetic branch and play its months: the entry point of `iuran synth`, demos and benchmarks."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from iuran.rules.errors import RuleInputError
from iuran.synth.generate import GenerationSummary, Progress, generate_branch
from iuran.synth.picture import Picture, picture
from iuran.synth.play import MonthPlayed, play
from iuran.synth.scenarios import Scenario, scenario

# The fraction of the real branch a synthetic one is built at (and the population scale its reports divide by).
SCALE_RANGE = (0.0001, 1.0)
# The seed is kept in synth_run.seed (BIGINT) and seeds numpy's generator, which takes no negative number.
SEED_RANGE = (0, 2**63 - 1)


def check_build(scale: float, seed: int, workdir: Path | None) -> None:
    """The options of a build, checked before anything is written: the scale, the seed, and a working folder that
    is a folder (created if missing)."""
    low, high = SCALE_RANGE
    if not low <= scale <= high:
        raise RuleInputError("scale", f"a fraction of the real branch from {low} to {high}", f"got {scale}")
    low_seed, high_seed = SEED_RANGE
    if not low_seed <= seed <= high_seed:
        raise RuleInputError("seed", f"a whole number from {low_seed} to {high_seed}", f"got {seed}")
    if workdir is None:
        return
    if workdir.exists() and not workdir.is_dir():
        raise RuleInputError("workdir", "a folder for the payments files", f"{workdir} is a file")
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RuleInputError("workdir", "a folder that can be created", f"{workdir}: {e.strerror or e}") from None


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
    check_build(scale, seed, workdir)
    generation = generate_branch(engine, name, scale, seed, created_at=created_at, progress=progress)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="iuran-synth-") as tmp:
            months = play(engine, Path(tmp), progress=progress)
    else:
        months = play(engine, workdir, progress=progress)
    return Summary(sc, generation, tuple(months), picture(engine, sc.month, scale))
