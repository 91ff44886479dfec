"""The publish job: render and write every language's feeds that changed."""

from __future__ import annotations

from ..models import PublishReport
from ..services import Services


def publish_feeds(services: Services) -> PublishReport:
    """Publish feeds; unchanged files are not rewritten."""
    return services.pipeline.publish()
