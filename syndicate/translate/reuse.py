"""Translate segments through the translation memory: what the memory knows for this engine
and model is reused, only the rest goes to the engine, and what comes back is remembered.

A segment whose placeholders the engine lost is translated again piece by piece (the text
between placeholders), then put back together around the markup.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ..clock import Clock
from ..models import Route
from ..store import Store, counters, memory
from . import markup
from .engine import Translator
from .markup import Segment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Segments:
    """What translating a set of segments took."""

    translations: dict[str, str]
    memory_hits: int
    sent: int  # segments the engine translated
    scores: dict[str, float] = dataclasses.field(default_factory=dict)  # the engine's, per key


def translate(store: Store, translator: Translator, clock: Clock, route: Route,
              segments: Sequence[Segment], *,
              forced: frozenset[str] | set[str] = frozenset()) -> Segments:
    """Translate segments through the memory (``forced`` keys bypass it)."""
    unique = {s.key: s for s in segments}
    known: dict[str, tuple[str, float | None]] = {}
    looked_up = [k for k in unique if k not in forced]
    if looked_up:
        with store.read() as session:
            known = memory.lookup(session, route, looked_up)
    missing = [k for k in unique if k not in known]
    fresh = dict(zip(missing, translator.translate(route, missing), strict=True))
    sent = len(missing)
    damaged = [k for k, (v, _) in fresh.items() if not _placeholders_ok(unique[k], v)]
    if damaged:
        # The engine lost markup: translate the text between placeholders piece by piece.
        pieces = sorted({p for k in damaged for p in markup.pieces(unique[k])})
        with store.read() as session:
            piece_known = memory.lookup(session, route, pieces)
        piece_missing = [p for p in pieces if p not in piece_known]
        piece_fresh = dict(zip(piece_missing, translator.translate(route, piece_missing),
                               strict=True))
        sent += len(piece_missing)
        both = {**piece_known, **piece_fresh}
        for key in damaged:
            given = [s for s in (both[p][1] for p in markup.pieces(unique[key]))
                     if s is not None]
            fresh[key] = (markup.reassemble(unique[key], {p: t for p, (t, _) in both.items()}),
                          min(given) if given else None)
        fresh.update(piece_fresh)
        log.info("%d segment(s) lost placeholders; translated piecewise", len(damaged))
    with store.write() as session:
        now = clock()
        fresh_scores = {k: score for k, (_, score) in fresh.items() if score is not None}
        for replace in (False, True):
            memory.remember(session, route, {k: v for k, (v, _) in fresh.items()
                                             if (k in forced) is replace},
                            now, replace=replace, scores=fresh_scores)
        counters.bump(session, {"segments_translated_total": sent,
                                "translation_memory_hits_total": len(known),
                                "translation_memory_lookups_total": len(looked_up)})
    every = {**known, **fresh}
    return Segments({k: v for k, (v, _) in every.items()}, len(known), sent,
                    {k: score for k, (_, score) in every.items() if score is not None})


def _placeholders_ok(seg: Segment, translated: str) -> bool:
    try:
        markup.check(seg, translated)
    except markup.PlaceholderMismatch:
        return False
    return True
