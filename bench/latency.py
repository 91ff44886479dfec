"""Latency benchmark: from the POST of an article to its entry in /feeds/<lang>/rss.xml.

Run: ``.venv/bin/python bench/latency.py`` on an otherwise idle machine (about 5 minutes;
``--quick`` for a smoke run). Needs ``apt-get install apertium-eng-spa``.

A service as ``make run`` starts it (``syndicate db upgrade``, ``syndicate serve``: SQLite, web
and scheduler with its worker in one process, every interval at its default) translates en→es
with Apertium and en→fr with the base-size test package (transformer-base sized; its output is
no translation, so the review gate is off for this run). Printed:
  - the editors' sample article posted as text/plain five times, 4 s apart: POST to its entry
    in /feeds/es/rss.xml (target: median <= 2 s);
  - distinct articles in the sample's shape posted at 1, 10 and 60 per minute: p50 / p95 / max
    from POST to entry, per language, next to the translation time alone (the same articles'
    segments through the same engine and threads, measured here before the service starts).
    Targets at 10 per minute: p50 <= translation + 1 s, p95 <= translation + 3 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("SYNDICATE_BENCH_WORK") or tempfile.mkdtemp(prefix="syndicate-lat-"))
os.environ["ARGOS_PACKAGES_DIR"] = str(WORK / "packages")  # argostranslate reads it at import
for _var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
    os.environ[_var] = str(WORK / _var.lower())

from syndicate.config import Settings  # noqa: E402
from syndicate.service import Service  # noqa: E402
from syndicate.testing import argos_builder, corpus  # noqa: E402
from syndicate.translate import segment  # noqa: E402

ROOT = HERE.parent
_serve_spec = importlib.util.spec_from_file_location("bench_serve", HERE / "serve.py")
assert _serve_spec is not None and _serve_spec.loader is not None
serve = importlib.util.module_from_spec(_serve_spec)
_serve_spec.loader.exec_module(serve)  # its free_port and wait_for
SAMPLE = ROOT.parent / "shared" / "samples" / "article-explainer.txt"
BIN = Path(sys.executable).parent
OUT = Path(__file__).with_name("out")
LANGS = ("es", "fr")
POLL = 0.05  # seconds between reads of the feeds while waiting for entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer articles per rate")
    args = parser.parse_args()
    counts = {1: 2, 10: 4, 60: 6} if args.quick else {1: 4, 10: 12, 60: 30}
    sample = SAMPLE.read_text(encoding="utf-8") if SAMPLE.exists() else _sample_like(0)
    _install_base_package("en", "fr")
    env = _env()
    articles = {rate: [_sample_like(rate * 1000 + i) for i in range(n)]
                for rate, n in counts.items()}
    alone = _translation_alone(env, [a for batch in articles.values() for a in batch])
    print("translation alone (engine, same threads; median per article): "
          + ", ".join(f"{lang} {alone[lang]:.2f} s" for lang in LANGS))

    server = _start(env)
    try:
        base = f"http://127.0.0.1:{env['SYNDICATE_PORT']}"
        token = _token(env)
        watcher = _Watcher(base)
        watcher.start()
        report: dict[str, Any] = {"translation_alone": alone, "rates": {}}
        sample_s = []
        for i in range(5):
            title = f"Sample explainer {i}"
            sample_s.append(_post(base, token, sample, title, watcher)["es"])
            time.sleep(4)
        print("sample article (text/plain) to /feeds/es/rss.xml, 5 posts 4 s apart: "
              + ", ".join(f"{s:.2f}" for s in sample_s)
              + f" s; median {statistics.median(sample_s):.2f} s (target <= 2 s)")
        report["sample_es_seconds"] = sample_s
        print(f"\n{'rate':>9} {'lang':>4} {'n':>3} {'p50':>6} {'p95':>6} {'max':>6}  "
              f"{'alone':>6}  target (10/min: p50 <= alone+1, p95 <= alone+3)")
        for rate, batch in articles.items():
            seen: dict[str, list[float]] = {lang: [] for lang in LANGS}
            done: list[threading.Thread] = []
            for n, text in enumerate(batch):
                start = time.monotonic()
                title = f"Latency {rate}-{n}"
                thread = threading.Thread(target=_record, args=(
                    seen, base, token, text, title, watcher))
                thread.start()
                done.append(thread)
                time.sleep(max(0.0, start + 60 / rate - time.monotonic()))
            for thread in done:
                thread.join()
            report["rates"][rate] = {}
            for lang in LANGS:
                row = _row(seen[lang])
                report["rates"][rate][lang] = row
                verdict = ""
                if rate == 10:
                    ok = row["p50"] <= alone[lang] + 1 and row["p95"] <= alone[lang] + 3
                    verdict = "met" if ok else "NOT met"
                print(f"{rate:>6}/min {lang:>4} {len(seen[lang]):>3} {row['p50']:6.2f} "
                      f"{row['p95']:6.2f} {row['max']:6.2f}  {alone[lang]:6.2f}  {verdict}")
        watcher.stop()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    OUT.mkdir(exist_ok=True)
    (OUT / "latency.json").write_text(json.dumps(report, indent=2))
    return 0


def _record(seen: dict[str, list[float]], base: str, token: str, text: str, title: str,
            watcher: _Watcher) -> None:
    for lang, seconds in _post(base, token, text, title, watcher).items():
        seen[lang].append(seconds)


def _row(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


def _sample_like(seed: int) -> str:
    """Return an article in the editors' shape (question headings, one paragraph each), its
    sentences distinct from every other article's, so the translation memory cannot help."""
    paragraphs = corpus.paragraphs(6, 4, seed=10_000 + seed, unique=True)
    questions = ("What happened?", "Who is affected?", "What does it cost?",
                 "What do critics say?", "What happens next?", "Where can I learn more?")
    return "\n".join(f"{q}\n{p} (Ref {seed}-{i}.)" for i, (q, p)
                     in enumerate(zip(questions, paragraphs, strict=True))) + "\n"


