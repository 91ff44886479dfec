"""Event-driven wake-ups: a committed ingest wakes translation, a stored translation wakes the
publisher, in this process and (PostgreSQL) in every other; bursts coalesce; the intervals stay
as the safety net, and a dropped LISTEN connection is made again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from syndicate.errors import StoreError
from syndicate.jobs import loops
from syndicate.jobs.scheduler import Leader
from syndicate.models import ArticleInput, Block, BlockType
from syndicate.service import Service
from syndicate.wakeups import Bell

from .test_api_articles import article_body

BOUND = 60.0  # seconds a test waits for something that should come at once (failure only)


def until(check: Callable[[], bool], timeout: float = BOUND) -> bool:
    """Return True as soon as check() is true, False if it never is within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_a_ring_before_the_wait_is_not_slept_through() -> None:
    bell = Bell()
    seen = bell.rings()
    bell.ring()  # rings between "nothing left to do" and the wait
    assert bell.wait(seen, timeout=3600) is True
    assert bell.wait(bell.rings(), timeout=0.01) is False  # nothing new: the interval passes


def test_rings_during_a_pass_make_exactly_one_more_pass() -> None:
    bell = Bell()
    started = threading.Event()
    release = threading.Event()
    passes: list[int] = []

    def job() -> None:
        passes.append(len(passes))
        if len(passes) == 1:
            started.set()
            release.wait(BOUND)

    loop = loops.Loop("test", bell, job, interval=3600)
    loop.start()
    try:
        assert started.wait(BOUND)
        for _ in range(100):  # a burst of commits while the first pass runs
            bell.ring()
        release.set()
        assert until(lambda: len(passes) >= 2)
        idle = threading.Event()
        assert not idle.wait(0.5)  # give a wrong third pass its chance to show
        assert len(passes) == 2
    finally:
        loop.stop()


@pytest.mark.usefixtures("installed_packages")
def test_an_ingest_rings_translation_and_a_stored_translation_rings_the_publisher(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    translate, publish = service.bells.translate.rings(), service.bells.publish.rings()
    client.post("/api/v1/articles", json=article_body(), headers=producer)
    assert service.bells.translate.rings() > translate
    publish_after_ingest = service.bells.publish.rings()
    service.pipeline.translate_pending()
    assert service.bells.publish.rings() > publish_after_ingest > publish


def test_a_rolled_back_transaction_rings_nothing(service: Service) -> None:
    from syndicate.store import feeds as feed_store

    before = service.bells.publish.rings()
    with pytest.raises(StoreError), service.store.write() as session:
        feed_store.touch(session, ["es"])
        session.execute(text("SELECT * FROM no_such_table"))
    assert service.bells.publish.rings() == before


@pytest.fixture
def active(make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """Run the real scheduler with intervals of an hour: only a wake-up can act in time."""
    monkeypatch.setattr(loops, "PUBLISH_SECONDS", 3600.0)
    app = make_app(SYNDICATE_TRANSLATE_INTERVAL="3600", SYNDICATE_PUBLISH_INTERVAL="3600",
                   SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions["syndicate"]
    leader = Leader(service)
    thread = threading.Thread(target=leader.run, args=(leader.acquire_or_refuse(),),
                              daemon=True)
    thread.start()
    assert leader.active.wait(BOUND)
    yield app
    leader.stop()
    thread.join(BOUND)
    assert not thread.is_alive()


@pytest.mark.usefixtures("installed_packages")
def test_a_posted_article_reaches_every_feed_without_waiting_for_an_interval(
        active: Flask) -> None:
    from syndicate.models import Role

    from .conftest import make_token

    service: Service = active.extensions["syndicate"]
    producer = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    body = article_body()
    posted = active.test_client().post("/api/v1/articles", json=body, headers=producer)
    assert posted.status_code == 201
    title = str(body["title"]).encode()
    for lang in ("es", "fr"):
        rss = service.settings.feeds.feeds_dir / lang / "rss.xml"

        def arrived(rss: Path = rss) -> bool:
            return rss.exists() and title in rss.read_bytes()

        assert until(arrived), f"{lang}: the entry never reached the feed"


def listening_pid(service: Service) -> int | None:
    with service.store.read() as session:
        pid: int | None = session.scalar(text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'syndicate-listen' "
            "AND datname = current_database()"))
    return pid


# LISTEN/NOTIFY is PostgreSQL's (on SQLite, one host, the committing process rings)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_wakeups_cross_processes_and_survive_a_dropped_listen_connection(
        service: Service, make_app: Callable[..., Flask]) -> None:
    other: Service = make_app().extensions["syndicate"]  # another process's parts: own bells
    assert other.bells is not service.bells
    other.listener.start()
    try:
        assert other.listener.listening.wait(BOUND)
        seen = other.bells.translate.rings()
        service.articles.ingest(article_input("one"), "desk")
        assert other.bells.translate.wait(seen, BOUND), "no NOTIFY reached the other process"

        pid = listening_pid(service)
        assert pid is not None
        with service.store.write() as session:  # the database drops the listener's session
            session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert until(lambda: other.listener.reconnects >= 1 and other.listener.listening.is_set())
        seen = other.bells.translate.rings()
        service.articles.ingest(article_input("two"), "desk")
        assert other.bells.translate.wait(seen, BOUND), "no NOTIFY after listening again"
    finally:
        other.listener.stop()


def article_input(guid: str) -> ArticleInput:
    return ArticleInput(guid=guid, title=f"Story {guid}", language="en",
                        blocks=(Block(BlockType.PARAGRAPH, "The council met on Monday."),))
