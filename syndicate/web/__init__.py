"""The web layer: one blueprint per audience, and the one error mapping.

- ``api``: producers (bearer token, JSON in and out) under /api/v1
- ``admin``: operators (operator token): republish, retranslate, jobs, status, audit
- ``dashboard``: operators in a browser (/admin/, token kept in an HttpOnly cookie)
- ``public``: readers and partners (no auth): health, and the feeds
Nothing below ``web/`` imports Flask; views parse requests into input types and call the pipeline.
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from ..service import EXTENSION_KEY
from . import access, admin, api, dashboard, files, metrics, openapi, problems, public

# No script at all, styles from the page itself, images from anywhere safe (articles show
# their producers' images), forms only to this site, and never inside another site's frame.
CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
       "img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")


def security_headers(response: Response) -> Response:
    """Add the headers every answer carries, and those of HTML pages."""
    for name, value in files.SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Register the blueprints and the error mapping."""
    app.url_map.strict_slashes = False  # /api/v1/articles/ is /api/v1/articles
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(public.bp)
    problems.init_app(app)
    app.after_request(security_headers)
    settings = app.extensions[EXTENSION_KEY].settings
    app.wsgi_app = files.FeedFiles(  # type: ignore[method-assign]
        app.wsgi_app, public.FILES, settings.feeds.feeds_dir, settings.translation.languages,
        settings.feeds.publish_interval)
    if settings.server.proxy_hops:  # behind nginx: the client's address and scheme come from it
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.server.proxy_hops, x_proto=settings.server.proxy_hops)
    if settings.server.access_log:  # outermost: it sees the client's address ProxyFix found
        app.wsgi_app = access.AccessLog(app.wsgi_app)  # type: ignore[method-assign]
