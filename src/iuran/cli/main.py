"""Entry point of the `iuran` command."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import DBAPIError

from iuran.cli import account, cycle, db, ledger, nik, payments, registry, report, rules, simulate, synth
from iuran.rules.errors import RuleInputError
from iuran.rules.nik import InvalidNik
from iuran.rules.rulebook import RuleNotInForce
from iuran.services.cycle import CycleError
from iuran.services.database import SchemaNotCurrent

app = typer.Typer(
    name="iuran",
    help="iuran: JKN contributions, arrears and collection for a BPJS Kesehatan branch.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(simulate.app, name="simulate")
app.add_typer(nik.app, name="nik")
app.add_typer(db.app, name="db")
app.add_typer(registry.app, name="registry")
app.add_typer(account.app, name="account")
app.add_typer(cycle.app, name="cycle")
app.add_typer(payments.app, name="payments")
app.add_typer(ledger.app, name="ledger")
app.add_typer(report.app, name="report")
app.add_typer(synth.app, name="synth")
app.add_typer(rules.app, name="rules")

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
        if e.statement is not None:  # a statement failed: not the user's doing, keep the whole story
            raise
        fail(f"database: cannot connect ({_one_line(e.orig)})")
    sys.exit(result if isinstance(result, int) else 0)


def _one_line(error: BaseException | None) -> str:
    """The driver's reason for a failed connection, on one line (it names the server and database, never the
    password)."""
    return " ".join(str(error).split()) if error is not None else "no reason given"


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
