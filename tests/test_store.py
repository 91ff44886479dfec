"""The store: migrations reach the models exactly, SQLite is set up for concurrent use, health."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask.testing import FlaskClient
from sqlalchemy import text

from syndicate import create_app
from syndicate.config import Settings
from syndicate.errors import SchemaOutOfDate
from syndicate.service import Service
from syndicate.store import Store
from syndicate.store.schema import Base


def test_upgrading_an_empty_database_reaches_the_models_exactly(database_url: str) -> None:
    store = Store(database_url)
    with pytest.raises(SchemaOutOfDate):
        store.require_current_schema()
    store.upgrade()
    store.require_current_schema()
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
    store.upgrade()  # a second upgrade is a no-op
    assert store.current_revision() == store.head_revision() == "0017"
    store.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'wal.db'}")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.dispose()


def test_healthz_is_200_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_gone(env: dict[str, str],
                                                  service: Service) -> None:
    if not service.store.is_sqlite:
        url = service.store.url.set(database="no_such_database")
        env = {**env, "SYNDICATE_DATABASE_URL": url.render_as_string(hide_password=False)}
        gone = create_app(Settings.from_env(env))
        answer = gone.test_client().get("/healthz")
        gone.extensions["syndicate"].store.dispose()
        assert answer.status_code == 503
        assert_no_leak(answer.get_data(as_text=True), "no_such_database")
        return
    gone = create_app(service.settings)
    client = gone.test_client()
    service.store.dispose()
    database = service.store.url.database
    assert database is not None
    for suffix in ("", "-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)
    Path(database).write_bytes(b"this is not a database" * 100)
    response = client.get("/healthz")
    gone.extensions["syndicate"].store.dispose()
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert_no_leak(response.get_data(as_text=True), database)


def assert_no_leak(body: str, secret: str) -> None:
    """Fail if an answer carries driver text, SQL or where the database is."""
    for leak in (secret, "sqlite3", "psycopg", "SELECT", "OperationalError", "DatabaseError"):
        assert leak not in body, leak
    assert len(json.loads(body)["error_id"]) == 12


def test_a_503_problem_names_an_error_id_not_the_driver_message(
        client: FlaskClient, service: Service, producer: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    def broken() -> object:
        raise OperationalError("SELECT secret FROM tokens", {"p": "secret-host"},
                               Exception("connection to server at secret-host failed"))

    monkeypatch.setattr(service.store, "_read_sessions", broken)
    response = client.get("/api/v1/articles", headers=producer)
    assert response.status_code == 503
    assert_no_leak(response.get_data(as_text=True), "secret-host")
