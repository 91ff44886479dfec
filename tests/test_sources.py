"""Upstream sources: polling real HTTP servers (on 127.0.0.2, allowlisted), every feed format,
conditional GET, pacing, backoff and pausing, and entries through to the language feeds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from syndicate.models import Source, SourceInput
from syndicate.service import EXTENSION_KEY, Service
from syndicate.testing import feeds as make
from syndicate.testing.upstream import Document, Upstream, serving, status

from .conftest import json_lines

ALLOW = "127.0.0.2"
PARAGRAPHS = ("<h2>What changed?</h2><p>The council approved the <a href='https://example.org/"
              "budget'>budget</a> on Tuesday.</p><ul><li>Forty new drivers</li><li>Night buses"
              "</li></ul><p>Work starts in spring.</p>")


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """A real HTTP server playing upstream feeds."""
    with serving() as server:
        yield server


@pytest.fixture
def polling(make_app: Callable[..., Flask]) -> Service:
    """Service whose fetcher may reach the test servers' address (and only that one)."""
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="3",
                   SYNDICATE_SOURCE_INTERVAL="600", SYNDICATE_SOURCE_MIN_INTERVAL="60")
    found: Service = app.extensions[EXTENSION_KEY]
    return found


def add(service: Service, url: str, **fields: Any) -> Source:
    """Register a source the way the API does, due now."""
    return service.sources.add(
        SourceInput(url=url, producer=fields.pop("producer", None), **fields))


def entries(n: int, prefix: str = "e", **fields: Any) -> list[make.Entry]:
    """Return n entries with distinct guids and content."""
    return [make.Entry(guid=f"{prefix}-{i}", title=f"Story number {i} about the city council",
                       html=f"<p>The council met for the {i}th time and approved a plan.</p>",
                       link=f"https://upstream.example/{prefix}/{i}", **fields)
            for i in range(n)]


def articles_of(service: Service, producer: str | None = None) -> list[Any]:
    """Return the producer's live articles (every producer's when None)."""
    page = service.articles.page(limit=1000, cursor=None, include_retracted=False,
                                              producer=producer)
    return list(page.items)


class Writes:
    """Count the INSERT, UPDATE and DELETE statements a block sends to the database."""

    def __init__(self, service: Service) -> None:
        self.engine = service.store.engine
        self.statements: list[str] = []

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements.append(statement)

    def __enter__(self) -> Writes:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_rss_entries_become_articles_in_every_language_feed(
        polling: Service, upstream: Upstream, installed_packages: Path) -> None:
    story = make.Entry(guid="story-1", title="Council <b>approves</b> the budget",
                       html=PARAGRAPHS, link="https://upstream.example/story-1",
                       author="Ana Reporter", categories=("local", "transport"),
                       image="https://upstream.example/bus.jpg", image_credit="Photo: C. Lens",
                       summary="The vote was close.")
    upstream.routes["/feed.xml"] = Document(make.rss20([story]))
    source = add(polling, upstream.url("/feed.xml"), categories=("wire",))

    report = polling.pipeline.poll_sources()

    assert (report.polled, report.created, report.failed) == (1, 1, 0)
    [article] = articles_of(polling)
    assert article.title == "Council approves the budget"  # markup in a title is removed
    assert (article.author, article.link) == ("Ana Reporter", "https://upstream.example/story-1")
    assert article.categories == ("local", "transport", "wire")
    assert article.language == "en" and article.summary == "The vote was close."
    assert article.image is not None and article.image.url == "https://upstream.example/bus.jpg"
    assert article.image.credit == "Photo: C. Lens"
    kinds = [b.type.value for b in article.blocks]
    assert kinds == ["heading", "paragraph", "list", "paragraph"]  # structure kept
    assert 'href="https://example.org/budget"' in article.blocks[1].html  # links kept
    state = polling.sources.get(source.id)
    assert (state.last_status, state.entries_ingested, state.errors) == (200, 1, 0)
    assert state.etag and state.last_modified and state.last_fetch is not None
    assert state.next_fetch > state.last_fetch

    polling.pipeline.translate_pending()
    polling.pipeline.publish()
    for lang in polling.settings.translation.languages:
        parsed = feedparser.parse(polling.settings.feeds.feeds_dir / lang / "rss.xml")
        assert [e.title for e in parsed.entries][:1] != [], lang
        assert parsed.feed.language == lang


@pytest.mark.parametrize("kind", ["rss20", "rss091", "rss10", "atom", "json10", "json11"])
def test_every_feed_format(polling: Service, upstream: Upstream, kind: str) -> None:
    stories = [make.Entry(guid=f"https://upstream.example/{i}", title=f"Headline {i} of the day",
                          html=f"<p>Body of story {i}, in <em>HTML</em>.</p>",
                          link=f"https://upstream.example/{i}", author="Ed Itor",
                          categories=("world",)) for i in range(3)]
    body = {"rss20": lambda: make.rss20(stories), "rss091": lambda: make.rss091(stories),
            "rss10": lambda: make.rss10(stories), "atom": lambda: make.atom(stories),
            "json10": lambda: make.json_feed(stories, version="1"),
            "json11": lambda: make.json_feed(stories)}[kind]()
    media = "application/feed+json" if kind.startswith("json") else "application/xml"
    upstream.routes["/f"] = Document(body, content_type=media)
    source = add(polling, upstream.url("/f"))

    report = polling.pipeline.poll_sources()

    assert report.created == 3, polling.sources.get(source.id)
    found = {a.guid: a for a in articles_of(polling)}
    assert set(found) == {f"https://upstream.example/{i}" for i in range(3)}
    first = found["https://upstream.example/0"]
    assert first.title == "Headline 0 of the day"
    assert "<em>HTML</em>" in first.blocks[0].html
    assert first.language == "en"
    if kind not in ("rss091", "rss10"):  # those formats carry no author or category here
        assert first.author == "Ed Itor" and first.categories == ("world",)


