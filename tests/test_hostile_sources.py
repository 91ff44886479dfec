"""Hostile upstreams: a fetch ends at its deadline whatever the server does, a stop ends the
fetches under way, a slow upstream never makes a healthy one wait, no source writes into
another's articles, and allowlists open only what they name."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.errors import Conflict
from syndicate.fetch.client import Client, Limits
from syndicate.models import PollReport, Role, SourceInput
from syndicate.service import EXTENSION_KEY, Service
from syndicate.testing import feeds as make
from syndicate.testing import upstream as kit
from syndicate.testing.upstream import Document, Upstream, serving, wait_until

from .test_sources import ALLOW, add, articles_of, entries


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """A real HTTP server playing upstream feeds."""
    with serving() as server:
        yield server


@pytest.fixture
def hostile(make_app: Callable[..., Flask], upstream: Upstream) -> Service:
    """Service with a 3 s fetch deadline and three upstreams that never finish answering:
    headers one byte a second, a chunk-size line one digit a second, a body byte a second."""
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="3",
                   SYNDICATE_FETCH_PER_HOST="8")  # one test server stands for four hosts
    upstream.routes.update({
        "/headers": kit.header_drip(0.5, upstream.stopping),
        "/chunks": kit.chunk_drip(0.5, upstream.stopping),
        "/body": kit.drip(make.rss20(entries(1, prefix="drip")) * 50, 0.5, upstream.stopping),
        "/good": Document(make.rss20(entries(2, prefix="good")))})
    found: Service = app.extensions[EXTENSION_KEY]
    return found


def _poll_in_background(service: Service) -> tuple[threading.Thread, list[PollReport]]:
    reports: list[PollReport] = []
    thread = threading.Thread(target=lambda: reports.append(service.pipeline.poll_sources()))
    thread.start()
    return thread, reports


def test_dripping_upstreams_end_at_the_deadline_and_a_healthy_one_is_polled_meanwhile(
        hostile: Service, upstream: Upstream) -> None:
    ids = {path: add(hostile, upstream.url(path), producer=path).id
           for path in ("/headers", "/chunks", "/body")}
    thread, reports = _poll_in_background(hostile)
    assert wait_until(lambda: all(upstream.hits(p) for p in ids))  # all three are dripping

    good = add(hostile, upstream.url("/good"), producer="good")  # added during the pass
    # a poll stores its entries, then its record, in two transactions: wait for the record
    assert wait_until(lambda: len(articles_of(hostile, "good")) == 2
                      and hostile.sources.get(good.id).last_status == 200)
    # taken up by the pass under way, while every dripping fetch is still unfinished
    assert all(hostile.sources.get(i).last_fetch is None for i in ids.values())

    thread.join(timeout=60)  # the drips never end by themselves: only the deadline ends these
    assert not thread.is_alive()
    assert reports[0].failed == 3 and reports[0].created == 2
    errors = {path: hostile.sources.get(i).last_error for path, i in ids.items()}
    assert errors == {"/headers": "fetch: timed out after 3 s",
                      "/chunks": "fetch: body not complete after 3 s",
                      "/body": "fetch: body not complete after 3 s"}


def test_a_stop_ends_the_fetches_under_way(make_app: Callable[..., Flask],
                                           upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="600")
    service: Service = app.extensions[EXTENSION_KEY]
    upstream.routes["/headers"] = kit.header_drip(0.2, upstream.stopping)
    source = add(service, upstream.url("/headers"), producer="slow")
    thread, reports = _poll_in_background(service)
    assert wait_until(lambda: upstream.hits("/headers") == 1)

    service.poller.stop()  # as SIGTERM does: the 600 s deadline is not waited for
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert reports[0].failed == 1
    assert service.sources.get(source.id).last_error == \
        "fetch: timed out after 600 s"


def test_sources_on_one_host_never_overwrite_each_other(polling: Service,
                                                        upstream: Upstream) -> None:
    upstream.routes["/first"] = Document(make.rss20(entries(1, prefix="same")))
    hijack = make.Entry(guid="same-0", title="Hijacked headline", html="<p>Replaced.</p>")
    upstream.routes["/second"] = Document(make.rss20([hijack]))
    first = add(polling, upstream.url("/first"))
    polling.pipeline.poll_sources()
    second = add(polling, upstream.url("/second"))  # same host, no producer named either
    polling.pipeline.poll_sources()

    assert (first.producer, second.producer) == ("127.0.0.2", "127.0.0.2-2")
    [original] = articles_of(polling, first.producer)
    assert (original.title, original.revision) == ("Story number 0 about the city council", 1)
    [own] = articles_of(polling, second.producer)  # the same guid, in its own namespace
    assert own.title == "Hijacked headline" and own.id != original.id


def test_a_source_cannot_take_a_producers_or_another_sources_name(
        client: FlaskClient, service: Service, operator: dict[str, str],
        producer: dict[str, str], upstream: Upstream) -> None:
    posted = client.post("/api/v1/articles", headers=producer,
                         json={"guid": "g-1", "title": "The newsroom's own story",
                               "body": "Its text.", "format": "text"})
    assert posted.status_code == 201
    taken = client.post("/api/v1/sources", headers=operator,
                        json={"url": upstream.url("/a.xml"), "producer": "newsroom"})
    assert taken.status_code == 422 and taken.get_json()["errors"][0]["field"] == "producer"
    assert "is a token's name" in taken.get_json()["errors"][0]["detail"]
    ok = client.post("/api/v1/sources", headers=operator,
                     json={"url": upstream.url("/b.xml"), "producer": "wire",
                           "allow_hosts": [ALLOW]})
    assert ok.status_code == 201
    again = client.post("/api/v1/sources", headers=operator,
                        json={"url": upstream.url("/c.xml"), "producer": "wire"})
    assert again.status_code == 422 and "source 1's name" in again.get_data(as_text=True)
    wide = client.post("/api/v1/sources", headers=operator,
                       json={"url": upstream.url("/d.xml"),
                             "allow_hosts": ["10.0.0.5:8080", "::/0", "169.254.169.254"]})
    assert wide.status_code == 422
    assert [e["field"] for e in wide.get_json()["errors"]] == ["allow_hosts[1]",
                                                               "allow_hosts[2]"]
    with pytest.raises(Conflict, match="producer name of source 1"):
        service.access.create_token("wire", Role.PRODUCER)
    [record] = [r for r in client.get("/api/v1/audit", headers=operator).get_json()["items"]
                if r["action"] == "add_source"]
    assert (record["params"]["producer"], record["params"]["allow_hosts"]) == ("wire", [ALLOW])


@pytest.fixture
def polling(make_app: Callable[..., Flask]) -> Service:
    """Service whose fetcher may reach the test servers' address (and only that one)."""
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="3")
    found: Service = app.extensions[EXTENSION_KEY]
    return found


