"""Entry point of the `iuran` command."""

from __future__ import annotations

import sys
from importlib.metadata import version as package_version
from typing import Annotated

import typer
from sqlalchemy.exc import DBAPIError

from iuran.cli import (
    account,
    claim,
    cycle,
    db,
    ledger,
    nik,
    partner,
    payments,
    reconcile,
    registry,
    report,
    rules,
    serve,
    simulate,
    synth,
)
from iuran.rules.errors import RuleInputError
from iuran.rules.nik import InvalidNik
from iuran.rules.rulebook import RuleNotInForce
from iuran.services.cycle import CycleError
from iuran.services.database import SchemaNotCurrent, database_error_line

app = typer.Typer(
    name="iuran",
    help="iuran: JKN contributions, arrears and collection for a BPJS Kesehatan branch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"iuran {package_version('iuran')}")
        raise typer.Exit()


@app.callback()
def _iuran(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """iuran: JKN contributions, arrears and collection for a BPJS Kesehatan branch."""


app.add_typer(simulate.app, name="simulate")
app.add_typer(nik.app, name="nik")
app.add_typer(db.app, name="db")
app.add_typer(registry.app, name="registry")
app.add_typer(account.app, name="account")
app.add_typer(cycle.app, name="cycle")
app.add_typer(payments.app, name="payments")
app.add_typer(claim.app, name="claim")
app.add_typer(ledger.app, name="ledger")
app.add_typer(report.app, name="report")
app.add_typer(synth.app, name="synth")
app.add_typer(rules.app, name="rules")
app.add_typer(partner.app, name="partner")
app.command("serve")(serve.serve)
app.command("reconcile")(reconcile.reconcile)

# Errors a user can cause: one line naming the field and the rule, exit 2, no traceback.
USER_ERRORS = (RuleInputError, InvalidNik, RuleNotInForce, CycleError, SchemaNotCurrent)


def main(argv: list[str] | None = None) -> None:
    try:
        result = app(args=argv, standalone_mode=False)
    except USER_ERRORS as e:
        fail(str(e))
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        fail("aborted")
    except typer.TyperException as e:
        fail(_usage_line(e))
    except DBAPIError as e:
        line = database_error_line(e)
        if line is None:  # a fault of iuran itself: keep the whole story (the parameters are never printed)
            raise
        fail(line)
    except OSError as e:  # a file or folder named on the command line that cannot be used as asked
        fail(_file_line(e))
    sys.exit(result if isinstance(result, int) else 0)


def _file_line(e: OSError) -> str:
    """A file that cannot be read or written, as one line naming it and the reason."""
    name = e.filename if e.filename is not None else "file"
    return f"{name}: {e.strerror or type(e).__name__}"


def _usage_line(e: typer.TyperException) -> str:
    """A command-line usage error as one line that names the option."""
    message = str(getattr(e, "format_message", lambda: str(e))()).replace("\n", " ")
    param = getattr(e, "param", None)
    if param is None:
        return message
    name = param.opts[0] if getattr(param, "opts", None) else param.name
    return f"{name}: {message}"


def fail(message: str) -> None:
    print(f"iuran: {message}", file=sys.stderr)
    sys.exit(2)
