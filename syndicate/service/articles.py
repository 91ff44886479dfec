"""Articles: the writes producers and operators make, each in one short transaction, and their
read side.

Every change marks the feeds it affects in the same transaction (the publisher renders only
those), and an article written in a language is numbered in that language's feed the moment
it is stored. Nothing here renders or publishes: web requests never wait for a publish.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from .. import ingest, languages
from ..clock import Clock
from ..config import Settings
from ..errors import Conflict, NotFound, ValidationError
from ..ingest.language import Detector, Langid, decide
from ..models import (
    Article,
    ArticleInput,
    Edit,
    EditInput,
    IngestOutcome,
    IngestResult,
    Translation,
    standing,
)
from ..sanitize import plain_field
from ..store import Store, counters, requeue
from ..store import articles as article_store
from ..store import edits as edit_store
from ..store import feeds as feed_store
from ..store import translations as translation_store
from ..store.articles import Page
from ..translate import article as article_translation
from ..translate import checks

log = logging.getLogger(__name__)
REQUEST_CHUNK = 500  # articles asked again per transaction (a bulk retranslation)
INGEST_CHUNK = 100  # feed entries stored per transaction
FUTURE_SLACK = timedelta(days=1)  # producers' clocks and time zones may be a little off
PLAIN_FIELDS = ("title", "summary")  # text, never markup, whatever sends them


class Articles:
    """Store what producers and operators send, mark the feeds it changes, and read it back."""

    def __init__(self, settings: Settings, store: Store, clock: Clock,
                 detector: Detector | None = None) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.detector = detector or Langid(settings.translation.languages)

    def targets(self, article: Article) -> list[str]:
        """Return the languages an article is translated into."""
        return [lang for lang in self.settings.translation.languages if lang != article.language]

    def parse(self, body: bytes, content_type: str | None, params: Mapping[str, Sequence[str]],
              guid_fallback: str | None = None) -> ArticleInput:
        """Parse a producer's payload with the service's defaults."""
        return ingest.parse_payload(body, content_type, params,
                                    default_language=self.settings.translation.source_language,
                                    guid_fallback=guid_fallback)

    def ingest(self, data: ArticleInput, producer: str) -> IngestResult:
        """Store an article, ask for its translations and mark its feeds, in one transaction;
        an article that names no language gets the detected one (see ingest.language)."""
        data = self.prepared(data)
        for attempt in (1, 2):
            try:
                with self.store.write() as session:
                    feed_store.lock(session, [data.language])
                    [result] = self._store(session, [data], producer)
                break
            except Conflict:
                # Two first-time posts of one guid raced (PostgreSQL); the second becomes an update.
                if attempt == 2:
                    raise
        log.info("article %s %s (guid %r, producer %s, revision %d)", result.article.id,
                 result.outcome.value, data.guid, producer, result.article.revision)
        return result

    def prepared(self, data: ArticleInput) -> ArticleInput:
        """Return the article ready to store: its language decided (language_of) and its date
        checked; ValidationError names the field that stops it."""
        data = self.language_of(data)
        if data.language_tag and languages.resolve(data.language_tag).tag != data.language:
            data = replace(data, language_tag=None)  # detected or set otherwise: not its tag
        if data.published is not None and data.published > self.clock() + FUTURE_SLACK:
            raise ValidationError.single("published", "must not be more than a day ahead")
        return data

    def language_of(self, data: ArticleInput) -> ArticleInput:
        """Return the article with its language decided: stated, detected, or the declared
        fallback (logged); ValidationError when unsure and SYNDICATE_DETECT_UNSURE=hold."""
        decision = decide(data, self.detector, threshold=self.settings.translation.detect_threshold,
                          unsure=self.settings.translation.detect_unsure)
        if decision.how == "fallback":
            log.warning("guid %r: %s", data.guid, decision.note)
        elif decision.how == "detected":
            log.info("guid %r: detected language %s", data.guid, decision.article.language)
        return decision.article

    def _store(self, session: Any, items: Sequence[ArticleInput], producer: str,
               revive: bool = True) -> list[IngestResult]:
        """Upsert articles, ask for their translations, number them in their language's
        feed; then count them and mark the feeds that show them, once for the lot."""
        now = self.clock()
        results = article_store.upsert_many(session, items, producer, now, revive=revive)
        changed = [r.article for r in results if r.outcome is not IngestOutcome.UNCHANGED]
        created = [r.article for r in results if r.outcome is IngestOutcome.CREATED]
        new_ids = {a.id for a in created}
        for article in changed:
            translation_store.request(session, article, self.targets(article), now,
                                      new=article.id in new_ids)
        feed_store.enter_new(session, created, now)
        for result in results:
            if result.outcome is IngestOutcome.UPDATED:
                article = result.article
                feed_store.enter(session, article.language, article.id, article.published, now)
        counters.bump(session, {
            "articles_ingested_total": sum(r.outcome is IngestOutcome.CREATED for r in results),
            "articles_updated_total": sum(r.outcome is IngestOutcome.UPDATED for r in results)})
        if changed:
            feed_store.touch_articles(session, [a.id for a in changed],
                                      also={a.language for a in changed})
            feed_store.mark_stale(session, [r.article.id for r in results
                                            if r.outcome is IngestOutcome.UPDATED])
        return results

    def ingest_many(self, items: Sequence[ArticleInput], producer: str) -> list[IngestResult]:
        """Store feed entries (languages decided) a chunk per transaction; an entry an
        operator retracted stays retracted."""
        results: list[IngestResult] = []
        for start in range(0, len(items), INGEST_CHUNK):
            chunk = items[start:start + INGEST_CHUNK]
            for attempt in (1, 2):
                try:
                    with self.store.write() as session:
                        feed_store.lock(session, sorted({d.language for d in chunk}))
                        done = self._store(session, chunk, producer, revive=False)
                    break
                except Conflict:
                    if attempt == 2:
                        raise
            results.extend(done)
        return results

    def retract(self, article_id: str, reason: str | None = None) -> Article:
        """Mark an article retracted; the feeds showing it are marked for the publisher, which
        leaves a tombstone in each for SYNDICATE_TOMBSTONE_DAYS."""
        with self.store.write() as session:
            feed_store.lock(session)
            article = article_store.retract(session, article_id, self.clock(), reason)
            feed_store.touch_article(session, article_id)
            feed_store.mark_stale(session, [article_id])  # archive pages hold it too
        log.info("article %s retracted", article_id)
        return article

    def request_again(self, article_ids: Sequence[str] | None, languages: Sequence[str] | None,
                      *, force: bool) -> list[str]:
        """Queue articles (all live ones when ids is None) for translation again; return ids."""
        with self.store.read() as session:
            ids = list(article_ids) if article_ids is not None else \
                article_store.live_ids(session)
        for start in range(0, len(ids), REQUEST_CHUNK):
            chunk = ids[start:start + REQUEST_CHUNK]
            with self.store.write() as session:
                feed_store.lock(session)
                now = self.clock()
                for article_id in chunk:
                    article = article_store.get(session, article_id)
                    wanted = [lang for lang in self.targets(article)
                              if languages is None or lang in languages]
                    translation_store.request(session, article, wanted, now, again=True,
                                              force=force)
                # a translation asked for again is out of the documents until it is back:
                # every document that shows or links to these articles is written again
                feed_store.touch_articles(session, chunk)
                feed_store.mark_stale(session, chunk)
        return ids

    def post_edit(self, article_id: str, language: str, edit: EditInput, editor: str) -> None:
        """Store human post-edits; they win over every later machine pass of the same source.

        An edit of some fields is a person's word on those fields only: the translation is
        then held or published as the language's review mode says of what it now holds
        (standing.held), and labelled reviewed only when a person approved it or wrote every
        field it publishes."""
        # Every way in (the API, XLIFF, the dashboard) keeps no markup in the plain fields.
        edit = EditInput({name: plain_field(text) if name in PLAIN_FIELDS else text
                          for name, text in edit.fields.items()})
        with self.store.write() as session:
            feed_store.lock(session)
            article = article_store.get(session, article_id)
            if article.retracted is not None:
                raise Conflict(f"article {article_id!r} was retracted: it takes no edits")
            if language not in self.targets(article):
                raise NotFound(f"article {article_id!r} is not translated into {language!r}")
            translation_store.get(session, article_id, language)
            hashes = article_translation.field_hashes(article)
            unknown = sorted(set(edit.fields) - set(hashes))
            if unknown:
                raise ValidationError.single(unknown[0], "the article has no such field")
            now = self.clock()
            fields = {name: (hashes[name], text) for name, text in edit.fields.items()}
            edit_store.add(session, article_id, language, fields, editor, now)
            # A translation of the current revision shows the edits at once; an older or
            # pending one gets them at its next pass. The checks run on the edited text.
            edited = translation_store.apply_edits(session, article_id, language,
                                                   article.revision, edit.fields, now)
            if edited is not None:
                context = checks.Context(article.language, language, self.detector.ranked)
                findings = checks.check(checks.article_fields(
                    article, edited.title, edited.summary, edited.blocks), context)
                translation_store.set_findings(session, article_id, language, findings)
                if not standing.approved(edited):  # an approval of this content stands
                    translation_store.review(session, article_id, language, standing.EDIT,
                                             editor, None, now)
                edited = translation_store.get(session, article_id, language)
                hold = standing.held(self.settings.review.mode(language), edited)
                translation_store.settle(session, article_id, language, hold)
                if not hold:
                    feed_store.enter(session, language, article_id, article.published, now)
                # every language's documents: hreflang links and associations follow it
                feed_store.touch_article(session, article_id, also=[language])
                feed_store.mark_stale(session, [article_id])
        log.info("article %s: %d field(s) post-edited in %s by %s", article_id,
                 len(edit.fields), language, editor)

    def requeue_made_by(self, engine: str, model: str) -> int:
        """Translate again what a removed or replaced model made (it leaves the feeds until
        then); return how many translations were queued."""
        with self.store.write() as session:
            feed_store.lock(session)
            keys = requeue.requeue_made_by(session, engine, model, self.clock())
            by_language: dict[str, list[str]] = {}
            for article_id, language in keys:
                by_language.setdefault(language, []).append(article_id)
            for language, ids in by_language.items():
                feed_store.touch_articles(session, ids, also=[language])
                feed_store.mark_stale(session, ids, [language])
        log.info("%d translation(s) by %s %s queued again", len(keys), engine, model)
        return len(keys)

    def get(self, article_id: str, producer: str | None = None) -> Article:
        """Return an article with the status of each of its translations (NotFound when a
        producer is named and the article is another's)."""
        with self.store.read() as session:
            article = article_store.get(session, article_id)
            if producer is not None and article.producer != producer:
                raise NotFound(f"no article with id {article_id!r}")
            found = translation_store.all_of(session, article_id)
            return replace(article, translations={t.language: t.status.value for t in found},
                           checks={t.language: t.passed for t in found if t.source_revision})

    def page(self, *, limit: int, cursor: str | None, include_retracted: bool,
             producer: str | None = None, with_status: bool = False) -> Page:
        """Return a page of articles, newest first (one producer's only, when named), each
        with its translations' status per language if asked."""
        with self.store.read() as session:
            found = article_store.page(session, limit=limit, cursor=cursor,
                                       include_retracted=include_retracted, producer=producer)
            if not with_status:
                return found
            status = translation_store.statuses(session, [a.id for a in found.items])
        return replace(found, items=tuple(replace(a, translations=status.get(a.id, {}))
                                          for a in found.items))

    def translation(self, article_id: str, language: str, producer: str | None = None
                    ) -> tuple[Article, Translation, list[Edit]]:
        """Return the article, its translation into language, and the post-edit history."""
        with self.store.read() as session:
            article = article_store.get(session, article_id)
            if producer is not None and article.producer != producer:
                raise NotFound(f"no article with id {article_id!r}")
            translation = translation_store.get(session, article_id, language)
            return article, translation, edit_store.of(session, article_id, language)