def test_unchanged_feed_costs_one_304_and_no_database_write(
        polling: Service, upstream: Upstream) -> None:
    feeds = [Document(make.rss20(entries(3, prefix=f"s{i}"))) for i in range(3)]
    feeds.append(Document(make.rss20(entries(2, prefix="lm")), etag=False))  # Last-Modified only
    sources = []
    for i, doc in enumerate(feeds):
        upstream.routes[f"/f{i}"] = doc
        sources.append(add(polling, upstream.url(f"/f{i}")))
    assert polling.pipeline.poll_sources().created == 11

    upstream.requests.clear()
    with Writes(polling) as writes:
        report = polling.pipeline.poll_sources(polling.sources.all())

    assert (report.polled, report.not_modified, report.created) == (4, 4, 0)
    assert writes.statements == []
    assert len(upstream.requests) == 4
    conditional = [h for _, h in upstream.requests]
    assert sum("If-None-Match" in h for h in conditional) == 3
    assert all("If-Modified-Since" in h for h in conditional)
    # The 304s moved the schedule in memory: nothing is due again right away.
    assert polling.poller.due(polling.sources.all(),
                                       polling.clock()) == []


def test_changed_entry_is_a_new_revision_and_only_its_changed_block_is_translated(
        polling: Service, upstream: Upstream, installed_packages: Path) -> None:
    paragraphs = ["The council approved the budget on Tuesday.",
                  "Forty new drivers will be hired next year.",
                  "Night buses will run on three more routes."]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    doc = Document(make.rss20([make.Entry("s-1", "Budget approved", html)]))
    upstream.routes["/f"] = doc
    add(polling, upstream.url("/f"))
    polling.pipeline.poll_sources()
    polling.pipeline.translate_pending()

    paragraphs[1] = "Fifty new drivers will be hired next year."
    doc.replace(make.rss20([make.Entry("s-1", "Budget approved",
                                       "".join(f"<p>{p}</p>" for p in paragraphs))]))
    report = polling.pipeline.poll_sources(polling.sources.all())
    assert (report.created, report.updated) == (0, 1)
    [article] = articles_of(polling)
    assert article.revision == 2

    translated = polling.pipeline.translate_pending()
    targets = len(polling.settings.translation.target_languages)
    assert translated.done == targets
    assert translated.translated == targets  # one changed sentence per language
    assert translated.memory_hits >= 3 * targets  # title and two unchanged paragraphs
    _, spanish, _ = polling.articles.translation(article.id, "es")
    assert "Fifty new drivers" in spanish.blocks[1].html


def test_retry_after_and_cache_headers_and_ttl_set_the_next_poll(
        polling: Service, upstream: Upstream) -> None:
    upstream.routes["/busy"] = status(503, {"Retry-After": "7200"})
    upstream.routes["/cached"] = Document(make.rss20(entries(1)),
                                          headers={"Cache-Control": "public, max-age=3000"})
    upstream.routes["/ttl"] = Document(make.rss20(entries(1, prefix="t"), ttl=90))
    upstream.routes["/huge-ttl"] = Document(make.rss20(entries(1, prefix="h"), ttl=100_000))
    ids = {path: add(polling, upstream.url(path), producer=path).id
           for path in ("/busy", "/cached", "/ttl", "/huge-ttl")}
    now = polling.clock()
    polling.pipeline.poll_sources()

    def wait(path: str) -> float:
        source = polling.sources.get(ids[path])
        return (source.next_fetch - now).total_seconds()

    assert 7200 <= wait("/busy") <= 7200 * 1.1 + 5  # Retry-After beats the backoff
    assert polling.sources.get(ids["/busy"]).last_error == \
        "fetch: HTTP 503 Service Unavailable"
    assert 3000 <= wait("/cached") <= 3000 * 1.1 + 5  # max-age beats the 600 s interval
    assert 5400 <= wait("/ttl") <= 5400 * 1.1 + 5  # ttl is in minutes
    assert 86400 <= wait("/huge-ttl") <= 86400 * 1.1 + 5  # the ceiling holds


