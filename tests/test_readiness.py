"""The partner readiness report: built-in rule sets (data files), a partner of your own, and
what each would reject, from the CLI, the API and the dashboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.errors import ConfigError
from syndicate.models import Role
from syndicate.publish import readiness
from syndicate.service import Service

from .conftest import make_token
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
GOOD_IMAGE = {"url": "https://example.org/i/big.jpg", "width": 1600, "height": 900,
              "credit": "Jo"}


@pytest.fixture
def checked(make_app: Callable[..., Flask]) -> tuple[Service, FlaskClient, dict[str, str]]:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}
    bodies = [
        article_body(guid="ready", title="Council approves the new bridge over the river",
                     image=GOOD_IMAGE),
        article_body(guid="short", title="Bridge", image={
            "url": "https://example.org/i/small.jpg", "width": 300, "height": 200}),
        article_body(guid="bare", title="A story with no picture and no byline at all",
                     blocks=[{"type": "paragraph", "html": "Text only."}])]
    for body in bodies[1:]:
        del body["author"]
    for body in bodies:
        assert client.post("/api/v1/articles", headers=headers, json=body).status_code == 201
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    return service, client, headers


def rules_broken(findings: list[readiness.Finding], title: str) -> set[str]:
    return {f.rule for f in findings if f.title == title and f.language == "en"}


def test_each_partner_rejects_what_its_rules_say(
        checked: tuple[Service, FlaskClient, dict[str, str]]) -> None:
    service, _, _ = checked
    findings = service.publisher.check()
    assert {r.key for r in service.publisher.rule_sets()} == {
        "apple-news", "flipboard", "google-news", "msn"}
    by = {p: [f for f in findings if f.partner == p] for p in ("msn", "flipboard", "apple-news",
                                                              "google-news")}
    assert rules_broken(by["msn"], "Bridge") == {"title_min"}
    assert rules_broken(by["msn"], "A story with no picture and no byline at all") == {
        "image_required"}
    assert rules_broken(by["flipboard"], "Bridge") == {"image_min_width", "byline_required"}
    assert rules_broken(by["google-news"], "Bridge") == {"image_min_shortest_side"}
    assert rules_broken(by["apple-news"], "Council approves the new bridge over the river") \
        == set()  # 47 characters: within Apple's 15-60
    ready = "Council approves the new bridge over the river"
    assert all(rules_broken(fs, ready) == set() for fs in by.values())


def test_a_new_partner_is_a_file(checked: tuple[Service, FlaskClient, dict[str, str]]) -> None:
    service, _, _ = checked
    own = service.settings.translation.translations_dir / "partners"
    own.mkdir(parents=True)
    (own / "smallsite.toml").write_text('name = "A small site"\ntitle_max = 10\n')
    findings = service.publisher.check("smallsite")
    assert {f.title for f in findings if f.language == "en"} == {
        "Council approves the new bridge over the river",
        "A story with no picture and no byline at all"}
    (own / "broken.toml").write_text('name = "Broken"\ntitle_maks = 10\n')
    with pytest.raises(ConfigError, match="unknown rule 'title_maks'"):
        service.publisher.check()


def test_the_cli_api_and_dashboard_show_the_report(
        checked: tuple[Service, FlaskClient, dict[str, str]]) -> None:
    _, client, headers = checked
    runner = client.application.test_cli_runner()
    result = runner.invoke(args=["feeds", "check", "--partner", "msn"])
    assert result.exit_code == 1 and "title_min" in result.output
    assert runner.invoke(args=["feeds", "check", "--partner", "nobody"]).exit_code == 1
    answer = client.get("/api/v1/feeds/check?partner=flipboard", headers=headers).get_json()
    assert answer["count"] == len(answer["findings"]) > 0
    assert {f["partner"] for f in answer["findings"]} == {"flipboard"}
    assert client.get("/api/v1/feeds/check?partner=nobody", headers=headers).status_code == 404
    secret = headers["Authorization"].removeprefix("Bearer ")
    client.post("/admin/sign-in", data={"token": secret}, headers={"Origin": "http://localhost"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "Partner readiness" in page and "flipboard" in page


def test_feed_size_rules() -> None:
    rules = readiness.parse("tiny", 'name = "Tiny"\nfeed_max_bytes = 100\nmax_items = 1\n', "t")
    found = readiness.check_feed(rules, "en", "rss.xml", 101, 2)
    assert [f.rule for f in found] == ["feed_max_bytes", "max_items"]
    assert readiness.check_feed(rules, "en", "rss.xml", 100, 1) == []
