"""The operators' API: republish, retranslate, jobs, status, audit (operator tokens only)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..clock import rfc3339
from ..errors import ValidationError
from ..ingest import schemas
from ..ingest.named_feeds import parse_named_feed
from ..ingest.operator import parse_job_request
from ..ingest.schemas import decoded
from ..ingest.sources import parse_source, parse_source_change
from ..jobs import queue
from ..models import FeedPulls, JobRun, NamedFeed, Role, Source
from .audit import audited
from .auth import current_token, require
from .context import service

bp = Blueprint("admin", __name__, url_prefix="/api/v1")
_PAGE = 50
MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database


def _queue(job: str, params: dict[str, Any]) -> tuple[Response, int]:
    run, new = queue.request(service(), job, params, current_token().name)
    audited(job, params, f"{'queued' if new else 'joined'} run {run.id}")
    body = {"job": job_json(run), "joined": not new}
    return jsonify(body), 202


@bp.post("/republish")
@require(Role.OPERATOR)
def republish() -> tuple[Response, int]:
    """Re-render and republish without retranslating; joins a republish already under way."""
    req = parse_job_request(decoded(request.get_data(cache=False)), schema=schemas.REPUBLISH,
                            configured=service().settings.translation.languages)
    return _queue("republish", {"languages": list(req.languages) if req.languages else None})


@bp.post("/articles/<article_id>/retranslate")
@require(Role.OPERATOR)
def retranslate_article(article_id: str) -> tuple[Response, int]:
    """Translate one article again (force: bypass the memory, never human edits), republish."""
    svc = service()
    req = parse_job_request(decoded(request.get_data(cache=False)), schema=schemas.RETRANSLATE,
                            configured=svc.settings.translation.languages)
    svc.articles.get(article_id)  # 404 before anything is queued
    return _queue("retranslate", {"articles": [article_id], "force": req.force,
                                  "languages": list(req.languages) if req.languages else None})


@bp.post("/retranslate")
@require(Role.OPERATOR)
def retranslate_all() -> tuple[Response, int]:
    """Translate every live article into the given languages again (after a model upgrade)."""
    svc = service()
    req = parse_job_request(decoded(request.get_data(cache=False)), schema=schemas.RETRANSLATE_ALL,
                            configured=svc.settings.translation.languages)
    return _queue("retranslate", {"articles": None, "force": req.force,
                                  "languages": list(req.languages or ())})


@bp.get("/jobs")
@require(Role.OPERATOR)
def jobs() -> Response:
    """Return recent job runs, newest first, scheduled ones included."""
    before = _int_arg("before")
    limit = _int_arg("limit") or _PAGE
    if not 1 <= limit <= 200:
        raise ValidationError.single("limit", "must be a whole number from 1 to 200")
    runs = service().queries.jobs(limit=limit, job=request.args.get("job"),
                                            before=before)
    nxt = url_for("admin.jobs", limit=limit, before=runs[-1].id) if len(runs) == limit else None
    return jsonify({"items": [job_json(r) for r in runs], "next": nxt})


@bp.get("/jobs/<int(max=2147483647):run_id>")
@require(Role.OPERATOR)
def job(run_id: int) -> Response:
    """Return one job run."""
    return jsonify(job_json(service().queries.job(run_id)))


@bp.get("/status")
@require(Role.OPERATOR)
def status() -> Response:
    """Return, per language: model, article counts by status, last publish, feed URLs."""
    return jsonify(service().queries.status())


@bp.get("/feeds/check")
@require(Role.OPERATOR)
def feeds_check() -> Response:
    """Return what each partner's rules (or ?partner=) would reject in the feeds now."""
    findings = service().publisher.check(request.args.get("partner"))
    return jsonify({"findings": [dataclasses.asdict(f) for f in findings],
                    "count": len(findings)})


@bp.put("/feeds/<name>")
@require(Role.OPERATOR)
def put_feed(name: str) -> tuple[Response, int]:
    """Create or replace a named feed (per partner or category), published at
    /feeds/<name>/<lang>/ from the next publish on."""
    svc = service()
    feed = parse_named_feed(name, decoded(request.get_data(cache=False)),
                            svc.settings.translation.languages)
    new = svc.named_feeds.put(feed)
    audited("put_feed", {"name": name}, "created" if new else "replaced")
    return jsonify(feed_json(feed, [])), 201 if new else 200


@bp.get("/feeds")
@require(Role.OPERATOR)
def list_feeds() -> Response:
    """Return every named feed with its pulls per partner and language."""
    return jsonify({"items": [feed_json(f, p) for f, p in service().named_feeds.all()]})


@bp.delete("/feeds/<name>")
@require(Role.OPERATOR)
def delete_feed(name: str) -> Response:
    """Remove a named feed."""
    feed = service().named_feeds.delete(name)
    audited("delete_feed", {"name": name}, "removed")
    return jsonify(feed_json(feed, []))


