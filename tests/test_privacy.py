"""Private stays private: partner feeds through caches, names never confirmed, key guesses
throttled, the hub and public metrics told nothing private; headers on every answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.models import Role
from syndicate.service import Service

from .conftest import make_token
from .test_api_articles import article_body
from .test_feeds import hub  # noqa: F401 - a fixture
from .test_named_feeds import partner_key, publish, put_feed

pytestmark = pytest.mark.usefixtures("installed_packages")
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}


def test_a_keyed_answer_is_private_and_varies_with_the_key(
        client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    publish(client, service, operator)
    key = partner_key(client, operator, "msn")
    put_feed(client, operator, "transport", languages=["es"], partners=["msn"])
    put_feed(client, operator, "open", languages=["es"], public=True)
    service.pipeline.publish_changes()
    for auth in ({"Authorization": f"Bearer {key}"}, {"Authorization": f"bearer {key}"},
                 {"Authorization": f"BEARER   {key}"}):
        keyed = client.get("/feeds/transport/es/rss.xml", headers=auth)
        assert keyed.status_code == 200
        assert keyed.headers["Cache-Control"].startswith("private")
        assert "Authorization" in keyed.headers["Vary"]
        assert keyed.headers["X-Content-Type-Options"] == "nosniff"
    by_query = client.get(f"/feeds/transport/es/atom.xml?key={key}")
    assert by_query.headers["Cache-Control"].startswith("private")
    public = client.get("/feeds/open/es/rss.xml")
    assert public.status_code == 200 and public.headers["Cache-Control"].startswith("public")


def test_an_unknown_feed_answers_as_a_private_one_without_a_key(
        client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    publish(client, service, operator)
    partner_key(client, operator, "msn")
    put_feed(client, operator, "transport", languages=["es"], partners=["msn"])
    service.pipeline.publish_changes()
    real = client.get("/feeds/transport/es/rss.xml")
    made_up = client.get("/feeds/no-such-feed/es/rss.xml")
    assert real.status_code == made_up.status_code == 401
    assert {k: v for k, v in real.get_json().items() if k != "detail"} == \
        {k: v for k, v in made_up.get_json().items() if k != "detail"}
    assert real.headers["WWW-Authenticate"] == made_up.headers["WWW-Authenticate"]


def test_partner_key_guesses_are_throttled_like_token_guesses(
        client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    publish(client, service, operator)
    key = partner_key(client, operator, "msn")
    put_feed(client, operator, "transport", languages=["es"], partners=["msn"])
    service.pipeline.publish_changes()
    codes = [client.get(f"/feeds/transport/es/rss.xml?key=synp_guess{i}",
                        environ_base=ATTACKER).status_code for i in range(22)]
    assert codes[:20] == [401] * 20 and codes[20:] == [429, 429]
    limited = client.get("/feeds/transport/es/rss.xml?key=synp_again", environ_base=ATTACKER)
    assert "too many unknown tokens or keys from this address" in limited.get_json()["detail"]
    assert client.get(f"/feeds/transport/es/rss.xml?key={key}",
                      environ_base=ATTACKER).status_code == 200  # a real key still passes


def test_the_hub_never_hears_of_a_private_feed(
        make_app: Callable[..., Flask], hub: tuple[str, list[dict[str, list[str]]]],  # noqa: F811
        ) -> None:
    hub_url, received = hub
    app = make_app(SYNDICATE_WEBSUB_HUB=hub_url, SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}
    partner_key(client, headers, "msn")
    assert put_feed(client, headers, "secret-deal", languages=["es"],
                    partners=["msn"]).status_code == 201
    put_feed(client, headers, "open", languages=["es"], public=True)
    client.post("/api/v1/articles", json=article_body(), headers=headers)
    service.pipeline.translate_pending()
    service.pipeline.publish()
    told = [r["hub.url"][0] for r in received]
    assert any("/feeds/open/es/" in url for url in told)
    assert not any("secret-deal" in url for url in told)
    assert (service.settings.feeds.feeds_dir / "secret-deal" / "es" / "rss.xml").exists()


def test_metrics_name_partners_only_behind_their_token(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_METRICS_TOKEN="metrics-secret-0123456789")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    operator = {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}
    publish(client, service, operator)
    key = partner_key(client, operator, "msn")
    put_feed(client, operator, "transport", languages=["es"], partners=["msn"])
    service.pipeline.publish_changes()
    client.get("/feeds/transport/es/rss.xml", headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/metrics").status_code == 401
    named = client.get("/api/v1/metrics",
                       headers={"Authorization": "bearer metrics-secret-0123456789"})
    assert 'syndicate_feed_pulls_total{feed="transport",partner="msn"} 1.0' in \
        named.get_data(as_text=True)


def test_every_answer_carries_the_security_headers_and_the_dashboard_is_never_stored(
        client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    publish(client, service, operator)
    for path in ("/feeds/es/rss.xml", "/feeds/es/atom.xml", "/feeds/es/feed.json",
                 "/feeds/", "/healthz", "/admin/", "/api/v1/openapi.json"):
        answer = client.get(path)
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert answer.headers["Referrer-Policy"] == "same-origin", path
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"


def test_the_dashboard_origin_check_ignores_the_host_header(
        client: FlaskClient, operator: dict[str, str]) -> None:
    secret = operator["Authorization"].removeprefix("Bearer ")
    spoofed = client.post("/admin/sign-in", data={"token": secret}, base_url="http://evil.example",
                          headers={"Origin": "http://evil.example"})
    assert spoofed.status_code == 403
    ours = client.post("/admin/sign-in", data={"token": secret},
                       headers={"Origin": "http://localhost"})
    assert ours.status_code == 303


def test_the_access_log_records_requests_with_keys_and_tokens_redacted(
        make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(SYNDICATE_ACCESS_LOG="1")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    operator = {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}
    publish(client, service, operator)
    assert put_feed(client, operator, "agency", languages=["es"]).status_code == 201
    key = partner_key(client, operator, "acme")
    service.pipeline.publish_changes()
    with caplog.at_level("INFO", logger="syndicate.access"):
        assert client.get(f"/feeds/agency/es/rss.xml?key={key}&x=1").status_code == 200
        assert client.get("/feeds/es/rss.xml", environ_base=ATTACKER).status_code == 200
        assert client.get("/api/v1/status", headers=operator).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "syndicate.access"]
    assert len(lines) == 3
    assert '"GET /feeds/agency/es/rss.xml?key=[redacted]&x=1" 200' in lines[0]
    assert lines[1].startswith('203.0.113.9 "GET /feeds/es/rss.xml" 200')  # a file, served early
    assert '"GET /api/v1/status" 200' in lines[2]
    secret = operator["Authorization"].split()[1]
    assert not any(key in line or secret in line for line in caplog.text.splitlines())


def test_without_the_setting_there_is_no_access_log(
        client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="syndicate.access"):
        assert client.get("/healthz").status_code in (200, 503)
    assert not [r for r in caplog.records if r.name == "syndicate.access"]


def test_a_path_with_a_line_break_cannot_forge_an_access_log_line(
        make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(SYNDICATE_ACCESS_LOG="1")
    with caplog.at_level("INFO", logger="syndicate.access"):
        app.test_client().get("/feeds/es/rss.xml%0a127.0.0.1%20%22GET%20/admin%22%20200")
    [line] = [r.getMessage() for r in caplog.records if r.name == "syndicate.access"]
    assert "\n" not in line and "\\x0a127.0.0.1" in line


def test_source_urls_are_redacted_for_the_log() -> None:
    from syndicate.sanitize import loggable, redacted_url

    url = "https://user:hunter2@feeds.example.org/news.rss?apikey=s3cret&lang=en"
    shown = redacted_url(url)
    assert "s3cret" not in shown and "hunter2" not in shown
    assert shown == "https://user:[redacted]@feeds.example.org/news.rss?apikey=[redacted]&lang=en"
    assert loggable("a\nb\x85c") == "a\\x0ab\\x85c"
