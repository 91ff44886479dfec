"""Several processes on PostgreSQL, as on several hosts: gunicorn, workers, active and standby
schedulers. Processes are killed with SIGKILL mid-work; nothing may be lost or done twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import feedparser
import pytest
from sqlalchemy import func, select

from syndicate.config import Settings
from syndicate.models import Role
from syndicate.service import Service
from syndicate.store import counters
from syndicate.store.schema import JobRunRow, TranslationRow
from syndicate.testing import corpus

from .conftest import ARGOS_PACKAGES, BACKENDS, empty_postgres, make_token

if "postgresql" not in BACKENDS:  # CI always has it (conftest raises there without it)
    pytest.skip("needs PostgreSQL's server: apt-get install postgresql", allow_module_level=True)

pytestmark = pytest.mark.usefixtures("installed_packages")
BIN = Path(sys.executable).parent
ARTICLES = 300
LANGS = ("en", "es", "fr")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def eventually(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.01)


class Cluster:
    """Processes sharing one PostgreSQL database and one feeds folder."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.files: list[IO[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        self.files.append(log)
        proc = subprocess.Popen(list(args), env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.files:
            log.close()


@pytest.fixture
def pg_env(postgres_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Return the environment of every process, on an empty PostgreSQL database."""
    env = {
        "SYNDICATE_INSTANCE_DIR": str(tmp_path / "instance"),
        "SYNDICATE_DATABASE_URL": postgres_url,
        "SYNDICATE_FEEDS_DIR": str(tmp_path / "feeds"),
        "SYNDICATE_TRANSLATIONS_DIR": str(tmp_path / "translations"),
        "SYNDICATE_PACKAGES_DIR": str(ARGOS_PACKAGES),
        "SYNDICATE_ENGINES": "argos",
        "SYNDICATE_REVIEW": "none",  # the test packages are no translation (see conftest)
        "SYNDICATE_TARGET_LANGUAGES": "es,fr",
        "SYNDICATE_LEASE_SECONDS": "4",
        "SYNDICATE_FAILOVER_SECONDS": "3",
        "SYNDICATE_TRANSLATE_INTERVAL": "1",
        "SYNDICATE_LOG_LEVEL": "INFO",
    }
    yield env
    empty_postgres(postgres_url)


def services_for(env: dict[str, str], **overrides: str) -> Service:
    service = Service.build(Settings.from_env({**env, **overrides}))
    service.store.upgrade()
    return service


def post(url: str, token: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def article_json(n: int) -> dict[str, Any]:
    data = corpus.articles(1, n, seed=3, prefix="mh")[0]
    return {"guid": data.guid, "title": data.title, "language": "en",
            "blocks": [{"type": "paragraph", "html": b.html} for b in data.blocks]}


def gunicorn(cluster: Cluster, workers: int) -> str:
    port = free_port()
    cluster.start("gunicorn", str(BIN / "gunicorn"), "--workers", str(workers), "--bind",
                  f"127.0.0.1:{port}", "syndicate.wsgi:app")
    base = f"http://127.0.0.1:{port}"
    eventually(lambda: _answers(base + "/healthz"), 30, "gunicorn answers")
    return base


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except OSError:
        return False


def test_workers_and_schedulers_on_postgresql_survive_kill_9(pg_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    service = services_for(pg_env, SYNDICATE_RATE_LIMIT="0", SYNDICATE_FEEDS_DIR=str(
        tmp_path / "feeds"))
    token = make_token(service, "desk", Role.PRODUCER)
    env = {**os.environ, **pg_env, "SYNDICATE_RATE_LIMIT": "0"}
    cluster = Cluster(env, tmp_path)
    try:
        _kill_and_recover(service, cluster, token)
    finally:
        cluster.stop()
        service.store.dispose()


def _kill_and_recover(service: Service, cluster: Cluster, token: str) -> None:
    feeds = service.settings.feeds.feeds_dir
    try:
        base = gunicorn(cluster, workers=2)
        first = cluster.start("scheduler-1", str(BIN / "syndicate"), "scheduler", "--no-worker")
        eventually(lambda: "this scheduler is active" in cluster.log("scheduler-1"), 30,
                   "the first scheduler is active")
        cluster.start("scheduler-2", str(BIN / "syndicate"), "scheduler", "--no-worker")
        eventually(lambda: "standing by" in cluster.log("scheduler-2"), 30,
                   "the second scheduler stands by")
        # One worker first: it claims a batch, and is killed while it holds it.
        victim = cluster.start("worker-0", str(BIN / "syndicate"), "worker")
        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(lambda n: post(base + "/api/v1/articles", token,
                                                 article_json(n)), range(ARTICLES)))
        assert codes == [201] * ARTICLES

        def holds_work(pid: int) -> bool:
            with service.store.read() as session:
                return bool(session.scalar(select(func.count()).select_from(TranslationRow)
                                           .where(TranslationRow.lease_owner.like(f"%:{pid}:%"))))

        eventually(lambda: holds_work(victim.pid), 60, "the worker holds a batch")
        victim.kill()  # SIGKILL in the middle of its batch
        victim.wait()
        for n in (1, 2):
            cluster.start(f"worker-{n}", str(BIN / "syndicate"), "worker")
        first.kill()  # and the active scheduler
        first.wait()
        eventually(lambda: "this scheduler is active" in cluster.log("scheduler-2"), 30,
                   "the standby takes over")

        def done() -> int:
            with service.store.read() as session:
                return int(session.scalar(select(func.count()).select_from(TranslationRow)
                                          .where(TranslationRow.status == "done")) or 0)

        eventually(lambda: done() == ARTICLES * 2, 240, "every translation is done")
        eventually(lambda: not service.publisher.pending(), 60,
                   "the new active scheduler publishes everything")
    finally:
        cluster.stop()
    from syndicate.jobs.queue import reap

    reap(service)  # what any scheduler's next tick does
    with service.store.read() as session:
        # each (article, language) was completed exactly once for its only revision
        assert counters.read(session)["translations_done_total"] == ARTICLES * 2
        states = dict(session.execute(select(JobRunRow.state, func.count())
                                      .group_by(JobRunRow.state)).all())
    assert "running" not in states and "queued" not in states
    assert states.get("abandoned", 0) >= 1  # the killed worker's translate run, at least
    for lang in LANGS:
        for name, version in (("rss.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse((feeds / lang / name).read_bytes())
            assert not parsed.bozo and parsed.version == version
            assert len(parsed.entries) == service.settings.feeds.feed_entries
        pages = sorted(feeds.glob(f"{lang}/archive/*.xml"))
        assert len(pages) == ARTICLES // service.settings.feeds.feed_entries
        assert all(not feedparser.parse(p.read_bytes()).bozo for p in pages)


def test_the_write_limit_holds_across_four_gunicorn_workers(pg_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    service = services_for(pg_env)
    token = make_token(service, "desk", Role.PRODUCER)
    service.store.dispose()
    cluster = Cluster({**os.environ, **pg_env, "SYNDICATE_RATE_LIMIT": "600"}, tmp_path)
    try:
        base = gunicorn(cluster, workers=4)
        start = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(lambda n: post(base + "/api/v1/articles", token,
                                                 article_json(n)), range(800)))
        elapsed = time.monotonic() - start
    finally:
        cluster.stop()
    accepted = codes.count(201)
    allowed = 600 + 600 / 60 * elapsed  # the bucket, plus what refilled meanwhile
    assert set(codes) <= {201, 429}
    assert 600 <= accepted <= 1.1 * allowed, (accepted, elapsed)
