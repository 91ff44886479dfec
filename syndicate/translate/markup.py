"""Plan the translation of a block's inline HTML, and put the translated text back into it.

Pure: no I/O. A block's HTML is read by an HTML tokenizer (the standard library's, which knows
that ``>`` inside a quoted attribute value does not end a tag; never a regular expression),
then cut at structural tags (``li``, ``ul``, ``ol``, ``br``), which are
kept verbatim; each run between them is split into sentences. Inside a sentence, inline tags
(links, emphasis, code, images), glossary terms and literal ``{n}`` text become numbered
placeholders ``{1}``, ``{2}``, ... so the engine translates words only and the markup comes back
byte for byte. Placeholders are numbered per sentence, so the same sentence with the same shape
of markup is one translation-memory entry wherever it appears (a changed link target does not
make it new). If a translation loses or duplicates a placeholder, ``pieces`` and ``reassemble``
translate the text between placeholders one piece at a time instead: less context, markup intact.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from . import segment
from .glossary import Glossary

PLACEHOLDER = re.compile(r"\{\s*(\d+)\s*\}")
_STRUCTURAL = frozenset({"li", "ul", "ol", "br"})
_LITERAL_BRACES = re.compile(r"\{\s*\d+\s*\}")
_SPACE = re.compile(r"\s+")
_WORDY = re.compile(r"[^\W\d_]")  # a letter: something to translate


class PlaceholderMismatch(ValueError):
    """A translation lost, invented or repeated a placeholder."""


@dataclass(frozen=True)
class Segment:
    """One sentence as the engine sees it, and what each of its placeholders stands for."""

    key: str
    slots: tuple[str, ...]

    @property
    def translatable(self) -> bool:
        """Return whether there are words to translate (else the key is its own translation)."""
        return bool(_WORDY.search(PLACEHOLDER.sub("", self.key)))


@dataclass(frozen=True)
class Plan:
    """A block cut into verbatim HTML and segments, in order."""

    parts: tuple[str | Segment, ...]

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Return the segments, in order."""
        return tuple(p for p in self.parts if isinstance(p, Segment))


def plan_html(markup: str, source: str, target: str, glossary: Glossary) -> Plan:
    """Cut sanitized inline HTML into verbatim parts and segments."""
    parts: list[str | Segment] = []
    run: list[tuple[bool, str]] = []  # (is_slot, text or raw html)
    matcher = glossary.matcher(target)
    renderings = glossary.renderings(target)
    for name, token in tokens(markup):
        if name is None:
            run.extend(_protect(token, matcher, renderings))
        elif name in _STRUCTURAL:
            parts.extend(_plan_run(run, source))
            run = []
            parts.append(token)
        else:
            run.append((True, token))
    parts.extend(_plan_run(run, source))
    return Plan(tuple(parts))


class _Tokenizer(HTMLParser):
    """Collect (tag name, raw tag) and (None, decoded text) tokens, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[tuple[str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append((tag, self.get_starttag_text() or f"<{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append((tag, f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.out.append((None, data))


def tokens(markup: str) -> Iterator[tuple[str | None, str]]:
    """Yield a fragment's tags as (lower-case name, raw text) and text as (None, decoded)."""
    parser = _Tokenizer()
    parser.feed(markup)
    parser.close()
    yield from parser.out


def plan_text(text: str, source: str, target: str, glossary: Glossary) -> Plan:
    """Plan plain text (titles, summaries) by way of its escaped HTML."""
    return plan_html(html.escape(text, quote=False), source, target, glossary)


def render(plan: Plan, translations: Mapping[str, str]) -> str:
    """Return the translated HTML; raise PlaceholderMismatch if a translation lost markup."""
    out: list[str] = []
    for part in plan.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        translated = translations[part.key] if part.translatable else part.key
        out.append(fill(part, translated))
    return "".join(out)


def render_text(plan: Plan, translations: Mapping[str, str]) -> str:
    """Return translated plain text for a plan made by plan_text."""
    return html.unescape(render(plan, translations))


