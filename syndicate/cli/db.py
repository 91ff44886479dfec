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
    store = current_service(initialised=False).store
    store.upgrade()
    click.echo(f"database at revision {store.current_revision()} ({store.where})")


@db.command("current")
@reported
def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    store = current_service(initialised=False).store
    current = store.current_revision() if store.exists() else None
    click.echo(f"database: {current or 'not initialised'} at {store.where}; "
               f"code: {store.head_revision()}")
