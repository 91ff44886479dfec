"""Settings: typed defaults, and a bad value stops start-up naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.config import Settings, effective
from syndicate.config.variables import VARIABLES, markdown
from syndicate.errors import ConfigError


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database.database_url == "sqlite:///instance/syndicate.db"
    assert settings.feeds.feeds_dir == Path("feeds")
    assert settings.translation.packages_dir == Path("translations/packages")
    translation = settings.translation
    assert (translation.source_language, translation.target_languages) == ("en", ("es", "fr", "de"))
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8000)
    assert settings.server.max_body_bytes == 2 * 1024 * 1024
    assert settings.translation.languages == ("en", "es", "fr", "de")


def test_values_are_parsed_and_canonicalized() -> None:
    settings = Settings.from_env({
        "SYNDICATE_TARGET_LANGUAGES": " pt-br, zh-hant ,ES,es",
        "SYNDICATE_PORT": "9000",
        "SYNDICATE_PUBLIC_URL": "https://news.example.org/",
        "SYNDICATE_DATABASE_URL": "postgresql+psycopg://u:p@db/syndicate",
        "SYNDICATE_WEBSUB_HUB": "https://hub.example.org/",
    })
    assert settings.translation.target_languages == ("pt-BR", "zh-Hant", "es")
    assert settings.server.port == 9000
    assert settings.server.public_url == "https://news.example.org"
    assert settings.feeds.websub_hub == "https://hub.example.org/"


@pytest.mark.parametrize("name,value,message", [
    ("SYNDICATE_PORT", "eighty", "must be a whole number from 1 to 65535"),
    ("SYNDICATE_PORT", "0", "must be a whole number from 1 to 65535"),
    ("SYNDICATE_TARGET_LANGUAGES", "es,klingon", "'klingon' is not a BCP 47 language tag"),
    ("SYNDICATE_TARGET_LANGUAGES", "", "must list at least one language"),
    ("SYNDICATE_TARGET_LANGUAGES", "en,es", "must not include the source language 'en'"),
    ("SYNDICATE_SOURCE_LANGUAGE", "xx", "'xx' is not a language this service knows"),
    ("SYNDICATE_PUBLIC_URL", "news.example.org", "must be an absolute http(s) URL"),
    ("SYNDICATE_DATABASE_URL", "mysql://x/y", "must be a sqlite:///PATH or postgresql"),
    ("SYNDICATE_LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO"),
    ("SYNDICATE_FEED_ENTRIES", "5000", "must be a whole number from 1 to 1000"),
    ("SYNDICATE_FEEDS_DIR", " ", "must not be empty"),
    ("SYNDICATE_FEED_DIR", "/tmp", "unknown setting; did you mean SYNDICATE_FEEDS_DIR?"),
    ("SYNDICATE_FETCH_ALLOW_HOSTS", "10.0.0.0/8,0.0.0.0/0", "'0.0.0.0/0' covers too much"),
    ("SYNDICATE_FETCH_ALLOW_HOSTS", "169.254.169.254", "'169.254.169.254' reaches a cloud"),
    ("SYNDICATE_HEADER_TIMEOUT", "0", "must be a whole number from 1 to 3600"),
])
def test_bad_value_names_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    assert f"{name}: {message}" in str(caught.value)


def test_every_bad_variable_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"SYNDICATE_PORT": "x", "SYNDICATE_BEAM_SIZE": "99"})
    assert "SYNDICATE_PORT" in str(caught.value) and "SYNDICATE_BEAM_SIZE" in str(caught.value)


def test_the_deploy_environment_file_is_valid_as_systemd_reads_it() -> None:
    """systemd's EnvironmentFile takes KEY=VALUE lines and whole-line comments only."""
    env = {}
    for line in (Path(__file__).parents[1] / "deploy" / "env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            key, _, value = line.partition("=")
            env[key.strip()] = value
    settings = Settings.from_env(env)
    assert (settings.server.proxy_hops, settings.fetch.fetch_timeout,
            settings.fetch.fetch_allow_hosts) == \
        (1, 20, ())


def test_public_url_defaults_to_the_host_and_port_served() -> None:
    assert Settings.from_env({"SYNDICATE_PORT": "8302"}).server.public_url == "http://127.0.0.1:8302"
    assert Settings.from_env({"SYNDICATE_HOST": "0.0.0.0", "SYNDICATE_PORT": "8123"}
                             ).server.public_url == "http://127.0.0.1:8123"
    assert Settings.from_env({"SYNDICATE_HOST": "news.example", "SYNDICATE_PORT": "80",
                              "SYNDICATE_PUBLIC_URL": "https://news.example/"}
                             ).server.public_url == "https://news.example"


def test_docs_settings_is_generated_from_the_table_and_fresh() -> None:
    docs = Path(__file__).parents[1] / "docs" / "settings.md"
    assert docs.read_text(encoding="utf-8") == markdown(), \
        "docs/settings.md is stale: run `syndicate settings --markdown > docs/settings.md`"
    for variable in VARIABLES:  # every variable the parser reads is documented, once
        assert docs.read_text(encoding="utf-8").count(f"| `{variable.env}` |") == 1


def test_settings_shows_values_and_origins_with_secrets_masked() -> None:
    env = {"SYNDICATE_METRICS_TOKEN": "s3cret-metrics-token-0001", "SYNDICATE_PORT": "8302",
           "SYNDICATE_DATABASE_URL": "postgresql+psycopg://news:hunter2hunter2@db/syndicate"}
    rows = {v.env: (value, origin) for v, value, origin in effective(env)}
    assert rows["SYNDICATE_PORT"] == ("8302", "environment")
    assert rows["SYNDICATE_PUBLIC_URL"] == ("http://127.0.0.1:8302", "default")
    assert rows["SYNDICATE_METRICS_TOKEN"] == ("****", "environment")
    assert rows["SYNDICATE_DATABASE_URL"][0] == "postgresql+psycopg://news:****@db/syndicate"
    assert "hunter2" not in repr(rows) and "s3cret" not in repr(rows)
    assert rows["SYNDICATE_REVIEW"] == ("failed", "default")