def test_an_allowed_host_with_a_port_allows_only_that_port(make_app: Callable[..., Flask],
                                                           upstream: Upstream) -> None:
    service: Service = make_app().extensions[EXTENSION_KEY]  # no global allowlist
    with serving() as other:  # the same address, another port: the service's own, say
        other.routes["/private.json"] = Document(b"{}", "application/json")
        upstream.routes["/feed.xml"] = kit.redirect(other.url("/private.json"))
        source = service.sources.add(SourceInput(
            url=upstream.url("/feed.xml"), producer=None,
            allow_hosts=(f"{ALLOW}:{upstream.port}",)))
        service.pipeline.poll_sources()
        assert other.hits("/private.json") == 0
    error = service.sources.get(source.id).last_error or ""
    assert error.startswith("refused: 127.0.0.2 is a loopback address; refused")


def test_the_global_allowlist_covers_only_sources_inside_it(
        polling: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.2 is allowed globally. A source on 127.0.0.3 (allowed for itself) may not be
    redirected there; a public origin gets no allowlist at all."""
    with serving("127.0.0.3") as third, serving() as inside:
        inside.routes["/admin"] = Document(make.rss20(entries(1, prefix="inside")))
        third.routes["/feed.xml"] = kit.redirect(inside.url("/admin"))
        source = polling.sources.add(SourceInput(
            url=third.url("/feed.xml"), producer=None, allow_hosts=("127.0.0.3",)))
        polling.pipeline.poll_sources()
        assert third.hits("/feed.xml") == 1 and inside.hits("/admin") == 0
    assert (polling.sources.get(source.id).last_error or "").startswith(
        "refused: 127.0.0.2 is a loopback address; refused (not in the allowlist)")

    client = Client(Limits(), allowlist=("127.0.0.2", "10.0.0.0/8"))
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
        if host == "news.example" else real(host, *a, **k)))
    assert client._allowlist("http://news.example/feed", ("10.1.1.1",)) == ()
    assert client._allowlist("http://127.0.0.2:81/feed", ("10.1.1.1",)) == \
        ("10.1.1.1", "127.0.0.2", "10.0.0.0/8")


def test_over_long_cache_headers_cost_nothing_but_their_own_meaning(
        polling: Service, upstream: Upstream) -> None:
    upstream.routes["/feed.xml"] = Document(
        make.rss20(entries(1, prefix="h")),
        headers={"Retry-After": "9" * 5000, "Cache-Control": "max-age=" + "9" * 5000})
    source = add(polling, upstream.url("/feed.xml"))
    assert polling.pipeline.poll_sources().created == 1  # taken, the numbers ignored
    state = polling.sources.get(source.id)
    assert state.last_status == 200 and state.last_error is None
