"""The polling job: fetch the upstream sources that are due and ingest what is new.

Not recorded as a job run: it runs every few seconds and each source records its own state
(last fetch, status, errors), so an unchanged feed costs one 304 and no database write.
"""

from __future__ import annotations

import logging

from ..models import PollReport
from ..service import Service

log = logging.getLogger(__name__)
TICK_SECONDS = 5  # how often due sources are looked for


def poll_sources(service: Service) -> PollReport:
    """Poll every due source; log what the pass did when it did anything."""
    report = service.pipeline.poll_sources()
    if report.polled:
        log.info("polled %d source(s): %d unchanged, %d failed, %d new and %d changed "
                 "entries, %d held", report.polled, report.not_modified, report.failed,
                 report.created, report.updated, report.held)
    return report
