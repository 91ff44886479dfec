"""Running for real: a fair queue that never starves or sticks, leases, split failing batches,
publishing only what changed, and limits shared by every process."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from syndicate.errors import EngineFailure
from syndicate.models import ArticleInput, Block, BlockType, Role, Route, TranslationStatus
from syndicate.service import Service
from syndicate.store import bulk, counters
from syndicate.store import jobs as job_store
from syndicate.store import translations as translation_store
from syndicate.translate import segment
from syndicate.translate.argos import ArgosEngine
from syndicate.translate.engine import Scored, Translator

from .conftest import make_token
from .test_api_articles import article_body
from .wrapped import Wrapped

pytestmark = pytest.mark.usefixtures("installed_packages")
DEAD_OWNER = f"{socket.gethostname()}:999999999:worker:dead"  # no such process on this host


def inputs(count: int, prefix: str = "a") -> list[ArticleInput]:
    return [ArticleInput(guid=f"{prefix}{n}", title=f"Story {prefix}{n}", language="en",
                         blocks=(Block(BlockType.PARAGRAPH, f"Paragraph {prefix} number {n}."),))
            for n in range(count)]


def statuses(service: Service, article_id: str) -> dict[str, str]:
    return service.articles.get(article_id).translations


def done_total(service: Service) -> float:
    with service.store.read() as session:
        return counters.read(session).get("translations_done_total", 0.0)


def test_unavailable_work_never_starves_new_work(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="it,es")
    service: Service = app.extensions["syndicate"]
    with service.store.write() as session:  # 5,000 articles waiting for an it package
        bulk.load(session, inputs(5000), "bulk", service.clock() - timedelta(days=1),
                  targets=["it"], status=TranslationStatus.UNAVAILABLE)
    created = service.articles.ingest(inputs(1, "new")[0], "desk")
    report = service.pipeline.translate_pending()
    assert (report.done, report.unavailable) == (1, 1)
    assert statuses(service, created.article.id) == {"es": "done", "it": "unavailable"}
    # unavailable work waits outside the queue: the next pass finds nothing to do
    assert not service.runner.has_work()


def test_a_package_appearing_queues_unavailable_work_again(
        make_app: Callable[..., Flask], tmp_path: Path, installed_packages: Path) -> None:
    packages = tmp_path / "packages"
    packages.mkdir()
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es", SYNDICATE_PACKAGES_DIR=str(packages))
    service: Service = app.extensions["syndicate"]
    created = service.articles.ingest(inputs(1)[0], "desk")
    assert service.pipeline.translate_pending().unavailable == 1
    assert service.pipeline.translate_pending().unavailable == 0  # not retried every pass
    source = next(p for p in installed_packages.iterdir() if p.name.startswith("translate-en_es"))
    shutil.copytree(source, packages / source.name)  # as `models install` would put it
    assert service.pipeline.translate_pending().done == 1
    assert statuses(service, created.article.id) == {"es": "done"}


class Poisoned(Wrapped):
    """The real Argos engine, failing any batch that holds a poison sentence (a fault)."""

    def __init__(self, engine: Translator, poison: str) -> None:
        super().__init__(engine)
        self.poison = poison
        self.batches: list[int] = []

    def translate(self, route: Route, sentences: Sequence[str]) -> list[Scored]:
        self.batches.append(len(sentences))
        if any(self.poison in s for s in sentences):
            raise EngineFailure("the engine crashed on this batch")
        return self.engine.translate(route, sentences)


def test_a_failing_batch_is_split_so_only_the_bad_article_fails(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    runner = service.runner
    poisoned = Poisoned(service.translator, "POISON")
    runner.translator = poisoned
    good = [service.articles.ingest(data, "desk").article.id for data in inputs(7)]
    bad = service.articles.ingest(ArticleInput(
        guid="bad", title="Bad", language="en",
        blocks=(Block(BlockType.PARAGRAPH, "This one says POISON."),)), "desk").article.id
    report = service.pipeline.translate_pending()
    assert (report.done, report.failed) == (7, 1)
    assert all(statuses(service, i) == {"es": "done"} for i in good)
    assert statuses(service, bad) == {"es": "failed"}
    assert len(poisoned.batches) > 2  # it was split, not failed whole


def test_work_held_by_a_dead_process_goes_back_to_the_queue(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    created = service.articles.ingest(inputs(1)[0], "desk")
    with service.store.write() as session:  # a worker on this host claimed it, then died
        now = service.clock()
        claimed = translation_store.claim(session, DEAD_OWNER, now, now + timedelta(hours=1), 10)
    assert claimed is not None and claimed[1] == [(created.article.id, "es")]
    fresh = make_app(SYNDICATE_TARGET_LANGUAGES="es")  # a restarted process
    assert fresh.extensions["syndicate"].pipeline.translate_pending().done == 1
    assert statuses(service, created.article.id) == {"es": "done"}


def test_an_expired_lease_on_another_host_is_taken_over(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    created = service.articles.ingest(inputs(1)[0], "desk")
    other = "another-host:42:worker:x"
    with service.store.write() as session:
        now = service.clock()
        translation_store.claim(session, other, now, now + timedelta(seconds=60), 10)
    assert service.pipeline.translate_pending().done == 0  # leased, and the lease is live
    later = service.clock() + timedelta(seconds=61)
    service.runner.clock = lambda: later
    assert service.pipeline.translate_pending().done == 1
    with service.store.write() as session:  # the old holder's late write is refused
        assert not translation_store.save_done(
            session, created.article.id, "es", 1, title="late", summary=None, blocks=[],
            engine="argos", model="m", now=later, owner=other)


def test_a_run_whose_process_died_is_abandoned_and_the_cli_says_so(
        service: Service, runner: FlaskCliRunner) -> None:
    now = service.clock()
    with service.store.write() as session:
        run, _ = job_store.enqueue(session, "republish", {"languages": None}, "ops",
                                   '{"languages": null}', now)
        job_store.claim(session, now, DEAD_OWNER, now + timedelta(hours=1), run_id=run.id)
    result = runner.invoke(args=["republish"])  # joins the run under way, which is dead
    assert result.exit_code == 1
    assert "abandoned" in result.output
    with service.store.read() as session:
        assert job_store.get(session, run.id).state == "abandoned"
    again = runner.invoke(args=["republish"])  # the next request runs afresh
    assert again.exit_code == 0, again.output


def test_abandoned_runs_show_in_the_api_and_the_dashboard(service: Service,
                                                          client: FlaskClient,
                                                          operator: dict[str, str]) -> None:
    from syndicate.jobs.queue import reap

    now = service.clock()
    with service.store.write() as session:
        run_id = job_store.start(session, "translate", "scheduled", None, now, DEAD_OWNER,
                                 now + timedelta(hours=1))
    reap(service)
    shown = client.get(f"/api/v1/jobs/{run_id}", headers=operator).get_json()
    assert shown["state"] == "abandoned" and "stopped" in shown["error"]
    secret = operator["Authorization"].removeprefix("Bearer ")
    client.post("/admin/sign-in", data={"token": secret},
                headers={"Origin": "http://localhost"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "Failures" in page and "abandoned" in page


def test_waiting_for_a_job_has_a_deadline(service: Service, runner: FlaskCliRunner) -> None:
    now = service.clock()
    with service.store.write() as session:  # a live process (this one) is running it
        run, _ = job_store.enqueue(session, "republish", {"languages": None}, "ops",
                                   '{"languages": null}', now)
        job_store.claim(session, now, service.owner, now + timedelta(hours=1),
                        run_id=run.id)
    result = runner.invoke(args=["republish", "--timeout", "0.5"])
    assert result.exit_code == 1
    assert "still running after 0 s" in result.output or "still running after 1 s" in \
        result.output


def test_the_scheduled_runs_of_a_dead_process_are_abandoned(service: Service) -> None:
    from syndicate.jobs.queue import reap

    now = service.clock()
    with service.store.write() as session:
        dead = job_store.start(session, "translate", "scheduled", None, now, DEAD_OWNER,
                               now + timedelta(hours=1))
        live = job_store.start(session, "publish", "scheduled", None, now,
                               service.owner, now + timedelta(hours=1))
        expired = job_store.start(session, "publish", "scheduled", None, now,
                                  "another-host:1:worker:y", now - timedelta(seconds=1))
    assert sorted(reap(service)) == sorted([dead, expired])
    with service.store.read() as session:
        assert [job_store.get(session, i).state for i in (dead, live, expired)] == \
            ["abandoned", "running", "abandoned"]


def test_two_passes_at_once_translate_each_article_once(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions["syndicate"]
    ids = [service.articles.ingest(data, "desk").article.id for data in inputs(20)]
    other = make_app(SYNDICATE_TARGET_LANGUAGES="es,fr").extensions["syndicate"]
    threads = [threading.Thread(target=s.pipeline.translate_pending)
               for s in (service, service, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert done_total(service) == 40
    assert all(statuses(service, i) == {"es": "done", "fr": "done"} for i in ids)


def test_segmenters_are_per_thread() -> None:
    found: list[object] = []

    def grab() -> None:
        segment.split("One. Two.", "en")
        found.append(segment._segmenter("en"))

    threads = [threading.Thread(target=grab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found[0] is not found[1]


def test_a_pair_waits_for_a_model_slot_rather_than_load_past_the_cap(
        installed_packages: Path) -> None:
    engine = ArgosEngine(installed_packages, beam_size=1, max_loaded=1)
    es, fr = (next(p for p in engine.packages() if p.target == t) for t in ("es", "fr"))
    out: list[object] = []
    other = threading.Thread(target=lambda: out.append(
        engine.translate(engine.route("en", "fr"), ["Hello."])))
    with engine._model(es) as in_use:
        other.start()  # French needs a model while Spanish holds the only slot: it waits
        other.join(timeout=1.0)
        assert other.is_alive() and out == []
        assert engine.loaded() == [es.model_id] and in_use.translator.model_is_loaded
    other.join(timeout=60)  # Spanish is given back: it is unloaded, French loads and runs
    assert out == [[("Hello.", 0.0)]]
    assert engine.loaded() == [fr.model_id]


def test_only_changed_feeds_are_rendered(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions["syndicate"]
    service.articles.ingest(inputs(1)[0], "desk")
    service.pipeline.translate_pending()
    assert sorted(service.pipeline.publish_changes().entries) == ["en", "es", "fr"]
    assert service.pipeline.publish_changes().entries == {}  # nothing changed
    service.articles.ingest(ArticleInput(guid="de", title="Nur Deutsch", language="de",
                                          blocks=(Block(BlockType.PARAGRAPH, "Hallo."),)),
                             "desk")
    # a German article: German is no configured feed language, so nothing is rendered
    assert service.pipeline.publish_changes().entries == {}
    retracted = service.articles.ingest(inputs(1, "b")[0], "desk").article
    assert sorted(service.pipeline.publish_changes().entries) == ["en"]
    service.articles.retract(retracted.id)
    assert sorted(service.pipeline.publish_changes().entries) == ["en"]


def test_a_missing_feed_file_is_written_again(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    service.articles.ingest(inputs(1)[0], "desk")
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    feed = service.settings.feeds.feeds_dir / "es" / "atom.xml"
    data = feed.read_bytes()
    feed.unlink()  # e.g. a standby scheduler taking over on a host with an empty feeds dir
    assert service.pipeline.publish_changes().written == ("es/atom.xml",)
    assert feed.read_bytes() == data
    gz = feed.with_name("atom.xml.gz")
    import gzip

    assert gzip.decompress(gz.read_bytes()) == data


def test_the_write_limit_is_shared_by_every_process(make_app: Callable[..., Flask]) -> None:
    first = make_app(SYNDICATE_RATE_LIMIT="4")
    second = make_app(SYNDICATE_RATE_LIMIT="4")  # another worker on the same database
    secret = make_token(first.extensions["syndicate"], "desk", Role.PRODUCER)
    headers = {"Authorization": "Bearer " + secret}
    codes = [app.test_client().post("/api/v1/articles", json=article_body(guid=f"g{n}"),
                                    headers=headers).status_code
             for n, app in enumerate([first, second] * 3)]
    assert codes == [201, 201, 201, 201, 429, 429]
