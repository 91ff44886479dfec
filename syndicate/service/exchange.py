"""Translation files in and out: XLIFF for translators' tools, TMX memories, TBX/CSV glossaries.

Export writes each stored translation of a language (held, done, or both) as one file per
article, the source beside the current target. Import reads a file back and stores what a
translator changed as post-edits, through the same door as ``PUT …/translations/<lang>``: the
checks run on the edited text, the review is recorded, the translation is published with the
same guid. An article is applied whole or not at all: when one of its units no longer matches
the source (it changed since export) or brings codes the source lacks, none of its units is
stored, and the report says which and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import languages
from ..clock import Clock
from ..config import Settings
from ..errors import NotFound, SyndicateError, ValidationError
from ..exchange import inline, terms, tmx, xliff_read
from ..exchange import xliff as xliff_file
from ..ingest import fields as limits
from ..models import Article, BlockType, EditInput, Origin, Route, Translation, TranslationStatus
from ..publish import provenance, writer
from ..sanitize import clean_html, has_content
from ..store import Store, memory
from ..store import translations as translation_store
from ..translate import glossary as glossary_file
from .articles import Articles

log = logging.getLogger(__name__)
STATUSES = {"held": (TranslationStatus.HELD,), "done": (TranslationStatus.DONE,),
            "all": (TranslationStatus.HELD, TranslationStatus.DONE)}
MAX_EXPORT = 5000  # articles in one XLIFF file, at most: a translator's batch, not a dump
MAX_IMPORT_UNITS = 2000  # units one import may carry: each changed one is a checked post-edit


@dataclass(frozen=True)
class Refusal:
    """A unit (or a whole article) not stored, and why."""

    article_id: str
    field: str | None
    reason: str


@dataclass
class ImportReport:
    """What an import did: articles post-edited (with their fields), left as they were, and
    refused."""

    applied: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Return the report as the API and the CLI show it."""
        return {"applied": [{"article": a, "fields": f} for a, f in self.applied.items()],
                "unchanged": self.unchanged,
                "refused": [{"article": r.article_id, "field": r.field, "reason": r.reason}
                            for r in self.refused]}