def test_failures_back_off_and_parse_errors_pause_the_source(
        make_app: Callable[..., Flask], upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_SOURCE_INTERVAL="100",
                   SYNDICATE_SOURCE_MIN_INTERVAL="10", SYNDICATE_SOURCE_PAUSE_AFTER="3")
    service: Service = app.extensions[EXTENSION_KEY]
    upstream.routes["/down"] = status(500)
    upstream.routes["/broken"] = Document(b"<rss version='2.0'><channel><item>unclosed",
                                          etag=False, last_modified=False)
    down = add(service, upstream.url("/down"), producer="down")
    broken = add(service, upstream.url("/broken"), producer="broken")
    waits = []
    for _ in range(4):
        now = service.clock()
        service.pipeline.poll_sources(service.sources.all(active_only=True))
        waits.append((service.sources.get(down.id).next_fetch - now)
                      .total_seconds())
    assert [int(w // 100) for w in waits] == [1, 2, 4, 8]  # 100 s doubled, jitter ≤ 10 %
    state = service.sources.get(down.id)
    assert (state.errors, state.paused, state.feed_errors) == (4, False, 0)  # 5xx: no pause

    flagged = service.sources.get(broken.id)
    assert flagged.paused and flagged.feed_errors == 3
    assert flagged.flagged is not None and "paused after 3 failures" in flagged.flagged
    assert "not well-formed XML" in (flagged.last_error or "")
    assert upstream.hits("/broken") == 3  # paused: not fetched on the fourth pass

    resumed = service.sources.pause(broken.id, False)
    assert (resumed.paused, resumed.flagged, resumed.feed_errors) == (False, None, 0)


def test_loopback_is_refused_without_the_allowlist(app: Flask, upstream: Upstream) -> None:
    service: Service = app.extensions[EXTENSION_KEY]
    assert service.settings.fetch.fetch_allow_hosts == ()
    upstream.routes["/feed.xml"] = Document(make.rss20(entries(2)))
    plain = add(service, f"http://127.0.0.1:{upstream.port}/feed.xml", producer="a")
    named = add(service, f"http://localhost:{upstream.port}/feed.xml", producer="b")

    report = service.pipeline.poll_sources()

    assert (report.polled, report.failed, report.created) == (2, 2, 0)
    assert upstream.requests == []  # no connection was made
    for source, shown in ((plain, "127.0.0.1 is a loopback address"),
                          (named, "localhost resolves to 127.0.0.1, a loopback address")):
        state = service.sources.get(source.id)
        assert state.last_error is not None and state.last_error.startswith("refused: " + shown)


def test_a_source_may_name_its_own_allowed_host(app: Flask, upstream: Upstream) -> None:
    service: Service = app.extensions[EXTENSION_KEY]
    upstream.routes["/feed.xml"] = Document(make.rss20(entries(2)))
    add(service, upstream.url("/feed.xml"), allow_hosts=(ALLOW,))
    assert service.pipeline.poll_sources().created == 2


def test_redirects_to_forbidden_places_are_refused(
        polling: Service, upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    real = socket.getaddrinfo

    def resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "intranet.example":  # a public-looking name that resolves to a private one
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = upstream.port
    targets = {"/to-loopback": f"http://127.0.0.1:{port}/good",
               "/to-metadata": "http://169.254.169.254/latest/meta-data/",
               "/to-v6-loopback": f"http://[::1]:{port}/good",
               "/to-unspecified": f"http://0.0.0.0:{port}/good",
               "/to-private": "http://192.168.1.1/feed",
               "/to-intranet-name": "http://intranet.example/feed",
               "/to-file": "file:///etc/passwd", "/loop": "/loop"}
    for path, target in targets.items():
        upstream.routes[path] = status(301, {"Location": target})
    upstream.routes["/good"] = Document(make.rss20(entries(2, prefix="good")))
    ids = {path: add(polling, upstream.url(path), producer=path).id for path in targets}
    good = add(polling, upstream.url("/good"), producer="good")

    report = polling.pipeline.poll_sources()

    assert (report.failed, report.created) == (len(targets), 2)
    assert len(articles_of(polling, "good")) == 2
    expected = {"/to-loopback": "127.0.0.1 is a loopback address",
                "/to-metadata": "169.254.169.254 is a link-local address",
                "/to-v6-loopback": "::1 is a loopback address",
                "/to-unspecified": "0.0.0.0 is a unspecified address",
                "/to-private": "192.168.1.1 is a private address",
                "/to-intranet-name": "intranet.example resolves to 10.1.2.3, a private address",
                "/to-file": "only http and https URLs are fetched, not 'file'",
                "/loop": "more than 5 redirects"}
    for path, message in expected.items():
        state = polling.sources.get(ids[path])
        assert state.last_error is not None and message in state.last_error, (path, state)
        assert state.last_error.startswith("refused: ")
        assert articles_of(polling, path) == []
    assert upstream.hits("/good") == 1  # only the good source reached it
    assert polling.sources.get(good.id).errors == 0


def test_other_schemes_and_credentials_are_refused(polling: Service) -> None:
    from syndicate.errors import FetchRefused
    from syndicate.fetch.client import Client, Limits

    with pytest.raises(FetchRefused, match="only http and https"):
        Client(Limits()).get("ftp://example.org/feed")
    with pytest.raises(FetchRefused, match="credentials"):
        Client(Limits()).get("http://user:secret@example.org/feed")


def test_hostile_bodies_leave_clear_errors_and_nothing_half_ingested(
        make_app: Callable[..., Flask], upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="2")
    service: Service = app.extensions[EXTENSION_KEY]
    from syndicate.testing import upstream as kit

    xxe = (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
           b"<rss version='2.0'><channel><title>t</title><item><guid>1</guid><title>&x;</title>"
           b"<description>&x;</description></item></channel></rss>")
    # the classic: each of nine entities is ten of the one before, 10^9 "lol"s in all
    laughs = (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY l0 'lol'>"
              + b"".join(b"<!ENTITY l%d '%s'>" % (i, b"&l%d;" % (i - 1) * 10)
                         for i in range(1, 10))
              + b"]><rss version='2.0'><channel><title>t</title><item><guid>1</guid>"
              b"<title>&l9;</title><description>x</description></item></channel></rss>")
    simple = (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY nbsp '&#160;'>"
              b"<!ENTITY copy '&#169;'>]><rss version='2.0'><channel><title>t</title><item>"
              b"<guid>old-1</guid><title>Old&nbsp;feed &copy; 2026</title><description>An old "
              b"feed that declares its HTML entities.</description></item></channel></rss>")
    upstream.routes.update({
        "/big": kit.huge(50 * 1024 * 1024), "/bomb": kit.gzip_bomb(200 * 1024 * 1024),
        "/drip": kit.drip(make.rss20(entries(1, prefix="drip")), 0.2, upstream.stopping),
        "/xxe": Document(xxe), "/laughs": Document(laughs), "/simple": Document(simple),
        "/html": Document(b"<html><body><p>Not a feed</p></body></html>", "text/html"),
        "/json": Document(b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}',
                          "application/feed+json"),
        "/truncated": Document(make.rss20(entries(5, prefix="cut"))[:-200]),
        "/good": Document(make.rss20(entries(3, prefix="ok")))})
    expected = {"/big": "too_large: body is over the limit of 15728640 bytes",  # the default
                "/bomb": "too_large: body is over the limit of 15728640 bytes (after decomp",
                "/drip": "fetch: body not complete after 2 s",
                "/xxe": "parse: the document's DTD declares an entity (x) that could read a "
                        "file or the network",
                "/laughs": "parse: the document's DTD declares an entity (l1) that could read",
                "/html": "parse: not an RSS, Atom or JSON feed",
                "/json": "parse: not a JSON Feed: 'items' must be a list",
                "/truncated": "parse: not well-formed XML"}
    ids = {path: add(service, upstream.url(path), producer=path).id for path in expected}
    add(service, upstream.url("/good"), producer="good")
    add(service, upstream.url("/simple"), producer="simple")

    report = service.pipeline.poll_sources()

    assert (report.failed, report.created) == (len(expected), 4)
    assert len(articles_of(service, "good")) == 3
    [old] = articles_of(service, "simple")  # short plain-text entities are fine
    assert old.title == "Old feed © 2026"  # the no-break space folded, as in every title
    for path, message in expected.items():
        state = service.sources.get(ids[path])
        assert state.last_error is not None and state.last_error.startswith(message), \
            (path, state.last_error)
        assert (state.entries_ingested, articles_of(service, path)) == (0, [])
        assert state.etag is None  # a failed fetch leaves no validator behind


def test_many_entries_duplicates_and_encodings(make_app: Callable[..., Flask],
                                               upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_SOURCE_MAX_ENTRIES="40")
    service: Service = app.extensions[EXTENSION_KEY]
    many = [make.Entry(guid=f"m-{i}", title=f"Entry {i}", html=f"<p>Text {i}.</p>",
                       published=make.Entry.published + timedelta(minutes=i))
            for i in range(10_000)]
    twice = entries(3, prefix="d")
    twice.insert(1, make.Entry("d-0", "A later copy", "<p>Same guid again.</p>"))
    latin = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
             "<item><guid>enc-1</guid><title>Caf\xe9 reopens</title><description>The caf\xe9 "
             "on the square reopened.</description></item></channel></rss>").encode("latin-1")
    klingon = make.rss20(entries(1, prefix="k")).replace(b"encoding='utf-8'",
                                                         b"encoding='x-klingon'")
    # newest first, as feeds list them: the first 4 x 40 are read, the newest 40 of those kept
    upstream.routes.update({"/many": Document(make.rss20(many[::-1])),
                            "/twice": Document(make.rss20(twice)),
                            "/latin": Document(latin), "/klingon": Document(klingon)})
    ids = {p: add(service, upstream.url(p), producer=p).id
           for p in ("/many", "/twice", "/latin", "/klingon")}
    service.pipeline.poll_sources()

    state = service.sources.get(ids["/many"])
    assert state.last_note == ("the document has more than 160 entries: the first 160 were "
                               "read and the newest 40 of them taken")
    taken = {a.guid for a in articles_of(service, "/many")}
    assert taken == {f"m-{i}" for i in range(9960, 10_000)}
    dup = service.sources.get(ids["/twice"])
    assert dup.last_note == "1 entries repeated an earlier guid and were ignored"
    assert sorted(a.guid for a in articles_of(service, "/twice")) == ["d-0", "d-1", "d-2"]
    [cafe] = articles_of(service, "/latin")  # declared utf-8, really latin-1: read as such
    assert cafe.title == "Café reopens"
    assert service.sources.get(ids["/latin"]).last_note == \
        "the document is declared as utf-8, but parsed as windows-1252"
    assert len(articles_of(service, "/klingon")) == 1
    assert service.sources.get(ids["/klingon"]).last_note == \
        "the document is declared as x-klingon, but parsed as utf-8"


def test_mixed_language_feed_is_detected_per_entry(
        polling: Service, upstream: Upstream, installed_packages: Path) -> None:
    texts = {
        "en": "The city council approved a new budget on Tuesday that adds forty bus drivers.",
        "es": "El ayuntamiento aprobó el martes un nuevo presupuesto que incorpora cuarenta "
              "conductores de autobús.",
        "fr": "Le conseil municipal a adopté mardi un nouveau budget qui prévoit quarante "
              "chauffeurs de bus.",
        "de": "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der vierzig "
              "Busfahrer mehr vorsieht.",
    }
    stories = [make.Entry(guid=lang, title=text.split(" ")[0] + " " + text.split(" ")[1],
                          html=f"<p>{text}</p>") for lang, text in texts.items()]
    upstream.routes["/mixed"] = Document(make.rss20(stories, language=None))
    add(polling, upstream.url("/mixed"))
    polling.pipeline.poll_sources()

    found = {a.guid: a.language for a in articles_of(polling)}
    assert found == {lang: lang for lang in texts}
    spanish = next(a for a in articles_of(polling) if a.guid == "es")
    assert polling.articles.targets(spanish) == ["en", "fr", "de"]  # not into es


def test_a_stated_language_wins_over_detection(polling: Service, upstream: Upstream) -> None:
    stories = [make.Entry(guid="x", title="Headline",
                          html="<p>The council approved the new budget on Tuesday.</p>")]
    upstream.routes["/declared"] = Document(make.atom(stories, language="fr"))
    upstream.routes["/forced"] = Document(make.rss20(stories, language=None))
    add(polling, upstream.url("/declared"), producer="declared")
    add(polling, upstream.url("/forced"), producer="forced", language="es")
    polling.pipeline.poll_sources()
    assert [a.language for a in articles_of(polling, "declared")] == ["fr"]
    assert [a.language for a in articles_of(polling, "forced")] == ["es"]


def test_unsure_detection_holds_the_entry_when_asked(make_app: Callable[..., Flask],
                                                     upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_DETECT_UNSURE="hold")
    service: Service = app.extensions[EXTENSION_KEY]
    stories = [make.Entry(guid="sure", title="Council news",
                          html="<p>The city council approved a new budget on Tuesday.</p>"),
               make.Entry(guid="unsure", title="42", html="<p>2026 — 7:2 (3:1)</p>")]
    upstream.routes["/f"] = Document(make.rss20(stories, language=None))
    source = add(service, upstream.url("/f"))
    report = service.pipeline.poll_sources()
    assert (report.created, report.held) == (1, 1)
    assert [a.guid for a in articles_of(service)] == ["sure"]
    note = service.sources.get(source.id).last_note or ""
    assert note.startswith("1 entries held: 'unsure': cannot be detected with confidence")


def test_an_entry_an_operator_retracted_stays_retracted(polling: Service,
                                                        upstream: Upstream) -> None:
    doc = Document(make.rss20(entries(2)))
    upstream.routes["/f"] = doc
    add(polling, upstream.url("/f"))
    polling.pipeline.poll_sources()
    taken_down = articles_of(polling)[0]
    polling.articles.retract(taken_down.id, "legal")
    doc.replace(make.rss20(entries(2) + entries(1, prefix="new")))  # the feed changes
    report = polling.pipeline.poll_sources(polling.sources.all())
    assert report.created == 1
    assert taken_down.id not in {a.id for a in articles_of(polling)}


# The operators' API and CLI.


def test_sources_api(client: FlaskClient, operator: dict[str, str],
                     producer: dict[str, str]) -> None:
    body = {"url": "https://news.example/feed.xml", "language": "en-GB", "interval": 1800,
            "categories": ["wire"], "allow_hosts": ["10.0.0.0/8"]}
    created = client.post("/api/v1/sources", json=body, headers=operator)
    assert created.status_code == 201, created.json
    source = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/sources/{source['id']}")
    assert (source["producer"], source["language"], source["interval"]) == \
        ("news.example", "en", 1800)
    assert (source["paused"], source["entries_ingested"], source["last_fetch"]) == \
        (False, 0, None)
    assert client.post("/api/v1/sources", json=body, headers=operator).status_code == 409
    assert client.post("/api/v1/sources", json=body, headers=producer).status_code == 403

    listed = client.get("/api/v1/sources", headers=operator).get_json()["items"]
    assert [s["url"] for s in listed] == [body["url"]]
    path = f"/api/v1/sources/{source['id']}"
    paused = client.patch(path, json={"paused": True}, headers=operator)
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    assert client.post(path + "/fetch", headers=operator).status_code == 409
    client.patch(path, json={"paused": False}, headers=operator)
    assert client.post(path + "/fetch", headers=operator).status_code == 202
    assert client.delete(path, headers=operator).status_code == 200
    assert client.get(path, headers=operator).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "ftp://news.example/feed"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "https://a.example/f", "language": "klingon"}, "language"),
    ({"url": "https://a.example/f", "allow_hosts": ["not a host!"]}, "allow_hosts[0]"),
    ({"url": "https://a.example/f", "interval": 0}, "interval"),
    ({"url": "https://a.example/f", "extra": 1}, "extra"),
    ({}, "url"),
])
def test_sources_api_names_the_bad_field(client: FlaskClient, operator: dict[str, str],
                                         body: dict[str, Any], field: str) -> None:
    response = client.post("/api/v1/sources", json=body, headers=operator)
    assert response.status_code == 422
    problem = response.get_json()
    fields = [e["field"] for e in problem.get("errors", [])] + [problem.get("field")]
    assert field in fields, problem
    assert client.get("/api/v1/sources", headers=operator).get_json()["items"] == []


