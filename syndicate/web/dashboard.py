"""The operators' dashboard: server-rendered pages (templates/), no JavaScript needed.

Signing in with an operator token opens a server-side session: the cookie holds a random id
(only its hash is stored; HttpOnly, SameSite=Strict, Secure whenever SYNDICATE_PUBLIC_URL is
https), it ends after SYNDICATE_SESSION_IDLE seconds unused, at sign-out, and when the token
is revoked. Every form carries the session's CSRF token, and every POST must come from this
site (Origin, else Referer). Buttons queue the same jobs as the API, audited under the token.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, redirect, render_template, request
from flask.typing import ResponseReturnValue

from ..errors import AuthError, Conflict, Forbidden, InputError, NotFound, ValidationError
from ..ingest.edits import parse_edit
from ..ingest.named_feeds import parse_named_feed
from ..ingest.sources import parse_source
from ..jobs import queue
from ..models import BlockType, Finding, Role, Token
from . import problems
from .audit import audited
from .auth import authenticate, take_write
from .context import service

bp = Blueprint("dashboard", __name__, url_prefix="/admin")
COOKIE = "syndicate_session"


@dataclass(frozen=True)
class FormError:
    """A form the operator sent that could not be taken: which, why, and what was typed."""

    form: str
    message: str
    values: dict[str, str]


def _in_place(form: str, action: Callable[[Token], ResponseReturnValue]) -> ResponseReturnValue:
    """Run a form's action as the signed-in operator; when the input is refused, show the page
    again with the error beside the form and the values kept (no raw problem page)."""
    acting = _acting_operator()
    if acting is None:
        return render_template("dashboard_sign_in.html", error="sign in first"), 401
    token, csrf = acting
    try:
        return action(token)
    except (InputError, NotFound, Conflict) as exc:
        values = {k: ", ".join(request.form.getlist(k)) for k in request.form if k != "csrf"}
        return _home(token, csrf, FormError(form, str(exc), values)), problems.status_of(exc)


@bp.before_request
def _same_site_only() -> None:
    """Refuse a state-changing request that another site's page sent."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    # SYNDICATE_PUBLIC_URL alone: the Host header is the client's to choose
    if not sent or _origin(sent) != _origin(service().settings.server.public_url):
        raise Forbidden("cross-site request refused: the dashboard takes forms from its own "
                        "pages only")


