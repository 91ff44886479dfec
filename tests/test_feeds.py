"""Per-language feeds: valid RSS/Atom/JSON, stable GUIDs, hreflang links, atomic writes, serving."""

from __future__ import annotations

import gzip
import html
import http.server
import json
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from markupsafe import escape

from syndicate.errors import PublishError
from syndicate.models import PublishReport, Role
from syndicate.publish import render
from syndicate.publish.entries import Notices, guid
from syndicate.publish.notices import shipped_notices
from syndicate.service import Service

from .conftest import make_token
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
LANGS = ["en", "es", "fr", "de"]
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def publish_two(client: FlaskClient, service: Service, headers: dict[str, str],
                sample_text: str) -> list[dict[str, Any]]:
    """Ingest the sample and a rich article, translate both, publish; return the articles."""
    sample = client.post("/api/v1/articles?guid=sample&categories=world&author=Desk",
                         data=sample_text.encode(), content_type="text/plain",
                         headers=headers).get_json()
    rich = client.post("/api/v1/articles", json=article_body(), headers=headers).get_json()
    service.pipeline.translate_pending()
    service.pipeline.publish()
    return [sample, rich]


@pytest.fixture
def published(client: FlaskClient, service: Service, producer: dict[str, str],
              sample_text: str) -> list[dict[str, Any]]:
    return publish_two(client, service, producer, sample_text)


def feed_bytes(service: Service, lang: str, name: str) -> bytes:
    return (service.settings.feeds.feeds_dir / lang / name).read_bytes()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name,version", [("rss.xml", "rss20"), ("atom.xml", "atom10")])
def test_every_feed_parses_cleanly_with_language_metadata(
        service: Service, published: list[dict[str, Any]], lang: str, name: str,
        version: str) -> None:
    data = feed_bytes(service, lang, name)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.language == lang
    assert len(parsed.entries) == 2
    for entry in parsed.entries:
        assert entry.id.startswith("urn:uuid:") and entry.title and entry.link
        assert entry.published_parsed is not None
    root = etree.fromstring(data)
    if name == "atom.xml":
        assert root.get(XML_LANG) == lang
        assert [e.get(XML_LANG) for e in root.iter(ATOM + "entry")] == [lang, lang]
        for entry_el in root.iter(ATOM + "entry"):
            assert entry_el.find(ATOM + "updated") is not None
            first = next(a for a in entry_el.findall(ATOM + "link")
                         if a.get("rel") == "alternate")
            assert first.get("hreflang") == lang and str(first.get("href")).endswith(f"/{lang}")
    else:
        assert root.findtext("channel/language") == lang
        assert all(e.link.endswith(f"/{lang}") for e in parsed.entries)


def test_rss_channel_link_is_the_site_and_both_formats_link_to_themselves(
        service: Service, published: list[dict[str, Any]]) -> None:
    public = service.settings.server.public_url
    rss = etree.fromstring(feed_bytes(service, "es", "rss.xml"))
    assert rss.findtext("channel/link") == public
    self_links = [a.get("href") for a in rss.iter(ATOM + "link") if a.get("rel") == "self"]
    assert self_links == [f"{public}/feeds/es/rss.xml"]
    atom = etree.fromstring(feed_bytes(service, "es", "atom.xml"))
    assert [a.get("href") for a in atom.findall(ATOM + "link") if a.get("rel") == "self"] == \
        [f"{public}/feeds/es/atom.xml"]


