"""Facts of the instance that every process reads alike, whatever shell started it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .schema import InstanceRow

PUBLIC_URL = "public_url"  # the base of every link the documents carry


def get(session: Session, name: str) -> str | None:
    """Return a recorded fact, or None when none was recorded."""
    row = session.get(InstanceRow, name)
    return None if row is None else row.value


def put(session: Session, name: str, value: str) -> str | None:
    """Record a fact; return what it was before (None: nothing)."""
    row = session.get(InstanceRow, name)
    if row is None:
        session.add(InstanceRow(name=name, value=value))
        return None
    previous, row.value = row.value, value
    return previous
