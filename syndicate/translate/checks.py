"""Checks on a translation, field by field: can it be published as that language's text?

Pure: texts in, findings out; no database, clock, engine or network. The language of each
sentence comes from an ``Identify`` function the caller passes (the service's detector).
translate-toolkit's checker does what it already does well (numbers with their locale
grouping and decimal marks, URLs, e-mail addresses, repeated words); the rest is here:

- ``empty``: nothing where the source has words;
- ``language``: sentences identified as another language than the target (the source
  language above all, or a neighbour such as Catalan for Spanish);
- ``untranslated``: the share of the source's word pairs found verbatim in the target;
- ``omission`` / ``addition``: fewer or more sentences than the source, or a length far from
  what the pair normally gives (``Norms``, learned from the pair's own memory);
- ``numbers``, ``urls``, ``emails``, placeholders (``printf``: %s, %d;
  ``pythonbraceformat``: {name}), ``links``: the same multiset as the source;
- ``repetition``: a phrase looping, or runaway length;
- ``glossary``: a required rendering or a kept term missing.

Each finding is an error (the translation is not fit to publish unseen) or a warning.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from translate.filters import checks as toolkit

from ..models import Article, Finding, Severity, TranslatedBlock
from ..sanitize import text_of
from . import segment

Identify = Callable[[str], Mapping[str, float]]  # text -> language code -> probability
ERROR, WARNING = Severity.ERROR, Severity.WARNING
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CHECKER = toolkit.StandardChecker()
MIN_WORDS = 4  # shorter sentences are not identified (names, datelines, "Why?")


@dataclass(frozen=True)
class Norms:
    """What a language pair's translations normally look like: target length over source
    length (characters), and how far from it is still ordinary."""

    length_ratio: float = 1.1
    spread: float = 0.35  # beyond ratio * (1 ± spread): a warning; beyond twice that: error

    @classmethod
    def learn(cls, pairs: Iterable[tuple[str, str]], minimum: int = 20) -> Norms:
        """Return the norms of (source, target) texts a pair already has (its memory), or
        the defaults with fewer than ``minimum`` usable pairs."""
        ratios = [len(t) / len(s) for s, t in pairs if len(s) >= 40 and t]
        if len(ratios) < minimum:
            return cls()
        middle = statistics.median(ratios)
        deviation = statistics.median(abs(r - middle) for r in ratios) / middle
        return cls(middle, min(0.6, max(0.25, 3 * deviation)))


@dataclass(frozen=True)
class Field:
    """One field of an article and its translation: a title or summary (plain text), or a
    block (inline HTML)."""

    name: str  # title, summary, block
    source: str
    target: str
    html: bool = False
    block: int | None = None  # the block's index


@dataclass(frozen=True)
class Context:
    """What the checks need besides the texts."""

    source: str  # language tags
    target: str
    identify: Identify
    norms: Norms = Norms()
    required: Mapping[str, str] | None = None  # glossary: source term -> required rendering


def article_fields(article: Article, title: str | None, summary: str | None,
                   blocks: Sequence[TranslatedBlock]) -> list[Field]:
    """Return an article's fields beside a translation's, for check()."""
    fields = [Field("title", article.title, title or "")]
    if article.summary:
        fields.append(Field("summary", article.summary, summary or ""))
    fields += [Field("block", block.html, translated.html, html=True, block=index)
               for index, (block, translated) in enumerate(zip(article.blocks, blocks,
                                                               strict=False))]
    fields += [Field("block", block.html, "", html=True, block=index)
               for index, block in enumerate(article.blocks) if index >= len(blocks)]
    return fields


def check(fields: Sequence[Field], context: Context) -> list[Finding]:
    """Run every check on every field; return the findings, errors first."""
    found: list[Finding] = []
    for item in fields:
        found += check_field(item, context)
    return sorted(found, key=lambda f: (f.severity is not ERROR,))


def check_field(item: Field, context: Context) -> list[Finding]:
    """Run every check on one field."""
    source = text_of(item.source) if item.html else item.source.strip()
    target = text_of(item.target) if item.html else item.target.strip()
    if not _WORD.search(source):
        return []  # nothing to translate: a number, a date, a name alone

    def finding(name: str, severity: Severity, detail: str) -> Finding:
        return Finding(name, severity, item.name, item.block, detail)

    if not target:
        return [finding("empty", ERROR, "the translation is empty")]
    had, has = segment.rough_split(source), segment.rough_split(target)
    out: list[Finding] = []
    out += _language(has, context, finding)
    out += _untranslated(source, target, finding)
    out += _length(source, target, len(had), len(has), context, finding)
    out += _truncated(source, target, finding)
    out += _toolkit(source, target, finding)
    out += _grouped_numbers(source, target, finding)
    if item.html:
        out += _links(item.source, item.target, finding)
    out += _repetition(source, target, finding)
    out += _glossary(source, target, context, finding)
    return out


Make = Callable[[str, Severity, str], Finding]


def _language(sentences: Sequence[str], context: Context, finding: Make) -> list[Finding]:
    """Find sentences in another language than the target (by characters identified)."""
    want = context.target.split("-")[0].lower()
    own = context.source.split("-")[0].lower()
    judged = other = source_like = 0
    others: Counter[str] = Counter()
    for sentence in sentences:
        words = _WORD.findall(sentence)
        if len(words) < MIN_WORDS:
            continue
        ranked = context.identify(sentence)
        best = max(ranked, key=lambda code: ranked[code])
        size = len(sentence)
        judged += size
        if best != want and ranked.get(want, 0.0) < 0.2:
            other += size
            others[best] += size
            source_like += size if best == own else 0
    if not judged or other == 0:
        return []
    share = other / judged
    named = ", ".join(code for code, _ in others.most_common(3))
    detail = (f"{share:.0%} of the text reads as {named}, not {context.target}"
              + (" (the source language: left untranslated?)" if source_like else ""))
    return [finding("language", ERROR if share >= 0.25 else WARNING, detail)]


def _pairs(text: str) -> list[tuple[str, str]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return list(zip(words, words[1:], strict=False))


def _untranslated(source: str, target: str, finding: Make) -> list[Finding]:
    """Find the source's word pairs kept verbatim (names are pairs too: a threshold)."""
    pairs = _pairs(source)
    if len(pairs) < 3:
        return []
    kept = set(_pairs(target))
    share = sum(1 for p in pairs if p in kept) / len(pairs)
    if share >= 0.4:
        return [finding("untranslated", ERROR, f"{share:.0%} of the source is kept verbatim")]
    if share >= 0.25:
        return [finding("untranslated", WARNING, f"{share:.0%} of the source is kept verbatim")]
    return []


