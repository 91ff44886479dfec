"""Shared fixtures: settings on tmp_path, app, client, runner, tokens, the sample article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from syndicate import create_app
from syndicate.config import Settings
from syndicate.models import Role
from syndicate.services import EXTENSION_KEY, Services
from syndicate.store import tokens as token_store

DATA = Path(__file__).with_name("data")
SAMPLE_PATH = DATA / "article-explainer.txt"


@pytest.fixture
def sample_text() -> str:
    """Return the editors' sample article (question headings, one paragraph each)."""
    return SAMPLE_PATH.read_text(encoding="utf-8")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Return SYNDICATE_* variables that keep every file under tmp_path."""
    return {
        "SYNDICATE_INSTANCE_DIR": str(tmp_path / "instance"),
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
