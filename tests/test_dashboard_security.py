"""The dashboard against cross-site attacks: server-side sessions, CSRF tokens, same-origin
POSTs, Secure cookies, and the security headers of every HTML page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.models import Role
from syndicate.service import Service
from syndicate.store import tokens as token_store

from .conftest import make_token
from .test_api_articles import article_body

SAME_SITE = {"Origin": "http://localhost"}


def test_the_dashboard_refuses_producers_and_unsigned_actions(client: FlaskClient,
                                                              producer: dict[str, str]) -> None:
    secret = producer["Authorization"].removeprefix("Bearer ")
    assert client.post("/admin/sign-in", data={"token": secret},
                       headers=SAME_SITE).status_code == 403
    assert client.post("/admin/republish", headers=SAME_SITE).status_code == 401
    assert b"Operator token" in client.get("/admin/").data


def _csrf(client: FlaskClient) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "every form carries the CSRF token"
    return match.group(1)


def _sign_in(client: FlaskClient, operator: dict[str, str]) -> str:
    secret = operator["Authorization"].removeprefix("Bearer ")
    answer = client.post("/admin/sign-in", data={"token": secret}, headers=SAME_SITE)
    assert answer.status_code == 303
    cookie = client.get_cookie("syndicate_session", path="/admin")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert secret not in cookie.value  # the cookie is a session id, never the API token
    return cookie.value


def test_cross_site_and_forged_posts_are_refused(client: FlaskClient,
                                                 operator: dict[str, str]) -> None:
    _sign_in(client, operator)
    csrf = _csrf(client)
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"},
                    {}):
        answer = client.post("/admin/republish", data={"csrf": csrf}, headers=headers)
        assert answer.status_code == 403, headers
    assert client.post("/admin/republish", data={"csrf": "forged"},
                       headers=SAME_SITE).status_code == 403
    assert client.post("/admin/republish", data={"csrf": csrf},
                       headers=SAME_SITE).status_code == 303


def test_sessions_end_at_sign_out_when_idle_and_when_the_token_is_revoked(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_SESSION_IDLE="60")
    service = app.extensions["syndicate"]
    client = app.test_client()
    operator = {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}
    _sign_in(client, operator)
    client.post("/admin/sign-out", data={"csrf": _csrf(client)}, headers=SAME_SITE)
    assert b"Operator token" in client.get("/admin/").data  # signed out
    session_id = _sign_in(client, operator)
    client.post("/admin/sign-out", data={"csrf": "x"}, headers=SAME_SITE)  # forged: refused
    client.set_cookie("syndicate_session", session_id, path="/admin")
    assert b"Signed in as" in client.get("/admin/").data
    later = service.clock() + timedelta(seconds=61)
    service.access.clock = lambda: later
    assert b"Operator token" in client.get("/admin/").data  # idle too long
    service.access.clock = service.clock
    _sign_in(client, operator)
    with service.store.write() as session:
        token_store.revoke(session, "ops", service.clock())
    assert b"Operator token" in client.get("/admin/").data  # revoked: signed out at once


def test_cookies_are_secure_behind_an_https_public_url(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_PUBLIC_URL="https://feeds.example.org")
    service = app.extensions["syndicate"]
    client = app.test_client()
    secret = make_token(service, "ops", Role.OPERATOR)
    answer = client.post("/admin/sign-in", data={"token": secret},
                         headers={"Origin": "https://feeds.example.org"})
    assert answer.status_code == 303 and "Secure" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/admin/", "/feeds/", "/api/v1/docs"])
def test_html_pages_carry_the_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_feed_links_only_for_published_languages_and_form_errors_in_place(
        client: FlaskClient, service: Service, operator: dict[str, str],
        producer: dict[str, str]) -> None:
    _sign_in(client, operator)
    page = client.get("/admin/").get_data(as_text=True)
    assert "/feeds/es/rss.xml" not in page and page.count("not published yet") == 4
    client.post("/api/v1/articles", json=article_body(), headers=producer)
    service.pipeline.publish_changes()  # the English feed only: nothing is translated yet
    page = client.get("/admin/").get_data(as_text=True)
    assert "/feeds/en/rss.xml" in page and "/feeds/es/rss.xml" not in page
    bad = client.post("/admin/feeds", headers=SAME_SITE, data={
        "csrf": _csrf(client), "name": "Not A Name", "languages": ["es"], "mode": "full"})
    assert bad.status_code == 422 and bad.mimetype == "text/html"
    shown = bad.get_data(as_text=True)
    assert 'id="error-save-feed">name: must be 3 to 40 lower-case letters' in shown
    assert 'value="Not A Name"' in shown  # what was typed is kept
    assert 'http-equiv="refresh"' not in shown  # the page does not reload the error away
    unknown = client.post("/admin/sources/99", headers=SAME_SITE,
                          data={"csrf": _csrf(client), "action": "pause"})
    assert unknown.status_code == 404
    assert 'id="form-error">source 99: no source 99' in unknown.get_data(as_text=True)
