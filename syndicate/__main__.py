"""`python -m syndicate` and the `syndicate` script: settings, logging, the app, its commands."""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click
from flask.cli import ScriptInfo

from . import create_app
from .config import Settings
from .errors import ConfigError


def main() -> NoReturn:
    """Run the `syndicate` command (console-script entry point)."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        click.echo(f"syndicate: {exc}", err=True)
        sys.exit(2)
    logging.basicConfig(level=settings.server.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.server.log_level != "DEBUG":  # lines every command or every few seconds would print
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    app = create_app(settings)
    app.cli.main(prog_name="syndicate", obj=ScriptInfo(create_app=lambda: app))
    sys.exit(0)  # click exits itself; this line tells mypy so


if __name__ == "__main__":
    main()