def _length(source: str, target: str, had: int, has: int, context: Context,
            finding: Make) -> list[Finding]:
    """Compare sentence counts, and the length against the pair's norm."""
    out: list[Finding] = []
    if has < had:
        out.append(finding("omission", ERROR, f"{has} sentences for the source's {had}"))
    elif has > had + 1:
        out.append(finding("addition", WARNING, f"{has} sentences for the source's {had}"))
    norms = context.norms
    ratio = len(target) / len(source) / norms.length_ratio
    for limit, severity in ((2 * norms.spread, ERROR), (norms.spread, WARNING)):
        if ratio < 1 - limit and len(source) >= 40:
            out.append(finding("omission", severity, f"{ratio:.0%} of the length this pair "
                               "normally gives: something is missing"))
            break
        if ratio > 1 + 2 * limit:
            out.append(finding("addition", severity, f"{ratio:.0%} of the length this pair "
                               "normally gives"))
            break
    return out


_FINAL = re.compile(r"[.!?…:;)\]\"'»”’]\s*$")


def _truncated(source: str, target: str, finding: Make) -> list[Finding]:
    """A source that ends a sentence has a translation that does too."""
    if _FINAL.search(source) and not _FINAL.search(target):
        return [finding("truncated", ERROR, f"ends mid-sentence: …{target[-40:]!r}")]
    return []