def test_sources_cli(make_app: Callable[..., Flask], upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW)
    runner = app.test_cli_runner()
    upstream.routes["/feed.xml"] = Document(make.rss20(entries(2)))
    added = runner.invoke(args=["sources", "add", upstream.url("/feed.xml"), "--language", "en",
                                "--producer", "wire", "--categories", "a, b",
                                "--interval", "900"])
    assert added.exit_code == 0, added.output
    assert added.output.startswith("added source 1: ")
    fetched = runner.invoke(args=["sources", "fetch", "1"])
    assert fetched.exit_code == 0, fetched.output
    assert "status 200, 2 new, 0 changed, 0 held" in fetched.output
    shown = json.loads(runner.invoke(args=["sources", "show", "1"]).output)
    assert (shown["categories"], shown["entries_ingested"]) == (["a", "b"], 2)
    [listed] = json_lines(runner.invoke(args=["sources", "list", "--json"]).stdout)
    assert (listed["id"], listed["paused"], listed["last_status"], listed["entries_ingested"]
            ) == (1, False, 200, 2)
    table = runner.invoke(args=["sources", "list"]).stdout.splitlines()
    assert table[0].split() == ["ID", "STATE", "STATUS", "ENTRIES", "PRODUCER", "URL", "PROBLEM"]
    assert table[1].split()[:5] == ["1", "active", "200", "2", "wire"]
    assert runner.invoke(args=["sources", "pause", "1"]).exit_code == 0
    assert runner.invoke(args=["sources", "resume", "1"]).exit_code == 0
    upstream.routes["/feed.xml"] = status(404)
    checked = runner.invoke(args=["sources", "add", upstream.url("/gone"), "--producer", "gone"])
    assert checked.exit_code == 1 and "url: fetch: HTTP 404 Not Found" in checked.stderr
    assert "added" not in checked.output  # nothing saved
    runner.invoke(args=["sources", "add", upstream.url("/gone"), "--producer", "gone",
                        "--no-check"])
    failed = runner.invoke(args=["sources", "fetch", "2"])
    assert failed.exit_code == 1 and "fetch: HTTP 404 Not Found" in failed.output
    bad = runner.invoke(args=["sources", "add", "gopher://x.example/"])
    assert bad.exit_code == 1 and "url" in bad.output
    assert runner.invoke(args=["sources", "remove", "1"]).exit_code == 0
    assert runner.invoke(args=["sources", "show", "1"]).exit_code == 1


