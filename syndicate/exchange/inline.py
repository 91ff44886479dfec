"""A block's inline HTML as text and numbered inline codes, and back. Pure.

Each tag becomes a code: a paired element (``<a href=…>…</a>``) an open and a close code with
one number, a void one (``<br>``, ``<img …>``) an empty code. Numbers follow the order of the
tags, so the same HTML always gives the same codes. Going back, a translator's codes are
looked up in the *source's* table by number and kind: the HTML of a tag always comes from the
stored source, never from the file, so an imported file can move, drop or nest codes but never
bring markup of its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

VOID = frozenset({"br", "img", "hr", "wbr"})
_SPACE = re.compile(r"\s+")
Kind = Literal["open", "close", "empty"]


@dataclass(frozen=True)
class Code:
    """One inline code: its number, kind, tag name and (in a source) its HTML."""

    id: int
    kind: Kind
    tag: str = ""
    raw: str = ""


Piece = str | Code


class BadCodes(ValueError):
    """A translation's codes do not fit its source's."""


class _Tokenizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[Piece] = []
        self.open: list[int] = []
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in VOID:
            self.out.append(Code(self.count, "empty", tag, raw))
        else:
            self.open.append(self.count)
            self.out.append(Code(self.count, "open", tag, raw))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1
        self.out.append(Code(self.count, "empty", tag, self.get_starttag_text() or f"<{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.open:
            return  # sanitized HTML is balanced: a stray end tag carries nothing
        self.out.append(Code(self.open.pop(), "close", tag, f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        if self.out and isinstance(self.out[-1], str):
            self.out[-1] += data
        else:
            self.out.append(data)


def parse(markup: str) -> list[Piece]:
    """Return sanitized inline HTML as text (decoded) and codes, in order."""
    tokenizer = _Tokenizer()
    tokenizer.feed(markup)
    tokenizer.close()
    return tokenizer.out


def text(value: str) -> list[Piece]:
    """Return plain text (a title, a summary) as pieces: no codes."""
    return [value] if value else []


def canonical(pieces: Iterable[Piece]) -> str:
    """Return the pieces as one string to compare sources by: spaces collapsed, codes as
    {o1} {c1} {e2}."""
    out = []
    for piece in pieces:
        out.append(piece if isinstance(piece, str) else f"{{{piece.kind[0]}{piece.id}}}")
    return _SPACE.sub(" ", "".join(out)).strip()


def to_html(pieces: Sequence[Piece], source: Sequence[Piece]) -> str:
    """Return a translation's HTML: its text escaped, each code replaced by the source's tag
    of that number and kind; raise BadCodes for a code the source lacks or one used twice."""
    table = {(c.id, c.kind): c.raw for c in source if isinstance(c, Code)}
    seen: set[tuple[int, str]] = set()
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(html.escape(piece, quote=False))
            continue
        key = (piece.id, piece.kind)
        if key not in table:
            raise BadCodes(f"inline code {piece.id} ({piece.kind}) is not in the source")
        if key in seen:
            raise BadCodes(f"inline code {piece.id} ({piece.kind}) is used twice")
        seen.add(key)
        out.append(table[key])
    opened = {i for i, kind in seen if kind == "open"}
    closed = {i for i, kind in seen if kind == "close"}
    if opened != closed:
        raise BadCodes(f"inline code {min(opened ^ closed)} is opened or closed alone")
    return "".join(out)


def plain(pieces: Sequence[Piece]) -> str:
    """Return the text of pieces that should hold no codes (a title); BadCodes if they do."""
    if any(isinstance(p, Code) for p in pieces):
        raise BadCodes("this field is plain text: it takes no inline codes")
    return "".join(p for p in pieces if isinstance(p, str))


def align(target: Sequence[Piece], source: Sequence[Piece]) -> list[Piece]:
    """Return a translation's pieces numbered as its source's: each tag takes the number of
    the source tag with the same HTML (in order), so moved tags keep their numbers; a tag the
    source lacks gets a number of its own."""
    free: dict[tuple[str, str], list[int]] = {}
    for code in source:
        if isinstance(code, Code) and code.kind != "close":
            free.setdefault((code.kind, code.raw), []).append(code.id)
    spare = max((c.id for c in source if isinstance(c, Code)), default=0)
    opened: list[int] = []
    out: list[Piece] = []
    for piece in target:
        if isinstance(piece, str):
            out.append(piece)
            continue
        if piece.kind == "close":
            number = opened.pop() if opened else spare + 1
        else:
            numbers = free.get((piece.kind, piece.raw))
            if numbers:
                number = numbers.pop(0)
            else:
                spare += 1
                number = spare
            if piece.kind == "open":
                opened.append(number)
        spare = max(spare, number)
        out.append(Code(number, piece.kind, piece.tag, piece.raw))
    return out
