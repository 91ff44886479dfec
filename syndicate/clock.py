"""Time as syndicate reads and writes it: aware UTC datetimes, RFC 3339 strings with "Z", and
the one ``Clock`` type every stage takes (tests pass their own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import overload

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time in UTC (the default clock of the pipeline)."""
    return datetime.now(UTC)


@overload
def rfc3339(moment: datetime) -> str: ...
@overload
def rfc3339(moment: None) -> None: ...
def rfc3339(moment: datetime | None) -> str | None:
    """Return an RFC 3339 UTC timestamp ending in "Z" (None stays None)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