def test_sources_add_checks_the_feed_first_and_says_how_to_allow_a_private_host(
        make_app: Callable[..., Flask], upstream: Upstream) -> None:
    runner = make_app().test_cli_runner()  # no allowlist: the test server is loopback
    upstream.routes["/feed.xml"] = Document(make.rss20(entries(2)))
    url = upstream.url("/feed.xml")
    refused = runner.invoke(args=["sources", "add", url, "--producer", "wire"])
    assert refused.exit_code == 1
    assert "url: refused: " in refused.stderr and "--allow-host HOST[:PORT]" in refused.stderr
    listed = runner.invoke(args=["sources", "list"])
    assert listed.stdout == "" and "no sources" in listed.stderr  # nothing half-stored
    where = url.split("/")[2]  # 127.0.0.1:PORT
    added = runner.invoke(args=["sources", "add", url, "--producer", "wire",
                                "--allow-host", where])
    assert added.exit_code == 0, added.output
    upstream.routes["/page.html"] = Document(b"<html><body>Not a feed</body></html>",
                                             "text/html")
    not_feed = runner.invoke(args=["sources", "add", upstream.url("/page.html"),
                                   "--producer", "page", "--allow-host", where])
    assert not_feed.exit_code == 1 and "url: parse: " in not_feed.stderr
    saved = runner.invoke(args=["sources", "add", "http://127.0.0.1:9/feed.xml",
                                "--producer", "later", "--no-check"])
    assert saved.exit_code == 0  # saved as asked; its polls will say what is wrong
    changed = runner.invoke(args=["sources", "update", "2", "--allow-host", "127.0.0.1:9"])
    assert changed.exit_code == 0 and "allowed hosts 127.0.0.1:9" in changed.output
    cleared = runner.invoke(args=["sources", "update", "2", "--no-allow-hosts"])
    assert cleared.exit_code == 0 and "allowed hosts -" in cleared.output


