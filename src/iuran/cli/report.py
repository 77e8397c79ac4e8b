"""`iuran report`: Coverage, activeness, arrears and collection reports.

Each command reads the snapshot of the latest cycle month ≤ month(--as-of) and prints it as a table (Bahasa
Indonesia, for people), JSON or CSV (English keys, for machines): see `iuran.reports.rendering`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated

import typer

from iuran.cli.common import parse_date
from iuran.cli.common_db import DatabaseOpt, unit_of_work
from iuran.reports.rendering import check_format, render
from iuran.rules.errors import RuleInputError
from iuran.services.reports import report
from iuran.synth.build import SCALE_RANGE

app = typer.Typer(help="Coverage, activeness, arrears and collection reports.", no_args_is_help=True)

AsOf = Annotated[str, typer.Option("--as-of", help="Report date, YYYY-MM-DD: the latest cycle on or before it.")]
Format = Annotated[str, typer.Option("--format", help="table (for people), json or csv.")]
BranchCode = Annotated[
    str | None, typer.Option("--branch", help="Branch code: only its kabupaten/kota (default: all in the snapshot).")
]


@app.command("coverage")
def coverage(
    as_of: AsOf,
    by: Annotated[str, typer.Option("--by", help="kabupaten or kecamatan.")] = "kabupaten",
    fmt: Format = "table",
    branch: BranchCode = None,
    population_scale: Annotated[
        str | None,
        typer.Option(
            "--population-scale",
            help="Multiply the population by this (e.g. 0.01); default: the scale `iuran synth` built the branch at"
            " (1 for a real branch).",
        ),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Cakupan: registered and active ÷ population per kabupaten/kota, target 98% and UHC Prioritas."""
    scale = {} if population_scale is None else {"population_scale": _fraction("population_scale", population_scale)}
    _print("coverage", as_of, by, fmt, branch, database, **scale)


@app.command("activeness")
def activeness(
    as_of: AsOf,
    by: Annotated[str, typer.Option("--by", help="segment or kabupaten.")] = "segment",
    fmt: Format = "table",
    branch: BranchCode = None,
    database: DatabaseOpt = None,
) -> None:
    """Keaktifan: active ÷ registered, overall and per segment (or per kabupaten/kota)."""
    _print("activeness", as_of, by, fmt, branch, database)


@app.command("arrears")
def arrears(
    as_of: AsOf,
    by: Annotated[str | None, typer.Option("--by", help="segment or kabupaten (default: buckets only).")] = None,
    fmt: Format = "table",
    branch: BranchCode = None,
    database: DatabaseOpt = None,
) -> None:
    """Tunggakan: accounts, persons and Rupiah in arrears per aging bucket."""
    _print("arrears", as_of, by, fmt, branch, database)


@app.command("collectibility")
def collectibility(
    as_of: AsOf,
    by: Annotated[str | None, typer.Option("--by", help="segment: by payer (default: months only).")] = None,
    fmt: Format = "table",
    branch: BranchCode = None,
    database: DatabaseOpt = None,
) -> None:
    """Kolektibilitas: billed, collected, collection rate and cash per month, last 12 months."""
    _print("collectibility", as_of, by, fmt, branch, database)


@app.command("credit")
def credit(
    as_of: AsOf,
    fmt: Format = "table",
    branch: BranchCode = None,
    database: DatabaseOpt = None,
) -> None:
    """Titipan: payments' money beyond what they settled, per account, with the months ahead and the refunds."""
    _print("credit", as_of, None, fmt, branch, database)


def _fraction(field: str, text: str) -> Fraction:
    """A population scale: a decimal or a fraction in the range a synthetic branch is built at (`SCALE_RANGE`)."""
    low, high = SCALE_RANGE
    rule = f"a decimal or a fraction from {low} to {high}, e.g. 0.01 or 1/100"
    written = text.strip()
    if _SCALE.fullmatch(written) is None:
        raise RuleInputError(field, rule, f"got {text[:40]!r}")
    try:
        value = Fraction(written)
    except ZeroDivisionError:
        raise RuleInputError(field, rule, f"got {text[:40]!r}") from None
    if not Fraction(str(low)) <= value <= Fraction(str(high)):
        raise RuleInputError(field, rule, f"got {text[:40]!r}")
    return value


# A decimal or a fraction of whole numbers, as a person writes a scale (no exponent: 1e-300 is not a scale).
_SCALE = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12})?(/[0-9]{1,12})?")


def _print(
    name: str,
    as_of_text: str,
    by: str | None,
    fmt: str,
    branch_code: str | None,
    database: str | None,
    **options: object,
) -> None:
    as_of = parse_date("as_of", as_of_text)
    fmt = check_format(fmt)
    with unit_of_work(database, read_only=True) as uow:
        built = report(uow, name, as_of, by=by, branch=branch_code, **options)
    typer.echo(render(built, fmt), nl=False)