class Exchange:
    """Export translations for human translators and take their work back."""

    def __init__(self, settings: Settings, store: Store, clock: Clock, articles: Articles,
                 glossary_path: Path) -> None:
        self.settings = settings
        self.glossary_path = glossary_path  # the one the translation runner reads
        self.store = store
        self.clock = clock
        self.articles = articles

    def export_xliff(self, language: str, *, status: str = "all",
                     since: datetime | None = None, version: str = "2.1",
                     source: str | None = None) -> bytes:
        """Return an XLIFF file of a language's stored translations (held, done or all), of
        articles in one source language if given (XLIFF 2 holds one)."""
        language = self._target(language)
        source = _language(source, "from") if source else None
        if status not in STATUSES:
            raise ValidationError.single("status", "give held, done or all")
        if version not in xliff_file.VERSIONS:
            raise ValidationError.single("version", "give 2.1 or 1.2")
        with self.store.read() as session:
            found = translation_store.stored(session, [language], since)
        wanted = [(a, t) for a, t in found if t.status in STATUSES[status]
                  and t.source_revision == a.revision and source in (None, a.language)]
        if len(wanted) > MAX_EXPORT:
            raise ValidationError.single("since", f"{len(wanted)} translations match; one file "
                                         f"holds at most {MAX_EXPORT}: give a later since "
                                         "time or a status")
        wanted.sort(key=lambda pair: (pair[0].published, pair[0].id))
        documents = [self._document(a, t) for a, t in wanted]
        return xliff_file.write(documents, language, version)

    def _document(self, article: Article, translation: Translation) -> xliff_file.Document:
        page = f"{self.settings.server.public_url}/articles/{article.id}/{translation.language}"
        review = translation.review
        reviewed = review is not None and review.decision != "reject"
        note = (f"Article {article.id}, revision {article.revision}: "
                f"{translation.status.value}; machine-translated by "
                f"{provenance.engine_name(translation.engine)} ({translation.model})")
        if review is not None and reviewed:
            note += f"; reviewed by {review.by}"
        findings: dict[str, list[tuple[str, str]]] = {}
        for f in translation.findings:
            name = f"blocks[{f.block}]" if f.block is not None else f.field
            findings.setdefault(name, []).append(
                ("check", f"{f.severity.value}: {f.check}: {f.detail}"))
        state = "reviewed" if reviewed else "translated"
        units = [xliff_file.Unit("title", tuple(inline.text(article.title)),
                                 tuple(inline.text(translation.title or "")), state,
                                 tuple(findings.get("title", ())))]
        if article.summary:
            units.append(xliff_file.Unit("summary", tuple(inline.text(article.summary)),
                                         tuple(inline.text(translation.summary or "")), state,
                                         tuple(findings.get("summary", ()))))
        for index, block in enumerate(article.blocks):
            source = inline.parse(block.html)
            done = translation.blocks[index] if index < len(translation.blocks) else None
            name = f"blocks[{index}]"
            units.append(xliff_file.Unit(
                name, tuple(source),
                tuple(inline.align(inline.parse(done.html), source)) if done else None,
                "final" if done and done.origin is Origin.HUMAN else state if done
                else "initial", tuple(findings.get(name, ()))))
        return xliff_file.Document(article.id, article.language, tuple(units), (note,), page)

    def import_xliff(self, data: bytes, editor: str) -> ImportReport:
        """Store a translator's changed targets as post-edits; return what was done."""
        parsed = xliff_read.read(data)
        units = sum(len(d.units) for d in parsed.documents)
        if units > MAX_IMPORT_UNITS:
            raise ValidationError.single(
                "file", f"holds {units} units; one import takes at most {MAX_IMPORT_UNITS} "
                "(split the file by article)")
        try:
            language = self._target(parsed.target_language)
        except ValidationError:
            raise ValidationError.single(
                "trgLang", f"{parsed.target_language!r} is not a language this service "
                "translates into") from None
        report = ImportReport()
        for document in parsed.documents:
            try:
                edits, refused = self._changes(document, language)
            except NotFound as exc:
                report.refused.append(Refusal(document.article_id, None, str(exc)))
                continue
            if refused:
                report.refused += refused
            elif not edits:
                report.unchanged.append(document.article_id)
            else:
                try:
                    self.articles.post_edit(document.article_id, language, EditInput(edits),
                                            editor)
                except SyndicateError as exc:
                    report.refused.append(Refusal(document.article_id, None, str(exc)))
                    continue
                report.applied[document.article_id] = sorted(edits)
        log.info("XLIFF import into %s by %s: %d article(s) post-edited, %d unchanged, "
                 "%d refusal(s)", language, editor, len(report.applied), len(report.unchanged),
                 len(report.refused))
        return report

    def _changes(self, document: xliff_file.Document, language: str
                 ) -> tuple[dict[str, str], list[Refusal]]:
        """Return one article's changed fields, or why none of them may be stored."""
        article, translation, _ = self.articles.translation(document.article_id, language)
        refused: list[Refusal] = []
        if _language(document.source_language) != article.language:
            return {}, [Refusal(article.id, None, f"the file's source language is "
                                f"{document.source_language!r}; the article is in "
                                f"{article.language!r}")]
        sources = {"title": inline.text(article.title)}
        current = {"title": inline.text(translation.title or "")}
        if article.summary:
            sources["summary"] = inline.text(article.summary)
            current["summary"] = inline.text(translation.summary or "")
        for index, block in enumerate(article.blocks):
            sources[f"blocks[{index}]"] = inline.parse(block.html)
            if index < len(translation.blocks):
                current[f"blocks[{index}]"] = inline.align(
                    inline.parse(translation.blocks[index].html), sources[f"blocks[{index}]"])
        edits: dict[str, str] = {}
        for unit in document.units:
            source = sources.get(unit.field)
            if source is None:
                refused.append(Refusal(article.id, unit.field, "the article has no such field"))
            elif inline.canonical(unit.source) != inline.canonical(source):
                refused.append(Refusal(article.id, unit.field,
                                       "the source changed since this file was exported"))
            elif unit.target is not None and \
                    inline.canonical(unit.target) != inline.canonical(current.get(unit.field, [])):
                try:
                    edits[unit.field] = self._edited(article, unit.field, unit.target, source)
                except ValidationError as exc:
                    refused += [Refusal(article.id, unit.field, p.detail)
                                for p in exc.problems]
                except inline.BadCodes as exc:
                    refused.append(Refusal(article.id, unit.field, str(exc)))
        return ({}, refused) if refused else (edits, [])

    def _edited(self, article: Article, name: str, target: tuple[inline.Piece, ...],
                source: list[inline.Piece]) -> str:
        """Return a changed target as stored: plain text, or sanitized HTML."""
        if name in ("title", "summary"):
            text = " ".join(inline.plain(target).split())
            limit = (limits.MAX_TITLE if name == "title" else limits.MAX_SUMMARY) * 4
            if not text or len(text) > limit:
                raise ValidationError.single(name, f"give 1 to {limit} characters")
            return text
        index = int(name[len("blocks["):-1])
        lists = article.blocks[index].type is BlockType.LIST
        cleaned = clean_html(inline.to_html(target, source), base_url=None, allow_lists=lists)
        if not has_content(cleaned):
            raise ValidationError.single(name, "has no content after sanitizing")
        return cleaned

    def export_memory(self, source: str, target: str) -> bytes:
        """Return the translation memory of one language pair as TMX 1.4b."""
        source, target = self._pair(source, target)
        with self.store.read() as session:
            rows = memory.pair(session, source, target)
        return tmx.write([tmx.Entry(src, tgt, f"{engine} {model}")
                          for src, tgt, engine, model in rows], source, target)

    def import_memory(self, data: bytes, name: str) -> dict[str, int]:
        """Store a TMX memory's segments as a person's translations, used for exact matches
        from the next pass on (before any engine's); return how many per pair."""
        wanted = set(self.settings.translation.languages)
        by_pair: dict[tuple[str, str], dict[str, str]] = {}
        for source, text, target, translated in tmx.read(data):
            if source in wanted and target in wanted:
                by_pair.setdefault((source, target), {})[text] = translated
        with self.store.write() as session:
            now = self.clock()
            for (source, target), segments in by_pair.items():
                memory.remember(session, Route(memory.HUMAN, source, target, name), segments,
                                now, replace=True)
        counts = {f"{s}>{t}": len(v) for (s, t), v in sorted(by_pair.items())}
        log.info("translation memory %s imported: %s", name, counts or "nothing for these "
                 "languages")
        return counts

    def import_glossary(self, data: bytes, kind: str, *, source: str | None = None,
                        target: str | None = None) -> dict[str, int]:
        """Add a TBX or CSV term base to translations/glossary.toml (kept terms and fixed
        renderings; what it names again replaces the old rendering); return the counts."""
        source = self._target(source or self.settings.translation.source_language)
        if kind == "tbx":
            found = terms.read_tbx(data, source)
        elif kind == "csv":
            if not target:
                raise ValidationError.single("lang", "a CSV glossary names no language: give "
                                             "the target language")
            found = terms.read_csv(data, self._target(target))
        else:
            raise ValidationError.single("file", "give a .tbx or .csv file")
        wanted = set(self.settings.translation.target_languages)
        renderings = {term: {lang: text for lang, text in per.items() if lang in wanted}
                      for term, per in found.terms.items()}
        renderings = {term: per for term, per in renderings.items() if per}
        path = self.glossary_path
        base = glossary_file.parse(path.read_text(encoding="utf-8"), str(path)) \
            if path.exists() else glossary_file.Glossary()
        joined = glossary_file.merged(base, found.keep, renderings)
        text = glossary_file.to_toml(joined)
        glossary_file.parse(text, "the merged glossary")  # what is written reads back
        writer.replace(path, text.encode())
        counts = {"keep": len(found.keep), "terms": len(renderings),
                  "renderings": sum(len(p) for p in renderings.values())}
        log.info("glossary: %s imported into %s", counts, path)
        return counts

    def _pair(self, source: str, target: str) -> tuple[str, str]:
        pair = self._target(source), self._target(target)
        if pair[0] == pair[1]:
            raise ValidationError.single("to", "give two different languages")
        return pair

    def _target(self, language: str) -> str:
        """Return a configured language (raise ValidationError naming it otherwise)."""
        lang = _language(language)
        if lang not in self.settings.translation.languages:
            raise ValidationError.single("lang", f"{language!r} is not one of this service's "
                                         "languages: " +
                                         ", ".join(self.settings.translation.languages))
        return lang


def _language(tag: str, field: str = "lang") -> str:
    try:
        return languages.resolve(tag).tag
    except languages.UnknownLanguage as exc:
        raise ValidationError.single(field, str(exc)) from None
