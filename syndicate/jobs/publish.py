"""The publish job: render and write the feeds that changes marked, and nothing else."""

from __future__ import annotations

from ..models import PublishReport
from ..service import Service


def publish_feeds(service: Service) -> PublishReport:
    """Publish changed feeds (and any whose files are missing); others are not rendered."""
    return service.publisher.publish()


def has_changes(service: Service) -> bool:
    """Say whether a feed waits to be published (one small query)."""
    return service.publisher.pending()
