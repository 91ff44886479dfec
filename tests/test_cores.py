"""Every core translates: the threads rule, the shared pool, models with several batches in
flight, language pairs in parallel, and the memory each model takes in `status`."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from syndicate.config import Settings
from syndicate.errors import ConfigError, EngineFailure
from syndicate.models import ArticleInput, Block, BlockType, Route
from syndicate.service import Service
from syndicate.translate import cores
from syndicate.translate.argos import ArgosEngine
from syndicate.translate.engine import Scored, Translator

from .wrapped import Wrapped


@pytest.mark.parametrize(("threads", "cores_", "inter", "intra"), [
    (None, 8, 8, 1),  # auto: a batch per core
    (None, 2, 2, 1),  # this machine: measured fastest (72 sentences/s against 43 at 1 x 2)
    (2, 8, 2, 4),  # fewer batches: each gets an equal share of the cores
    (3, 8, 3, 2),  # inter x intra never exceeds the cores
    (1, 1, 1, 1),
    (4, 2, 4, 1),  # asked for more batches than cores (a GPU, say): at least one thread each
])
def test_threads_rule(threads: int | None, cores_: int, inter: int, intra: int) -> None:
    plan = cores.plan(threads, cores_)
    assert (plan.threads, plan.intra) == (inter, intra)
    assert plan.threads * plan.intra <= max(cores_, plan.threads)


def fake_cpus(root: Path, cores_of: list[tuple[int, int]]) -> Path:
    for cpu, (package, core) in enumerate(cores_of):
        topology = root / f"cpu{cpu}" / "topology"
        topology.mkdir(parents=True)
        (topology / "physical_package_id").write_text(f"{package}\n")
        (topology / "core_id").write_text(f"{core}\n")
    return root


def test_physical_cores_count_hyperthreads_once_and_keep_to_the_cgroup_quota(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 8 logical CPUs: 2 packages x 2 cores x 2 hyper-threads
    layout = [(p, c) for p in (0, 1) for c in (0, 1) for _ in (0, 1)]
    monkeypatch.setattr(cores, "SYS_CPU", fake_cpus(tmp_path / "cpu", layout))
    monkeypatch.setattr("os.sched_getaffinity", lambda _: set(range(8)))
    quota = tmp_path / "cpu.max"
    monkeypatch.setattr(cores, "CGROUP_CPU_MAX", quota)
    assert cores.physical_cores() == 4  # no cgroup file: the machine's cores
    quota.write_text("max 100000\n")
    assert cores.physical_cores() == 4
    quota.write_text("250000 100000\n")  # 2.5 CPUs of quota: 3 batches can run
    assert cores.physical_cores() == 3
    quota.write_text("50000 100000\n")
    assert cores.physical_cores() == 1
    monkeypatch.setattr("os.sched_getaffinity", lambda _: {0, 1})  # one core's threads
    quota.write_text("max 100000\n")
    assert cores.physical_cores() == 1


def test_small_batches_are_split_so_every_worker_has_one() -> None:
    assert cores.chunks(list(range(10)), 64, 2) == [list(range(5)), list(range(5, 10))]
    assert [len(c) for c in cores.chunks(list(range(200)), 64, 2)] == [64, 64, 64, 8]
    assert cores.chunks([1], 64, 4) == [[1]]
    assert cores.chunks([], 64, 4) == []


def test_translate_threads_setting(env: dict[str, str]) -> None:
    assert Settings.from_env(env).translation.translate_threads is None
    assert Settings.from_env({**env, "SYNDICATE_TRANSLATE_THREADS": "3"}
                             ).translation.translate_threads == 3
    with pytest.raises(ConfigError, match="SYNDICATE_TRANSLATE_THREADS: must be `auto` or"):
        Settings.from_env({**env, "SYNDICATE_TRANSLATE_THREADS": "0"})


def test_a_model_runs_as_many_batches_at_once_as_the_plan_says_with_the_same_output(
        installed_packages: Path) -> None:
    pool = cores.Pool(cores.plan(2, 2))
    parallel = ArgosEngine(installed_packages, beam_size=1, max_loaded=2, pool=pool)
    serial = ArgosEngine(installed_packages, beam_size=1, max_loaded=2)
    sentences = [f"Sentence number {i} is {'quite ' * (i % 7)}long." for i in range(150)]
    route = parallel.route("en", "es")
    try:
        assert parallel.translate(route, sentences) == serial.translate(route, sentences)
        [model] = parallel._loaded.values()
        assert model.translator.num_translators == 2  # two batches in flight, weights shared
        loaded, peak = parallel.memory()[model.package.model_id]
        assert 0 < loaded <= peak
    finally:
        pool.close()


class Meeting(Wrapped):
    """The real engine, where a batch of each pair must meet the other's before either goes
    on: it only passes when the two pairs are translated at the same time."""

    def __init__(self, engine: Translator) -> None:
        super().__init__(engine)
        self.barrier = threading.Barrier(2, timeout=30)
        self.met: set[str] = set()

    def translate(self, route: Route, sentences: Sequence[str]) -> list[Scored]:
        if route.target not in self.met:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                raise EngineFailure(f"{route.target}: the other pair never came") from None
            self.met.add(route.target)
        return self.engine.translate(route, sentences)


def article(n: int) -> ArticleInput:
    return ArticleInput(guid=f"story-{n}", title=f"Story {n}", language="en",
                        blocks=(Block(BlockType.PARAGRAPH, f"The council met {n} times."),))


@pytest.mark.usefixtures("installed_packages")
def test_language_pairs_are_translated_at_the_same_time(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,fr", SYNDICATE_TRANSLATE_THREADS="2")
    service: Service = app.extensions["syndicate"]
    assert service.runner.lanes == 2
    meeting = Meeting(service.translator)
    service.runner.translator = meeting
    for n in range(3):
        service.articles.ingest(article(n), "desk")
    report = service.pipeline.translate_pending()
    assert (report.done, report.failed) == (6, 0)
    assert meeting.met == {"es", "fr"}


@pytest.mark.usefixtures("installed_packages")
def test_one_lane_translates_pairs_one_after_the_other(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,fr", SYNDICATE_TRANSLATE_THREADS="1")
    service: Service = app.extensions["syndicate"]
    meeting = Meeting(service.translator)
    meeting.barrier = threading.Barrier(2, timeout=1)  # the other pair never comes
    service.runner.translator = meeting
    service.articles.ingest(article(1), "desk")
    report = service.pipeline.translate_pending()
    assert report.failed == 2  # the check above can fail: alone, a pair never meets another


@pytest.mark.usefixtures("installed_packages")
def test_status_reports_the_plan_and_each_models_peak_memory(
        service: Service, runner: FlaskCliRunner) -> None:
    service.articles.ingest(article(1), "desk")
    service.pipeline.translate_pending()
    status = json.loads(runner.invoke(args=["status", "--json"]).output)
    assert status["translation"] == {"cores": service.pool.plan.cores,
                                     "threads": service.pool.plan.threads,
                                     "intra_threads": service.pool.plan.intra}
    es = next(e for e in status["languages"] if e["language"] == "es")
    [memory] = es["model"]["memory"]
    assert memory["model"] == es["model"]["version"]
    assert 0 < memory["loaded_bytes"] <= memory["peak_bytes"]
    table = runner.invoke(args=["status"]).output
    assert "PEAK_MEMORY" in table and f"{memory['peak_bytes'] / 1e6:.0f} MB" in table
    assert "batch(es) at once" in table
