"""The web layer: one blueprint per audience, and the one error mapping.

- ``api``: producers (bearer token, JSON in and out) under /api/v1
- ``admin``: operators (operator token): republish, retranslate, jobs, status, audit
- ``public``: readers and partners (no auth): health, and the feeds
Nothing below ``web/`` imports Flask; views parse requests into input types and call the pipeline.
"""

from __future__ import annotations

from flask import Flask

from . import admin, api, problems, public


def init_app(app: Flask) -> None:
    """Register the blueprints and the error mapping."""
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(public.bp)
    problems.init_app(app)
