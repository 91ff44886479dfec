"""Publish benchmark: does a publish cost the same at 500 and at 50,000 articles?

Run: ``.venv/bin/python bench/publish.py`` (about 5 minutes here; ``--quick`` uses 200 and
5,000 articles). SQLite by default, ``--database-url postgresql+psycopg://...`` for a server.

For each archive size, a fresh store is filled through the store's own bulk API (not HTTP) with
articles in English, each translated into es, fr, de and it (5 feed languages), then:
  - first publish: the first pass of the publisher over a store that was never published
    (subscription feeds, plus at most PAGES_PER_PASS archive pages per language);
  - archive backfill: every later pass until every full archive page is written (printed
    apart: it is proportional to the archive by nature, and spread over passes);
  - idle publish: the publisher's tick with nothing changed (median of 50);
  - one new article: one article in all 5 languages, then the publish that shows it (median);
  - ingest p99 latency while the 50k backfill runs in another process, against idle p99.
Printed: each figure, and the ratios large/small. Targets: ratios <= 1.5, idle publish at the
large size <= 20 ms, ingest p99 during the publish <= 2x idle p99.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from syndicate.config import Settings
from syndicate.models import TranslationStatus
from syndicate.service import Service
from syndicate.store import bulk
from syndicate.testing import corpus

TARGETS = ("es", "fr", "de", "it")


def settings_for(work: Path, database_url: str | None) -> Settings:
    """Return settings keeping everything under work."""
    return Settings.from_env({
        "SYNDICATE_INSTANCE_DIR": str(work / "instance"),
        "SYNDICATE_DATABASE_URL": database_url or f"sqlite:///{work / 'instance' / 'db.sqlite'}",
        "SYNDICATE_FEEDS_DIR": str(work / "feeds"),
        "SYNDICATE_TRANSLATIONS_DIR": str(work / "translations"),
        "SYNDICATE_TARGET_LANGUAGES": ",".join(TARGETS),
        "SYNDICATE_LOG_LEVEL": "WARNING",
    })


def fill(service: Service, count: int) -> None:
    """Load count articles, translated into every target, in chunks."""
    for start in range(0, count, 5000):
        with service.store.write() as session:
            bulk.load(session, corpus.articles(min(5000, count - start), start), "bench",
                      service.clock(), targets=TARGETS,
                      status=TranslationStatus.DONE)


def timed(func: Callable[[], object]) -> float:
    """Return the seconds func took."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def ingest_latencies(service: Service, count: int, tag: str,
                     until: Callable[[], bool] | None = None) -> list[float]:
    """Ingest articles one by one (as the API does) and return each one's seconds."""
    out = []
    for data in corpus.articles(count, seed=11, prefix=tag):
        out.append(timed(lambda d=data: service.articles.ingest(d, "desk")))  # type: ignore[misc]
        if until is not None and until():
            break
    return out


def p99(values: list[float]) -> float:
    """Return the 99th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def measure(count: int, database_url: str | None, with_ingest: bool) -> dict[str, float]:
    """Fill a fresh store with count articles and measure the publisher on it."""
    work = Path(tempfile.mkdtemp(prefix=f"syndicate-publish-{count}-"))
    settings = settings_for(work, database_url)
    service = Service.build(settings)
    service.store.upgrade()
    fill_seconds = timed(lambda: fill(service, count))
    print(f"  {count} articles loaded in {fill_seconds:.1f} s", flush=True)
    publisher = service.publisher
    out: dict[str, float] = {}
    out["first"] = timed(publisher.publish)
    if with_ingest:
        idle = ingest_latencies(service, 200, "idle")
        backfill = subprocess.Popen([sys.executable, __file__, "--backfill", str(work)]
                                    + (["--database-url", database_url] if database_url else []),
                                    stdout=subprocess.PIPE, text=True)
        busy = ingest_latencies(service, 3000, "busy", until=lambda: backfill.poll() is not None)
        stdout, _ = backfill.communicate()
        out["backfill"], out["backfill_passes"] = map(float, stdout.split())
        out["ingest_idle_p99"], out["ingest_busy_p99"] = p99(idle), p99(busy)
        out["ingest_busy_n"] = len(busy)
    else:
        out["backfill"], out["backfill_passes"] = backfill_passes(service)
    out["idle"] = statistics.median(timed(service.pipeline.publish_changes) for _ in range(50))
    one_new = []
    for n in range(7):
        with service.store.write() as session:
            bulk.load(session, corpus.articles(1, 10_000_000 + n, seed=5), "bench",
                      service.clock(), targets=TARGETS, status=TranslationStatus.DONE)
        one_new.append(timed(service.pipeline.publish_changes))
    out["one_new"] = statistics.median(one_new)
    service.store.dispose()
    return out


def backfill_passes(service: Service) -> tuple[float, int]:
    """Run the publisher until every archive page is written; return seconds and passes."""
    passes = 0
    start = time.perf_counter()
    while service.publisher.pending():
        service.publisher.publish()
        passes += 1
    return time.perf_counter() - start, passes


def backfill_only(work: Path, database_url: str | None) -> None:
    """Run the archive backfill in this process (the busy one) and print its figures."""
    seconds, passes = backfill_passes(Service.build(settings_for(work, database_url)))
    print(seconds, passes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url")
    parser.add_argument("--backfill", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backfill:
        backfill_only(args.backfill, args.database_url)
        return 0
    small, large = (200, 5000) if args.quick else (500, 50_000)
    print(f"publish benchmark: 5 languages (en + {', '.join(TARGETS)}), "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}", flush=True)
    a = measure(small, args.database_url, with_ingest=False)
    b = measure(large, args.database_url, with_ingest=True)
    ms = 1000.0
    print(f"{'':28}{small:>10}{large:>10}{'ratio':>8}")
    for key, label in (("idle", "idle publish (ms)"), ("one_new", "after one new article (ms)"),
                       ("first", "first publish (ms)")):
        print(f"{label:28}{a[key] * ms:10.1f}{b[key] * ms:10.1f}{b[key] / a[key]:8.2f}"
              "   (target <= 1.5)")
    print(f"{'archive backfill (s)':28}{a['backfill']:10.2f}{b['backfill']:10.2f}{'-':>8}"
          f"   ({a['backfill_passes']:.0f} and {b['backfill_passes']:.0f} later passes; "
          "all full pages of an archive loaded at once, so proportional to it)")
    print(f"idle publish at {large}: {b['idle'] * ms:.1f} ms (target <= 20 ms)")
    print(f"ingest p99: idle {b['ingest_idle_p99'] * ms:.1f} ms, during the {large} backfill "
          f"{b['ingest_busy_p99'] * ms:.1f} ms over {b['ingest_busy_n']:.0f} ingests: "
          f"{b['ingest_busy_p99'] / b['ingest_idle_p99']:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