def test_entries_carry_full_content_summary_author_categories_and_canonical_link(
        service: Service, published: list[dict[str, Any]]) -> None:
    parsed = feedparser.parse(feed_bytes(service, "en", "rss.xml"))
    sample = next(e for e in parsed.entries if e.title.startswith("North Korean"))
    assert sample.content[0].value.count("<h2>") == 4
    assert sample.content[0].value.count("<p>") == 4
    assert sample.summary and sample.author == "Desk" and sample.tags[0].term == "world"
    atom = feedparser.parse(feed_bytes(service, "es", "atom.xml"))
    rich = next(e for e in atom.entries if e.title == "Council approves the new bridge")
    assert 'href="https://example.org/spring"' in rich.content[0].value
    assert "https://example.org/news/42" in [link.href for link in rich.links
                                             if link.rel == "related"]


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_hreflang_alternates_point_at_entries_that_exist(
        client: FlaskClient, service: Service, published: list[dict[str, Any]],
        name: str) -> None:
    by_lang = {lang: etree.fromstring(feed_bytes(service, lang, name)) for lang in LANGS}
    pages = {lang: {link for link in _entry_pages(root)} for lang, root in by_lang.items()}
    for lang, root in by_lang.items():
        for entry in root.iter("item", ATOM + "entry"):
            alternates = {str(a.get("hreflang")): str(a.get("href"))
                          for a in entry.iter(ATOM + "link")
                          if a.get("rel") == "alternate" and a.get("hreflang") != lang}
            assert set(alternates) == set(LANGS) - {lang}
            for other, href in alternates.items():
                assert href in pages[other]
                path = urllib.parse.urlsplit(href).path
                assert client.get(path).status_code == 200


def _entry_pages(root: Any) -> list[str]:
    rss = [item.findtext("link") for item in root.iter("item")]
    atom = [link.get("href") for entry in root.iter(ATOM + "entry")
            for link in entry.findall(ATOM + "link") if link.get("rel") == "alternate"
            and link.get("hreflang") == entry.get(XML_LANG)]
    return [p for p in rss + atom if p]


def test_guids_never_change_across_republish_revision_and_restart(
        client: FlaskClient, service: Service, producer: dict[str, str],
        published: list[dict[str, Any]], make_app: Callable[..., Flask]) -> None:
    def guids() -> dict[str, list[str]]:
        return {lang: sorted(e.id for e in feedparser.parse(
            feed_bytes(service, lang, "atom.xml")).entries) for lang in LANGS}

    before = guids()
    assert len({g for ids in before.values() for g in ids}) == 8  # per article and language
    changed = article_body(title="Council approves the new bridge, again")
    client.post("/api/v1/articles", json=changed, headers=producer)
    service.pipeline.translate_pending()
    service.pipeline.publish()
    assert guids() == before
    make_app().extensions["syndicate"].pipeline.publish()
    assert guids() == before


def test_incomplete_translation_is_not_published_and_retraction_drops_out(
        client: FlaskClient, service: Service, producer: dict[str, str],
        published: list[dict[str, Any]]) -> None:
    rich = published[1]
    client.post("/api/v1/articles", json=article_body(title="Edited title"), headers=producer)
    service.pipeline.publish()  # the new revision is not translated yet
    assert [e.title for e in feedparser.parse(feed_bytes(service, "es", "atom.xml")).entries] \
        == [published[0]["title"]]
    assert "Edited title" in [e.title for e in feedparser.parse(
        feed_bytes(service, "en", "atom.xml")).entries]
    service.pipeline.translate_pending()
    service.pipeline.publish()
    assert len(feedparser.parse(feed_bytes(service, "es", "atom.xml")).entries) == 2
    before = {lang: feed_bytes(service, lang, "rss.xml") for lang in LANGS}
    assert client.delete(rich["url"], headers=producer).status_code == 200
    # The request never publishes: it marks the feeds, and the publisher takes them up.
    assert before == {lang: feed_bytes(service, lang, "rss.xml") for lang in LANGS}
    report = service.pipeline.publish_changes()
    assert sorted(report.entries) == sorted(LANGS)
    for lang in LANGS:
        ids = [e.id for e in feedparser.parse(feed_bytes(service, lang, "atom.xml")).entries]
        assert ids == [guid(published[0]["id"], lang)]  # the tombstone is no entry
    assert client.get(f"/articles/{rich['id']}/en").status_code == 410


