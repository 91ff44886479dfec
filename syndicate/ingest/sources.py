"""Parse an operator's source: an upstream feed URL and how to treat its entries."""

from __future__ import annotations

from typing import Any

from .. import addresses
from .. import languages as known
from ..errors import ValidationError
from ..models import SourceInput
from . import fields, schemas


def parse_source(data: Any) -> SourceInput:
    """Parse {"url", "language"?, "producer"?, "categories"?, "interval"?, "allow_hosts"?}."""
    data = schemas.checked_object(data, schemas.SOURCE)
    checks = fields.Problems()
    url = fields.link(data["url"], "url", checks) or ""
    language = _language(data["language"], checks) if "language" in data else None
    labels = fields.categories(data.get("categories"), "categories", checks)
    hosts = _hosts(data.get("allow_hosts", ()), checks)
    checks.raise_if_any()
    return SourceInput(url=url, producer=data.get("producer") or None, language=language,
                       categories=labels, interval=data.get("interval"), allow_hosts=hosts)


def parse_source_change(data: Any) -> dict[str, Any]:
    """Parse {"paused"?, "language"?, "interval"?, "categories"?, "allow_hosts"?} (at least
    one) into the changes to make; language "" means the feed's own, else detected."""
    data = schemas.checked_object(data, schemas.SOURCE_CHANGE)
    if not data:
        raise ValidationError.single("body", "give at least one of paused, language, interval, "
                                     "categories, allow_hosts")
    checks = fields.Problems()
    changes: dict[str, Any] = {k: data[k] for k in ("paused", "interval") if k in data}
    if "categories" in data:
        changes["categories"] = fields.categories(data["categories"], "categories", checks)
    if "language" in data:
        changes["language"] = _language(data["language"], checks) if data["language"] else None
    if "allow_hosts" in data:
        changes["allow_hosts"] = _hosts(data["allow_hosts"], checks)
    checks.raise_if_any()
    return changes


def _hosts(raw: Any, checks: fields.Problems) -> tuple[str, ...]:
    """Return the allowlist entries, each checked (host, address or network, optional port)."""
    hosts = []
    for index, entry in enumerate(raw):
        try:
            hosts.append(addresses.allow_entry(entry))
        except ValueError as exc:
            checks.add(f"allow_hosts[{index}]", str(exc))
    return tuple(dict.fromkeys(hosts))


def _language(tag: str, checks: fields.Problems) -> str | None:
    """Return the known language of a tag as feeds write it ("en-GB" is English)."""
    found = known.loose(tag)
    if found is None:
        checks.add("language", f"{tag!r} is not a language this service knows")
    return found.tag if found else None
