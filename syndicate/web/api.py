"""The producers' API: ingest, read back, page and retract articles (JSON, bearer tokens)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from .. import languages
from ..clock import rfc3339
from ..errors import NotFound, ValidationError
from ..ingest import fields
from ..ingest.edits import parse_edit, parse_review
from ..ingest.schemas import decoded
from ..models import (
    Article,
    BlockType,
    Edit,
    IngestOutcome,
    Role,
    Translation,
    TranslationStatus,
    standing,
)
from .audit import audited
from .auth import current_token, require
from .context import service

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")

_LIST_PARAMS = frozenset({"limit", "cursor", "include_retracted"})
_MAX_LIMIT = 200


@bp.post("/articles")
@require(Role.PRODUCER)
def create_or_update() -> tuple[Response, int, dict[str, str]]:
    """Ingest an article in JSON, plain text, Markdown or HTML; upsert by guid."""
    body = request.get_data(cache=False)
    params = {key: request.args.getlist(key) for key in request.args}
    # Without a guid, a text document is known by its content: posting it again is a no-op.
    fallback = "sha256:" + hashlib.sha256(body).hexdigest()
    svc = service()
    data = svc.articles.parse(body, request.content_type, params, guid_fallback=fallback)
    result = svc.articles.ingest(data, producer=current_token().name)
    status = 201 if result.outcome is IngestOutcome.CREATED else 200
    location = url_for("api.get_article", article_id=result.article.id)
    payload = {"outcome": result.outcome.value, **article_json(result.article)}
    return jsonify(payload), status, {"Location": location}


@bp.get("/articles")
@require(Role.PRODUCER)
def list_articles() -> Response:
    """Return a page of articles, newest first, with a link to the next page."""
    unknown = sorted(set(request.args) - _LIST_PARAMS)
    if unknown:
        raise ValidationError.single(unknown[0], "unknown query parameter; allowed: "
                                     + ", ".join(sorted(_LIST_PARAMS)))
    limit = _int_param("limit", default=20, low=1, high=_MAX_LIMIT)
    include_retracted = _bool_param("include_retracted")
    cursor = request.args.get("cursor")
    found = service().articles.page(limit=limit, cursor=cursor,
                                                 include_retracted=include_retracted,
                                                 producer=_own())
    next_url = None
    if found.next_cursor:
        next_url = url_for("api.list_articles", limit=limit, cursor=found.next_cursor,
                           include_retracted=str(include_retracted).lower())
    return jsonify({"items": [article_json(a, with_blocks=False) for a in found.items],
                    "next": next_url})


@bp.get("/articles/<article_id>")
@require(Role.PRODUCER, Role.REVIEWER)
def get_article(article_id: str) -> Response:
    """Return one article with its blocks and translation states."""
    return jsonify(article_json(service().articles.get(article_id, _own())))


@bp.get("/articles/<article_id>/translations/<language>")
@require(Role.PRODUCER, Role.REVIEWER)
def get_translation(article_id: str, language: str) -> Response:
    """Return an article in one language: title, summary, blocks, status, engine, history."""
    article, translation, edits = service().articles.translation(
        article_id, _language(language), _own())
    return jsonify(translation_json(article, translation, edits))


@bp.get("/articles/<article_id>/ninjs")
@require(Role.PRODUCER, Role.REVIEWER)
def get_ninjs(article_id: str) -> Response:
    """Return a published article in one language (``?lang=``; its own by default) as an
    IPTC ninjs 2.3 document; 410 once retracted, 404 while not published in that language."""
    unknown = sorted(set(request.args) - {"lang"})
    if unknown:
        raise ValidationError.single(unknown[0], "unknown query parameter; allowed: lang")
    svc = service()
    article = svc.articles.get(article_id, _own())
    lang = request.args.get("lang", "").strip()
    try:
        language = languages.resolve(lang).tag if lang else article.language
    except languages.UnknownLanguage as exc:
        raise ValidationError.single("lang", str(exc)) from None
    body = svc.publisher.ninjs(article_id, language)
    return Response(body, content_type="application/json; charset=utf-8")


@bp.put("/articles/<article_id>/translations/<language>")
@require(Role.REVIEWER)
def put_translation(article_id: str, language: str) -> Response:
    """Store a human post-edit that later machine passes never overwrite."""
    svc = service()
    lang = _language(language)
    article = svc.articles.get(article_id)
    lists = frozenset(i for i, b in enumerate(article.blocks) if b.type is BlockType.LIST)
    edit = parse_edit(decoded(request.get_data(cache=False)), lists)
    svc.articles.post_edit(article_id, lang, edit, editor=current_token().name)
    audited("post_edit", {"article": article_id, "language": lang,
                          "fields": sorted(edit.fields)}, "stored")
    return jsonify(translation_json(*svc.articles.translation(article_id, lang)))


@bp.get("/xliff")
@require(Role.REVIEWER)
def export_xliff() -> Response:
    """Export a language's translations as XLIFF 2.1 (or ``version=1.2``) for a CAT tool:
    ``lang``, ``status`` (held, done, all), ``since`` (RFC 3339), ``from`` (source language)."""
    unknown = sorted(set(request.args) - {"lang", "status", "since", "version", "from"})
    if unknown:
        raise ValidationError.single(unknown[0], "unknown query parameter; allowed: lang, "
                                     "status, since, version, from")
    if not request.args.get("lang"):
        raise ValidationError.single("lang", "give the target language")
    problems = fields.Problems()
    since = fields.timestamp(request.args.get("since"), "since", problems)
    problems.raise_if_any()
    version = request.args.get("version", "2.1")
    lang = _language(request.args["lang"])
    data = service().exchange.export_xliff(lang, status=request.args.get("status", "all"),
                                           since=since, version=version,
                                           source=request.args.get("from") or None)
    return Response(data, content_type="application/xliff+xml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="syndicate-{lang}.xlf"'})


@bp.post("/xliff")
@require(Role.REVIEWER)
def import_xliff() -> Response:
    """Import a translator's XLIFF (2.x or 1.2): changed targets become post-edits; an
    article whose source changed since export is refused whole, and reported."""
    report = service().exchange.import_xliff(request.get_data(cache=False),
                                             editor=current_token().name)
    audited("xliff_import", {"applied": sorted(report.applied),
                             "refused": sorted({r.article_id for r in report.refused})},
            "stored" if report.applied else "nothing stored")
    return jsonify(report.to_dict())


@bp.get("/review")
@require(Role.REVIEWER)
def review_queue() -> Response:
    """List held translations oldest first: source and translation side by side, and what
    the checks found."""
    unknown = sorted(set(request.args) - {"language", "limit"})
    if unknown:
        raise ValidationError.single(unknown[0], "unknown query parameter; allowed: "
                                     "language, limit")
    lang = _language(request.args["language"]) if request.args.get("language") else None
    limit = _int_param("limit", default=50, low=1, high=500)
    items = service().review.held(lang, limit)
    return jsonify({"items": [{"source": article_json(a), **translation_json(a, t, [])}
                              for a, t in items]})


@bp.post("/articles/<article_id>/translations/<language>/review")
@require(Role.REVIEWER)
def review_translation(article_id: str, language: str) -> Response:
    """Approve a translation (published at once, numbered now) or reject it (kept out)."""
    svc = service()
    lang = _language(language)
    decision, note = parse_review(decoded(request.get_data(cache=False)))
    svc.review.decide(article_id, lang, decision, current_token().name, note)
    audited("review", {"article": article_id, "language": lang, "decision": decision},
            "recorded")
    return jsonify(translation_json(*svc.articles.translation(article_id, lang)))


@bp.delete("/articles/<article_id>")
@require(Role.PRODUCER)
def retract_article(article_id: str) -> Response:
    """Retract an article: kept in the store, dropped from the feeds by the next publish
    (the publisher takes it up within seconds; the request never waits for it)."""
    unknown = sorted(set(request.args) - {"reason"})
    if unknown:
        raise ValidationError.single(unknown[0], "unknown query parameter; allowed: reason")
    problems = fields.Problems()
    reason = fields.text(request.args.get("reason"), "reason", problems, required=False,
                         max_len=500)
    problems.raise_if_any()
    svc = service()
    svc.articles.get(article_id, _own())  # another producer's article: 404
    return jsonify(article_json(svc.articles.retract(article_id, reason)))


def _own() -> str | None:
    """Return the producer whose articles this token may see (None: operators and
    reviewers see all)."""
    token = current_token()
    return token.name if token.role is Role.PRODUCER else None


def article_json(article: Article, *, with_blocks: bool = True) -> dict[str, Any]:
    """Return the API view of an article."""
    out: dict[str, Any] = {
        "id": article.id,
        "guid": article.guid,
        "producer": article.producer,
        "language": article.language,
        "title": article.title,
        "summary": article.summary,
        "author": article.author,
        "link": article.link,
        "categories": list(article.categories),
        "published": rfc3339(article.published),
        "updated": rfc3339(article.updated),
        "revision": article.revision,
        "retracted": rfc3339(article.retracted),
        "image": article.image.to_dict() if article.image else None,
        "url": url_for("api.get_article", article_id=article.id),
    }
    if with_blocks:
        out["blocks"] = [b.to_dict() for b in article.blocks]
        out["block_hashes"] = list(article.block_hashes)
        out["translations"] = dict(article.translations)
        out["checks"] = dict(article.checks)  # language: whether the checks passed
    return out


def translation_json(article: Article, translation: Translation,
                     edits: list[Edit]) -> dict[str, Any]:
    """Return the API view of a translation and its post-edit history."""
    return {
        "article_id": article.id,
        "language": translation.language,
        "status": translation.status.value,
        "complete": translation.status is TranslationStatus.DONE
        and translation.source_revision == article.revision,
        "article_revision": article.revision,
        "source_revision": translation.source_revision,
        "title": translation.title,
        "summary": translation.summary,
        "blocks": [b.to_dict() for b in translation.blocks],
        "image_text": translation.image_text,
        "engine": translation.engine,
        "model": translation.model,
        "attempts": translation.attempts,
        "error": translation.error,
        "next_attempt": rfc3339(translation.next_attempt),
        "requested": rfc3339(translation.requested),
        "confidence": translation.confidence,
        "checks": {"passed": translation.passed,
                   "findings": [f.to_dict() for f in translation.findings]},
        # a person stands behind every field it publishes (models.standing.reviewed)
        "reviewed": standing.reviewed(translation),
        "human_fields": sorted(standing.human_fields(translation)),
        "review": None if translation.review is None else {
            "decision": translation.review.decision, "by": translation.review.by,
            "at": rfc3339(translation.review.at), "note": translation.review.note},
        "updated": rfc3339(translation.updated),
        "history": [{"id": e.id, "field": e.field, "text": e.text, "editor": e.editor,
                     "created": rfc3339(e.created), "stale": rfc3339(e.stale)}
                    for e in edits],
    }


def _language(tag: str) -> str:
    try:
        return languages.resolve(tag).tag
    except languages.UnknownLanguage as exc:
        raise NotFound(str(exc)) from None


def _int_param(name: str, *, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationError.single(name, f"must be a whole number from {low} to {high}")
    return value


def _bool_param(name: str) -> bool:
    raw = request.args.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise ValidationError.single(name, "must be true or false")
    return raw in ("true", "1")
