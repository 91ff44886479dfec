"""TMX 1.4b translation memories, read and written with translate-toolkit. Pure.

Segments are the memory's keys: sentences with spaces collapsed, inline markup and glossary
terms as numbered placeholders ``{1}``, ``{2}`` (written as they are). A TMX from elsewhere
gives plain sentences; its inline codes (``bpt``, ``ept``, ``ph``, ``it``) are left out and
``hi`` is read through, so a sentence without markup matches exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree
from translate.storage import tmx

from .. import languages
from ..errors import ValidationError
from . import safe

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})


@dataclass(frozen=True)
class Entry:
    """One translation unit of a pair: the source, the target, and a note (who made it)."""

    source: str
    target: str
    note: str | None = None


def write(entries: Sequence[Entry], source: str, target: str) -> bytes:
    """Return a TMX 1.4b document of one language pair."""
    store = tmx.tmxfile(sourcelanguage=source, targetlanguage=target)
    for entry in entries:
        store.addtranslation(entry.source, source, entry.target, target, comment=entry.note)
    return bytes(store)


def read(data: bytes) -> Iterator[tuple[str, str, str, str]]:
    """Yield (source language, source, target language, target) for each pair of variants in
    each unit of a TMX document: a unit with variants in three languages gives each pair with
    its source language (the header's ``srclang``, or the unit's)."""
    if etree.QName(safe.root(data)).localname != "tmx":
        raise ValidationError.single("file", "not a TMX document (no <tmx> root)")
    root = safe.load(tmx.tmxfile(), data, "TMX")
    header = root.find("header")
    default = header.get("srclang", "") if header is not None else ""
    for unit in root.iter("tu"):
        variants: dict[str, str] = {}
        for tuv in unit.iter("tuv"):
            lang = _tag(tuv.get(XML_LANG) or tuv.get("lang") or "")
            seg = tuv.find("seg")
            if lang and seg is not None:
                variants.setdefault(lang, " ".join(safe.text(seg, _CODES).split()))
        source = _tag(unit.get("srclang") or default)
        if source not in variants:
            continue  # srclang="*ALL*", or a unit without its source: no direction to take
        for lang, text in variants.items():
            if lang != source and text and variants[source]:
                yield source, variants[source], lang, text


def _tag(tag: str) -> str:
    """Return the known language of a tag as files write it ("en-US", "es_ES"), or ""."""
    found = languages.loose(tag)
    return found.tag if found else ""