def test_unchanged_feeds_are_not_rewritten(service: Service,
                                           published: list[dict[str, Any]]) -> None:
    path = service.settings.feeds.feeds_dir / "es" / "rss.xml"
    stamp = path.stat().st_mtime_ns
    report = service.pipeline.publish()
    assert report == PublishReport()  # nothing changed: nothing is even rendered
    forced = service.pipeline.publish(LANGS)  # an operator's republish renders all
    assert forced.written == () and forced.unchanged == 20  # 5 files x 4 languages
    assert path.stat().st_mtime_ns == stamp


def test_a_crash_between_write_and_replace_leaves_the_old_feed_valid(
        client: FlaskClient, service: Service, producer: dict[str, str],
        published: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = service.settings.feeds.feeds_dir / "es"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    client.post("/api/v1/articles", json=article_body(guid="third"), headers=producer)
    service.pipeline.translate_pending()

    def crash(src: Any, dst: Any) -> None:
        raise OSError("power cut between write and replace")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(PublishError, match="power cut"):
        service.pipeline.publish()
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before  # old files intact, no temporary files left behind
    assert not feedparser.parse(after["rss.xml"]).bozo


def test_an_invalid_document_fails_loudly_and_keeps_the_previous_feed(
        client: FlaskClient, service: Service, producer: dict[str, str],
        published: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    path = service.settings.feeds.feeds_dir / "fr" / "atom.xml"
    before = path.read_bytes()
    client.post("/api/v1/articles", json=article_body(guid="fourth"), headers=producer)
    service.pipeline.translate_pending()
    monkeypatch.setattr(render, "render_atom", lambda *a, **k: b"<feed><broken></feed>")
    with pytest.raises(PublishError, match="invalid XML"):
        service.pipeline.publish()
    assert path.read_bytes() == before


def test_conditional_get_gzip_and_caching_headers(client: FlaskClient, service: Service,
                                                  published: list[dict[str, Any]]) -> None:
    first = client.get("/feeds/es/rss.xml")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert first.headers["Cache-Control"] == \
        f"public, max-age={service.settings.feeds.publish_interval}"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/feeds/es/rss.xml", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/es/rss.xml",
                      headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/feeds/es/rss.xml", headers={"If-None-Match": '"other"'}).status_code \
        == 200
    zipped = client.get("/feeds/es/rss.xml", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag
    assert gzip.decompress(zipped.data) == first.data
    assert "Accept-Encoding" in zipped.headers["Vary"]
    atom = client.get("/feeds/es/atom.xml")
    assert atom.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    service.pipeline.publish()  # nothing changed: partners keep getting 304
    assert client.get("/feeds/es/rss.xml", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("path", ["/feeds/xx/rss.xml", "/feeds/it/rss.xml",
                                  "/feeds/es/archive/1.xml", "/articles/nope/en"])
def test_unknown_or_unpublished_feeds_are_404_problems(client: FlaskClient, path: str,
                                                       published: list[dict[str, Any]]) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_json_feed_has_language_at_feed_and_item_level(service: Service,
                                                       published: list[dict[str, Any]]) -> None:
    feed = json.loads(feed_bytes(service, "de", "feed.json"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["language"] == "de"
    assert [item["language"] for item in feed["items"]] == ["de", "de"]
    assert all(item["id"].startswith("urn:uuid:") and item["content_html"]
               for item in feed["items"])


def test_index_opml_stylesheet_and_article_pages(client: FlaskClient, service: Service,
                                                 published: list[dict[str, Any]]) -> None:
    index = client.get("/feeds/")
    assert index.status_code == 200
    root = etree.HTML(index.data)
    discovered = {(link.get("type"), link.get("hreflang"))
                  for link in root.iter("link") if link.get("rel") == "alternate"}
    for lang in LANGS:
        assert ("application/rss+xml", lang) in discovered
        assert ("application/atom+xml", lang) in discovered
    opml = etree.fromstring(client.get("/feeds/opml.xml").data)
    assert sorted(str(o.get("language")) for o in opml.iter("outline")) == sorted(LANGS)
    xsl = client.get("/feeds/feed.xsl")
    transform = etree.XSLT(etree.fromstring(xsl.data))
    page = transform(etree.fromstring(feed_bytes(service, "fr", "rss.xml")))
    assert "Council approves the new bridge" in str(page)
    assert b'<?xml-stylesheet type="text/xsl"' in feed_bytes(service, "fr", "atom.xml")
    article = client.get(f"/articles/{published[1]['id']}/fr")
    assert article.status_code == 200 and b'hreflang="es"' in article.data


def test_archives_page_back_through_every_entry_and_pages_change_only_with_their_entries(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_FEED_ENTRIES="2", SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    for day in range(1, 6):
        body = article_body(guid=f"g{day}", title=f"Story {day}",
                            published=f"2026-11-0{day}T08:00:00Z")
        client.post("/api/v1/articles", json=body, headers=headers)
    service.pipeline.translate_pending()
    service.pipeline.publish()
    folder = service.settings.feeds.feeds_dir / "es"
    assert sorted(p.name for p in (folder / "archive").glob("*.xml")) == ["1.xml", "2.xml"]
    seen: list[str] = []
    url = f"{service.settings.server.public_url}/feeds/es/atom.xml"
    while url:
        path = urllib.parse.urlsplit(url).path
        response = client.get(path)
        assert response.status_code == 200
        root = etree.fromstring(response.data)
        seen += [str(e.findtext(ATOM + "title")) for e in root.iter(ATOM + "entry")]
        if "/archive/" in path:
            assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
            assert any(a.get("rel") == "current" for a in root.findall(ATOM + "link"))
        prev = [str(a.get("href")) for a in root.findall(ATOM + "link")
                if a.get("rel") == "prev-archive"]
        url = prev[0] if prev else ""
    # every entry ever published is reachable (the newest page may overlap the subscription
    # document, which RFC 5005 allows: readers keep one copy per entry id)
    assert sorted(set(seen)) == [f"Story {d}" for d in range(1, 6)]
    page_one = (folder / "archive" / "1.xml").read_bytes()
    page_two = (folder / "archive" / "2.xml").read_bytes()
    client.post("/api/v1/articles", json=article_body(guid="g1", title="Story 1, corrected",
                                                      published="2026-11-01T08:00:00Z"),
                headers=headers)
    service.pipeline.translate_pending()
    service.pipeline.publish()
    corrected = (folder / "archive" / "1.xml").read_bytes()  # the correction reaches page 1
    titles = [e.title for e in feedparser.parse(corrected).entries]
    assert "Story 1, corrected" in titles and "Story 1" not in titles
    assert not feedparser.parse(page_one).bozo and corrected != page_one
    assert (folder / "archive" / "2.xml").read_bytes() == page_two  # untouched: not rewritten


class _Hub(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        self.received.append(urllib.parse.parse_qs(self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def hub() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    class Hub(_Hub):
        received: list[dict[str, list[str]]] = []

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hub", Hub.received
    server.shutdown()
    server.server_close()


def test_websub_hub_is_advertised_and_told_of_changes(
        make_app: Callable[..., Flask], hub: tuple[str, list[dict[str, list[str]]]],
        sample_text: str) -> None:
    hub_url, received = hub
    app = make_app(SYNDICATE_WEBSUB_HUB=hub_url, SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    app.test_client().post("/api/v1/articles", json=article_body(), headers=headers)
    service.pipeline.translate_pending()
    report = service.pipeline.publish()
    public = service.settings.server.public_url
    assert sorted(r["hub.url"][0] for r in received) == sorted(
        f"{public}/feeds/{lang}/{name}" for lang in ("en", "es")
        for name in ("rss.xml", "atom.xml", "feed.json"))
    assert all(r["hub.mode"] == ["publish"] for r in received) and report.notified == 6
    atom = etree.fromstring(feed_bytes(service, "es", "atom.xml"))
    assert [a.get("href") for a in atom.findall(ATOM + "link") if a.get("rel") == "hub"] == \
        [hub_url]
    assert json.loads(feed_bytes(service, "es", "feed.json"))["hubs"][0]["url"] == hub_url
    received.clear()
    service.pipeline.publish()  # nothing changed: the hub hears nothing
    assert received == []


def test_a_hub_that_is_down_never_fails_a_publish(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_WEBSUB_HUB="http://127.0.0.1:9/hub",
                   SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    app.test_client().post("/api/v1/articles", json=article_body(), headers=headers)
    report = service.pipeline.publish()
    assert report.written and report.notified == 0


def test_publish_writes_nothing_for_a_language_with_no_content(
        make_app: Callable[..., Flask], tmp_path: Path) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,it")
    service: Service = app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    app.test_client().post("/api/v1/articles", json=article_body(), headers=headers)
    service.pipeline.translate_pending()
    report = service.pipeline.publish()
    assert report.entries == {"en": 1, "es": 1}
    assert not (service.settings.feeds.feeds_dir / "it").exists()


@pytest.mark.parametrize("field,value", [
    ("published", "0001-01-01T00:00:00Z"), ("published", "1969-12-31T23:59:59Z"),
    ("updated", "1900-01-01T00:00:00Z"), ("published", "2999-01-01T00:00:00Z")])
def test_implausible_dates_are_422_naming_the_field(client: FlaskClient,
                                                    producer: dict[str, str], field: str,
                                                    value: str) -> None:
    response = client.post("/api/v1/articles", json=article_body(**{field: value}),
                           headers=producer)
    assert response.status_code == 422 and response.get_json()["field"] == field


def test_a_date_a_few_hours_ahead_is_taken(client: FlaskClient, service: Service,
                                           producer: dict[str, str]) -> None:
    soon = service.clock() + timedelta(hours=12)
    body = article_body(published=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert client.post("/api/v1/articles", json=body, headers=producer).status_code == 201


def test_atom_feeds_have_an_author_when_articles_have_none(
        client: FlaskClient, service: Service, producer: dict[str, str],
        sample_text: str) -> None:
    created = client.post("/api/v1/articles", data=sample_text.encode(),
                          content_type="text/plain", headers=producer).get_json()
    assert created["author"] is None  # the editors' shape has no byline
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    for lang in LANGS:
        root = etree.fromstring(feed_bytes(service, lang, "atom.xml"))
        assert root.findtext(f"{ATOM}author/{ATOM}name") == "localhost"  # the site's name
        entries = root.findall(f"{ATOM}entry")
        assert entries and all(e.find(f"{ATOM}author") is None for e in entries)
        assert json.loads(feed_bytes(service, lang, "feed.json"))["authors"] == [
            {"name": "localhost"}]


def test_each_feed_has_a_readable_page(client: FlaskClient, service: Service,
                                       published: list[dict[str, Any]]) -> None:
    for lang in LANGS:
        page = client.get(f"/feeds/{lang}/")
        assert page.status_code == 200 and page.mimetype == "text/html"
        html_page = page.get_data(as_text=True)
        entries = feedparser.parse(feed_bytes(service, lang, "atom.xml")).entries
        assert entries and all(str(escape(e.title)) in html_page for e in entries)
        assert f'href="{service.settings.server.public_url}/feeds/{lang}/atom.xml"' in html_page
        assert f'<html lang="{lang}">' in html_page
    assert client.get("/feeds/xx/").status_code == 404
    assert 'href="es/"' in client.get("/feeds/").get_data(as_text=True)


SCHEME = "tag:syndicate.invalid,2026:translation"


NOTICES = {"es": "Traducción automática del inglés.",
           "fr": "Traduit automatiquement de l'anglais.",
           "de": "Maschinell aus dem Englischen übersetzt."}


def test_translations_say_they_are_machine_translated(
        client: FlaskClient, service: Service, published: list[dict[str, Any]],
        operator: dict[str, str]) -> None:
    rich = published[1]
    for lang in LANGS:
        rss = feedparser.parse(feed_bytes(service, lang, "rss.xml"))
        atom = etree.fromstring(feed_bytes(service, lang, "atom.xml"))
        items = json.loads(feed_bytes(service, lang, "feed.json"))["items"]
        rss_terms = [{t.term for t in e.tags if t.scheme == SCHEME} for e in rss.entries]
        atom_terms = [{c.get("term") for c in e.findall(f"{ATOM}category")
                       if c.get("scheme") == SCHEME} for e in atom.findall(f"{ATOM}entry")]
        if lang == "en":  # the source language: nothing to disclose
            assert rss_terms == atom_terms == [set()] * 2
            assert all("_syndicate" not in i for i in items)
            continue
        assert rss_terms == atom_terms == [{"machine-translated"}] * 2
        assert all(i["_syndicate"] == {"machine_translated_from": "en",
                                       "reviewed_by_a_person": False} for i in items)
        assert all(i["content_html"].endswith(  # in the feed's own language
            f"<p><small>{html.escape(NOTICES[lang], quote=False)}</small></p>") for i in items)
    page = client.get(f"/articles/{rich['id']}/es").get_data(as_text=True)
    assert "Traducción automática del inglés." in page
    assert '<link rel="canonical" href="https://example.org/news/42">' in page
    edit = {"blocks": [{"position": 1, "html": "Revisado por una persona."}]}
    assert client.put(f"/api/v1/articles/{rich['id']}/translations/es", json=edit,
                      headers=operator).status_code == 200
    service.pipeline.publish_changes()

    def terms() -> list[str | None]:
        atom = etree.fromstring(feed_bytes(service, "es", "atom.xml"))
        return [c.get("term") for c in atom.iter(f"{ATOM}category") if c.get("scheme") == SCHEME]

    # a person's word on one paragraph is not their word on the rest: still machine text
    assert terms() == ["machine-translated"] * 2
    assert client.post(f"/api/v1/articles/{rich['id']}/translations/es/review",
                       json={"decision": "approve"}, headers=operator).status_code == 200
    service.pipeline.publish_changes()
    assert sorted(terms(), key=str) == ["machine-translated", "machine-translated-reviewed"]
    atom = etree.fromstring(feed_bytes(service, "es", "atom.xml"))
    reviewed = [c for c in atom.iter(f"{ATOM}category") if c.get("scheme") == SCHEME
                and c.get("term") == "machine-translated-reviewed"]
    assert reviewed[0].get("label") == "Traducción automática del inglés, revisada por una persona."


def test_disclosure_text_per_language_and_turned_off(make_app: Callable[..., Flask],
                                                     tmp_path: Path) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,fr", SYNDICATE_MT_NOTICE="")
    service: Service = app.extensions["syndicate"]
    notices = service.settings.translation.translations_dir / "notices.toml"
    notices.parent.mkdir(parents=True, exist_ok=True)
    notices.write_text('[es]\nmachine = "Traducción automática del original en {code}."\n')
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    client.post("/api/v1/articles", json=article_body(), headers=headers)
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    es = json.loads(feed_bytes(service, "es", "feed.json"))["items"][0]
    fr = json.loads(feed_bytes(service, "fr", "feed.json"))["items"][0]
    assert es["content_html"].endswith("<small>Traducción automática del original en en."
                                       "</small></p>")
    assert "<small>" not in fr["content_html"]  # turned off: no visible line...
    assert fr["_syndicate"]["machine_translated_from"] == "en"  # ...the metadata stays


def test_the_shipped_notice_speaks_the_feed_language_and_falls_back_to_english() -> None:
    notices = Notices(shipped=shipped_notices())
    assert notices.line("de", "en", reviewed=True) == \
        "Maschinell aus dem Englischen übersetzt und von einem Menschen geprüft."
    assert notices.line("pt-BR", "es", reviewed=False) == "Tradução automática do espanhol."
    assert notices.line("es", "ja", reviewed=False) == "Machine-translated from Japanese."
    assert notices.line("ja", "en", reviewed=False) == "Machine-translated from English."
    chosen = Notices("Auto-translated ({code}).", "", shipped=shipped_notices())
    assert chosen.line("es", "en", reviewed=False) == "Auto-translated (en)."  # the setting wins
    assert chosen.line("es", "en", reviewed=True) is None


AT = "{http://purl.org/atompub/tombstones/1.0}"
DCTERMS = "{http://purl.org/dc/terms/}"


def test_a_retraction_leaves_a_tombstone_in_every_format_for_a_while(
        client: FlaskClient, service: Service, producer: dict[str, str],
        published: list[dict[str, Any]]) -> None:
    rich = published[1]
    retracted = client.delete(rich["url"] + "?reason=Published+in+error", headers=producer)
    assert retracted.status_code == 200
    service.pipeline.publish_changes()
    for lang in LANGS:
        entry_id = guid(rich["id"], lang)
        atom = etree.fromstring(feed_bytes(service, lang, "atom.xml"))
        assert entry_id not in [e.findtext(f"{ATOM}id") for e in atom.findall(f"{ATOM}entry")]
        deleted = atom.find(f"{AT}deleted-entry")
        assert deleted is not None and deleted.get("ref") == entry_id
        assert deleted.get("when", "").startswith(retracted.get_json()["retracted"][:19])
        assert deleted.findtext(f"{AT}comment") == "Published in error"
        assert not feedparser.parse(feed_bytes(service, lang, "atom.xml")).bozo
        rss = etree.fromstring(feed_bytes(service, lang, "rss.xml"))
        takedown = [i for i in rss.iter("item") if i.findtext("guid") == entry_id]
        assert len(takedown) == 1
        valid = takedown[0].findtext(f"{DCTERMS}valid") or ""
        modified = takedown[0].findtext(f"{DCTERMS}modified") or ""
        assert valid.startswith("end=") and valid[4:24] <= modified[:20]  # expired at once
        assert not feedparser.parse(feed_bytes(service, lang, "rss.xml")).bozo
        items = json.loads(feed_bytes(service, lang, "feed.json"))["items"]
        assert [i["_syndicate"]["reason"] for i in items if i["id"] == entry_id
                and i.get("_syndicate", {}).get("deleted")] == ["Published in error"]
        assert client.get(f"/articles/{rich['id']}/{lang}").status_code == 410
    assert client.get("/articles/no-such-article/en").status_code == 404
    later = service.clock() + timedelta(days=service.settings.feeds.tombstone_days, hours=1)
    service.publisher.clock = lambda: later
    assert service.publisher.pending()  # the tombstone expired: the feed is stale
    service.publisher.publish()
    atom = etree.fromstring(feed_bytes(service, "en", "atom.xml"))
    assert atom.find(f"{AT}deleted-entry") is None
    assert not service.publisher.pending()


def test_a_retraction_reason_is_plain_text_and_bounded(client: FlaskClient,
                                                       producer: dict[str, str],
                                                       published: list[dict[str, Any]]) -> None:
    url = published[1]["url"]
    too_long = client.delete(url + "?reason=" + "x" * 501, headers=producer)
    assert too_long.status_code == 422 and too_long.get_json()["field"] == "reason"
    unknown = client.delete(url + "?because=x", headers=producer)
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "because"


def test_an_embargoed_article_is_translated_but_held_until_its_time(
        client: FlaskClient, service: Service, producer: dict[str, str],
        published: list[dict[str, Any]]) -> None:
    soon = service.clock() + timedelta(hours=6)
    body = article_body(guid="embargoed", title="Embargoed news",
                        published=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))
    held = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    service.pipeline.translate_pending()
    # translated now, shown later:
    assert client.get(held["url"], headers=producer).get_json()["translations"] == {
        "es": "done", "fr": "done", "de": "done"}
    service.pipeline.publish_changes()

    def titles(lang: str) -> list[str]:
        return [e.title for e in feedparser.parse(feed_bytes(service, lang, "atom.xml")).entries]

    for lang in LANGS:
        assert "Embargoed news" not in str(titles(lang)) and titles(lang)
        assert client.get(f"/articles/{held['id']}/{lang}").status_code == 404
    assert not service.publisher.pending()
    after = soon + timedelta(seconds=1)
    service.publisher.clock = lambda: after  # the embargo ends
    assert service.publisher.pending()
    service.publisher.publish()
    for lang in ("en", "es"):
        assert titles(lang)[0] == "Embargoed news"  # the newest entry now
    assert client.get(f"/articles/{held['id']}/es").status_code == 200


IMAGE = {"url": "https://example.org/img/bridge.jpg", "alt": "The new bridge at dusk",
         "caption": "The bridge, seen from the river", "credit": "Jo Photographer",
         "width": 1200, "height": 800}


def test_a_lead_image_with_credit_reaches_every_format(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(image=IMAGE),
                          headers=producer).get_json()
    assert created["image"] == IMAGE
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    for lang in LANGS:
        for name in ("rss.xml", "atom.xml"):
            entry = feedparser.parse(feed_bytes(service, lang, name)).entries[0]
            media = entry.media_content[0]
            assert media["url"] == IMAGE["url"] and media["medium"] == "image"
            assert (media["width"], media["height"]) == ("1200", "800")
            assert entry.media_credit[0]["content"] == "Jo Photographer"
            assert entry.media_thumbnail[0]["url"] == IMAGE["url"]
            assert [e.href for e in entry.enclosures] == [IMAGE["url"]]
        item = json.loads(feed_bytes(service, lang, "feed.json"))["items"][0]
        assert item["image"] == IMAGE["url"]
    spanish = client.get(f"/api/v1/articles/{created['id']}/translations/es",
                         headers=producer).get_json()
    assert spanish["image_text"] == {"alt": IMAGE["alt"], "caption": IMAGE["caption"]}
    pseudo = client.get(f"/api/v1/articles/{created['id']}/translations/de",
                        headers=producer).get_json()["image_text"]
    assert set(pseudo) == {"alt", "caption"} and pseudo["caption"] != IMAGE["caption"]


def test_the_first_inline_image_is_the_lead_image_when_none_is_given(
        client: FlaskClient, producer: dict[str, str]) -> None:
    body = article_body(blocks=[{"type": "paragraph", "html":
                                 'See <img src="/i/a.png" alt="A chart" width="640"> here.'}])
    created = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    assert created["image"] == {"url": "https://example.org/i/a.png", "alt": "A chart",
                                "width": 640}


@pytest.mark.parametrize("image,field", [
    ({"alt": "no url"}, "image"), ({"url": "ftp://x/i.png"}, "image.url"),
    ({"url": "https://x/i.png", "width": 0}, "image.width"),
    ({"url": "https://x/i.png", "type": "text/html"}, "image.type"),
    ({"url": "https://x/i.png", "extra": 1}, "image")])
def test_bad_images_are_422_naming_the_field(client: FlaskClient, producer: dict[str, str],
                                             image: dict[str, Any], field: str) -> None:
    response = client.post("/api/v1/articles", json=article_body(image=image), headers=producer)
    assert response.status_code == 422
    assert response.get_json()["field"].startswith(field)
