"""Upgrades: a database at every earlier schema, holding a row in every table, upgrades to the
code's schema on SQLite and on PostgreSQL with nothing lost, and the service reads it after."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, MetaData, String, Text, insert
from sqlalchemy import select as sql_select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Column, Table

from syndicate import create_app
from syndicate.config import Settings
from syndicate.models import Role
from syndicate.service import EXTENSION_KEY, Service
from syndicate.store import Store

from .conftest import make_token

EARLIER = Store.revisions()[:-1]
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TEXT = {"language": "en", "source": "en", "target": "es", "status": "done", "role": "operator",
        "state": "succeeded", "mode": "full", "trigger": "manual", "job": "republish",
        "engine": "argos", "model": "translate-en_es-1_0@1.0", "field": "title",
        "outcome": "done", "action": "republish", "url": "https://news.example/feed.xml",
        "link": "https://news.example/a", "producer": "newsroom", "name": "newsroom",
        "title": "Council approves the new bridge", "guid": "newsroom-1", "format": "text",
        "kind": "paragraph", "html": "<p>The council approved the bridge.</p>"}
LISTS = {"blocks", "categories", "allow_hosts", "findings", "languages", "producers",
         "partners", "translations"}


def _value(table: Table, column: Column[Any], parents: dict[str, dict[str, Any]]) -> Any:
    """Return a plausible value for a column, following foreign keys to the parent's row."""
    for key in column.foreign_keys:
        return parents[key.column.table.name][key.column.name]
    if column.nullable and column.name not in TEXT and column.name not in LISTS:
        return None  # retracted, revoked, finished...: left unset, as a live row has them
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return NOW
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Float):
        return 0.5
    if isinstance(kind, JSON):
        return [] if column.name in LISTS else {}
    if isinstance(kind, String | Text):
        text = TEXT.get(column.name, f"{table.name}-{column.name}")
        return text[: kind.length] if isinstance(kind, String) and kind.length else text
    return None


def _fill(conn: Connection) -> dict[str, int]:
    """Put one row in every table (parents first); return the row count of each."""
    meta = MetaData()
    meta.reflect(conn)
    parents: dict[str, dict[str, Any]] = {}
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        row = {c.name: _value(table, c, parents) for c in table.columns
               if not (c.primary_key and c.autoincrement is True
                       and isinstance(c.type, Integer) and not c.foreign_keys)}
        row = {k: v for k, v in row.items() if v is not None}
        conn.execute(insert(table).values(**row))
        parents[table.name] = dict(conn.execute(sql_select(table)).mappings().one())
    return {name: 1 for name in parents}


@pytest.mark.parametrize("revision", EARLIER)
def test_every_earlier_schema_upgrades_with_its_data(revision: str, env: dict[str, str]) -> None:
    store = Store(env["SYNDICATE_DATABASE_URL"])
    try:
        store.upgrade(to=revision)
        assert store.current_revision() == revision
        with store.engine.begin() as conn:
            filled = _fill(conn)
        store.upgrade()
        assert store.current_revision() == Store.revisions()[-1]
        meta = MetaData()
        with store.engine.connect() as conn:
            meta.reflect(conn)
            kept = {name: conn.execute(sql_select(meta.tables[name])).all()
                    for name in filled if name in meta.tables}
        assert {name: len(rows) for name, rows in kept.items()} == \
            {name: 1 for name in kept}  # nothing lost on the way
    finally:
        store.dispose()
    app = create_app(Settings.from_env(env))  # the service reads what the upgrade left
    service: Service = app.extensions[EXTENSION_KEY]
    try:
        service.store.require_current_schema()
        status = service.queries.status()
        assert status["languages"][0]["articles"]["written_in"] == 1
        [article] = service.articles.page(limit=10, cursor=None, include_retracted=True).items
        assert (article.title, article.language) == ("Council approves the new bridge", "en")
        headers = {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}
        answer = app.test_client().get(f"/api/v1/articles/{article.id}", headers=headers)
        assert answer.status_code == 200 and answer.get_json()["title"] == article.title
        service.pipeline.publish(["en"])  # and publishes it
        assert b"Council approves the new bridge" in (
            service.settings.feeds.feeds_dir / "en" / "rss.xml").read_bytes()
    finally:
        service.store.dispose()
