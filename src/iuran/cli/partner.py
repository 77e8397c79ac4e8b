"""`iuran partner`: the banks and PPOB aggregators that pay into family virtual accounts over SNAP."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from iuran.cli.common import emit
from iuran.cli.common_db import DatabaseOpt, NowOpt, unit_of_work
from iuran.rules.errors import RuleInputError
from iuran.services.partners import (
    NewPartner,
    Partner,
    Vault,
    add_partner,
    disable_partner,
    key_file,
    list_partners,
)

app = typer.Typer(help="Bank and PPOB partners (SNAP).", no_args_is_help=True)


@app.callback()
def partner() -> None:
    """Bank and PPOB partners (SNAP)."""


def shown(p: Partner) -> dict[str, object]:
    """A partner as the command line shows it: never its secret."""
    return {
        "client_id": p.client_id,
        "name": p.name,
        "channel_id": p.channel_id,
        "enabled": p.enabled,
        "added_at": p.added_at.isoformat(),
        "disabled_at": p.disabled_at.isoformat() if p.disabled_at else None,
    }


def _secret(value: str) -> str:
    """`-`: the secret is read from the first line of stdin (so that it stays out of the shell's history)."""
    return sys.stdin.readline().rstrip("\n") if value == "-" else value


@app.command("add")
def partner_add(
    client_id: Annotated[str, typer.Option("--client-id", help="The partner's client id (X-CLIENT-KEY).")],
    name: Annotated[str, typer.Option("--name", help="The bank or aggregator, as officers know it.")],
    client_secret: Annotated[
        str, typer.Option("--client-secret", help="The HMAC secret agreed with the partner; '-' reads it from stdin.")
    ],
    public_key: Annotated[Path, typer.Option("--public-key", help="The partner's RSA public key, PEM.")],
    channel_id: Annotated[str, typer.Option("--channel-id", help="The partner's SNAP CHANNEL-ID.")],
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Register a partner; print it as JSON (its secret is stored encrypted and never printed)."""
    try:
        pem = public_key.read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise RuleInputError("public_key", "a PEM file (ASCII)", str(public_key)) from None
    new = NewPartner(client_id, name, channel_id, _secret(client_secret), pem)
    vault = Vault.at(key_file(), create=True)
    with unit_of_work(database, now=now) as uow:
        emit(shown(add_partner(uow, new, vault)))


@app.command("list")
def partner_list(database: DatabaseOpt = None) -> None:
    """Every partner, as JSON."""
    with unit_of_work(database, read_only=True) as uow:
        emit([shown(p) for p in list_partners(uow)])


@app.command("disable")
def partner_disable(
    client_id: Annotated[str, typer.Argument(help="The partner's client id.")],
    database: DatabaseOpt = None,
    now: NowOpt = None,
) -> None:
    """Disable a partner: its tokens stop working at once."""
    with unit_of_work(database, now=now) as uow:
        emit(shown(disable_partner(uow, client_id)))
