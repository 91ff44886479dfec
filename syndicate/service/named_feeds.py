"""Named feeds and the partners who pull them: definitions, keys and pull counts."""

from __future__ import annotations

from ..clock import Clock
from ..errors import ValidationError
from ..models import FeedPulls, NamedFeed
from ..store import Store
from ..store import feeds as feed_store
from ..store import named_feeds as named_store


class NamedFeeds:
    """Define feeds made for partners, issue their keys, count their pulls."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def get(self, name: str) -> NamedFeed:
        """Return a named feed or raise NotFound."""
        with self.store.read() as session:
            return named_store.get(session, name)

    def all(self) -> list[tuple[NamedFeed, list[FeedPulls]]]:
        """Return every named feed with its pull counts per partner and language."""
        with self.store.read() as session:
            feeds = named_store.all_feeds(session)
            counted = named_store.pulls(session)
        return [(f, [p for p in counted if p.feed == f.name]) for f in feeds]

    def put(self, feed: NamedFeed) -> bool:
        """Create or replace a named feed (published at the next tick); say if it is new."""
        with self.store.write() as session:
            unknown = named_store.unknown_partners(session, feed.partners)
            if unknown:
                raise ValidationError.single(
                    "partners", f"no partner named {unknown[0]!r}; create it first "
                    f"(syndicate partners create {unknown[0]})")
            feed_store.lock(session, feed.languages)
            new = named_store.put(session, feed, self.clock())
            feed_store.touch(session, feed.languages)
        return new

    def delete(self, name: str) -> NamedFeed:
        """Remove a named feed (its files stay until removed by hand)."""
        with self.store.write() as session:
            return named_store.delete(session, name)

    def partner(self, key: str) -> str:
        """Return the partner a key belongs to, or raise Unauthenticated."""
        with self.store.read() as session:
            return named_store.partner_of(session, key)

    def create_partner(self, name: str) -> str:
        """Create or renew a partner's key; return it (shown once, stored hashed)."""
        with self.store.write() as session:
            return named_store.create_partner(session, name, self.clock())

    def revoke_partner(self, name: str) -> None:
        """Revoke a partner's key."""
        with self.store.write() as session:
            named_store.revoke_partner(session, name, self.clock())

    def count_pull(self, partner: str, feed: str, language: str, not_modified: bool) -> None:
        """Count a pull of a named feed."""
        with self.store.write() as session:
            named_store.count_pull(session, partner, feed, language, not_modified, self.clock())
