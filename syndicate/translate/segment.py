"""Split text into sentences offline: pysbd where it knows the language, else rules.

Pure: no I/O, no clock, no network, ever (argostranslate's default sentencizer downloads a model
on first use; this module is why syndicate never calls it). pysbd's cost grows faster than the
text, so callers feed it one run of a block at a time.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pysbd
from pysbd.languages import LANGUAGE_CODES

# Sentence end: . ! ? … (and CJK 。！？), optional closing quotes/brackets, then white space.
_RULE_END = re.compile(r"(?<=[.!?…。！？])[\"'”’»)\]]*\s+")
# A word that ends in "." without ending a sentence: an initial (J.), dotted letters (U.S., e.g.)
# or a common title or abbreviation in the languages pysbd lacks (pt, sv, tr, ...).
_ABBREVIATION = re.compile(
    r"^[\"'“(\[]*(?:[A-Z]|(?:[A-Za-z]\.)+[A-Za-z]|Mr|Mrs|Ms|Dr|Dra|Prof|Sr|Sra|Jr|St|Gen|Av|"
    r"etc|vs|No|Nr|Nº|nº|pág|Exmo|Ilmo|Hr|Fr|bzw|ca|approx)\.$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence and the white space that followed it in the source."""

    text: str
    trailing: str


def split(text: str, language: str) -> list[Sentence]:
    """Split text into sentences whose text + trailing white space rebuild it exactly."""
    if not text.strip():
        return []
    base = language.split("-")[0]
    spans = _pysbd_spans(text, base) if base in LANGUAGE_CODES else _rule_spans(text)
    out: list[Sentence] = []
    for start, end in spans:
        chunk = text[start:end]
        body = chunk.rstrip()
        if body:
            out.append(Sentence(body, chunk[len(body):]))
        elif out:
            out[-1] = Sentence(out[-1].text, out[-1].trailing + chunk)
    return out


def rough_split(text: str) -> list[str]:
    """Split text into sentences by punctuation alone (fast; the same rules in every
    language, so two texts' counts compare fairly): for checks, not for translation."""
    return [text[start:end].strip() for start, end in _rule_spans(text)
            if text[start:end].strip()]


_PER_THREAD = threading.local()  # pysbd's segmenters keep state: never share one across threads


def _segmenter(language: str) -> pysbd.Segmenter:
    cache: dict[str, pysbd.Segmenter] = _PER_THREAD.__dict__.setdefault("segmenters", {})
    if language not in cache:
        cache[language] = pysbd.Segmenter(language=language, clean=False, char_span=True)
    return cache[language]


def _pysbd_spans(text: str, language: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    for span in _segmenter(language).segment(text):
        # pysbd's spans can skip or overlap white space; rebuild contiguous spans from its ends.
        end = max(span.end, position)
        spans.append((position, end))
        position = end
    if position < len(text):
        spans.append((position, len(text)))
    return spans


def _rule_spans(text: str) -> list[tuple[int, int]]:
    """Split after sentence-ending punctuation, unless the word before looks abbreviated."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _RULE_END.finditer(text):
        before = text[start:match.start()].split()
        after = text[match.end():match.end() + 1]
        if (before and _ABBREVIATION.search(before[-1])) or after.islower() or after.isdigit():
            continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans
