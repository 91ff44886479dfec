"""The producers' API: create, upsert, read back, page, retract."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.models import Role
from syndicate.service import Service

from .conftest import make_token


def article_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "guid": "newsroom-0042",
        "title": "Council approves the new bridge",
        "language": "en",
        "summary": "The vote was 7 to 2.",
        "author": "A. Writer",
        "link": "https://example.org/news/42",
        "categories": ["local", "transport"],
        "published": "2026-11-26T09:30:00Z",
        "blocks": [
            {"type": "heading", "html": "What happened?"},
            {"type": "paragraph", "html": "The council <em>approved</em> the bridge."},
            {"type": "paragraph", "html": "Work starts in <a href=\"/spring\">spring</a>."},
        ],
    }
    body.update(overrides)
    return body


def post(client: FlaskClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/api/v1/articles", json=body, headers=headers)


def test_create_returns_201_location_and_the_stored_article(
        client: FlaskClient, producer: dict[str, str]) -> None:
    response = post(client, producer, article_body())
    assert response.status_code == 201
    data = response.get_json()
    assert response.headers["Location"] == f"/api/v1/articles/{data['id']}"
    assert data["outcome"] == "created" and data["revision"] == 1
    fetched = client.get(response.headers["Location"], headers=producer).get_json()
    assert fetched["title"] == "Council approves the new bridge"
    assert fetched["published"] == "2026-11-26T09:30:00Z"
    assert fetched["categories"] == ["local", "transport"]
    assert fetched["blocks"][2] == {
        "type": "paragraph",
        "html": 'Work starts in <a href="https://example.org/spring">spring</a>.'}
    assert fetched["translations"] == {"de": "pending", "es": "pending", "fr": "pending"}
    assert len(fetched["block_hashes"]) == 3


def test_same_guid_identical_is_a_no_op_and_changed_bumps_the_revision(
        client: FlaskClient, producer: dict[str, str]) -> None:
    first = post(client, producer, article_body()).get_json()
    again = post(client, producer, article_body())
    assert again.status_code == 200
    assert again.get_json()["outcome"] == "unchanged" and again.get_json()["revision"] == 1
    edited_blocks = article_body()["blocks"]
    edited_blocks[1] = {"type": "paragraph", "html": "The council <em>rejected</em> the bridge."}
    changed = post(client, producer, article_body(blocks=edited_blocks))
    data = changed.get_json()
    assert changed.status_code == 200 and data["outcome"] == "updated"
    assert data["id"] == first["id"] and data["revision"] == 2
    # exactly the edited block has a new hash
    same = [a == b for a, b in zip(first["block_hashes"], data["block_hashes"], strict=True)]
    assert same == [True, False, True]


def test_same_guid_from_another_producer_is_another_article(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    other = {"Authorization": "Bearer " + make_token(service, "wire", Role.PRODUCER)}
    a = post(client, producer, article_body()).get_json()
    b = post(client, other, article_body())
    assert b.status_code == 201 and b.get_json()["id"] != a["id"]


def test_sample_as_text_plain_returns_201_and_eight_blocks(
        client: FlaskClient, producer: dict[str, str], sample_text: str) -> None:
    response = client.post("/api/v1/articles", data=sample_text.encode(),
                           content_type="text/plain; charset=utf-8", headers=producer)
    assert response.status_code == 201
    fetched = client.get(response.headers["Location"], headers=producer).get_json()
    assert [b["type"] for b in fetched["blocks"]] == ["heading", "paragraph"] * 4
    assert fetched["language"] == "en"
    # posting the same text again (no guid) changes nothing
    again = client.post("/api/v1/articles", data=sample_text.encode(),
                        content_type="text/plain", headers=producer)
    assert again.status_code == 200 and again.get_json()["outcome"] == "unchanged"


def test_markdown_and_html_with_query_metadata(client: FlaskClient,
                                               producer: dict[str, str]) -> None:
    md = client.post("/api/v1/articles?guid=md-1&language=fr&categories=a,b&author=Eve",
                     data="# Titre\n\nUn *paragraphe*.\n\n- un\n- deux\n",
                     content_type="text/markdown", headers=producer)
    assert md.status_code == 201
    data = md.get_json()
    assert (data["title"], data["language"], data["categories"], data["author"]) == \
        ("Titre", "fr", ["a", "b"], "Eve")
    assert data["blocks"] == [{"type": "paragraph", "html": "Un <em>paragraphe</em>."},
                              {"type": "list", "html": "<li>un</li>\n<li>deux</li>",
                               "ordered": False}]
    page = client.post("/api/v1/articles?guid=h-1",
                       data="<title>Page</title><h2>H</h2><p>P</p>",
                       content_type="text/html", headers=producer)
    assert page.status_code == 201 and page.get_json()["title"] == "Page"


def test_list_is_paged_newest_first(client: FlaskClient, producer: dict[str, str]) -> None:
    for day in range(1, 6):
        post(client, producer, article_body(guid=f"g{day}", published=f"2026-11-0{day}T08:00:00Z"))
    first = client.get("/api/v1/articles?limit=2", headers=producer).get_json()
    assert [a["guid"] for a in first["items"]] == ["g5", "g4"]
    second = client.get(first["next"], headers=producer).get_json()
    third = client.get(second["next"], headers=producer).get_json()
    assert [a["guid"] for a in second["items"]] == ["g3", "g2"]
    assert [a["guid"] for a in third["items"]] == ["g1"] and third["next"] is None


def test_retract_keeps_the_article_and_hides_it_from_the_list(
        client: FlaskClient, producer: dict[str, str]) -> None:
    created = post(client, producer, article_body()).get_json()
    url = f"/api/v1/articles/{created['id']}"
    response = client.delete(url, headers=producer)
    assert response.status_code == 200 and response.get_json()["retracted"] is not None
    assert client.get(url, headers=producer).get_json()["retracted"] is not None
    assert client.get("/api/v1/articles", headers=producer).get_json()["items"] == []
    listed = client.get("/api/v1/articles?include_retracted=true", headers=producer).get_json()
    assert [a["id"] for a in listed["items"]] == [created["id"]]
    # sending it again brings it back as a new revision
    revived = post(client, producer, article_body()).get_json()
    assert revived["retracted"] is None and revived["revision"] == 2


def test_unknown_article_is_404_problem(client: FlaskClient, producer: dict[str, str]) -> None:
    for method in (client.get, client.delete):
        response = method("/api/v1/articles/nope", headers=producer)
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 404


def test_concurrent_first_posts_of_one_guid_make_one_article(
        app: Flask, producer: dict[str, str], service: Service) -> None:
    def send(_: int) -> int:
        with app.test_client() as c:
            status: int = c.post("/api/v1/articles", json=article_body(),
                                 headers=producer).status_code
            return status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(send, range(16)))
    assert statuses == [200] * 15 + [201]
    client = app.test_client()
    items = client.get("/api/v1/articles", headers=producer).get_json()["items"]
    assert len(items) == 1 and items[0]["revision"] == 1


def test_json_body_unicode_round_trips(client: FlaskClient, producer: dict[str, str]) -> None:
    body = article_body(title="Café — 東京 🚀", blocks=[{"type": "quote", "html": "« Oui »"}])
    raw = json.dumps(body, ensure_ascii=False).encode()
    created = client.post("/api/v1/articles", data=raw, content_type="application/json",
                          headers=producer).get_json()
    assert created["title"] == "Café — 東京 🚀"
    assert created["blocks"] == [{"type": "quote", "html": "« Oui »"}]


@pytest.mark.parametrize(("tag", "routed"), [("en-GB", "en"), ("EN-us", "en"), ("es-ES", "es"),
                                             ("pt-BR", "pt-BR")])
def test_a_region_no_package_tells_apart_routes_as_its_language(
        client: FlaskClient, producer: dict[str, str], tag: str, routed: str) -> None:
    answer = client.post("/api/v1/articles", json=article_body(language=tag), headers=producer)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["language"] == routed


@pytest.mark.usefixtures("installed_packages")
def test_a_regional_tag_routes_as_its_language_and_the_feeds_keep_it(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    posted = client.post("/api/v1/articles", json=article_body(language="en-gb"),
                         headers=producer)
    assert posted.status_code == 201 and posted.get_json()["language"] == "en"
    service.pipeline.translate_pending()
    assert client.get(f"/api/v1/articles/{posted.get_json()['id']}",
                      headers=producer).get_json()["translations"]["es"] == "done"
    service.pipeline.publish_changes()
    feeds = service.settings.feeds.feeds_dir
    atom = (feeds / "en" / "atom.xml").read_text(encoding="utf-8")
    assert 'xml:lang="en-GB"' in atom and 'hreflang="en-GB"' in atom
    assert "<dc:language>en-GB</dc:language>" in (feeds / "en" / "rss.xml").read_text()
    [item] = json.loads((feeds / "en" / "feed.json").read_text())["items"]
    assert item["language"] == "en-GB"
    spanish = json.loads((feeds / "es" / "feed.json").read_text())["items"][0]
    assert spanish["language"] == "es"  # a translation speaks its own feed's language


def test_api_paths_answer_with_a_trailing_slash(client: FlaskClient,
                                                producer: dict[str, str]) -> None:
    created = client.post("/api/v1/articles/", json=article_body(), headers=producer)
    assert created.status_code == 201
    listed = client.get("/api/v1/articles/", headers=producer)
    assert listed.status_code == 200 and listed.get_json()["items"][0]["guid"] == "newsroom-0042"
    assert client.get(f"/api/v1/articles/{created.get_json()['id']}/",
                      headers=producer).status_code == 200