_TOOLKIT = (("numbers", ERROR), ("urls", ERROR), ("emails", ERROR),
            ("printf", ERROR), ("pythonbraceformat", ERROR),  # placeholders: %s, {name}
            ("doublewords", WARNING))


def _toolkit(source: str, target: str, finding: Make) -> list[Finding]:
    """translate-toolkit's checks: numbers (locale-aware), URLs, e-mails, placeholders,
    repeated words."""
    out = []
    for name, severity in _TOOLKIT:
        try:
            getattr(_CHECKER, name)(source, target)
        except toolkit.FilterFailure as failure:
            out.append(finding(name, severity, str(failure)))
    return out


# A number written with thousands separators, as each language writes them: 60,000 60.000
# 60 000 (a space, a no-break or a narrow no-break space), or 60000 and 60'000.
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?![\d])")
_NUMBER = re.compile(r"(?<![\d])\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?![\d])|\d+")


def _grouped_numbers(source: str, target: str, finding: Make) -> list[Finding]:
    """A number the source groups by thousands is the same value in the translation, in
    whichever grouping the language uses (translate-toolkit reads 60,000 as 60 and 000, so
    60,000 → 60007 passed it)."""
    found = {re.sub(r"\D", "", n) for n in _NUMBER.findall(target)}
    missing = [n for n in _GROUPED.findall(source) if re.sub(r"\D", "", n) not in found]
    if missing:
        return [finding("numbers", ERROR, f"{missing[0]} is not in the translation")]
    return []


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [v for k, v in attrs if k in ("href", "src") and v]


def _hrefs(markup: str) -> Counter[str]:
    parser = _Hrefs()
    parser.feed(markup)
    return Counter(parser.found)


def _links(source: str, target: str, finding: Make) -> list[Finding]:
    """Links and images must point where the source's do."""
    had, has = _hrefs(source), _hrefs(target)
    if had == has:
        return []
    lost, new = sorted((had - has).elements()), sorted((has - had).elements())
    return [finding("links", ERROR, f"link targets differ: {lost} in the source, {new} here")]


def _repetition(source: str, target: str, finding: Make) -> list[Finding]:
    """Find a phrase looping (a word run repeated back to back) or a runaway length."""
    words = [w.lower() for w in _WORD.findall(target)]
    for size in (1, 2, 3, 4):
        for start in range(len(words) - 3 * size + 1):
            run = words[start:start + size]
            if words[start + size:start + 2 * size] == run == \
                    words[start + 2 * size:start + 3 * size]:
                looped = " ".join(run)
                if f"{looped} {looped} {looped}" not in " ".join(
                        w.lower() for w in _WORD.findall(source)):
                    return [finding("repetition", ERROR, f"'{looped}' repeats in a loop")]
    counts = Counter(zip(words, words[1:], words[2:], strict=False))
    source_counts = Counter(_pairs(source))
    for gram, number in counts.most_common(1):
        if number >= 4 and number > 2 * source_counts.get(gram[:2], 0) + 2:
            return [finding("repetition", ERROR, f"'{' '.join(gram)}' comes {number} times")]
    return []


def _glossary(source: str, target: str, context: Context, finding: Make) -> list[Finding]:
    """Required renderings present, kept terms kept."""
    missing = [f"{term!r} as {rendering!r}" for term, rendering in (context.required or {}).items()
               if _contains(source, term) and not _contains(target, rendering)]
    if not missing:
        return []
    return [finding("glossary", ERROR, "missing: " + ", ".join(missing))]


def confidence(scores: Sequence[tuple[str, int | None, float]], threshold: float | None
               ) -> list[Finding]:
    """Return a warning for each field (name, block, lowest segment score) whose engine
    score is under the threshold (None: not checked). Scores are mean log-probabilities per
    token: 0 is certain, -1 is e**-1 per token."""
    if threshold is None:
        return []
    return [Finding("confidence", WARNING, name, block, f"the engine's confidence is "
                    f"{score:.2f}, under {threshold:.2f}")
            for name, block, score in scores if score < threshold]


def _contains(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None
