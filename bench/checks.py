"""Translation checks benchmark: recall per kind of bad translation, clean output flagged.

Run: ``.venv/bin/python bench/checks.py`` (about 20 s; needs Debian's apertium-eng-spa and
apertium-spa-cat with cg3, as .ci/run installs).

The evaluation set: ``bench/checks/en.txt``, 100 paragraphs of varied news English written
for this bench (two or three sentences each, with numbers, names and dates), translated into
Spanish by Apertium's real eng-spa pair: the clean class. Every third paragraph carries a
link (the same one in source and translation). Each clean translation is then corrupted in
nine ways, as broken engines and models fail:
  untranslated (the source itself), half untranslated (the second half of the sentences left
  in English), another language (Apertium's spa-cat turns the Spanish into Catalan, the
  closest neighbour), sentence dropped, number changed, truncated (cut at 60 %), repetition
  loop (a phrase repeated, as a looping decoder does), empty, link target changed (on the
  linked paragraphs).
A translation counts as caught when the checks give it an ``error`` finding. Printed: recall
per kind, the share of clean paragraphs with an error (targets: recall >= 0.95 per kind,
clean flagged <= 2 %), and the checks' time against Apertium's for the same paragraphs.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from syndicate.ingest.language import Langid
from syndicate.models import Severity
from syndicate.translate import checks, segment
from syndicate.translate.apertium import ApertiumEngine

TEXTS = Path(__file__).with_name("checks") / "en.txt"
LINK = '<a href="https://example.org/news/{n}">{words}</a>'
_NUMBER = re.compile(r"\d+")


def linked(text: str, n: int, href_n: int | None = None) -> str:
    """Wrap the first three words of text in a link to story n (href_n: another target)."""
    words = text.split(" ")
    return LINK.format(n=n if href_n is None else href_n, words=" ".join(words[:3])) + " " + \
        " ".join(words[3:])


def sentences(text: str, language: str) -> list[str]:
    return [s.text for s in segment.split(text, language)]


def corruptions(source: str, target: str, catalan: str, n: int) -> dict[str, str | None]:
    """Return kind -> corrupted translation (None: the kind does not apply)."""
    src, tgt = sentences(source, "en"), sentences(target, "es")
    half = len(tgt) // 2
    number = _NUMBER.search(target)
    words = target.split(" ")
    middle = len(words) // 2
    loop = " ".join(words[middle:middle + 2])
    return {
        "untranslated": source,
        "half untranslated": " ".join(tgt[:half] + src[half:]) if len(src) == len(tgt)
        else target[: len(target) // 2] + " " + source[len(source) // 2:],
        "another language": catalan,
        "sentence dropped": " ".join(tgt[:-1]) if len(tgt) > 1 else None,
        "number changed": target[:number.start()] + str(int(number.group()) + 1)
        + target[number.end():] if number else None,
        "truncated": target[: int(len(target) * 0.6)].rsplit(" ", 1)[0],
        "repetition loop": " ".join(words[:middle + 2] + [loop] * 6 + words[middle + 2:]),
        "empty": "",
        "link target changed": None if n % 3 else linked(target, n, href_n=n + 1000),
    }


def main() -> int:
    paragraphs = [line.strip() for line in TEXTS.read_text().splitlines() if line.strip()]
    engine = ApertiumEngine()
    start = time.perf_counter()
    spanish = [text for text, _ in engine.translate(engine.route("en", "es"), paragraphs)]
    translate_s = time.perf_counter() - start
    catalan = [text for text, _ in engine.translate(engine.route("es", "ca"), spanish)]
    detector = Langid()
    context = checks.Context("en", "es", detector.ranked)
    detector.ranked("warm up")  # the model loads on first use

    def errors(source: str, target: str, n: int, html: bool) -> list[str]:
        field = checks.Field("block", linked(source, n) if html else source,
                             target, html=html, block=0)
        return [f.check for f in checks.check_field(field, context)
                if f.severity is Severity.ERROR]

    caught: dict[str, list[bool]] = {}
    clean_flags: list[tuple[int, list[str]]] = []
    start = time.perf_counter()
    for n, (source, target) in enumerate(zip(paragraphs, spanish, strict=True)):
        html = n % 3 == 0
        clean = linked(target, n) if html else target
        found = errors(source, clean, n, html)
        if found:
            clean_flags.append((n, found))
    checks_s = time.perf_counter() - start
    for n, (source, target, cat) in enumerate(zip(paragraphs, spanish, catalan, strict=True)):
        html = n % 3 == 0
        for kind, bad in corruptions(source, target, cat, n).items():
            if bad is None:
                continue
            if html and kind != "link target changed":
                bad = linked(bad, n) if bad else bad
            caught.setdefault(kind, []).append(bool(errors(source, bad, n, html)))
    print(f"{len(paragraphs)} paragraphs, Apertium eng-spa (clean) and spa-cat (another "
          "language); a translation is caught when a check gives it an error")
    print("| kind | paragraphs | caught | recall |")
    print("|---|---|---|---|")
    for kind, results in caught.items():
        print(f"| {kind} | {len(results)} | {sum(results)} | {sum(results) / len(results):.2f} |")
    print(f"| clean (flagged) | {len(paragraphs)} | {len(clean_flags)} | "
          f"{len(clean_flags) / len(paragraphs):.1%} flagged |")
    for n, found in clean_flags:
        print(f"  clean paragraph {n} flagged: {found}")
    print(f"checks on the clean set: {checks_s:.2f} s; Apertium translating it: "
          f"{translate_s:.2f} s; ratio {checks_s / translate_s:.2f}")
    return 0



if __name__ == "__main__":
    raise SystemExit(main())
