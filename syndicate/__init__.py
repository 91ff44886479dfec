"""syndicate: ingest articles, translate them offline with Argos Translate, publish feeds.

The rules this package keeps (the layers are checked by import-linter in ``make test``: see
``[tool.importlinter]`` in pyproject.toml):
- Entry points (``web/``, ``cli/``, ``jobs/``) reach the stages and the store through one door,
  ``service/``: ``service/container`` is the only composition root, ``service/pipeline`` alone
  knows the order (fetch ->) ingest -> translate -> publish, and one module per noun holds that
  noun's writes and reads. Stages (``fetch``, ``ingest``, ``translate``, ``publish``) never call
  each other.
- Pure core: ``ingest/``, ``addresses``, ``fetch/schedule``, ``translate/{segment,markup,
  article}`` and ``publish/{entries,render}`` never touch the database, the clock, the network
  or Flask. I/O lives at the edges: ``store/``, ``fetch/client``, ``translate/{argos,packages}``,
  ``publish/{writer,websub}``, ``web/``, ``cli/``, ``jobs/``.
- Nothing below ``web/`` and ``cli/`` imports Flask. ``create_app`` only wires parts;
  ``__main__`` (the ``syndicate`` command) builds the app, so no arrow runs back up.
- One exception tree (``errors.py``); ``web/problems.py`` alone maps it to HTTP.
"""

from __future__ import annotations

from flask import Flask

from .config import Settings
from .service import EXTENSION_KEY, Service

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app: wire settings, service, blueprints and commands; nothing else."""
    from . import cli, web

    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.database.instance_dir.resolve()))
    app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = Service.build(settings)
    web.init_app(app)
    cli.init_app(app)
    return app
