"""Shared fixtures: settings on tmp_path, app, client, runner, tokens, the sample article."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree
from sqlalchemy import create_engine, text

from syndicate import create_app
from syndicate.config import Settings
from syndicate.models import Role
from syndicate.service import EXTENSION_KEY, Service
from syndicate.store import tokens as token_store
from syndicate.store.schema import Base
from syndicate.testing import argos_builder, postgres

DATA = Path(__file__).with_name("data")
SAMPLE_PATH = DATA / "article-explainer.txt"

# argostranslate reads these once, at import, and creates folders under them: keep everything it
# touches inside one temporary folder for the whole session.
_ARGOS_HOME = Path(tempfile.mkdtemp(prefix="syndicate-argos-"))
for _var, _sub in (("ARGOS_PACKAGES_DIR", "packages"), ("XDG_DATA_HOME", "data"),
                   ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
    os.environ[_var] = str(_ARGOS_HOME / _sub)
ARGOS_PACKAGES = _ARGOS_HOME / "packages"

# The test packages: real .argosmodel files whose weights are written from numpy.
TEST_PACKAGES = (("en", "es", "copy"), ("en", "fr", "copy"), ("en", "de", "pseudo"),
                 ("es", "en", "copy"))


@pytest.fixture(scope="session")
def sp_model() -> bytes:
    """Return the SentencePiece model every test package shares."""
    return argos_builder.train_sentencepiece(extra_text=tuple(SAMPLE_PATH.read_text().split("\n")))


@pytest.fixture(scope="session")
def package_files(tmp_path_factory: pytest.TempPathFactory, sp_model: bytes) -> dict[str, Path]:
    """Build the test packages once; return "en-es" -> .argosmodel path."""
    out_dir = tmp_path_factory.mktemp("argosmodels")
    return {f"{src}-{tgt}": argos_builder.build_package(out_dir, src, tgt, kind=kind,
                                                         sp_model=sp_model)
            for src, tgt, kind in TEST_PACKAGES}


@pytest.fixture(scope="session")
def installed_packages(package_files: dict[str, Path]) -> Path:
    """Install the test packages with argostranslate's own install function."""
    import argostranslate.package
    import argostranslate.settings

    assert argostranslate.settings.package_data_dir == ARGOS_PACKAGES
    for path in package_files.values():
        argostranslate.package.install_from_path(path)
    return ARGOS_PACKAGES


ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def published_by_the_official_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check every document the publisher writes (feeds, archive pages, named feeds, ninjs,
    sitemaps) on top of its own check: Atom against RFC 4287's grammar (Appendix B), ninjs
    against IPTC's JSON Schema, sitemaps and the index against sitemaps.org's and Google's
    XSDs."""
    from syndicate.publish import writer

    from .atom_grammar import check_atom
    from .newsroom_schemas import check_ninjs, check_xml_schema, index_schema, sitemap_schema

    published_xml, published_json = writer.check_xml, writer.check_json

    def check_xml(data: bytes) -> None:
        published_xml(data)
        tag = etree.fromstring(data).tag
        if tag == ATOM_FEED:
            check_atom(data)
        elif tag == SITEMAP + "urlset":
            check_xml_schema(sitemap_schema(), data)
        elif tag == SITEMAP + "sitemapindex":
            check_xml_schema(index_schema(), data)

    def check_json(data: bytes) -> None:
        published_json(data)
        document = json.loads(data)
        if document.get("standard", {}).get("name") == "ninjs":
            check_ninjs(document)

    monkeypatch.setattr(writer, "check_xml", check_xml)
    monkeypatch.setattr(writer, "check_json", check_json)


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
    empty_postgres(url)


def empty_postgres(url: str) -> None:
    """Drop every table a test created in the PostgreSQL database."""
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
        "SYNDICATE_PACKAGES_DIR": str(ARGOS_PACKAGES),
        "SYNDICATE_PUBLIC_URL": "http://localhost",  # the test client's origin
        # The test packages (copy, pseudo) give no real translation: the checks would hold
        # all of it. Tests of the review gate set SYNDICATE_REVIEW themselves.
        "SYNDICATE_REVIEW": "none",
        # Argos alone unless a test asks for Apertium: the copy and pseudo models give exact,
        # checkable output, whatever Apertium pairs the machine has installed.
        "SYNDICATE_ENGINES": "argos",
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
    service: Service = app.extensions[EXTENSION_KEY]
    service.store.upgrade()
    yield app
    service.pool.close()
    service.store.dispose()


@pytest.fixture
def service(app: Flask) -> Service:
    """Return the app's service."""
    found: Service = app.extensions[EXTENSION_KEY]
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a CLI runner bound to the app."""
    return app.test_cli_runner()


def make_token(service: Service, name: str, role: Role) -> str:
    """Create a token in the store and return its secret."""
    with service.store.write() as session:
        _, secret = token_store.create(session, name, role, service.clock())
    return secret


@pytest.fixture
def make_app(env: dict[str, str]) -> Iterator[Callable[..., Flask]]:
    """Return a function building another app on the same database with other settings."""
    made: list[Flask] = []

    def make(**overrides: str) -> Flask:
        app = create_app(Settings.from_env({**env, **overrides}))
        app.extensions[EXTENSION_KEY].store.upgrade()
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions[EXTENSION_KEY].pool.close()
        app.extensions[EXTENSION_KEY].store.dispose()


@pytest.fixture
def producer(service: Service) -> dict[str, str]:
    """Return headers with a producer token."""
    return {"Authorization": "Bearer " + make_token(service, "newsroom", Role.PRODUCER)}


@pytest.fixture
def operator(service: Service) -> dict[str, str]:
    """Return headers with an operator token."""
    return {"Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}


def json_lines(output: str) -> list[Any]:
    """Return what a listing printed with --json: one JSON object per line."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]