@bp.after_request
def _never_stored(response: Response) -> Response:
    """Keep the dashboard's pages (tokens, sources, partners) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()
    except ValueError:
        return ""


def _session() -> tuple[Token, str] | None:
    secret = request.cookies.get(COOKIE)
    if not secret:
        return None
    svc = service()
    return svc.access.resume_session(secret, svc.settings.server.session_idle)


def _checked_session() -> tuple[Token, str] | None:
    """Return the session of a POST whose form carries its CSRF token."""
    found = _session()
    if found is None:
        return None
    if not hmac.compare_digest(request.form.get("csrf", ""), found[1]):
        raise Forbidden("the form's CSRF token is missing or stale: reload the page")
    return found


@bp.get("/")
def home() -> ResponseReturnValue:
    """Show the sign-in form, or the status, jobs and actions."""
    found = _session()
    if found is None:
        return render_template("dashboard_sign_in.html", error=None)
    token, csrf = found
    return _home(token, csrf)


def _home(token: Token, csrf: str, failed_form: FormError | None = None) -> str:
    """Render the home page; a form that failed is shown again with its error and values."""
    svc = service()
    runs = svc.queries.jobs(limit=15)
    failed = [r for r in runs if r.state in ("failed", "abandoned")]
    findings = svc.publisher.check()
    by_partner: dict[str, int] = {}
    for finding in findings:
        by_partner[finding.partner] = by_partner.get(finding.partner, 0) + 1
    status = svc.queries.status()
    articles = svc.articles.page(limit=20, cursor=None, include_retracted=True,
                                 with_status=True).items
    return render_template("dashboard.html", token=token, csrf=csrf, findings=findings[:20],
                           failed_form=failed_form, articles=articles,
                           named=status["named_feeds"],
                           by_partner=by_partner, partners=[r.key for r in
                                                            svc.publisher.rule_sets()],
                           status=status["languages"], runs=runs, failed=failed,
                           message=request.args.get("message"),
                           sources=svc.sources.all(),
                           languages=svc.settings.translation.target_languages,
                           all_languages=svc.settings.translation.languages)


@bp.get("/review")
def review_queue() -> ResponseReturnValue:
    """Show held translations, source beside translation, the findings marked."""
    found = _session()
    if found is None:
        return render_template("dashboard_sign_in.html", error=None)
    token, csrf = found
    svc = service()
    language = request.args.get("language") or None
    if language is not None and language not in svc.settings.translation.target_languages:
        raise ValidationError.single("language", "is not a target language")
    items = svc.review.held(language, 50)
    held = {s["language"]: s["articles"]["held"] for s in svc.queries.status()["languages"]
            if not s["source"]}
    return render_template("dashboard_review.html", token=token, csrf=csrf, items=[
        (article, translation, _findings_by_field(translation.findings))
        for article, translation in items], language=language, held=held,
        message=request.args.get("message"))


def _findings_by_field(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    """Group findings by the field they are about ("title", "summary", "block 2")."""
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        key = finding.field if finding.block is None else f"block {finding.block}"
        out.setdefault(key, []).append(finding)
    return out


@bp.post("/review/<article_id>/<language>")
def review(article_id: str, language: str) -> ResponseReturnValue:
    """Approve, reject or edit (a post-edit of the title) a translation from the queue."""
    acting = _acting_operator()
    if acting is None:
        return render_template("dashboard_sign_in.html", error="sign in first"), 401
    token = acting[0]
    svc = service()
    action = request.form.get("action", "")
    note = request.form.get("note", "").strip() or None
    if action in ("approve", "reject"):
        svc.review.decide(article_id, language, action, token.name, note)
    elif action == "edit":
        article = svc.articles.get(article_id)
        lists = frozenset(i for i, b in enumerate(article.blocks) if b.type is BlockType.LIST)
        edit = parse_edit({"title": request.form.get("title", "")}, lists)
        svc.articles.post_edit(article_id, language, edit, editor=token.name)
    else:
        raise ValidationError.single("action", "must be approve, reject or edit")
    audited("review", {"article": article_id, "language": language, "decision": action},
            "recorded (dashboard)")
    done = {"approve": "approved", "reject": "rejected", "edit": "edited"}[action]
    return redirect(f"/admin/review?language={language}&message={article_id}+{language}+"
                    f"{done}", code=303)


@bp.post("/sign-in")
def sign_in() -> ResponseReturnValue:
    """Check an operator token and open a session."""
    secret = request.form.get("token", "").strip()
    try:
        token = authenticate(secret)
    except AuthError as exc:
        return render_template("dashboard_sign_in.html", error=str(exc)), 401
    if token.role is not Role.OPERATOR:
        return render_template("dashboard_sign_in.html",
                               error="this needs an operator token"), 403
    session_id, _ = service().access.open_session(token.name)
    response = redirect("/admin/", code=303)
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="Strict", path="/admin",
                        secure=service().settings.server.public_url.startswith("https:")
                        or request.is_secure)
    return response


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the session."""
    if _checked_session() is not None:
        service().access.close_session(request.cookies.get(COOKIE, ""))
    response = redirect("/admin/", code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@bp.post("/feeds")
def put_feed() -> ResponseReturnValue:
    """Create or replace a named feed from the dashboard's form."""
    return _in_place("save-feed", _put_feed)


def _listed(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _put_feed(_token: Token) -> ResponseReturnValue:
    form = request.form
    # Every field of a named feed is on the form (an edit shows what is stored): a field the
    # form leaves out would be reset by the save.
    body: dict[str, object] = {
        "languages": form.getlist("languages"), "mode": form.get("mode", "full"),
        "public": form.get("public") == "on", "reviewed_only": form.get("reviewed_only") == "on",
        "categories": _listed(form.get("categories", "")),
        "producers": _listed(form.get("producers", "")),
        "partners": _listed(form.get("partners", ""))}
    for number in ("entries", "max_bytes"):
        if form.get(number, "").strip():
            try:
                body[number] = int(form[number])
            except ValueError:
                raise ValidationError.single(number, "must be a whole number") from None
    name = form.get("name", "").strip()
    feed = parse_named_feed(name, body, service().settings.translation.languages)
    new = service().named_feeds.put(feed)
    audited("put_feed", {"name": name}, ("created" if new else "replaced") + " (dashboard)")
    return redirect(f"/admin/?message=feed+{name}+saved", code=303)


@bp.post("/sources")
def add_source() -> ResponseReturnValue:
    """Register an upstream feed from the dashboard's form (after one fetch that must read
    as a feed)."""
    return _in_place("add-source", _add_source)


def _add_source(_token: Token) -> ResponseReturnValue:
    form = request.form
    body: dict[str, Any] = {"url": form.get("url", "").strip()}
    for key in ("language", "producer"):
        if form.get(key, "").strip():
            body[key] = form[key].strip()
    for key in ("categories", "allow_hosts"):
        items = [c.strip() for c in form.get(key, "").split(",") if c.strip()]
        if items:
            body[key] = items
    interval = form.get("interval", "").strip()
    if interval:
        if not interval.isdigit():
            raise ValidationError.single("interval", "must be a whole number of seconds")
        body["interval"] = int(interval)
    source = service().sources.add(parse_source(body), check=True)
    audited("add_source", {"url": source.url, "producer": source.producer,
                           "allow_hosts": list(source.allow_hosts)},
            f"source {source.id} (dashboard)")
    return redirect(f"/admin/?message=source+{source.id}+added", code=303)


@bp.post("/sources/<int(max=2147483647):source_id>")
def change_source(source_id: int) -> ResponseReturnValue:
    """Fetch now, pause, resume or remove a source from the dashboard."""
    return _in_place(f"source-{source_id}", lambda _token: _change_source(source_id))


def _change_source(source_id: int) -> ResponseReturnValue:
    sources = service().sources
    action = request.form.get("action", "")
    acts = {"fetch": lambda: sources.fetch_now(source_id),
            "pause": lambda: sources.pause(source_id, True),
            "resume": lambda: sources.pause(source_id, False),
            "remove": lambda: sources.remove(source_id)}
    if action not in acts:
        raise ValidationError.single("action", f"must be one of {', '.join(acts)}")
    acts[action]()
    audited(f"{action}_source", {"source": source_id}, "done (dashboard)")
    return redirect(f"/admin/?message=source+{source_id}:+{action}+done", code=303)


@bp.post("/republish")
def republish() -> ResponseReturnValue:
    """Queue a republish of every language."""
    return _queue("republish", {"languages": None})


@bp.post("/retranslate")
def retranslate() -> ResponseReturnValue:
    """Queue a retranslation of every article into the chosen languages."""
    def queue_it(token: Token) -> ResponseReturnValue:
        chosen = sorted(set(request.form.getlist("languages")))
        if not chosen or not set(chosen) <= set(service().settings.translation.target_languages):
            raise ValidationError.single("languages", "choose one or more target languages")
        return _queued(token, "retranslate", {"articles": None, "languages": chosen,
                                              "force": request.form.get("force") == "on"})

    return _in_place("retranslate", queue_it)


def _acting_operator() -> tuple[Token, str] | None:
    """Return the operator behind a form POST and the session's CSRF token (session and CSRF
    checked, one write spent)."""
    found = _checked_session()
    if found is None:
        return None
    take_write(found[0].name)
    g.token = found[0]
    return found


def _queue(job: str, params: dict[str, Any]) -> ResponseReturnValue:
    return _in_place(job, lambda token: _queued(token, job, params))


def _queued(token: Token, job: str, params: dict[str, Any]) -> ResponseReturnValue:
    run, new = queue.request(service(), job, params, token.name)
    audited(job, params, f"{'queued' if new else 'joined'} run {run.id} (dashboard)")
    verb = "queued" if new else "joined"
    return redirect(f"/admin/?message={job}+job+{run.id}+{verb}", code=303)
