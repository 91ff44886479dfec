"""The OpenAPI 3.1 document, generated: paths from the app's URL map, summaries from the views'
docstrings, request bodies from the JSON Schemas that validate them (``ingest/schemas.py``)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template

from ..ingest import schemas

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_PROBLEM = {"$ref": "#/components/schemas/Problem"}
_OBJECT = {"type": "object"}

_QUERY: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "api.list_articles": [("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                          ("cursor", {"type": "string"}),
                          ("include_retracted", {"type": "boolean"})],
    "api.create_or_update": [(name, {"type": "string"}) for name in (
        "guid", "title", "language", "summary", "author", "link", "categories", "published",
        "updated")],
    "admin.jobs": [("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                   ("before", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}),
                   ("job", {"type": "string"})],
    "admin.audit": [("before", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1})],
    "admin.feeds_check": [("partner", {"type": "string"})],
    "public.named_feed": [("key", {"type": "string"})],
    "api.retract_article": [("reason", {"type": "string", "maxLength": 500})],
    "api.get_ninjs": [("lang", {"type": "string"})],
    "api.export_xliff": [("lang", {"type": "string"}),
                         ("status", {"enum": ["held", "done", "all"]}),
                         ("since", {"type": "string", "format": "date-time"}),
                         ("version", {"enum": ["2.1", "1.2"]}),
                         ("from", {"type": "string"})],
}
_BODIES: dict[str, dict[str, Any]] = {
    "api.create_or_update": {
        "application/json": {"schema": schemas.ARTICLE},
        "text/plain": {"schema": {"type": "string"}},
        "text/markdown": {"schema": {"type": "string"}},
        "text/html": {"schema": {"type": "string"}},
    },
    "api.put_translation": {"application/json": {"schema": schemas.EDIT}},
    "api.review_translation": {"application/json": {"schema": schemas.REVIEW}},
    "admin.republish": {"application/json": {"schema": schemas.REPUBLISH}},
    "admin.retranslate_article": {"application/json": {"schema": schemas.RETRANSLATE}},
    "admin.retranslate_all": {"application/json": {"schema": schemas.RETRANSLATE_ALL}},
    "admin.put_feed": {"application/json": {"schema": schemas.NAMED_FEED}},
    "admin.create_partner": {"application/json": {"schema": schemas.PARTNER}},
    "admin.create_source": {"application/json": {"schema": schemas.SOURCE}},
    "api.import_xliff": {"application/xliff+xml": {"schema": {"type": "string"}}},
    "admin.change_source": {"application/json": {"schema": schemas.SOURCE_CHANGE}},
}
_ROLES = {"api": "producer", "admin": "operator"}
_OPERATOR_ONLY = {"api.put_translation"}
_REVIEWER = {"api.export_xliff", "api.import_xliff"}  # reviewers (and operators)
_SUCCESS = {"api.create_or_update": ("201", "Created (200 when updated or unchanged)"),
            "admin.republish": ("202", "Queued, or joined the equal job under way"),
            "admin.retranslate_article": ("202", "Queued"),
            "admin.retranslate_all": ("202", "Queued"),
            "admin.create_source": ("201", "Registered"),
            "admin.fetch_source": ("202", "Due now")}
_CONFLICTS = {"admin.create_source": "A source with this URL exists",
              "admin.fetch_source": "The source is paused"}
_MEDIA = {"public.feed": "application/xml", "public.archive": "application/atom+xml",
          "public.stylesheet": "text/xsl", "public.index": "text/html",
          "public.opml": "text/x-opml", "public.article_page": "text/html",
          "public.feed_page": "text/html", "public.news_sitemap": "application/xml",
          "public.robots": "text/plain", "api.export_xliff": "application/xliff+xml",
          "metrics.metrics": "text/plain", "openapi.docs": "text/html",
          "dashboard.home": "text/html"}


def document(app: Flask) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document for every route of the app."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        path = _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule, method)
    return {
        "openapi": "3.1.0",
        "info": {"title": "syndicate", "version": "1",
                 "description": "Ingest articles, translate them offline, publish feeds."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status"],
                            "properties": {
                                "type": {"type": "string"}, "title": {"type": "string"},
                                "status": {"type": "integer"}, "detail": {"type": "string"},
                                "field": {"type": "string"},
                                "errors": {"type": "array", "items": {
                                    "type": "object", "properties": {
                                        "field": {"type": "string"},
                                        "detail": {"type": "string"}}}}}},
            },
        },
    }


def _operation(app: Flask, rule: Any, method: str) -> dict[str, Any]:
    endpoint = rule.endpoint
    view = app.view_functions[endpoint]
    doc = (view.__doc__ or endpoint).strip().splitlines()[0]
    blueprint = endpoint.split(".", 1)[0]
    operation: dict[str, Any] = {"operationId": endpoint.replace(".", "_") + "_" + method.lower(),
                                 "summary": doc, "tags": [blueprint]}
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
                   if conv == "int" else {"type": "string"}}
                  for conv, name in _PARAM.findall(rule.rule)]
    parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                   for name, schema in _QUERY.get(endpoint, [])]
    if parameters:
        operation["parameters"] = parameters
    if endpoint in _BODIES:
        operation["requestBody"] = {"required": endpoint == "api.create_or_update",
                                    "content": _BODIES[endpoint]}
    code, text = _SUCCESS.get(endpoint, ("200", "OK"))
    media = _MEDIA.get(endpoint, "application/json")
    responses: dict[str, Any] = {code: {"description": text,
                                        "content": {media: {"schema": _OBJECT if media ==
                                                            "application/json" else
                                                            {"type": "string"}}}}}
    problems = {"404": "Not found", "422": "A field is invalid", "400": "Malformed body"}
    role = "operator" if endpoint in _OPERATOR_ONLY else "reviewer" if endpoint in _REVIEWER \
        else _ROLES.get(blueprint)
    if role:
        operation["security"] = [{"bearer": []}]
        operation["description"] = f"Needs a bearer token with role `{role}`."
        problems |= {"401": "No, unknown or revoked token", "403": f"Needs role {role}"}
        if method != "GET":
            problems["429"] = "Too many writes from this token (Retry-After)"
    if endpoint in _CONFLICTS:
        problems["409"] = _CONFLICTS[endpoint]
    if endpoint == "api.create_or_update":
        problems |= {"413": "Body over the size limit", "415": "Unsupported content type"}
    for status, description in problems.items():
        responses[status] = {"description": description,
                             "content": {"application/problem+json": {"schema": _PROBLEM}}}
    operation["responses"] = responses
    return operation


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """Return the OpenAPI 3.1 document of this API."""
    body = json.dumps(document(current_app), indent=2)
    return Response(body, content_type="application/json")


@bp.get("/docs")
def docs() -> str:
    """Show the API documentation as a page."""
    spec = document(current_app)
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            schema = body.get("application/json", {}).get("schema")
            operations.append({
                "method": method.upper(), "path": path, "summary": op["summary"],
                "description": op.get("description", ""),
                "parameters": ", ".join(p["name"] for p in op.get("parameters", [])),
                "schema": json.dumps(schema, indent=2) if schema else None,
                "responses": ", ".join(op["responses"])})
    return render_template("api_docs.html", name=__name__.split(".")[0], operations=operations)
