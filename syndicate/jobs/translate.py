"""The translate job: translate every due (article, language), batched per language pair."""

from __future__ import annotations

import logging

from ..models import TranslateReport
from ..service import Service
from . import heap

log = logging.getLogger(__name__)


def translate_pending(service: Service) -> TranslateReport:
    """Run one translation pass; failures are recorded per article and retried with backoff."""
    report = service.pipeline.translate_pending()
    if report.translated:
        heap.release()  # a large batch's buffers are free now: give them back to the OS
    if report != TranslateReport():
        log.info("translate job: %d done, %d failed, %d unavailable; %d segments, %d from memory,"
                 " %d translated", report.done, report.failed, report.unavailable,
                 report.segments, report.memory_hits, report.translated)
    return report


def has_work(service: Service) -> bool:
    """Say whether a translation pass would find work (cheap; notices new packages too)."""
    return service.runner.has_work()
