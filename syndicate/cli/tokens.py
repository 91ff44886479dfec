"""API tokens: create, list, revoke."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from ..clock import rfc3339
from ..models import Role
from .common import current_service, reported
from .table import Column, show

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
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def tokens_list(as_json: bool) -> None:
    """List tokens (names, roles, states; never secrets)."""
    rows = [{"name": t.name, "role": t.role.value,
             "state": "revoked" if t.revoked else "active",
             "created": rfc3339(t.created) if as_json else f"{t.created:%Y-%m-%d %H:%M}",
             "revoked": rfc3339(t.revoked) if as_json else
             (f"{t.revoked:%Y-%m-%d %H:%M}" if t.revoked else None)}
            for t in current_service().access.tokens()]
    show(rows, [Column("name"), Column("role"), Column("state"), Column("created"),
                Column("revoked")], as_json=as_json, empty="no tokens")


@tokens.command("revoke")
@click.argument("name")
@reported
def tokens_revoke(name: str) -> None:
    """Revoke a token; it stops working at once."""
    service = current_service()
    service.access.revoke_token(name)
    click.echo(f"revoked {name!r}")
