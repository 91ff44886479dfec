"""Settings from SYNDICATE_* environment variables: typed, defaulted, validated once at start.

The variables, their concerns, defaults and meanings are one table (``variables.py``); it
drives parsing here, ``syndicate settings`` and the generated ``docs/settings.md``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..models import ReviewMode
from .variables import PREFIX, VARIABLES, Variable, shown

__all__ = ["DatabaseSettings", "FeedsSettings", "FetchSettings", "PollingSettings",
           "ReviewSettings", "ServerSettings", "Settings", "TranslationSettings", "effective"]


@dataclass(frozen=True)
class ServerSettings:
    """The web server: where it listens, what it accepts, who may sign in."""

    host: str
    port: int
    public_url: str
    max_body_bytes: int
    proxy_hops: int
    connection_limit: int
    channel_timeout: int
    header_timeout: int
    log_level: str
    access_log: bool
    rate_limit: int
    auth_failures: int
    session_idle: int
    metrics_token: str | None


@dataclass(frozen=True)
class DatabaseSettings:
    """Where state lives, and the leases that let processes share it."""

    instance_dir: Path
    database_url: str
    lease_seconds: int
    failover_seconds: int


@dataclass(frozen=True)
class TranslationSettings:
    """Languages, engines and models."""

    source_language: str
    target_languages: tuple[str, ...]
    translations_dir: Path
    packages_dir: Path
    engines: tuple[str, ...]
    beam_size: int
    max_loaded_models: int
    device: str
    translate_interval: int
    translate_threads: int | None  # None: auto, from the cores this process may use
    argos_index_url: str
    argos_loopback_http: bool
    detect_threshold: float
    detect_unsure: str

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the source language followed by the target languages."""
        return (self.source_language, *self.target_languages)


@dataclass(frozen=True)
class ReviewSettings:
    """What a person sees before it is published."""

    review: tuple[tuple[str, ReviewMode], ...]  # ("", default) first, then per language
    confidence_warning: float | None  # engine scores under it add a warning (None: never)

    def mode(self, language: str) -> ReviewMode:
        """Return how much machine translation into language a person sees first."""
        modes = dict(self.review)
        return modes.get(language, modes[""])


@dataclass(frozen=True)
class FetchSettings:
    """Limits every fetch of an upstream feed keeps."""

    fetch_timeout: int
    fetch_connect_timeout: int
    fetch_max_bytes: int
    fetch_allow_hosts: tuple[str, ...]
    fetch_ca_bundle: Path | None
    fetch_workers: int
    fetch_per_host: int


@dataclass(frozen=True)
class PollingSettings:
    """When sources are polled, and what a poll takes."""

    source_interval: int
    source_min_interval: int
    source_max_interval: int
    source_pause_after: int
    source_max_entries: int


@dataclass(frozen=True)
class FeedsSettings:
    """What the published feeds say and hold."""

    feeds_dir: Path
    publish_interval: int
    feed_entries: int
    feed_title: str
    feed_description: str
    feed_author: str
    mt_notice: str
    mt_reviewed_notice: str
    reviewer_name: str
    tombstone_days: int
    websub_hub: str | None


_CLASSES: dict[str, type[Any]] = {  # group -> its settings class
    "server": ServerSettings, "database": DatabaseSettings, "translation": TranslationSettings,
    "review": ReviewSettings, "fetch": FetchSettings, "polling": PollingSettings,
    "feeds": FeedsSettings,
}


@dataclass(frozen=True)
class Settings:
    """Every setting the service reads, in groups by concern (see variables.VARIABLES); each
    stage receives its own group."""

    server: ServerSettings
    database: DatabaseSettings
    translation: TranslationSettings
    review: ReviewSettings
    fetch: FetchSettings
    polling: PollingSettings
    feeds: FeedsSettings

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; raise ConfigError naming each bad variable."""
        values, _ = _read(os.environ if environ is None else environ)
        grouped: dict[str, dict[str, Any]] = {name: {} for name in _CLASSES}
        for variable in VARIABLES:
            grouped[variable.group][variable.field] = values[variable.field]
        return cls(**{name: _CLASSES[name](**fields) for name, fields in grouped.items()})


def effective(environ: Mapping[str, str] | None = None
              ) -> list[tuple[Variable, str, str]]:
    """Return each variable with its value as shown (secrets masked) and where it came from
    ("environment" or "default"); ConfigError as at start when one is bad."""
    env = os.environ if environ is None else environ
    values, origins = _read(env)
    return [(v, shown(v, values[v.field]), origins[v.field]) for v in VARIABLES]


def _read(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse every variable in table order; collect every error before failing."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    errors: list[str] = []
    for variable in VARIABLES:
        default = variable.default_text(values)
        raw = env.get(variable.env)
        origins[variable.field] = "default" if raw is None else "environment"
        try:
            values[variable.field] = variable.parse(default if raw is None else raw)
        except ValueError as exc:
            errors.append(f"{variable.env}: {exc} (got {raw!r})")
            values[variable.field] = variable.parse(default)
    if values["source_language"] in values["target_languages"]:
        errors.append(f"{PREFIX}TARGET_LANGUAGES: must not include the source language "
                      f"{values['source_language']!r}")
    if values["source_min_interval"] > values["source_max_interval"]:
        errors.append(f"{PREFIX}SOURCE_MIN_INTERVAL: must not be above "
                      f"{PREFIX}SOURCE_MAX_INTERVAL")
    known = [v.env for v in VARIABLES]
    for name in sorted(k for k in env if k.startswith(PREFIX) and k not in known):
        close = difflib.get_close_matches(name, known, n=1)
        errors.append(f"{name}: unknown setting" + (f"; did you mean {close[0]}?" if close
                                                     else ""))
    if errors:
        raise ConfigError("invalid settings:\n  " + "\n  ".join(errors))
    return values, origins
