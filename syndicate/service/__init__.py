"""The one door from the entry points (web, CLI, jobs) to the stages and the store.

``container`` is the only composition root: it builds the store, the engines, the clock and
the stages once per process, and hands each entry point the parts it asks for. One module per
noun holds that noun's writes and its read side (``articles``, ``sources``, ``access``,
``named_feeds``, ``review``); ``queries`` answers what spans nouns (status, jobs, metrics);
``pipeline`` only sequences the operations that cross stages (poll, translate, publish,
retranslate).
"""

from __future__ import annotations

from .container import EXTENSION_KEY, Service

__all__ = ["EXTENSION_KEY", "Service"]
