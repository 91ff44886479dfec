"""Translation benchmark: syndicate's pipeline against raw CTranslate2 and argostranslate.

Run: ``.venv/bin/python bench/translation.py`` on an otherwise idle machine (about 5 minutes here;
``--quick`` for a smoke run).

Same machine, same run, same model, same beam size for all three:
  (a) raw CTranslate2 ``translate_batch`` over all sentences at its best configuration on this
      machine (the ceiling): a grid over inter_threads x intra_threads (inter x intra <= the
      cores; inter_threads is the number of batches in flight) and batch type (64 examples or
      2,048 tokens) is measured and printed, and its best is measured again beside (c);
  (b) ``argostranslate`` translating paragraph by paragraph with its default settings (its
      download-on-first-use sentencizer swapped for an offline one so it can run here);
  (c) syndicate end to end with its default threads (SYNDICATE_TRANSLATE_THREADS=auto):
      articles ingested, then one translation pass (segmenting, memory lookups, batched
      inference, checks, assembly, database writes). Target c/a >= 0.9.
The model is transformer-base sized (6+6 layers, d_model 512, 32k vocabulary, int8) with random
weights around a copy circuit, so every system decodes exactly as many tokens per sentence.
Also printed: segments re-translated after editing 1 paragraph of 10, segments translated by a
republish, resident memory of a fresh process over 10 rounds of 1,000 segment translations run
by the scheduled job's function, and speed per beam size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORK = Path(os.environ.get("SYNDICATE_BENCH_WORK") or tempfile.mkdtemp(prefix="syndicate-bench-"))
# argostranslate reads these once, at import: point everything it touches into WORK first.
os.environ["ARGOS_PACKAGES_DIR"] = str(WORK / "packages")
for _var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
    os.environ[_var] = str(WORK / _var.lower())

from syndicate import create_app  # noqa: E402
from syndicate.config import Settings  # noqa: E402
from syndicate.models import ArticleInput, Block, BlockType  # noqa: E402
from syndicate.service import EXTENSION_KEY, Service  # noqa: E402
from syndicate.testing import argos_builder, corpus  # noqa: E402
from syndicate.translate import segment  # noqa: E402
from syndicate.translate.argos import resident_bytes  # noqa: E402
from syndicate.translate.cores import physical_cores  # noqa: E402

OUT = Path(__file__).with_name("out")


@dataclass
class Result:
    """One measured system."""

    name: str
    seconds: float
    sentences: int

    @property
    def rate(self) -> float:
        return self.sentences / self.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beam", type=int, default=2, help="beam size for all systems")
    parser.add_argument("--quick", action="store_true", help="fewer sentences and rounds")
    parser.add_argument("--memory-rounds", nargs=2, type=int, metavar=("ROUNDS", "SEGMENTS"),
                        help=argparse.SUPPRESS)  # the child process that measures memory
    args = parser.parse_args()
    if args.memory_rounds:
        print(json.dumps(_memory_rounds(*args.memory_rounds)))
        return 0
    # No logging set-up: like a default argostranslate user, only warnings reach the terminal.
    n_par = 20 if args.quick else 200
    # Distinct sentences: the pipeline's de-duplication must not flatter it against (a) and (b).
    paragraphs = corpus.paragraphs(n_par, 5, seed=99, unique=True)
    sentences = [s for p in paragraphs for s in _split(p)]
    cores = physical_cores()
    print(f"{len(sentences)} sentences in {n_par} paragraphs, beam {args.beam}, "
          f"{cores} physical cores; work dir {WORK}")

    sp_model = argos_builder.train_sentencepiece(vocab_size=8000)
    base = argos_builder.build_package(WORK / "files", "en", "es", kind="base", sp_model=sp_model)
    small = argos_builder.build_package(WORK / "files", "en", "fr", kind="copy",
                                        sp_model=sp_model)
    import argostranslate.package

    argostranslate.package.install_from_path(base)
    argostranslate.package.install_from_path(small)
    model_dir = WORK / "packages" / "translate-en_es-1_0" / "model"

    grid = sentences[:400] if not args.quick else sentences
    print(f"raw CTranslate2 grid ({len(grid)} sentences; sentences/s):")
    configs: dict[Config, float] = {}
    for inter, intra in [(i, j) for i in range(1, cores + 1) for j in range(1, cores + 1)
                         if i * j <= cores]:
        raw = _RawCTranslate2(model_dir, sp_model, grid, args.beam, inter, intra)
        for batch in BATCHES:
            configs[(inter, intra, *batch)] = raw.measure(*batch).rate
            print(f"  inter {inter} x intra {intra}, batches of {batch[1]} {batch[0]:<8} "
                  f"{configs[(inter, intra, *batch)]:6.1f}")
        del raw
    best = max(configs, key=lambda c: configs[c])
    one = configs[(1, 1, "examples", 64)]
    print(f"best: inter {best[0]} x intra {best[1]}, batches of {best[3]} {best[2]} "
          f"({configs[best] / one:.2f}x one batch at a time on one thread)")

    # (a) and (c) alternate, three times each, and the best of each counts, so both see the same
    # state of the machine; (b) is far slower, so it runs on fewer paragraphs.
    raw = _RawCTranslate2(model_dir, sp_model, sentences, args.beam, best[0], best[1])
    runs_a: list[Result] = []
    runs_c: list[Result] = []
    for run in range(3):
        runs_a.append(raw.measure(best[2], best[3]))
        runs_c.append(_pipeline(paragraphs, len(sentences), args.beam, run))
    a = min(runs_a, key=lambda r: r.seconds)
    c = min(runs_c, key=lambda r: r.seconds)
    b = _argostranslate(paragraphs[:30], args.beam)
    assert len(set(sentences)) == len(sentences)
    for label, r in zip("abc", (a, b, c), strict=True):
        print(f"({label}) {r.name:<48} {r.rate:8.1f} sentences/s ({r.sentences} in "
              f"{r.seconds:.2f} s)")
    print(f"c/a = {c.rate / a.rate:.2f}   (target >= 0.9; against one batch on one thread "
          f"{c.rate / one:.2f})")
    checks_s, pass_s = min(CHECKS, key=lambda pair: pair[1])
    print(f"translation checks within (c): {checks_s:.2f} s of its {pass_s:.2f} s = "
          f"{checks_s / pass_s:.2f}   (target <= 0.10)")
    print(f"c/b = {c.rate / b.rate:.2f}   (target >= 5)")

    edited, republished = _incremental(args.beam)
    print(f"edit 1 of 10 paragraphs: {edited[0]} of {edited[1]} segments re-translated "
          f"({100 * edited[0] / edited[1]:.1f}%, target <= 15%)")
    print(f"republish: {republished} segments translated (target 0)")

    rounds = 4 if args.quick else 10
    rss = _memory_child(rounds, 250 if args.quick else 1000)
    growth = (max(rss[1:]) - rss[1]) / rss[1] * 100  # the peak, not just the last round
    print("RSS after each round (MB): " + " ".join(f"{r / 1e6:.0f}" for r in rss))
    print(f"RSS growth after round 2 (peak of later rounds): {growth:+.1f}% (target < 5%)")

    beams = _beam_speeds(model_dir, sp_model, sentences[:100])
    print("beam size vs speed (raw CTranslate2, 100 sentences): "
          + ", ".join(f"beam {k}: {v:.1f}/s" for k, v in beams.items()))

    apertium = _apertium(sentences)
    if apertium is None:
        print("apertium: eng-spa not installed (apt-get install apertium-eng-spa); row skipped")
    else:
        batched, split, single = apertium
        print(f"apertium eng-spa, one process per batch    {batched.rate:8.1f} sentences/s "
              f"({batched.seconds:.2f} s)")
        print(f"apertium eng-spa, the batch over {cores} processes {split.rate:6.1f} sentences/s "
              f"({split.seconds:.2f} s; {split.rate / batched.rate:.2f}x one process; the "
              f"service splits only with 2 cores a part)")
        print(f"apertium eng-spa, one process per sentence {single.rate:8.1f} sentences/s "
              f"({single.seconds:.2f} s)")
        print(f"batched / per sentence = {batched.rate / single.rate:.1f}   (target >= 5)")

    OUT.mkdir(exist_ok=True)
    report: dict[str, Any] = {
        "sentences": len(sentences), "beam": args.beam, "cores": cores,
        "grid": {f"inter {k[0]} x intra {k[1]}, {k[3]} {k[2]}": v for k, v in configs.items()},
        "rates": {r.name: r.rate for r in (a, b, c)},
        "c_over_a": c.rate / a.rate, "c_over_b": c.rate / b.rate,
        "edit_one_of_ten": {"retranslated": edited[0], "segments": edited[1]},
        "republish_translated": republished, "rss_bytes": rss, "rss_growth_pct": growth,
        "beam_speeds": beams,
    }
    (OUT / "translate.json").write_text(json.dumps(report, indent=2))
    return 0


def _apertium(sentences: list[str]) -> tuple[Result, Result, Result] | None:
    """Time Apertium on the same sentences: one call per batch, the batch split over the
    cores (the service's default), and one call per sentence."""
    from syndicate.translate import cores
    from syndicate.translate.apertium import ApertiumEngine

    engine = ApertiumEngine()
    if "eng-spa" not in engine.modes():
        return None
    start = time.perf_counter()
    out = engine.batch("eng-spa", sentences)
    batched = Result("apertium batched", time.perf_counter() - start, len(out))
    pool = cores.Pool(cores.plan(None, 2 * cores.physical_cores()))  # split even on 2 cores
    start = time.perf_counter()
    out = ApertiumEngine(pool).batch("eng-spa", sentences)
    split = Result("apertium split", time.perf_counter() - start, len(out))
    pool.close()
    start = time.perf_counter()
    for sentence in sentences[:200]:
        engine.batch("eng-spa", [sentence])
    return batched, split, Result("apertium per sentence", time.perf_counter() - start,
                                  min(200, len(sentences)))


def _split(paragraph: str) -> list[str]:
    return [s.text for s in segment.split(paragraph, "en")]


Config = tuple[int, int, str, int]  # inter, intra, batch type, batch size
BATCHES = (("examples", 64), ("tokens", 2048))


class _RawCTranslate2:
    """The ceiling: one translate_batch over every sentence, sorted by length, model warm,
    decoding exactly as the engine does; CTranslate2 splits it into batches and runs
    ``inter`` of them at once."""

    def __init__(self, model_dir: Path, sp_model: bytes, sentences: list[str], beam: int,
                 inter: int = 1, intra: int = 1) -> None:
        import ctranslate2
        import sentencepiece

        self.sp = sentencepiece.SentencePieceProcessor(model_proto=sp_model)
        self.translator = ctranslate2.Translator(str(model_dir), device="cpu",
                                                 inter_threads=inter, intra_threads=intra)
        self.label = f"inter {inter} x intra {intra}"
        self.sentences = sentences
        self.beam = beam
        self.translator.translate_batch([self._encode(s) for s in sentences[:64]],
                                        beam_size=beam, max_batch_size=64)

    def _encode(self, sentence: str) -> list[str]:
        pieces: list[str] = self.sp.encode(sentence, out_type=str)
        return pieces

    def measure(self, batch_type: str = "examples", size: int = 64) -> Result:
        start = time.perf_counter()
        tokens = sorted((self._encode(s) for s in self.sentences), key=len)
        # Decoding options as the engine's (syndicate/translate/argos.py): a like-for-like ceiling.
        results = self.translator.translate_batch(
            tokens, beam_size=self.beam, max_batch_size=size, batch_type=batch_type,
            replace_unknowns=True, length_penalty=0.2, max_decoding_length=512,
            return_scores=True)
        [self.sp.decode_pieces(r.hypotheses[0]) for r in results]
        return Result(f"raw CTranslate2, best ({self.label}, {size} {batch_type})",
                      time.perf_counter() - start, len(self.sentences))


def _argostranslate(paragraphs: list[str], beam: int) -> Result:
    import argostranslate.settings
    import argostranslate.translate
    from argostranslate.sbd import ISentenceBoundaryDetectionModel

    class OfflineSentencizer(ISentenceBoundaryDetectionModel):  # type: ignore[misc]
        """argostranslate's MiniSBD downloads its model on first use; split offline instead."""

        def __init__(self, pkg: Any) -> None:
            self.pkg = pkg

        def split_sentences(self, text: str) -> list[str]:
            return _split(text)

    argostranslate.translate.MiniSBDSentencizer = OfflineSentencizer
    argostranslate.settings.beam_size = beam  # the same beam for everyone; all else default
    translation = argostranslate.translate.get_translation_from_codes("en", "es")
    translation.translate("Warm up the model.")
    start = time.perf_counter()
    for paragraph in paragraphs:
        translation.translate(paragraph)
    sentences = sum(len(_split(p)) for p in paragraphs)
    return Result("argostranslate.translate per paragraph", time.perf_counter() - start,
                  sentences)


def _service(name: str, targets: str, beam: int) -> Service:
    env = {"SYNDICATE_INSTANCE_DIR": str(WORK / name), "SYNDICATE_FEEDS_DIR": str(WORK / "feeds"),
           "SYNDICATE_TRANSLATIONS_DIR": str(WORK / "translations"),
           "SYNDICATE_PACKAGES_DIR": str(WORK / "packages"),
           "SYNDICATE_TARGET_LANGUAGES": targets, "SYNDICATE_BEAM_SIZE": str(beam),
           # the base-size test package is no translation: the checks run, nothing is held
           "SYNDICATE_REVIEW": "none"}
    service: Service = create_app(Settings.from_env(env)).extensions[EXTENSION_KEY]
    service.store.upgrade()
    return service


def _article(guid: str, paragraphs: list[str]) -> ArticleInput:
    return ArticleInput(guid=guid, title=f"Report {guid}", language="en",
                        blocks=tuple(Block(BlockType.PARAGRAPH, p) for p in paragraphs))


def _pipeline(paragraphs: list[str], n_sentences: int, beam: int, run: int) -> Result:
    service = _service(f"pipeline-{run}", "es", beam)
    route = service.translator.route("en", "es")
    service.translator.translate(route, paragraphs[:64])  # warm, like (a)
    service.runner.identify("Warm up the language identifier the checks use.")  # loaded once
    # per process (a running service has it from its first ingest): not a pass's cost
    articles = range(0, len(paragraphs), 5)
    for i in articles:
        service.articles.ingest(_article(f"bench-{i}", paragraphs[i:i + 5]), producer="bench")
    start = time.perf_counter()
    report = service.pipeline.translate_pending()
    elapsed = time.perf_counter() - start
    assert report.done == len(articles) and report.failed == 0, report
    CHECKS.append((_checks_seconds(service), elapsed))
    plan = service.pool.plan
    return Result(f"syndicate pipeline (one pass; {plan.threads} x {plan.intra} threads)",
                  elapsed, n_sentences)


CHECKS: list[tuple[float, float]] = []  # (checks alone, the whole pass) per pipeline run


def _checks_seconds(service: Service) -> float:
    """Time the translation checks alone over what the pass stored (they run inside it)."""
    from syndicate.ingest.language import Langid
    from syndicate.store import translations
    from syndicate.translate import checks

    with service.store.read() as session:
        stored = translations.stored(session, ["es"], None)
    detector = Langid(("en", "es"))
    detector.ranked("warm up")
    context = checks.Context("en", "es", detector.ranked)
    start = time.perf_counter()
    for article, translation in stored:
        checks.check(checks.article_fields(article, translation.title, translation.summary,
                                           translation.blocks), context)
    return time.perf_counter() - start


def _incremental(beam: int) -> tuple[tuple[int, int], int]:
    service = _service("incremental", "es", beam)
    paragraphs = corpus.paragraphs(10, 5, seed=5)
    service.articles.ingest(_article("edit", paragraphs), producer="bench")
    first = service.pipeline.translate_pending()
    paragraphs[3] = "The mayor opened the new library on Monday. Hundreds of readers came."
    service.articles.ingest(_article("edit", paragraphs), producer="bench")
    second = service.pipeline.translate_pending()
    service.articles.ingest(_article("edit", paragraphs), producer="bench")  # the same again
    third = service.pipeline.translate_pending()
    return (second.translated, first.segments), third.translated


def _memory_child(rounds: int, per_round: int) -> list[int]:
    """Measure memory in a fresh process, so the models loaded above do not count."""
    import subprocess

    env = {**os.environ, "SYNDICATE_BENCH_WORK": str(WORK)}
    done = subprocess.run([sys.executable, __file__, "--memory-rounds", str(rounds),
                           str(per_round)], env=env, capture_output=True, text=True, check=True)
    rss: list[int] = json.loads(done.stdout.strip().splitlines()[-1])
    return rss


def _memory_rounds(rounds: int, per_round: int) -> list[int]:
    from syndicate.jobs.translate import translate_pending as translate_job

    service = _service("memory", "fr", 2)
    out: list[int] = []
    for r in range(rounds):
        flat = corpus.sentences(per_round, seed=1000 + r)
        unique = [f"{s[:-1]} (item {r}-{i})." for i, s in enumerate(flat)]
        for a in range(0, per_round, 50):
            service.articles.ingest(_article(f"mem-{r}-{a}", [" ".join(unique[a:a + 50])]),
                            producer="bench")
        report = translate_job(service)  # as the scheduler runs it
        assert report.translated >= per_round, report
        out.append(resident_bytes())
    return out


def _beam_speeds(model_dir: Path, sp_model: bytes, sentences: list[str]) -> dict[int, float]:
    import ctranslate2
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_proto=sp_model)
    translator = ctranslate2.Translator(str(model_dir), device="cpu", intra_threads=1)
    tokens = [sp.encode(s, out_type=str) for s in sentences]
    speeds: dict[int, float] = {}
    for beam in (1, 2, 4):
        start = time.perf_counter()
        translator.translate_batch(tokens, beam_size=beam, max_batch_size=64)
        speeds[beam] = len(tokens) / (time.perf_counter() - start)
    return speeds


if __name__ == "__main__":
    sys.exit(main())
