"""Sources benchmark: 100 local upstream feeds × 50 entries, polled twice; then the language
detection table (py3langid against lingua-language-detector).

Run: ``.venv/bin/python bench/sources.py`` (about a minute; ``--sources`` and ``--entries``
change the size; ``--no-lingua`` skips lingua if it is not installed: ``pip install
lingua-language-detector`` to compare). SQLite in a temporary folder.

The feeds are served by a separate process (a threaded HTTP server on 127.0.0.2 answering
conditional GETs with 304), so the poller and the server do not share one interpreter.
  - first poll: every source fetched, parsed, each entry's language detected and stored
    (translation requested); printed as entries ingested per second, against a baseline in
    the same run: the same 100 documents fetched with plain requests and parsed by feedparser,
    storing nothing (what a bare feed reader does);
  - second poll, nothing new: requests sent, 304s received, database writes (INSERT, UPDATE
    and DELETE statements counted on the engine), time. Target: 100 requests, all 304, 0 writes.
Detection: accuracy on bench/detect/<lang>.txt (30 short news paragraphs per configured
language, written for this bench), paragraphs per second, and resident memory added by loading
the detector (each measured in a fresh process, against the bare interpreter's).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import feedparser
import requests
from sqlalchemy import event

from syndicate.config import Settings
from syndicate.models import SourceInput
from syndicate.service import Service
from syndicate.testing import feeds as make
from syndicate.testing.upstream import HOST, Document, Upstream

DETECT = Path(__file__).with_name("detect")
LANGUAGES = ("en", "es", "fr", "de")


def serve(sources: int, entries: int, ready: Any, stop: Any) -> None:
    """Serve sources feeds of entries each until stop is set (in its own process)."""
    texts = {lang: (DETECT / f"{lang}.txt").read_text().splitlines() for lang in LANGUAGES}
    upstream = Upstream()
    for s in range(sources):
        lang = LANGUAGES[s % len(LANGUAGES)]
        items = [make.Entry(guid=f"feed{s}-{i}", title=texts[lang][i % 30][:60],
                            html=f"<p>{texts[lang][i % 30]}</p><p>{texts[lang][(i + 7) % 30]}"
                            f"</p>", link=f"https://upstream.example/{s}/{i}")
                 for i in range(entries)]
        upstream.routes[f"/feed{s}.xml"] = Document(make.rss20(items, language=None))
    upstream.start()
    ready.put(upstream.port)
    stop.wait()
    upstream.stop()


def baseline(urls: list[str]) -> tuple[float, int]:
    """Fetch and parse every feed with plain requests and feedparser; return (s, entries)."""
    start = time.perf_counter()
    count = 0
    with requests.Session() as session:
        for url in urls:
            count += len(feedparser.parse(session.get(url, timeout=20).content).entries)
    return time.perf_counter() - start, count


def baseline_conditional(urls: list[str], etags: dict[str, str]) -> float:
    """Send the same conditional GETs with plain requests; return seconds."""
    start = time.perf_counter()
    with requests.Session() as session:
        for url in urls:
            session.get(url, headers={"If-None-Match": etags[url]}, timeout=20)
    return time.perf_counter() - start


def poll_bench(sources: int, entries: int) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(sources, entries, ready, stop), daemon=True)
    server.start()
    port = ready.get(timeout=120)
    urls = [f"http://{HOST}:{port}/feed{s}.xml" for s in range(sources)]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sources-") as tmp:
            work = Path(tmp)
            settings = Settings.from_env({
                "SYNDICATE_INSTANCE_DIR": str(work / "instance"),
                "SYNDICATE_DATABASE_URL": f"sqlite:///{work / 'instance' / 'db.sqlite'}",
                "SYNDICATE_FEEDS_DIR": str(work / "feeds"),
                "SYNDICATE_TRANSLATIONS_DIR": str(work / "translations"),
                "SYNDICATE_FETCH_ALLOW_HOSTS": HOST, "SYNDICATE_LOG_LEVEL": "WARNING",
                "SYNDICATE_FETCH_PER_HOST": "8"})  # one local host plays 100 publishers
            service = Service.build(settings)
            service.store.upgrade()

            for number, url in enumerate(urls):
                service.sources.add(SourceInput(url=url, producer=f"bench-{number}"))
            service.articles.language_of  # noqa: B018 - the detector loads on first use
            base_s, base_entries = baseline(urls)

            start = time.perf_counter()
            first = service.pipeline.poll_sources()
            first_s = time.perf_counter() - start
            stored = first.created
            print(f"first poll: {sources} sources, {stored} entries in {first_s:.2f} s = "
                  f"{stored / first_s:.0f} entries/s (failed {first.failed})")
            print(f"  baseline (requests + feedparser, nothing stored): {base_entries} entries "
                  f"in {base_s:.2f} s = {base_entries / base_s:.0f} entries/s; "
                  f"ratio {first_s / base_s:.1f}x the baseline's time")

            etags = {s.url: s.etag or "" for s in service.sources.all()}
            writes: list[str] = []

            def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE",
                                                                   "DELETE"):
                    writes.append(statement)

            everything = service.sources.all()
            event.listen(service.store.engine, "before_cursor_execute", count)
            start = time.perf_counter()
            second = service.pipeline.poll_sources(everything)
            second_s = time.perf_counter() - start
            event.remove(service.store.engine, "before_cursor_execute", count)
            cond_s = baseline_conditional(urls, etags)
            print(f"second poll, nothing new: {second.polled} requests, {second.not_modified} "
                  f"answered 304, {len(writes)} database writes, {second.created} new entries, "
                  f"{second_s * 1000:.0f} ms (target: {sources} requests, all 304, 0 writes)")
            print(f"  baseline ({sources} plain conditional GETs, one after another): "
                  f"{cond_s * 1000:.0f} ms; ratio {second_s / cond_s:.2f}")
            service.store.dispose()
    finally:
        stop.set()
        server.join(timeout=10)


DETECTOR_PROBE = r"""
import json, resource, sys, time
from pathlib import Path
which, folder, langs = sys.argv[1], Path(sys.argv[2]), sys.argv[3].split(",")
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
if which == "service":
    import syndicate.ingest.language  # the service's own imports are not the detector's cost
