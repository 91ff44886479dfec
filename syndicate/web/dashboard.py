"""The operators' dashboard: a server-rendered page, no JavaScript needed.

Signing in puts the operator's token in an HttpOnly, SameSite=Strict cookie; each request checks
it like a bearer token (so revoking the token signs the operator out at once). Buttons are plain
forms that queue the same jobs as the API, audited under the token's name.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template_string, request
from flask.typing import ResponseReturnValue

from ..errors import AuthError, ValidationError
from ..jobs import queue
from ..models import Role, Token
from .audit import audited
from .auth import authenticate, take_write
from .context import services

bp = Blueprint("dashboard", __name__, url_prefix="/admin")
COOKIE = "syndicate_operator"


def _operator() -> Token | None:
    secret = request.cookies.get(COOKIE)
    if not secret:
        return None
    try:
        token = services().pipeline.queries.authenticate(secret)
    except AuthError:
        return None
    return token if token.role is Role.OPERATOR else None


@bp.get("/")
def home() -> str | tuple[str, int]:
    """Show the sign-in form, or the status, jobs and actions."""
    token = _operator()
    if token is None:
        return render_template_string(_SIGN_IN, error=None)
    svc = services()
    runs = svc.pipeline.queries.jobs(limit=15)
    failed = [r for r in runs if r.state in ("failed", "abandoned")]
    return render_template_string(_PAGE, token=token, status=svc.pipeline.status()["languages"],
                                  runs=runs, failed=failed, message=request.args.get("message"),
                                  languages=svc.settings.target_languages)


@bp.post("/sign-in")
def sign_in() -> ResponseReturnValue:
    """Check an operator token and keep it in a cookie."""
    secret = request.form.get("token", "").strip()
    try:
        token = authenticate(secret)
    except AuthError as exc:
        return render_template_string(_SIGN_IN, error=str(exc)), 401
    if token.role is not Role.OPERATOR:
        return render_template_string(_SIGN_IN, error="this needs an operator token"), 403
    response = redirect("/admin/", code=303)
    response.set_cookie(COOKIE, secret, httponly=True, samesite="Strict",
                        secure=request.is_secure, path="/admin")
    return response


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """Forget the token."""
    response = redirect("/admin/", code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@bp.post("/republish")
def republish() -> ResponseReturnValue:
    """Queue a republish of every language."""
    return _queue("republish", {"languages": None})


@bp.post("/retranslate")
def retranslate() -> ResponseReturnValue:
    """Queue a retranslation of every article into the chosen languages."""
    chosen = sorted(set(request.form.getlist("languages")))
    if not chosen or not set(chosen) <= set(services().settings.target_languages):
        raise ValidationError.single("languages", "choose one or more target languages")
    return _queue("retranslate", {"articles": None, "force": request.form.get("force") == "on",
                                  "languages": chosen})


def _queue(job: str, params: dict[str, Any]) -> ResponseReturnValue:
    token = _operator()
    if token is None:
        return render_template_string(_SIGN_IN, error="sign in first"), 401
    take_write(token.name)
    g.token = token
    run, new = queue.request(services(), job, params, token.name)
    audited(job, params, f"{'queued' if new else 'joined'} run {run.id} (dashboard)")
    verb = "queued" if new else "joined"
    return redirect(f"/admin/?message={job}+job+{run.id}+{verb}", code=303)


_STYLE = """<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:64em;margin:1.5em auto;padding:0 1em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left}
.failed{color:#a00}.succeeded{color:#070}.note{background:#eef;padding:.5em 1em}
form.inline{display:inline}button{padding:.3em .9em}
</style>"""

_SIGN_IN = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>syndicate — sign in</title>""" + _STYLE + """</head><body>
<h1>syndicate operators</h1>
{% if error %}<p class="failed" role="alert">{{ error }}</p>{% endif %}
<form method="post" action="/admin/sign-in">
<label>Operator token <input type="password" name="token" autocomplete="off" required
 size="50"></label> <button type="submit">Sign in</button></form>
</body></html>"""

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5"><title>syndicate — dashboard</title>""" + _STYLE + """
</head><body>
<h1>syndicate operators</h1>
<p>Signed in as <strong>{{ token.name }}</strong>.
<form class="inline" method="post" action="/admin/sign-out"><button>Sign out</button></form></p>
{% if message %}<p class="note" role="status">{{ message }}</p>{% endif %}
<h2>Languages</h2>
<table id="status"><tr><th>Language</th><th>Model</th><th>Done</th><th>Pending</th>
<th>Failed</th><th>Unavailable</th><th>Last publish</th><th>Feeds</th></tr>
{% for s in status %}<tr data-language="{{ s.language }}"><td>{{ s.name }} ({{ s.language }})</td>
<td>{% if s.source %}source{% elif s.model.installed %}{{ s.model.version }}{% else %}
<span class="failed">no package</span>{% endif %}</td>
<td>{{ s.articles.done }}</td><td>{{ s.articles.pending }}</td>
<td class="{{ 'failed' if s.articles.failed }}">{{ s.articles.failed }}</td>
<td>{{ s.articles.unavailable }}</td><td>{{ s.last_publish or "never" }}</td>
<td><a href="{{ s.feeds.rss }}">RSS</a> <a href="{{ s.feeds.atom }}">Atom</a></td></tr>
{% endfor %}</table>
<h2>Actions</h2>
<form method="post" action="/admin/republish"><button id="republish">Republish all feeds
</button></form>
<form method="post" action="/admin/retranslate"><fieldset><legend>Retranslate every article
</legend>{% for lang in languages %}<label><input type="checkbox" name="languages"
 value="{{ lang }}"> {{ lang }}</label> {% endfor %}
<label><input type="checkbox" name="force"> bypass the translation memory</label>
<button id="retranslate">Retranslate</button></fieldset></form>
<h2>Recent jobs</h2>
<table id="jobs"><tr><th>#</th><th>Job</th><th>State</th><th>By</th><th>Started</th>
<th>Finished</th><th>Counts / error</th></tr>
{% for r in runs %}<tr data-job="{{ r.id }}"><td>{{ r.id }}</td><td>{{ r.job }}</td>
<td class="{{ r.state }}">{{ r.state }}</td><td>{{ r.requested_by or r.trigger }}</td>
<td>{{ r.started.strftime("%H:%M:%S") }}</td>
<td>{{ r.finished.strftime("%H:%M:%S") if r.finished else "" }}</td>
<td>{{ r.error or r.counts }}</td></tr>{% endfor %}</table>
{% if failed %}<h2 class="failed">Failures</h2><ul>{% for r in failed %}
<li>{{ r.job }} #{{ r.id }} {{ r.state }}: {{ r.error }}</li>{% endfor %}</ul>{% endif %}
</body></html>"""
