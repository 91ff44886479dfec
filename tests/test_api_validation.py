"""Every class of bad input gets its 4xx problem body naming the field, and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from syndicate.service import Service
from syndicate.store.schema import ArticleRow, BlockRow

from .test_api_articles import article_body


def stored_rows(service: Service) -> tuple[int, int]:
    with service.store.read() as session:
        return (session.query(ArticleRow).count(), session.query(BlockRow).count())


def json_case(**overrides: Any) -> tuple[bytes, str]:
    """Return a JSON body; an override of None leaves that field out."""
    body = {k: v for k, v in article_body(**overrides).items() if v is not None}
    return json.dumps(body).encode(), "application/json"


def without(field: str) -> tuple[bytes, str]:
    body = article_body()
    del body[field]
    return json.dumps(body).encode(), "application/json"


CASES: list[tuple[str, tuple[bytes, str], str, int, str]] = [
    # id, (body, content type), query string, status, field
    ("missing guid", without("guid"), "", 422, "guid"),
    ("missing title", without("title"), "", 422, "title"),
    ("missing body", without("blocks"), "", 422, "blocks"),
    ("empty title", json_case(title="   "), "", 422, "title"),
    ("title too long", json_case(title="x" * 501), "", 422, "title"),
    ("language not BCP 47", json_case(language="english!"), "", 422, "language"),
    ("language unknown", json_case(language="tlh"), "", 422, "language"),
    ("link relative", json_case(link="/news/1"), "", 422, "link"),
    ("link javascript", json_case(link="javascript:alert(1)"), "", 422, "link"),
    ("link ftp", json_case(link="ftp://example.org/x"), "", 422, "link"),
    ("time not RFC 3339", json_case(published="26/11/2026"), "", 422, "published"),
    ("time without zone", json_case(updated="2026-11-26T09:30:00"), "", 422, "updated"),
    ("date only", json_case(published="2026-11-26"), "", 422, "published"),
    ("impossible date", json_case(published="2026-02-30T00:00:00Z"), "", 422, "published"),
    ("unknown field", json_case(colour="red"), "", 422, "colour"),
    ("categories not a list", json_case(categories="a,b"), "", 422, "categories"),
    ("blocks empty", json_case(blocks=[]), "", 422, "blocks"),
    ("block type unknown", json_case(blocks=[{"type": "table", "html": "x"}]), "", 422,
     "blocks[0].type"),
    ("block field unknown", json_case(blocks=[{"type": "paragraph", "html": "x", "css": 1}]),
     "", 422, "blocks[0].css"),
    ("list without items", json_case(blocks=[{"type": "list", "html": "plain"}]), "", 422,
     "blocks[0].html"),
    ("heading level", json_case(blocks=[{"type": "heading", "html": "H", "level": 9}]), "",
     422, "blocks[0].level"),
    ("block only script", json_case(blocks=[{"type": "paragraph",
                                             "html": "<script>x()</script>"}]), "", 422,
     "blocks[0].html"),
    ("both blocks and body", json_case(body="text", format="text"), "", 422, "blocks"),
    ("bad format", json_case(blocks=None, body="x", format="rtf"), "", 422, "format"),
    ("body not a string", json_case(blocks=None, body=["x"]), "", 422, "body"),
    ("json array", (b"[1, 2]", "application/json"), "", 422, "body"),
    ("query with json", json_case(), "?title=x", 422, "title"),
    ("malformed json", (b'{"guid": "g", "title": ', "application/json"), "", 400, "body"),
    ("bad utf-8", (b"caf\xe9 au lait", "text/plain"), "", 400, "body"),
    ("unknown charset", (b"text", "text/plain; charset=klingon"), "", 400, "Content-Type"),
    ("wrong content type", (b"<a/>", "application/xml"), "", 415, "Content-Type"),
    ("no content type", (b"hello", ""), "", 415, "Content-Type"),
    ("text unknown param", (b"Hello world.", "text/plain"), "?colour=red", 422, "colour"),
    ("text bad language", (b"Hello world.", "text/plain"), "?language=xx-!!", 422, "language"),
    ("text empty", (b"  \n\n ", "text/plain"), "?guid=g", 422, "body"),
    ("text title too long", (b"Hello.", "text/plain"), "?title=" + "t" * 501, 422, "title"),
    ("text link relative", (b"Hello.", "text/plain"), "?link=news/1", 422, "link"),
]


@pytest.mark.parametrize("body_type,query,status,field",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_problem_naming_the_field_and_stores_nothing(
        client: FlaskClient, service: Service, producer: dict[str, str],
        body_type: tuple[bytes, str], query: str, status: int, field: str) -> None:
    body, content_type = body_type
    before = stored_rows(service)
    response = client.post("/api/v1/articles" + query, data=body, headers=producer,
                           content_type=content_type or None)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert {"type", "title", "status", "detail", "field"} <= set(problem)
    assert problem["status"] == status and problem["field"] == field
    assert problem["detail"]
    assert stored_rows(service) == before


def test_body_over_two_megabytes_is_413_and_stores_nothing(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    big = article_body(blocks=[{"type": "paragraph", "html": "x" * (2 * 1024 * 1024)}])
    response = client.post("/api/v1/articles", data=json.dumps(big),
                           content_type="application/json", headers=producer)
    assert response.status_code == 413
    assert response.get_json()["field"] == "body"
    assert stored_rows(service) == (0, 0)


def test_validation_lists_every_problem(client: FlaskClient, producer: dict[str, str]) -> None:
    body = article_body(title="", language="??", link="x")
    problem = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    assert {e["field"] for e in problem["errors"]} == {"title", "language", "link"}


def test_failed_update_leaves_the_stored_revision_untouched(
        client: FlaskClient, producer: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    bad = client.post("/api/v1/articles", json=article_body(title="y" * 600), headers=producer)
    assert bad.status_code == 422
    now = client.get(created["url"], headers=producer).get_json()
    assert now["revision"] == 1 and now["title"] == created["title"]


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("limit=abc", "limit"),
                                         ("cursor=%%%", "cursor"), ("page=2", "page"),
                                         ("include_retracted=maybe", "include_retracted")])
def test_list_parameters_are_validated(client: FlaskClient, producer: dict[str, str],
                                       query: str, field: str) -> None:
    response = client.get("/api/v1/articles?" + query, headers=producer)
    assert response.status_code == 422 and response.get_json()["field"] == field


def test_unknown_route_and_method_are_problems(client: FlaskClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.put("/api/v1/articles")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