before = rss()
start = time.perf_counter()
if which == "py3langid":
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    guess = lambda t: ident.classify(t)[0]
elif which == "service":
    from syndicate.ingest.language import Langid
    ident = Langid(langs)
    ident.guess("load the model now")
    def guess(t):
        g = ident.guess(t)
        return g.language if g.confidence >= 0.8 else "unsure"
elif which == "lingua":
    from lingua import IsoCode639_1, LanguageDetectorBuilder
    codes = [getattr(IsoCode639_1, l.upper()) for l in langs]
    det = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models() \
        .build()
    guess = lambda t: det.detect_language_of(t).iso_code_639_1.name.lower()
else:
    guess = None
load = time.perf_counter() - start
result = {"load": load, "rss": rss() - before, "base": before}
if guess is not None:
    data = [(l, t) for l in langs for t in (folder / f"{l}.txt").read_text().splitlines() if t]
    guess("warm up")
    start = time.perf_counter()
    for _ in range(5):
        answers = [guess(t) for _, t in data]
    took = (time.perf_counter() - start) / 5
    result.update(per_s=len(data) / took, rss=rss() - before,
                  right={l: sum(a == l for (k, _), a in zip(data, answers) if k == l)
                         for l in langs}, total={l: sum(k == l for k, _ in data) for l in langs})
print(json.dumps(result))
"""


def detection_table(with_lingua: bool) -> None:
    rows = [("py3langid (all 97 languages)", "py3langid"),
            ("syndicate's detector (py3langid ranked, configured share >= 0.8)", "service")]
    if with_lingua:
        rows.append(("lingua (4 configured languages)", "lingua"))
    bare = _probe("none")
    print(f"\nlanguage detection: {sum(1 for _ in LANGUAGES) * 30} short news paragraphs "
          f"(bench/detect/), bare interpreter {bare['base']:.0f} MB resident")
    print("| detector | " + " | ".join(LANGUAGES) + " | all | paragraphs/s | load s | "
          "+resident MB |")
    print("|---" * (len(LANGUAGES) + 5) + "|")
    for label, which in rows:
        try:
            r = _probe(which)
        except subprocess.CalledProcessError as exc:
            print(f"| {label} | not measured: {exc.stderr.strip().splitlines()[-1]} |")
            continue
        right = sum(r["right"].values())
        total = sum(r["total"].values())
        cells = " | ".join(f"{r['right'][lang]}/{r['total'][lang]}" for lang in LANGUAGES)
        print(f"| {label} | {cells} | {100 * right / total:.1f} % | {r['per_s']:.0f} | "
              f"{r['load']:.2f} | {r['rss']:.0f} |")


def _probe(which: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", DETECTOR_PROBE, which, str(DETECT),
                          ",".join(LANGUAGES)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--no-lingua", action="store_true")
    args = parser.parse_args()
    poll_bench(args.sources, args.entries)
    detection_table(not args.no_lingua)


if __name__ == "__main__":
    main()
