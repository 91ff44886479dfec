"""WSGI entry point for production servers: ``gunicorn 'syndicate.wsgi:app'``.

The app never starts a scheduler by itself, so any number of gunicorn workers is safe; run
exactly one ``syndicate scheduler`` beside them (its lock refuses a second one).
"""

from __future__ import annotations

import logging

from . import create_app
from .config import Settings

settings = Settings.from_env()
logging.basicConfig(level=settings.server.log_level,
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app(settings)