def fill(seg: Segment, translated: str) -> str:
    """Put a segment's slots into its translation, escaping the translated words."""
    check(seg, translated)
    pieces = PLACEHOLDER.split(translated)
    out = [html.escape(pieces[0], quote=False)]
    for index in range(1, len(pieces), 2):
        out.append(seg.slots[int(pieces[index]) - 1])
        out.append(html.escape(pieces[index + 1], quote=False))
    return "".join(out)


def check(seg: Segment, translated: str) -> None:
    """Raise PlaceholderMismatch unless every placeholder appears exactly once."""
    found = sorted(int(n) for n in PLACEHOLDER.findall(translated))
    if found != list(range(1, len(seg.slots) + 1)):
        raise PlaceholderMismatch(f"placeholders {found} in {translated!r} for {seg.key!r}")


def pieces(seg: Segment) -> list[str]:
    """Return the texts between a segment's placeholders that have words to translate."""
    return [p.strip() for p in PLACEHOLDER.split(seg.key)[::2] if _WORDY.search(p)]


def reassemble(seg: Segment, translations: Mapping[str, str]) -> str:
    """Rebuild a segment's translation from translated pieces, placeholders in source order."""
    split = PLACEHOLDER.split(seg.key)
    out: list[str] = []
    for index, text in enumerate(split):
        if index % 2:
            out.append("{" + text + "}")
        elif _WORDY.search(text):
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            out.append(lead + translations[text.strip()] + trail)
        else:
            out.append(text)
    return "".join(out)


def _protect(text: str, matcher: re.Pattern[str] | None,
             renderings: Mapping[str, str]) -> list[tuple[bool, str]]:
    """Cut text into plain text and slots for glossary terms and literal {n}."""
    out: list[tuple[bool, str]] = []
    position = 0
    hits = [(m.start(), m.end(), html.escape(m.group(0), quote=False))
            for m in _LITERAL_BRACES.finditer(text)]
    if matcher is not None:
        hits += [(m.start(), m.end(), html.escape(renderings[m.group(0)], quote=False))
                 for m in matcher.finditer(text)]
    for start, end, replacement in sorted(hits):
        if start < position:
            continue  # overlapping match: the earlier one wins
        if start > position:
            out.append((False, text[position:start]))
        out.append((True, replacement))
        position = end
    if position < len(text):
        out.append((False, text[position:]))
    return out


def _plan_run(run: list[tuple[bool, str]], source: str) -> list[str | Segment]:
    """Split one run into sentences; each becomes a segment with locally numbered slots."""
    if not run:
        return []
    slots = [value for is_slot, value in run if is_slot]
    masked = "".join(f"{{{_slot_index(run, i)}}}" if is_slot else value
                     for i, (is_slot, value) in enumerate(run))
    if not masked.strip():
        return ["".join(html.escape(v, quote=False) if not s else v for s, v in run)]
    lead = masked[: len(masked) - len(masked.lstrip())]
    trail = masked[len(masked.rstrip()):]
    parts: list[str | Segment] = [lead] if lead else []
    for sentence in segment.split(masked.strip(), source):
        parts.append(_segment(sentence.text, slots))
        if sentence.trailing:
            parts.append(sentence.trailing)
    if trail:
        parts.append(trail)
    return parts


def _slot_index(run: list[tuple[bool, str]], position: int) -> int:
    return sum(1 for is_slot, _ in run[:position] if is_slot) + 1


def _segment(text: str, run_slots: list[str]) -> Segment:
    """Renumber a sentence's placeholders 1..k and fold its white space: the memory key."""
    local: list[str] = []

    def renumber(match: re.Match[str]) -> str:
        local.append(run_slots[int(match.group(1)) - 1])
        return "{" + str(len(local)) + "}"

    key = _SPACE.sub(" ", PLACEHOLDER.sub(renumber, text)).strip()
    return Segment(key, tuple(local))
