"""Bad input is a 4xx, never a 500: fuzzing the parsers, and the cases found by attackers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.errors import InputError
from syndicate.ingest import parse_payload
from syndicate.ingest.edits import parse_edit
from syndicate.ingest.fields import MAX_JSON_DEPTH

from .test_api_articles import article_body

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
    st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["guid", "title", "language", "blocks", "body", "format", "type",
                         "html", "link", "published", "categories", "summary", "x"]) |
        st.text(max_size=8), children, max_size=5),
    max_leaves=20)
_MARKUP = st.lists(st.sampled_from([
    "<p>", "</p>", "<a href=\"http://[x\">", "<img src=x onerror=alert(1)>", "# ", "\n",
    "\n\n", "<h1>", "</h1>", "<ul><li>", "</li>", "*", "[l](javascript:x)", "&lt;", "&#0;",
    "\x00", "\ud7ff", "word ", "Question?", "<script>", "<!--", "]]>", "<title>", "\t",
]), max_size=30).map("".join)


def _parse(body: bytes, content_type: str, params: dict[str, list[str]] | None = None) -> None:
    try:
        parse_payload(body, content_type, params or {}, default_language="en",
                      guid_fallback="fuzz")
    except InputError:
        pass  # a 4xx with a problem body: what bad input should get


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=_JSON)
def test_json_payloads_raise_only_input_errors(data: Any) -> None:
    _parse(json.dumps(data).encode(), "application/json")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=_MARKUP, kind=st.sampled_from(["text/plain", "text/markdown", "text/html"]),
       title=st.none() | _MARKUP, link=st.none() | st.sampled_from(
           ["http://[x", "https://ok.example/a", "ftp://x", "http://x:99999/", "//x"]))
def test_documents_raise_only_input_errors(text: str, kind: str, title: str | None,
                                           link: str | None) -> None:
    params = {k: [v] for k, v in (("title", title), ("link", link)) if v is not None}
    _parse(text.encode("utf-8", "surrogatepass"), f"{kind}; charset=utf-8", params)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=_JSON)
def test_post_edits_raise_only_input_errors(data: Any) -> None:
    try:
        parse_edit(json.loads(json.dumps(data)), frozenset({1}))  # as a request decodes it
    except InputError:
        pass


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deep_json_is_422_naming_the_depth(client: FlaskClient, producer: dict[str, str],
                                           depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = client.post("/api/v1/articles", data=body, content_type="application/json",
                           headers=producer)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["field"] == "body" and "levels deep" in problem["detail"]


@pytest.mark.parametrize("link", ["http://[x", "http://x:99999/"])
def test_unparseable_links_are_422_on_their_field(client: FlaskClient, producer: dict[str, str],
                                                  link: str) -> None:
    response = client.post("/api/v1/articles", json=article_body(link=link), headers=producer)
    assert response.status_code == 422 and response.get_json()["field"] == "link"


def test_unparseable_urls_in_html_are_dropped_not_a_500(client: FlaskClient,
                                                        producer: dict[str, str]) -> None:
    body = article_body(blocks=[{"type": "paragraph",
                                 "html": 'A <a href="http://[x">broken</a> link.'}])
    response = client.post("/api/v1/articles", json=body, headers=producer)
    assert response.status_code == 201
    assert response.get_json()["blocks"][0]["html"] == "A <a>broken</a> link."


def test_a_format_that_is_not_a_string_is_422(client: FlaskClient,
                                              producer: dict[str, str]) -> None:
    body = {"guid": "g", "title": "t", "body": "Text.", "format": ["html"]}
    response = client.post("/api/v1/articles", json=body, headers=producer)
    assert response.status_code == 422 and response.get_json()["field"] == "format"


_FEED_PARTS = st.lists(st.sampled_from([
    "<rss version='2.0'>", "<channel>", "</channel>", "</rss>", "<item>", "</item>",
    "<title>", "</title>", "<guid>", "</guid>", "<link>", "</link>", "<description>",
    "</description>", "<![CDATA[<p>x</p><img src=x onerror=alert(1)>]]>", "<pubDate>",
    "Tue, 01 Jan 0001 00:00:00 GMT", "</pubDate>", "&amp;", "&nbsp;", "&#0;", "<!DOCTYPE x>",
    "<feed xmlns='http://www.w3.org/2005/Atom'>", "</feed>", "<entry>", "</entry>",
    "<content type='html'>", "</content>", "<id>", "</id>", "http://[x", "https://a.example/",
    "word ", "\x00", "<media:content url='javascript:x' medium='image'/>", "<ttl>", "-1",
]), max_size=40).map("".join)
_JSON_FEED = st.fixed_dictionaries(
    {"version": st.sampled_from(["https://jsonfeed.org/version/1.1", "https://jsonfeed.org/"
                                 "version/1", "2", 1])},
    optional={"items": st.lists(st.dictionaries(st.sampled_from(
        ["id", "url", "title", "content_html", "content_text", "summary", "date_published",
         "authors", "author", "tags", "image", "language", "attachments"]), _JSON, max_size=8),
        max_size=5), "language": _JSON, "title": _JSON})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=_FEED_PARTS)
def test_feed_documents_raise_only_feed_errors(text: str) -> None:
    from syndicate.errors import FeedInvalid
    from syndicate.ingest.upstream import parse_feed

    try:
        parse_feed(text.encode("utf-8", "surrogatepass"), "application/rss+xml",
                   default_language="en", limit=50)
    except FeedInvalid:
        pass  # recorded on the source as a parse error


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=_JSON_FEED)
def test_json_feeds_raise_only_feed_errors(data: Any) -> None:
    from syndicate.errors import FeedInvalid
    from syndicate.ingest.upstream import parse_feed

    try:
        parse_feed(json.dumps(data).encode(), "application/feed+json", default_language="en",
                   limit=50)
    except FeedInvalid:
        pass