def test_the_readme_example_feed(polling: Service, upstream: Upstream) -> None:
    """tests/data/upstream-feed.xml, which the README serves for `sources add`."""
    body = (Path(__file__).with_name("data") / "upstream-feed.xml").read_bytes()
    upstream.routes["/feed.xml"] = Document(body)
    source = add(polling, upstream.url("/feed.xml"))
    now = polling.clock()
    assert polling.pipeline.poll_sources().created == 3
    found = {a.title: a for a in articles_of(polling)}
    bridge = found["Council approves the new river bridge"]
    assert [b.type.value for b in bridge.blocks] == ["heading", "paragraph", "heading",
                                                     "paragraph", "list"]
    assert 'href="https://gazette.example/2026/plan"' in bridge.blocks[3].html
    assert bridge.image is not None and bridge.image.credit == "Photo: C. Lens"
    assert bridge.language == "en"  # en-GB, as the feed says, is English
    library = found["Library opens on Sundays from December"]
    assert library.author is None and len(library.blocks) == 2  # from the description
    assert found["Why is the river so high this week?"].blocks[1].type.value == "quote"
    state = polling.sources.get(source.id)
    assert (state.next_fetch - now).total_seconds() >= 1800  # ttl 30 minutes


def test_a_permanent_redirect_moves_the_source(polling: Service, upstream: Upstream) -> None:
    upstream.routes["/old.xml"] = status(301, {"Location": "/new.xml"})
    upstream.routes["/temp.xml"] = status(302, {"Location": "/new.xml"})
    upstream.routes["/new.xml"] = Document(make.rss20(entries(1)))
    moved = add(polling, upstream.url("/old.xml"), producer="a")
    kept = add(polling, upstream.url("/temp.xml"), producer="b")
    polling.pipeline.poll_sources()
    assert polling.sources.get(moved.id).url == upstream.url("/new.xml")
    assert polling.sources.get(kept.id).url == upstream.url("/temp.xml")
    upstream.requests.clear()
    polling.pipeline.poll_sources([polling.sources.get(moved.id)])
    assert [path for path, _ in upstream.requests] == ["/new.xml"]


