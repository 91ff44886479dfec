"""One bad entry never stops a pass. Pure: no I/O.

A document is built from its entries at once (the usual case costs nothing more); when a
renderer refuses it, each entry is tried alone, the ones it refuses are left out and named, and
the document is built from the rest. A failure that is no entry's (the document's own) still
raises, for the publisher to record against that document alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .entries import FeedEntry

T = TypeVar("T")


@dataclass(frozen=True)
class Refused:
    """An entry a renderer refused, and why."""

    article_id: str
    language: str
    reason: str


@dataclass(frozen=True)
class Built(Generic[T]):
    """A document built from the entries its renderers took, and the entries left out."""

    document: T
    refused: tuple[Refused, ...] = ()


def build(render: Callable[[Sequence[FeedEntry]], T], entries: Sequence[FeedEntry]
          ) -> Built[T]:
    """Render entries, leaving out (and naming) any entry the renderer refuses."""
    try:
        return Built(render(entries))
    except Exception:  # noqa: BLE001 - any renderer's refusal: find the entries behind it
        kept: list[FeedEntry] = []
        refused: list[Refused] = []
        for entry in entries:
            try:
                render([entry])
            except Exception as exc:  # noqa: BLE001 - this entry is what the renderer refuses
                refused.append(Refused(entry.article_id, entry.language,
                                       f"{type(exc).__name__}: {exc}"[:300]))
            else:
                kept.append(entry)
        return Built(render(kept), tuple(refused))
