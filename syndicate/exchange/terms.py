"""Term bases: TBX (2008 ``martif``, read with translate-toolkit, and 2019 ``tbx``) and CSV
(translate-toolkit). Pure.

A concept with a term in the source language and in target languages gives fixed renderings
(``terms``); a concept whose target term is the source term itself, or that has only the
source-language term, gives a term kept as written in every language (``keep``: names, brands).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from lxml import etree
from translate.storage import csvl10n, tbx

from .. import languages
from ..errors import ValidationError
from . import safe

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Terms:
    """Terms to keep as written, and fixed renderings per target language."""

    keep: list[str] = field(default_factory=list)
    terms: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, term: str, renderings: dict[str, str]) -> None:
        """Add one concept: kept when every rendering is the term itself (or there is none in
        any language); renderings in languages not served here are dropped later."""
        term = " ".join(term.split())
        if not term:
            return
        others = {lang: " ".join(text.split()) for lang, text in renderings.items()
                  if text.strip()}
        if all(text == term for text in others.values()):
            if term not in self.keep:
                self.keep.append(term)
        else:
            self.terms.setdefault(term, {}).update(
                {lang: text for lang, text in others.items() if text != term})


def read_tbx(data: bytes, source: str) -> Terms:
    """Read a TBX term base; ``source`` is the language whose terms are matched."""
    root = safe.root(data)
    name = etree.QName(root).localname
    if name == "martif":  # TBX 2008 (ISO 30042:2008): translate-toolkit reads it
        root = safe.load(tbx.tbxfile(), data, "TBX")
    elif name != "tbx":
        raise ValidationError.single("file", "not a TBX document (no <martif> or <tbx> root)")
    # TBX 2019 (<tbx>: conceptEntry/langSec/termSec): the toolkit reads only martif, so the
    # tree safe.root parsed is read as it is
    out = Terms()
    for concept in root.iter():
        if not isinstance(concept.tag, str) or \
                etree.QName(concept).localname not in ("termEntry", "conceptEntry"):
            continue
        by_language: dict[str, str] = {}
        for section in concept:
            if not isinstance(section.tag, str) or \
                    etree.QName(section).localname not in ("langSet", "langSec"):
                continue
            tag = section.get(XML_LANG, "")
            known = languages.loose(tag)
            lang = known.tag if known else f"?{tag}"  # a language not known here still counts
            term = next((t for t in section.iter() if isinstance(t.tag, str)
                         and etree.QName(t).localname == "term"), None)
            if term is not None and lang not in by_language:
                by_language[lang] = safe.text(term, frozenset())
        if source in by_language:
            out.add(by_language.pop(source), by_language)
    return out


def read_csv(data: bytes, target: str) -> Terms:
    """Read a CSV glossary: a header naming ``source`` and ``target`` columns (the toolkit's
    CSV); a row without a target keeps its term."""
    try:
        store = csvl10n.csvfile()
        store.parse(data)
    except (ValueError, csv.Error, UnicodeDecodeError) as exc:
        raise ValidationError.single("file", f"not a readable CSV file: {exc}") from None
    out = Terms()
    for unit in store.units:
        source_text = str(unit.source or "")
        target_text = str(unit.target or "")
        out.add(source_text, {target: target_text} if target_text else {})
    return out