def test_a_new_language_rereads_the_whole_feed(polling: Service, upstream: Upstream,
                                               client: FlaskClient,
                                               operator: dict[str, str]) -> None:
    upstream.routes["/f"] = Document(make.rss20(entries(2), language=None))
    source = add(polling, upstream.url("/f"))
    polling.pipeline.poll_sources()
    assert {a.language for a in articles_of(polling)} == {"en"}  # detected
    path = f"/api/v1/sources/{source.id}"
    assert client.patch(path, json={}, headers=operator).status_code == 422
    bad = client.patch(path, json={"language": "xx-nonsense"}, headers=operator)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "language"
    changed = client.patch(path, json={"language": "es", "categories": ["wire"]},
                           headers=operator)
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["language"], changed.get_json()["etag"]) == ("es", None)

    upstream.requests.clear()
    report = polling.pipeline.poll_sources()  # due at once, and not conditional
    assert report.updated == 2
    assert "If-None-Match" not in upstream.requests[0][1]
    assert {(a.language, a.categories) for a in articles_of(polling)} == {("es", ("wire",))}


def test_a_stopped_poller_starts_no_fetch(polling: Service, upstream: Upstream) -> None:
    upstream.routes["/f"] = Document(make.rss20(entries(1)))
    add(polling, upstream.url("/f"))
    polling.poller.stop()  # the scheduler is shutting down
    assert polling.pipeline.poll_sources().polled == 0
    assert upstream.requests == []
    polling.poller.start()
    assert polling.pipeline.poll_sources().polled == 1


def test_sources_update_cli(make_app: Callable[..., Flask]) -> None:
    runner = make_app().test_cli_runner()
    runner.invoke(args=["sources", "add", "https://news.example/feed.xml", "--no-check"])
    updated = runner.invoke(args=["sources", "update", "1", "--language", "fr-CA",
                                  "--interval", "120", "--categories", "world"])
    assert updated.exit_code == 0, updated.output
    assert updated.output.strip() == "updated source 1: language fr, interval 120, " \
        "categories world, allowed hosts -"
    cleared = runner.invoke(args=["sources", "update", "1", "--language", ""])
    assert "language auto" in cleared.output
    assert runner.invoke(args=["sources", "update", "1"]).exit_code == 1  # nothing to change


def test_a_dns_rebind_between_lookups_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first answer is public, the next private: the address connected to is the one
    checked, and every lookup is checked, so the private one is never reached."""
    import socket

    from syndicate.errors import FetchRefused
    from syndicate.fetch.client import Client, Limits

    answers = iter(["93.184.216.34", "10.0.0.7", "10.0.0.7", "10.0.0.7"])
    connected: list[Any] = []

    def resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port or 80))]

    def connect(*args: Any, **kwargs: Any) -> Any:
        connected.append(args)
        raise OSError("no network in this test")

    import urllib3.util.connection

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    with pytest.raises(FetchRefused, match="10.0.0.7"):
        Client(Limits(timeout=2)).get("http://rebind.example/feed.xml")
    assert connected == []
    answers = iter(["93.184.216.34"] * 3)  # a public name is connected to, pinned
    from syndicate.errors import FetchFailed

    with pytest.raises(FetchFailed, match="no network in this test"):
        Client(Limits(timeout=2)).get("http://public.example/feed.xml")
    assert connected and connected[0][0][0] == "93.184.216.34"


def test_a_host_gets_at_most_its_share_of_connections_and_polls_spread_out(
        make_app: Callable[..., Flask], upstream: Upstream) -> None:
    import threading
    import time

    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_PER_HOST="2",
                   SYNDICATE_FETCH_WORKERS="6")
    service: Service = app.extensions[EXTENSION_KEY]
    together = threading.Condition()
    active, peak = [0], [0]

    def slow(path: str) -> Any:
        document = Document(make.rss20(entries(1, prefix=path)))

        def handle(handler: Any) -> None:
            with together:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
                together.notify_all()
                # hold on until a second request is in, so the peak shows what the poller
                # allows (the last lone request gives up waiting)
                together.wait_for(lambda: active[0] >= 2, timeout=1.0)
            time.sleep(0.05)  # and give a third, were it allowed, the time to arrive
            with together:
                active[0] -= 1
            document(handler)

        return handle

    for i in range(6):
        upstream.routes[f"/f{i}"] = slow(f"f{i}")
        add(service, upstream.url(f"/f{i}"), producer=f"p{i}")
    report = service.pipeline.poll_sources()
    assert (report.polled, report.created) == (6, 6)
    assert peak[0] == 2  # six workers, one host: two at a time
    due = {s.next_fetch for s in service.sources.all()}
    assert len(due) == 6  # the same interval, spread by jitter


@pytest.fixture
def tls_upstream(tmp_path: Path) -> Iterator[tuple[Upstream, Path]]:
    """An HTTPS upstream on 127.0.0.2 with a certificate from a throwaway CA (whose bundle is
    returned), valid for that address and for feeds.internal."""
    import ssl

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert(ALLOW, "feeds.internal")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with serving(tls=context) as server:
        yield server, bundle


def test_https_sources_are_verified_pinned_and_never_downgraded(
        make_app: Callable[..., Flask], tls_upstream: tuple[Upstream, Path],
        upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    secure, bundle = tls_upstream
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_CA_BUNDLE=str(bundle))
    service: Service = app.extensions[EXTENSION_KEY]
    real = socket.getaddrinfo

    def resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "feeds.internal":  # a private deployment's name for the allowed address
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ALLOW, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    secure.routes["/feed.xml"] = Document(make.rss20(entries(2, prefix="tls")))
    secure.routes["/down"] = status(302, {"Location": upstream.url("/feed.xml")})
    upstream.routes["/feed.xml"] = Document(make.rss20(entries(2, prefix="plain")))
    by_address = add(service, secure.url("/feed.xml"), producer="by-address")
    by_name = add(service, f"https://feeds.internal:{secure.port}/feed.xml", producer="by-name")
    downgrade = add(service, secure.url("/down"), producer="down")

    report = service.pipeline.poll_sources()

    assert report.created == 4, [service.sources.get(s.id).last_error
                                 for s in (by_address, by_name)]
    assert {a.guid for a in articles_of(service, "by-name")} == {"tls-0", "tls-1"}
    refused = service.sources.get(downgrade.id).last_error or ""
    assert refused.startswith("refused: redirect from https to http")
    assert upstream.hits("/feed.xml") == 0

    unverified = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW).extensions[EXTENSION_KEY]
    other = add(unverified, secure.url("/feed.xml") + "?again", producer="unverified")
    unverified.pipeline.poll_sources([unverified.sources.get(other.id)])
    failed = unverified.sources.get(other.id).last_error or ""
    assert failed.startswith("fetch: connection failed") and "CERTIFICATE_VERIFY_FAILED" in failed


def test_the_parser_behind_the_guard_reads_no_file_and_expands_nothing(tmp_path: Path) -> None:
    """Belt and braces: even without our DTD check, feedparser (as called) neither reads the
    file an external entity names nor expands nested entities."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = (f"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM '{secret.as_uri()}'>]>"
           "<rss version='2.0'><channel><title>t</title><item><guid>1</guid><title>&x;</title>"
           "<description>&x;</description></item></channel></rss>").encode()
    laughs = (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY l0 'lol'>"
              + b"".join(b"<!ENTITY l%d '%s'>" % (i, b"&l%d;" % (i - 1) * 10)
                         for i in range(1, 10))
              + b"]><rss version='2.0'><channel><title>t</title><item><guid>1</guid>"
              b"<title>&l9;</title></item></channel></rss>")
    read = feedparser.parse(xxe, sanitize_html=True, resolve_relative_uris=True)
    assert "TOP-SECRET-VALUE" not in repr(read)
    expanded = feedparser.parse(laughs, sanitize_html=True, resolve_relative_uris=True)
    assert len(repr(expanded)) < 10_000


