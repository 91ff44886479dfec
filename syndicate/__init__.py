"""syndicate: ingest articles, translate them offline with Argos Translate, publish feeds.

The rules this package keeps (the layers are checked by import-linter in ``make test``: see
``[tool.importlinter]`` in pyproject.toml):
- ``pipeline.py`` is the one thin orchestrator: it alone knows (fetch ->) ingest -> translate
  -> render -> publish. Each stage has its own module: ``fetch/poller`` (upstream feeds),
  ``sources`` (recording polls), ``commands`` (writes), ``translate/runner``,
  ``publish/publisher``, and ``queries`` (the read side views use); stages never call each
  other. Views, CLI commands and jobs call the pipeline.
- Pure core: ``ingest/``, ``addresses``, ``fetch/schedule``, ``translate/{segment,markup,
  article}`` and ``publish/{entries,render}`` never touch the database, the clock, the network
  or Flask. I/O lives at the edges: ``store/``, ``fetch/client``, ``translate/{argos,packages}``,
  ``publish/{writer,websub}``, ``web/``, ``cli.py``, ``jobs/``.
- Nothing below ``web/`` (and ``cli.py``) imports Flask. ``create_app`` only wires parts.
- One exception tree (``errors.py``); ``web/problems.py`` alone maps it to HTTP.
"""

from __future__ import annotations

from flask import Flask

from .config import Settings
from .services import EXTENSION_KEY, Services

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app: wire settings, services, blueprints and commands; nothing else."""
    from . import cli, web

    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = Services.build(settings)
    web.init_app(app)
    cli.init_app(app)
    return app
