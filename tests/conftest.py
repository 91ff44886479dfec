"""Shared fixtures: settings on tmp_path, app, client, runner, tokens, the sample article."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from syndicate import create_app
from syndicate.config import Settings
from syndicate.models import Role
from syndicate.services import EXTENSION_KEY, Services
from syndicate.store import tokens as token_store
from syndicate.store.schema import Base
from syndicate.testing import postgres

DATA = Path(__file__).with_name("data")
SAMPLE_PATH = DATA / "article-explainer.txt"


@pytest.fixture
def sample_text() -> str:
    """Return the editors' sample article (question headings, one paragraph each)."""
    return SAMPLE_PATH.read_text(encoding="utf-8")


# Every app-level test runs on SQLite and, where PostgreSQL's server is installed (CI installs
# it), on a throwaway PostgreSQL cluster too. SYNDICATE_TEST_DATABASE_URL names another server.
_PG_URL = os.environ.get("SYNDICATE_TEST_DATABASE_URL")
_PG_BIN = postgres.server_bin()
BACKENDS = ["sqlite"] + (["postgresql"] if _PG_URL or _PG_BIN else [])
if os.environ.get("CI") and "postgresql" not in BACKENDS:
    raise RuntimeError("CI must test PostgreSQL too: .ci/run installs it with apt-get")


def pytest_report_header() -> str:
    """Say which database backends this run covers."""
    missing = "" if "postgresql" in BACKENDS else " (no PostgreSQL: apt-get install postgresql)"
    return f"syndicate database backends: {', '.join(BACKENDS)}{missing}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Return the URL of a PostgreSQL database for this test session."""
    if _PG_URL:
        yield _PG_URL
        return
    assert _PG_BIN is not None
    with postgres.cluster(_PG_BIN) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return an empty database's URL on each backend; PostgreSQL is emptied afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'syndicate.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """Return SYNDICATE_* variables that keep every file under tmp_path."""
    return {
        "SYNDICATE_INSTANCE_DIR": str(tmp_path / "instance"),
        "SYNDICATE_DATABASE_URL": database_url,
        "SYNDICATE_FEEDS_DIR": str(tmp_path / "feeds"),
        "SYNDICATE_TRANSLATIONS_DIR": str(tmp_path / "translations"),
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    """Return validated settings on tmp_path."""
    return Settings.from_env(env)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """Return the app with its database upgraded to head."""
    app = create_app(settings)
    app.config["TESTING"] = True
    services: Services = app.extensions[EXTENSION_KEY]
    services.store.upgrade()
    yield app
    services.store.dispose()


@pytest.fixture
def services(app: Flask) -> Services:
    """Return the app's services."""
    found: Services = app.extensions[EXTENSION_KEY]
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a CLI runner bound to the app."""
    return app.test_cli_runner()


def make_token(services: Services, name: str, role: Role) -> str:
    """Create a token in the store and return its secret."""
    with services.store.write() as session:
        _, secret = token_store.create(session, name, role, services.pipeline.clock())
    return secret


@pytest.fixture
def producer(services: Services) -> dict[str, str]:
    """Return headers with a producer token."""
    return {"Authorization": "Bearer " + make_token(services, "newsroom", Role.PRODUCER)}


@pytest.fixture
def operator(services: Services) -> dict[str, str]:
    """Return headers with an operator token."""
    return {"Authorization": "Bearer " + make_token(services, "ops", Role.OPERATOR)}