def test_common_feed_mistakes_are_mended_and_noted(polling: Service,
                                                   upstream: Upstream) -> None:
    """What real feeds get wrong and feed readers forgive: blank lines before the XML
    declaration, HTML entities without a DTD, bare ampersands. A truncated document is
    still refused (see the hostile bodies)."""
    body = (b"\n\n  <?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            b"<title>Fish & Chips Weekly</title><item><guid>m-1</guid>"
            b"<title>Caf&eacute;s &amp; bars &mdash; open&nbsp;late</title>"
            b"<description>Fish & chips &hellip; and &unknownthing; too.</description>"
            b"</item></channel></rss>")
    upstream.routes["/messy"] = Document(body)
    source = add(polling, upstream.url("/messy"))
    assert polling.pipeline.poll_sources().created == 1
    [article] = articles_of(polling)
    assert article.title == "Cafés & bars — open late"
    assert article.blocks[0].html.startswith("Fish &amp; chips … and &amp;unknownthing")
    note = polling.sources.get(source.id).last_note or ""
    assert note.startswith("the document is not well-formed XML (undefined HTML entities")


def test_a_polls_entries_keep_their_order_in_the_published_feed(
        polling: Service, upstream: Upstream, installed_packages: Path) -> None:
    base = make.Entry.published
    stories = [make.Entry(guid=f"o-{h}", title=f"Published at hour {h}",
                          html=f"<p>Story of hour {h}.</p>",
                          published=base + timedelta(hours=h)) for h in (2, 0, 3, 1)]
    upstream.routes["/f"] = Document(make.rss20(stories))
    add(polling, upstream.url("/f"))
    polling.pipeline.poll_sources()
    polling.pipeline.publish()
    parsed = feedparser.parse(polling.settings.feeds.feeds_dir / "en" / "rss.xml")
    assert [e.title for e in parsed.entries] == [f"Published at hour {h}" for h in (3, 2, 1, 0)]
    polling.pipeline.translate_pending()  # one batch of four: numbered in published order too
    polling.pipeline.publish()
    spanish = feedparser.parse(polling.settings.feeds.feeds_dir / "es" / "rss.xml")
    assert [e.title for e in spanish.entries] == [f"Published at hour {h}" for h in (3, 2, 1, 0)]


def test_metrics_count_sources_by_state(polling: Service, upstream: Upstream,
                                        client: FlaskClient) -> None:
    upstream.routes["/ok"] = Document(make.rss20(entries(2)))
    upstream.routes["/down"] = status(503)
    add(polling, upstream.url("/ok"), producer="ok")
    add(polling, upstream.url("/down"), producer="down")
    paused = add(polling, upstream.url("/paused"), producer="paused")
    polling.sources.pause(paused.id, True)
    polling.pipeline.poll_sources()
    text = client.get("/api/v1/metrics").get_data(as_text=True)
    for line in ('syndicate_sources{state="active"} 2.0', 'syndicate_sources{state="paused"} 1.0',
                 'syndicate_sources{state="flagged"} 0.0',
                 'syndicate_sources{state="failing"} 1.0',
                 "syndicate_source_entries_ingested_total 2.0"):
        assert line in text, text
