"""`iuran synth`: Synthetic branches to demonstrate and benchmark iuran; `iuran synth payments`: a month's bank file
of a synthetic branch's payers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from iuran.cli.common import emit, parse_month
from iuran.cli.common_db import DatabaseOpt
from iuran.services.database import open_branch
from iuran.synth.build import Summary, build_scenario
from iuran.synth.generate import SynthError
from iuran.synth.play import PlayError, bank_file
from iuran.synth.scenarios import SCENARIOS, UnknownScenario
from iuran.synth.scenarios import scenario as scenario_of

app = typer.Typer(help="Synthetic branches to demonstrate and benchmark iuran.", no_args_is_help=True)


@app.callback(invoke_without_command=True)
def synth(
    ctx: typer.Context,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help=f"One of: {', '.join(SCENARIOS)} (required).", show_default=False)
    ] = None,
    scale: Annotated[float, typer.Option("--scale", help="Fraction of the real size, 0.0001 to 1.")] = 0.01,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed builds the same branch.")] = 1,
    database: DatabaseOpt = None,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Keep the monthly payments files here (default: discarded).")
    ] = None,
) -> None:
    """Build a synthetic branch into an empty database and play its months up to the scenario date."""
    if ctx.invoked_subcommand is not None:
        return
    if scenario is None:
        raise typer.BadParameter("a scenario is required to build a branch", param_hint="--scenario")
    try:
        scenario_of(scenario)
        engine = open_branch(database)
        try:
            summary = build_scenario(
                engine, scenario, scale, seed, workdir=workdir, progress=lambda m: print(m, file=sys.stderr)
            )
        finally:
            engine.dispose()
    except (SynthError, UnknownScenario, PlayError) as e:
        print(f"iuran: {e}", file=sys.stderr)
        raise typer.Exit(2) from None
    emit(_summary_json(summary))


@app.command("payments")
def synth_payments(
    month: Annotated[str, typer.Option("--month", help="The month paid, YYYY-MM (its cycle must have run).")],
    out: Annotated[Path, typer.Option("--out", help="The bank file to write (CSV, as `iuran payments import` reads).")],
    database: DatabaseOpt = None,
) -> None:
    """Write the bank file of a month's payments by the synthetic branch's payers (each its whole bill)."""
    m = parse_month("month", month)
    if out.is_dir():
        print(f"iuran: out: a file to write, not a directory (got {str(out)!r})", file=sys.stderr)
        raise typer.Exit(2)
    try:
        engine = open_branch(database)
        try:
            written = bank_file(engine, m, out)
        finally:
            engine.dispose()
    except PlayError as e:
        print(f"iuran: {e}", file=sys.stderr)
        raise typer.Exit(2) from None
    except OSError as e:
        print(f"iuran: out: cannot write {str(out)!r} ({e.strerror or e})", file=sys.stderr)
        raise typer.Exit(2) from None
    emit({"month": str(written.month), "file": str(written.path), "lines": written.lines, "amount": written.amount})


def _summary_json(s: Summary) -> dict[str, object]:
    g, p, sc = s.generation, s.picture, s.scenario
    return {
        "scenario": sc.name,
        "title": sc.title,
        "scale": g.scale,
        "seed": g.seed,
        "opening_month": str(g.opening),
        "scenario_month": str(g.month),
        "generated": {
            "persons": g.persons,
            "families": g.families,
            "employers": g.employers,
            "accounts": g.accounts,
            "memberships": g.memberships,
            "opening_charges": g.opening_charges,
            "opening_amount": g.opening_amount,
            "seconds": g.seconds,
        },
        "months": [
            {
                "month": str(m.month),
                "cycle_seconds": m.cycle_seconds,
                "payments": m.accepted,
                "amount": m.amount,
                "written_off": m.written_off,
                "payment_seconds": m.payment_seconds,
            }
            for m in s.months
        ],
        "picture": {
            "registered": p.registered,
            "active": p.active,
            "activeness": round(p.overall_activeness, 4),
            "activeness_by_segment": {k: round(v, 4) for k, v in sorted(p.activeness.items())},
            "target_activeness_by_segment": {k.value: v for k, v in sc.activeness.items()},
            "coverage_by_kabupaten_kota": {k: round(v, 4) for k, v in sorted(p.coverage.items())},
            "target_coverage": dict(sorted(sc.coverage.items())),
        },
        "sources": list(sc.sources),
        "notes": list(sc.notes),
    }
