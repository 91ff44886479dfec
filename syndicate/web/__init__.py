"""The web layer: one blueprint per audience, and the one error mapping.

- ``api``: producers (bearer token, JSON in and out) under /api/v1
- ``admin``: operators (operator token): republish, retranslate, jobs, status, audit
- ``dashboard``: operators in a browser (/admin/, token kept in an HttpOnly cookie)
- ``public``: readers and partners (no auth): health, and the feeds
Nothing below ``web/`` imports Flask; views parse requests into input types and call the pipeline.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..services import EXTENSION_KEY
from . import admin, api, dashboard, feeds, metrics, openapi, problems, public


def init_app(app: Flask) -> None:
    """Register the blueprints and the error mapping."""
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(public.bp)
    problems.init_app(app)
    settings = app.extensions[EXTENSION_KEY].settings
    app.wsgi_app = feeds.FeedFiles(  # type: ignore[method-assign]
        app.wsgi_app, public.FILES, settings.feeds_dir, settings.languages,
        settings.publish_interval)
    if settings.proxy_hops:  # behind nginx: the client's address and scheme come from it
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
