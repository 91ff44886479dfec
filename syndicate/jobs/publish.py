"""The publish job: render and write the feeds that changes marked, and nothing else."""

from __future__ import annotations

from ..models import PublishReport
from ..services import Services


def publish_feeds(services: Services) -> PublishReport:
    """Publish changed feeds (and any whose files are missing); others are not rendered."""
    return services.pipeline.publisher.publish()


def has_changes(services: Services) -> bool:
    """Say whether a feed waits to be published (one small query)."""
    return services.pipeline.publisher.pending()
