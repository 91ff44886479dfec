"""Turn plain text in the editors' shape (short heading lines, then paragraphs) into blocks.

Rules, in order:
- If the text has no blank lines, every line is its own block (the editors' shape). A line is a
  heading when it is short (at most 120 characters and 15 words), does not end like a sentence
  clause (``.``, ``,``, ``;``, ``:``, ``!``), and more text follows. Question headings
  (``What's Next?``) are headings.
- If it has blank lines, they separate chunks and a chunk's lines are one hard-wrapped paragraph;
  a chunk's first line is a heading when it looks like one and stands alone or is clearly shorter
  than the line after it.
"""

from __future__ import annotations

import html
import re

from ..models import Block, BlockType
from ..sanitize import plain_text, xml_safe

_MAX_HEADING_CHARS = 120
_MAX_HEADING_WORDS = 15
_NOT_HEADING_END = (".", ",", ";", ":", "!", "…")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "U.S.", "U.K.", "Gen.", "Sen.",
                  "Rep.", "Gov.", "Lt.", "Col.", "Jr.", "Sr.", "No.", "vs.", "e.g.", "i.e.")


def parse_text(text: str) -> tuple[Block, ...]:
    """Split plain text into heading and paragraph blocks, keeping the words exactly."""
    lines = xml_safe(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    has_blank = any(not line.strip() for line in _trim(lines))
    chunks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            chunks[-1].append(line.strip())
        elif chunks[-1]:
            chunks.append([])
    items: list[tuple[BlockType, str]] = []
    for chunk in filter(None, chunks):
        items.extend(_chunk_blocks(chunk, joined=has_blank))
    blocks: list[Block] = []
    for index, (kind, line) in enumerate(items):
        is_last = index == len(items) - 1
        if kind is BlockType.HEADING and is_last:
            kind = BlockType.PARAGRAPH
        level = 2 if kind is BlockType.HEADING else None
        blocks.append(Block(kind, html.escape(line, quote=False), level=level))
    return tuple(blocks)


def first_sentence(text: str) -> str:
    """Return the first sentence of a paragraph of plain text."""
    protected = text
    for abbr in _ABBREVIATIONS:
        protected = protected.replace(abbr, abbr.replace(".", "\x00"))
    head = _SENTENCE_END.split(protected, maxsplit=1)[0]
    return plain_text(head.replace("\x00", "."))


def _trim(lines: list[str]) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = next((i for i in range(len(lines), 0, -1) if lines[i - 1].strip()), 0)
    return lines[start:end]


def _chunk_blocks(chunk: list[str], *, joined: bool) -> list[tuple[BlockType, str]]:
    if not joined:
        kinds = [BlockType.HEADING if _looks_like_heading(ln) else BlockType.PARAGRAPH
                 for ln in chunk]
        return list(zip(kinds, chunk, strict=True))
    # Hard-wrapped text: only a chunk's first line can be a heading, when it stands alone or is
    # clearly shorter than the wrapped line after it.
    first, rest = chunk[0], chunk[1:]
    if _looks_like_heading(first) and (not rest or len(first) * 3 <= len(rest[0]) * 2):
        tail = [(BlockType.PARAGRAPH, " ".join(rest))] if rest else []
        return [(BlockType.HEADING, first), *tail]
    return [(BlockType.PARAGRAPH, " ".join(chunk))]


def _looks_like_heading(line: str) -> bool:
    return (
        len(line) <= _MAX_HEADING_CHARS
        and len(line.split()) <= _MAX_HEADING_WORDS
        and not line.endswith(_NOT_HEADING_END)
    )
