"""API tokens: create, list, revoke."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from ..models import Role
from .common import current_service, reported

log = logging.getLogger(__name__)


tokens = AppGroup("tokens", help="API tokens.")


@tokens.command("create")
@click.option("--name", required=True, help="Who the token is for; producers' guids are theirs.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@reported
def tokens_create(name: str, role: str) -> None:
    """Create a token and print its secret once (only a hash is stored)."""
    service = current_service()
    token, secret = service.access.create_token(name.strip(), Role(role))
    click.echo(f"created {token.role.value} token {token.name!r}; it is shown only now:",
               err=True)
    click.echo(secret)


@tokens.command("list")
@reported
def tokens_list() -> None:
    """List tokens (names, roles, states; never secrets)."""
    found = current_service().access.tokens()
    for t in found:
        state = f"revoked {t.revoked:%Y-%m-%d %H:%M}" if t.revoked else "active"
        click.echo(f"{t.name}\t{t.role.value}\t{state}\tcreated {t.created:%Y-%m-%d %H:%M}")
    if not found:
        click.echo("no tokens", err=True)


@tokens.command("revoke")
@click.argument("name")
@reported
def tokens_revoke(name: str) -> None:
    """Revoke a token; it stops working at once."""
    service = current_service()
    service.access.revoke_token(name)
    click.echo(f"revoked {name!r}")