def _install_base_package(source: str, target: str) -> None:
    import argostranslate.package

    sp_model = argos_builder.train_sentencepiece(vocab_size=8000)
    path = argos_builder.build_package(WORK / "files", source, target, kind="base",
                                       sp_model=sp_model)
    argostranslate.package.install_from_path(path)


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")},
            "SYNDICATE_INSTANCE_DIR": str(WORK / "instance"),
            "SYNDICATE_FEEDS_DIR": str(WORK / "feeds"),
            "SYNDICATE_TRANSLATIONS_DIR": str(WORK / "translations"),
            "SYNDICATE_PACKAGES_DIR": str(WORK / "packages"),
            "SYNDICATE_TARGET_LANGUAGES": ",".join(LANGS),
            "SYNDICATE_HOST": "127.0.0.1", "SYNDICATE_PORT": str(serve.free_port()),
            # the base-size test package gives no translation: the checks would hold it all
            "SYNDICATE_REVIEW": "none", "SYNDICATE_LOG_LEVEL": "WARNING"}


def _translation_alone(env: dict[str, str], texts: list[str]) -> dict[str, float]:
    """Time each article's segments through the engine the service routes to, warm, with the
    same threads plan (median per article, per language)."""
    service = Service.build(Settings.from_env(env))
    out = {}
    for lang in LANGS:
        route = service.translator.route("en", lang)
        service.translator.translate(route, ["Warm up the engine."])
        times = []
        for text in texts:
            segments = [s.text for line in text.splitlines() if line.strip()
                        for s in segment.split(line, "en")]
            start = time.perf_counter()
            service.translator.translate(route, segments)
            times.append(time.perf_counter() - start)
        out[lang] = statistics.median(times)
    service.pool.close()
    return out


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    subprocess.run([str(BIN / "syndicate"), "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([str(BIN / "syndicate"), "serve"], env=env)
    serve.wait_for(f"http://127.0.0.1:{env['SYNDICATE_PORT']}/healthz", 60)
    return server


def _token(env: dict[str, str]) -> str:
    done = subprocess.run([str(BIN / "syndicate"), "tokens", "create", "--name", "desk",
                           "--role", "producer"], env=env, check=True, capture_output=True,
                          text=True)
    return next(w for w in done.stdout.split() if w.startswith("syn_"))


class _Watcher:
    """Reads every language's RSS feed over HTTP, noting when each article first appears (by
    its id in the entry's link: the title is translated)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.first: dict[tuple[str, str], float] = {}
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stopping.is_set():
            for lang in LANGS:
                try:
                    with urllib.request.urlopen(f"{self.base}/feeds/{lang}/rss.xml",
                                                timeout=5) as answer:
                        body = answer.read().decode("utf-8")
                except OSError:
                    continue
                now = time.monotonic()
                with self.changed:
                    for article_id in re.findall(rf"<link>[^<]*/articles/(\w+)/{lang}</link>",
                                                 body):
                        self.first.setdefault((lang, article_id), now)
                    self.changed.notify_all()
            time.sleep(POLL)

    def seen(self, lang: str, article_id: str, timeout: float = 300) -> float:
        with self.changed:
            self.changed.wait_for(lambda: (lang, article_id) in self.first, timeout)
            return self.first[(lang, article_id)]


def _post(base: str, token: str, text: str, title: str, watcher: _Watcher) -> dict[str, float]:
    """POST an article as text/plain; return seconds until it is in each language's feed."""
    query = urllib.parse.urlencode({"title": title, "language": "en", "guid": title})
    request = urllib.request.Request(f"{base}/api/v1/articles?{query}", data=text.encode(),
                                     method="POST", headers={
                                         "Authorization": f"Bearer {token}",
                                         "Content-Type": "text/plain; charset=utf-8"})
    start = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status in (200, 201), answer.status
        article_id = json.loads(answer.read())["id"]
    return {lang: watcher.seen(lang, article_id) - start for lang in LANGS}


if __name__ == "__main__":
    sys.exit(main())
