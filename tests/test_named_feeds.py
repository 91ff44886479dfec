"""Feeds per partner and category: filters, content modes (bilingual too), size caps, partner
keys (header or ?key=), and pulls counted per partner."""

from __future__ import annotations

import re
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree
from lxml import html as lxml_html

from syndicate.service import Service

from .conftest import json_lines
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
SAME_SITE = {"Origin": "http://localhost"}


def publish(client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    """Post a transport story, a sport story and a long one, translate and publish them."""
    for guid, categories, title in (("t1", ["transport"], "Council approves the new bridge"),
                                    ("s1", ["sport"], "The national team wins again"),
                                    ("t2", ["transport", "local"], "Trains run late all week")):
        body = article_body(guid=guid, categories=categories, title=title)
        assert client.post("/api/v1/articles", json=body, headers=operator).status_code == 201
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()


def put_feed(client: FlaskClient, operator: dict[str, str], name: str, **body: Any) -> Any:
    return client.put(f"/api/v1/feeds/{name}", json=body, headers=operator)


def partner_key(client: FlaskClient, operator: dict[str, str], name: str) -> str:
    answer = client.post("/api/v1/partners", json={"name": name}, headers=operator)
    assert answer.status_code == 201
    key: str = answer.get_json()["key"]
    return key


def test_a_partner_feed_needs_its_key_filters_and_counts_pulls(
        client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    publish(client, service, operator)
    key = partner_key(client, operator, "msn")
    other = partner_key(client, operator, "flipboard")
    created = put_feed(client, operator, "transport", languages=["en", "es"],
                       categories=["transport"], partners=["msn"])
    assert created.status_code == 201
    service.pipeline.publish_changes()  # the new feed's languages were marked
    url = "/feeds/transport/es/rss.xml"
    assert client.get(url).status_code == 401  # no key
    assert client.get(url + "?key=synp_wrong").status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    first = client.get(url, headers={"Authorization": f"Bearer {key}"})
    assert first.status_code == 200
    titles = sorted(e.title for e in feedparser.parse(first.data).entries)
    assert titles == ["Council approves the new bridge", "Trains run late all week"]
    again = client.get(f"{url}?key={key}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    listed = client.get("/api/v1/feeds", headers=operator).get_json()["items"]
    assert [(p["partner"], p["language"], p["requests"], p["not_modified_share"])
            for p in listed[0]["pulls"]] == [("msn", "es", 2, 0.5)]
    status = client.get("/api/v1/status", headers=operator).get_json()["named_feeds"]
    assert status[0]["name"] == "transport" and status[0]["pulls"] == 2
    metrics = client.get("/api/v1/metrics").get_data(as_text=True)
    # public metrics name no partner and no partner feed
    assert 'syndicate_feed_pulls_total{feed="(private)",partner="(private)"} 2.0' in metrics
    assert "msn" not in metrics and "transport" not in metrics
    assert client.delete("/api/v1/partners/msn", headers=operator).status_code == 200
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_the_bilingual_mode_follows_each_block_with_its_translation(
        client: FlaskClient, service: Service, operator: dict[str, str]) -> None:
    publish(client, service, operator)
    put_feed(client, operator, "learners", languages=["de"], mode="bilingual", public=True)
    service.pipeline.publish_changes()
    atom = etree.fromstring(client.get("/feeds/learners/de/atom.xml").data)
    content = atom.findtext(".//{http://www.w3.org/2005/Atom}content") or ""
    parts = lxml_html.fragment_fromstring(content, create_parent="div").findall("div")
    langs = [p.get("lang") for p in parts]
    assert langs == ["en", "de"] * 3  # heading and two paragraphs, each then translated
    originals = [p.text_content() for p in parts[0::2]]
    translated = [p.text_content() for p in parts[1::2]]
    assert originals[0] == "What happened?" and translated[0] != originals[0]
    assert all(re.search(r"\w", t) for t in translated)


def test_summary_mode_and_the_size_cap(client: FlaskClient, service: Service,
                                       operator: dict[str, str]) -> None:
    publish(client, service, operator)
    put_feed(client, operator, "headlines", languages=["en"], mode="summary", public=True)
    big = "A long paragraph. " * 2000
    client.post("/api/v1/articles", headers=operator, json=article_body(
        guid="big", title="A very long story", blocks=[{"type": "paragraph", "html": big}]))
    put_feed(client, operator, "small", languages=["en"], public=True, max_bytes=20_000)
    service.pipeline.publish_changes()
    entries = feedparser.parse(client.get("/feeds/headlines/en/rss.xml").data).entries
    assert all(e.content[0].value == "<p>The vote was 7 to 2.</p>" for e in entries[1:])
    small = client.get("/feeds/small/en/rss.xml")
    assert len(small.data) <= 20_000  # the long story made it too big: the oldest go first
    full = feedparser.parse(client.get("/feeds/en/rss.xml").data).entries
    assert 0 < len(feedparser.parse(small.data).entries) < len(full)
    pulls = client.get("/api/v1/feeds", headers=operator).get_json()["items"]
    assert {p["partner"] for f in pulls for p in f["pulls"]} == {"public"}


@pytest.mark.parametrize("name", ["es", "ab", "Has-Caps", "check", "archive"])
def test_feed_names_that_would_clash_are_422(client: FlaskClient, operator: dict[str, str],
                                             name: str) -> None:
    answer = put_feed(client, operator, name, languages=["en"])
    assert answer.status_code == 422 and answer.get_json()["field"] == "name"


def test_bad_feed_definitions_are_422_naming_the_field(client: FlaskClient,
                                                       operator: dict[str, str]) -> None:
    for body, field in (({"languages": ["xx-unknown"]}, "languages"), ({}, "languages"),
                        ({"languages": ["en"], "mode": "poetry"}, "mode"),
                        ({"languages": ["en"], "max_bytes": 5}, "max_bytes")):
        answer = client.put("/api/v1/feeds/world", json=body, headers=operator)
        assert answer.status_code == 422, body
        assert answer.get_json()["field"].startswith(field), answer.get_json()


def test_named_feeds_and_partners_from_the_cli_and_the_dashboard(
        client: FlaskClient, service: Service, operator: dict[str, str],
        runner: FlaskCliRunner) -> None:
    publish(client, service, operator)
    added = runner.invoke(args=["feeds", "add", "sport", "--lang", "en,es", "--category",
                                "sport", "--mode", "summary"])
    assert added.exit_code == 0 and "/feeds/sport/es/rss.xml" in added.output
    key = runner.invoke(args=["partners", "create", "smartnews"]).stdout.strip()
    service.pipeline.publish_changes()
    got = client.get(f"/feeds/sport/es/feed.json?key={key}")
    assert got.status_code == 200
    assert [i["title"] for i in got.get_json()["items"]] == ["The national team wins again"]
    [row] = json_lines(runner.invoke(args=["feeds", "list", "--json"]).stdout)
    assert row == {"name": "sport", "languages": "en,es", "mode": "summary", "access": "key",
                   "partners": None, "reviewed_only": "no", "pulls": 1}
    assert runner.invoke(args=["feeds", "list"]).stdout.split() == [
        "NAME", "LANGUAGES", "MODE", "ACCESS", "PARTNERS", "REVIEWED", "ONLY", "PULLS",
        "sport", "en,es", "summary", "key", "-", "no", "1"]
    secret = operator["Authorization"].removeprefix("Bearer ")
    client.post("/admin/sign-in", data={"token": secret}, headers=SAME_SITE)
    page = client.get("/admin/").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf and 'data-feed="sport"' in page
    saved = client.post("/admin/feeds", headers=SAME_SITE, data={
        "csrf": csrf.group(1), "name": "local", "languages": ["en"], "mode": "full",
        "public": "on", "categories": "local"})
    assert saved.status_code == 303
    service.pipeline.publish_changes()
    local = feedparser.parse(client.get("/feeds/local/en/atom.xml").data).entries
    assert [e.title for e in local] == ["Trains run late all week"]
    assert runner.invoke(args=["feeds", "remove", "local"]).exit_code == 0
    assert client.get("/feeds/local/en/atom.xml").status_code == 401  # as any unknown name
    assert runner.invoke(args=["partners", "revoke", "smartnews"]).exit_code == 0
    assert client.get(f"/feeds/sport/es/feed.json?key={key}").status_code == 401
