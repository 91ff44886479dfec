"""Hostile upstreams: a fetch ends at its deadline whatever the server does, a stop ends the
fetches under way, and a slow upstream never makes a healthy one wait."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from syndicate.models import PollReport
from syndicate.services import EXTENSION_KEY, Services
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
def hostile(make_app: Callable[..., Flask], upstream: Upstream) -> Services:
    """Services with a 3 s fetch deadline and three upstreams that never finish answering:
    headers one byte a second, a chunk-size line one digit a second, a body byte a second."""
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="3",
                   SYNDICATE_FETCH_PER_HOST="8")  # one test server stands for four hosts
    upstream.routes.update({
        "/headers": kit.header_drip(0.5, upstream.stopping),
        "/chunks": kit.chunk_drip(0.5, upstream.stopping),
        "/body": kit.drip(make.rss20(entries(1, prefix="drip")) * 50, 0.5, upstream.stopping),
        "/good": Document(make.rss20(entries(2, prefix="good")))})
    found: Services = app.extensions[EXTENSION_KEY]
    return found


def _poll_in_background(services: Services) -> tuple[threading.Thread, list[PollReport]]:
    reports: list[PollReport] = []
    thread = threading.Thread(target=lambda: reports.append(services.pipeline.poll_sources()))
    thread.start()
    return thread, reports


def test_dripping_upstreams_end_at_the_deadline_and_a_healthy_one_is_polled_meanwhile(
        hostile: Services, upstream: Upstream) -> None:
    ids = {path: add(hostile, upstream.url(path), producer=path).id
           for path in ("/headers", "/chunks", "/body")}
    thread, reports = _poll_in_background(hostile)
    assert wait_until(lambda: all(upstream.hits(p) for p in ids))  # all three are dripping

    good = add(hostile, upstream.url("/good"), producer="good")  # added during the pass
    assert wait_until(lambda: len(articles_of(hostile, "good")) == 2)
    # taken up by the pass under way, while every dripping fetch is still unfinished
    assert all(hostile.pipeline.queries.source(i).last_fetch is None for i in ids.values())
    assert hostile.pipeline.queries.source(good.id).last_status == 200

    thread.join(timeout=60)  # the drips never end by themselves: only the deadline ends these
    assert not thread.is_alive()
    assert reports[0].failed == 3 and reports[0].created == 2
    errors = {path: hostile.pipeline.queries.source(i).last_error for path, i in ids.items()}
    assert errors == {"/headers": "fetch: timed out after 3 s",
                      "/chunks": "fetch: body not complete after 3 s",
                      "/body": "fetch: body not complete after 3 s"}


def test_a_stop_ends_the_fetches_under_way(make_app: Callable[..., Flask],
                                           upstream: Upstream) -> None:
    app = make_app(SYNDICATE_FETCH_ALLOW_HOSTS=ALLOW, SYNDICATE_FETCH_TIMEOUT="600")
    services: Services = app.extensions[EXTENSION_KEY]
    upstream.routes["/headers"] = kit.header_drip(0.2, upstream.stopping)
    source = add(services, upstream.url("/headers"), producer="slow")
    thread, reports = _poll_in_background(services)
    assert wait_until(lambda: upstream.hits("/headers") == 1)

    services.pipeline.poller.stop()  # as SIGTERM does: the 600 s deadline is not waited for
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert reports[0].failed == 1
    assert services.pipeline.queries.source(source.id).last_error == \
        "fetch: timed out after 600 s"