@bp.post("/partners")
@require(Role.OPERATOR)
def create_partner() -> tuple[Response, int]:
    """Create (or renew) a partner's key for non-public feeds; the key is shown only now."""
    data = schemas.checked_object(decoded(request.get_data(cache=False)) or {}, schemas.PARTNER)
    name = str(data["name"]).strip()
    key = service().named_feeds.create_partner(name)
    audited("create_partner", {"name": name}, "key issued")
    return jsonify({"name": name, "key": key}), 201


@bp.delete("/partners/<name>")
@require(Role.OPERATOR)
def revoke_partner(name: str) -> Response:
    """Revoke a partner's key; it stops working at once."""
    service().named_feeds.revoke_partner(name)
    audited("revoke_partner", {"name": name}, "revoked")
    return jsonify({"name": name, "revoked": True})


@bp.post("/sources")
@require(Role.OPERATOR)
def create_source() -> tuple[Response, int, dict[str, str]]:
    """Register an upstream feed (RSS, Atom or JSON Feed); it is fetched within seconds."""
    source = service().sources.add(parse_source(decoded(request.get_data(cache=False))))
    audited("add_source", {"url": source.url, "producer": source.producer,
                           "allow_hosts": list(source.allow_hosts)}, f"source {source.id}")
    return jsonify(source_json(source)), 201, {
        "Location": url_for("admin.get_source", source_id=source.id)}


@bp.get("/sources")
@require(Role.OPERATOR)
def list_sources() -> Response:
    """Return every upstream source with what its last polls found."""
    return jsonify({"items": [source_json(s) for s in service().sources.all()]})


@bp.get("/sources/<int(max=2147483647):source_id>")
@require(Role.OPERATOR)
def get_source(source_id: int) -> Response:
    """Return one upstream source."""
    return jsonify(source_json(service().sources.get(source_id)))


@bp.patch("/sources/<int(max=2147483647):source_id>")
@require(Role.OPERATOR)
def change_source(source_id: int) -> Response:
    """Pause or resume a source, or change its language, interval or categories."""
    changes = parse_source_change(decoded(request.get_data(cache=False)))
    source = service().sources.change(source_id, changes)
    audited("change_source", {"source": source_id, **changes}, "done")
    return jsonify(source_json(source))


@bp.delete("/sources/<int(max=2147483647):source_id>")
@require(Role.OPERATOR)
def delete_source(source_id: int) -> Response:
    """Remove a source; the articles it brought stay."""
    source = service().sources.remove(source_id)
    audited("remove_source", {"source": source_id}, "removed")
    return jsonify(source_json(source))


@bp.post("/sources/<int(max=2147483647):source_id>/fetch")
@require(Role.OPERATOR)
def fetch_source(source_id: int) -> tuple[Response, int]:
    """Fetch a source now (the poller takes it up within seconds)."""
    source = service().sources.fetch_now(source_id)
    audited("fetch_source", {"source": source_id}, "due now")
    return jsonify(source_json(source)), 202


def source_json(source: Source) -> dict[str, Any]:
    """Return a source as the API shows it."""
    return source.to_dict()


def feed_json(feed: NamedFeed, pulls: list[FeedPulls]) -> dict[str, Any]:
    """Return the API view of a named feed and its pulls."""
    base = service().settings.server.public_url
    return {**dataclasses.asdict(feed), "mode": feed.mode.value,
            "urls": {lang: {f: f"{base}/feeds/{feed.name}/{lang}/{f}"
                            for f in ("rss.xml", "atom.xml", "feed.json")}
                     for lang in feed.languages},
            "pulls": [{"partner": p.partner, "language": p.language, "requests": p.requests,
                       "not_modified_share": round(p.not_modified / p.requests, 3),
                       "last_pull": rfc3339(p.last_pull)} for p in pulls]}


@bp.get("/audit")
@require(Role.OPERATOR)
def audit() -> Response:
    """Return operator actions, newest first."""
    entries = service().access.audit_log(limit=_PAGE, before=_int_arg("before"))
    return jsonify({"items": [
        {"id": e.id, "actor": e.actor, "action": e.action, "params": e.params,
         "outcome": e.outcome, "time": rfc3339(e.created)} for e in entries]})


def job_json(run: JobRun) -> dict[str, Any]:
    """Return the API view of a job run."""
    return {"id": run.id, "job": run.job, "state": run.state, "trigger": run.trigger,
            "requested_by": run.requested_by, "params": run.params, "counts": run.counts,
            "error": run.error, "queued": rfc3339(run.queued), "started": rfc3339(run.started),
            "finished": rfc3339(run.finished),
            "url": url_for("admin.job", run_id=run.id)}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise ValidationError.single(name, f"must be a whole number from 0 to {MAX_ID}")
    return int(raw)

