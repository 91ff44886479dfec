"""Monotonic counters in the database: bumped in the transaction that does the work."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .schema import CounterRow


def bump(session: Session, deltas: Mapping[str, float]) -> None:
    """Add to counters (creating them at zero)."""
    values = [{"name": k, "value": float(v)} for k, v in deltas.items() if v]
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CounterRow).values(values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["name"], set_={"value": CounterRow.value + statement.excluded.value}))


def raise_to(session: Session, values: Mapping[str, float]) -> None:
    """Set gauges that only go up (a peak): each becomes the larger of itself and the value."""
    rows = [{"name": k, "value": float(v)} for k, v in values.items()]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    larger = func.greatest if dialect == "postgresql" else func.max  # SQLite's max(a, b)
    statement = insert(CounterRow).values(rows)
    session.execute(statement.on_conflict_do_update(
        index_elements=["name"], set_={"value": larger(CounterRow.value,
                                                       statement.excluded.value)}))


def read(session: Session) -> dict[str, float]:
    """Return every counter."""
    return {name: value for name, value in session.execute(
        select(CounterRow.name, CounterRow.value))}
