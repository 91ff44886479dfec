"""The database schema: upgrade and show revisions."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from .common import current_service, reported

log = logging.getLogger(__name__)


db = AppGroup("db", help="Database schema.")


@db.command("upgrade")
@reported
def db_upgrade() -> None:
    """Upgrade the database schema to the newest revision."""
    store = current_service().store
    store.upgrade()
    click.echo(f"database at revision {store.current_revision()} ({store.url.render_as_string()})")


@db.command("current")
@reported
def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    store = current_service().store
    click.echo(f"database: {store.current_revision() or 'empty'}; code: {store.head_revision()}")
