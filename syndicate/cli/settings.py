"""The settings in effect: each variable's value and where it came from, secrets masked."""

from __future__ import annotations

import json

import click

from ..config import effective
from ..config.variables import markdown
from .common import reported
from .table import Column, show


@click.command("settings")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per variable.")
@click.option("--markdown", "as_markdown", is_flag=True,
              help="Print docs/settings.md (every variable, its default and meaning).")
@reported
def settings_command(as_json: bool, as_markdown: bool) -> None:
    """Show every setting in effect, grouped by concern, and where each came from."""
    if as_markdown:
        click.echo(markdown(), nl=False)
        return
    rows = [{"group": v.group, "variable": v.env, "value": value, "from": origin}
            for v, value, origin in effective()]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    show(rows, [Column("group"), Column("variable"), Column("value"), Column("from")])
