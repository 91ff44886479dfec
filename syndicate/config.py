"""Settings from SYNDICATE_* environment variables: typed, defaulted, validated once at start."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from . import addresses, languages
from .errors import ConfigError
from .models import ReviewMode

PREFIX = "SYNDICATE_"
T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """Every setting the service reads, as typed values."""

    instance_dir: Path
    database_url: str
    feeds_dir: Path
    translations_dir: Path
    packages_dir: Path
    source_language: str
    target_languages: tuple[str, ...]
    public_url: str
    host: str
    port: int
    max_body_bytes: int
    translate_interval: int
    publish_interval: int
    feed_entries: int
    beam_size: int
    max_loaded_models: int
    argos_index_url: str
    websub_hub: str | None
    log_level: str
    feed_title: str
    feed_description: str
    metrics_token: str | None
    rate_limit: int
    lease_seconds: int
    failover_seconds: int
    device: str
    auth_failures: int
    proxy_hops: int
    connection_limit: int
    channel_timeout: int
    header_timeout: int
    argos_loopback_http: bool
    session_idle: int
    feed_author: str
    mt_notice: str
    engines: tuple[str, ...]
    tombstone_days: int
    mt_reviewed_notice: str
    fetch_timeout: int
    fetch_connect_timeout: int
    fetch_max_bytes: int
    fetch_allow_hosts: tuple[str, ...]
    fetch_ca_bundle: Path | None
    fetch_workers: int
    fetch_per_host: int
    source_interval: int
    source_min_interval: int
    source_max_interval: int
    source_pause_after: int
    source_max_entries: int
    detect_threshold: float
    detect_unsure: str
    review: tuple[tuple[str, ReviewMode], ...]  # ("", default) first, then per language
    confidence_warning: float | None  # engine scores under it add a warning (None: never)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; raise ConfigError naming each bad variable."""
        env = os.environ if environ is None else environ
        reader = _Reader(env)
        instance_dir = reader.get("INSTANCE_DIR", "instance", _path)
        translations_dir = reader.get("TRANSLATIONS_DIR", "translations", _path)
        source = reader.get("SOURCE_LANGUAGE", "en", _language)
        targets = reader.get("TARGET_LANGUAGES", "es,fr,de", _language_list)
        if source in targets:
            reader.fail("TARGET_LANGUAGES", f"must not include the source language {source!r}")
        settings = cls(
            instance_dir=instance_dir,
            database_url=reader.get(
                "DATABASE_URL", f"sqlite:///{instance_dir / 'syndicate.db'}", _database_url
            ),
            feeds_dir=reader.get("FEEDS_DIR", "feeds", _path),
            translations_dir=translations_dir,
            packages_dir=reader.get("PACKAGES_DIR", str(translations_dir / "packages"), _path),
            source_language=source,
            target_languages=targets,
            public_url=reader.get("PUBLIC_URL", "http://127.0.0.1:8000", _http_url).rstrip("/"),
            host=reader.get("HOST", "127.0.0.1", _nonempty),
            port=reader.get("PORT", "8000", _int_between(1, 65535)),
            max_body_bytes=reader.get("MAX_BODY_BYTES", str(2 * 1024 * 1024),
                                      _int_between(1024, 1 << 30)),
            translate_interval=reader.get("TRANSLATE_INTERVAL", "10", _int_between(1, 86400)),
            publish_interval=reader.get("PUBLISH_INTERVAL", "300", _int_between(1, 86400)),
            feed_entries=reader.get("FEED_ENTRIES", "50", _int_between(1, 1000)),
            beam_size=reader.get("BEAM_SIZE", "2", _int_between(1, 16)),
            max_loaded_models=reader.get("MAX_LOADED_MODELS", "4", _int_between(1, 64)),
            argos_index_url=reader.get(
                "ARGOS_INDEX_URL",
                "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json",
                _http_url,
            ),
            websub_hub=reader.get("WEBSUB_HUB", "", _optional(_http_url)),
            log_level=reader.get("LOG_LEVEL", "INFO", _log_level),
            feed_title=reader.get("FEED_TITLE", "syndicate ({language})", _language_template),
            feed_description=reader.get("FEED_DESCRIPTION", "Articles in {language}, from "
                                        "syndicate", _language_template),
            metrics_token=reader.get("METRICS_TOKEN", "", _optional(_secret)),
            rate_limit=reader.get("RATE_LIMIT", "600", _int_between(0, 1_000_000)),
            lease_seconds=reader.get("LEASE_SECONDS", "60", _int_between(2, 3600)),
            failover_seconds=reader.get("FAILOVER_SECONDS", "30", _int_between(2, 3600)),
            device=reader.get("DEVICE", "cpu", _device),
            auth_failures=reader.get("AUTH_FAILURES", "20", _int_between(0, 100_000)),
            proxy_hops=reader.get("PROXY_HOPS", "0", _int_between(0, 5)),
            connection_limit=reader.get("CONNECTION_LIMIT", "1000", _int_between(10, 100_000)),
            channel_timeout=reader.get("CHANNEL_TIMEOUT", "20", _int_between(1, 3600)),
            header_timeout=reader.get("HEADER_TIMEOUT", "10", _int_between(1, 3600)),
            argos_loopback_http=reader.get("ARGOS_LOOPBACK_HTTP", "0", _flag),
            session_idle=reader.get("SESSION_IDLE", "1800", _int_between(60, 7 * 86400)),
            feed_author=reader.get("FEED_AUTHOR", "", _text(200)),
            tombstone_days=reader.get("TOMBSTONE_DAYS", "7", _int_between(0, 365)),
            engines=reader.get("ENGINES", "argos,apertium", _engines),
            review=reader.get("REVIEW", "failed", _review),
            confidence_warning=reader.get("CONFIDENCE_WARNING", "-1.5", _score),
            mt_notice=reader.get("MT_NOTICE", "Machine-translated from {source}.",
                                 _notice),
            mt_reviewed_notice=reader.get(
                "MT_REVIEWED_NOTICE",
                "Machine-translated from {source} and reviewed by a person.", _notice),
            fetch_timeout=reader.get("FETCH_TIMEOUT", "20", _int_between(1, 600)),
            fetch_connect_timeout=reader.get("FETCH_CONNECT_TIMEOUT", "10",
                                             _int_between(1, 600)),
            fetch_max_bytes=reader.get("FETCH_MAX_BYTES", str(15 * 1024 * 1024),
                                       _int_between(1024, 1 << 30)),
            fetch_allow_hosts=reader.get("FETCH_ALLOW_HOSTS", "", _hosts),
            fetch_ca_bundle=reader.get("FETCH_CA_BUNDLE", "", _optional_file),
            fetch_workers=reader.get("FETCH_WORKERS", "8", _int_between(1, 256)),
            fetch_per_host=reader.get("FETCH_PER_HOST", "2", _int_between(1, 64)),
            source_interval=reader.get("SOURCE_INTERVAL", "900", _int_between(1, 7 * 86400)),
            source_min_interval=reader.get("SOURCE_MIN_INTERVAL", "60",
                                           _int_between(1, 7 * 86400)),
            source_max_interval=reader.get("SOURCE_MAX_INTERVAL", "86400",
                                           _int_between(1, 30 * 86400)),
            source_pause_after=reader.get("SOURCE_PAUSE_AFTER", "5", _int_between(1, 1000)),
            source_max_entries=reader.get("SOURCE_MAX_ENTRIES", "500",
                                          _int_between(1, 100_000)),
            detect_threshold=reader.get("DETECT_THRESHOLD", "0.8", _fraction),
            detect_unsure=reader.get("DETECT_UNSURE", "fallback", _choice("fallback", "hold")),
        )
        if settings.source_min_interval > settings.source_max_interval:
            reader.fail("SOURCE_MIN_INTERVAL", "must not be above SYNDICATE_SOURCE_MAX_INTERVAL")
        reader.reject_unknown()
        reader.raise_if_failed()
        return settings

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the source language followed by the target languages."""
        return (self.source_language, *self.target_languages)

    def review_mode(self, language: str) -> ReviewMode:
        """Return how much machine translation into language a person sees first."""
        modes = dict(self.review)
        return modes.get(language, modes[""])


class _Reader:
    """Collects every bad variable before failing, so one start-up shows them all."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.read: set[str] = set()
        self.errors: list[str] = []

    def get(self, name: str, default: str, parse: Callable[[str], T]) -> T:
        var = PREFIX + name
        self.read.add(var)
        raw = self.env.get(var, default)
        try:
            return parse(raw)
        except ValueError as exc:
            self.fail(name, f"{exc} (got {raw!r})")
            return parse(default)

    def fail(self, name: str, message: str) -> None:
        self.errors.append(f"{PREFIX}{name}: {message}")

    def reject_unknown(self) -> None:
        for var in sorted(k for k in self.env if k.startswith(PREFIX) and k not in self.read):
            close = difflib.get_close_matches(var, sorted(self.read), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            self.errors.append(f"{var}: unknown setting{hint}")

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ConfigError("invalid settings:\n  " + "\n  ".join(self.errors))


def _nonempty(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw.strip()


def _path(raw: str) -> Path:
    return Path(_nonempty(raw)).expanduser()


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"must be a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def _http_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return raw.strip()


def _optional(parse: Callable[[str], str]) -> Callable[[str], str | None]:
    def parse_optional(raw: str) -> str | None:
        return parse(raw) if raw.strip() else None

    return parse_optional


def _database_url(raw: str) -> str:
    scheme = raw.split(":", 1)[0]
    if "://" not in raw or not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ValueError("must be a sqlite:///PATH or postgresql+psycopg://... URL")
    return raw


def _language(raw: str) -> str:
    try:
        return languages.resolve(raw).tag
    except languages.UnknownLanguage as exc:
        raise ValueError(str(exc)) from None


def _language_list(raw: str) -> tuple[str, ...]:
    tags = [part for part in (p.strip() for p in raw.split(",")) if part]
    if not tags:
        raise ValueError("must list at least one language, comma-separated (e.g. 'es,fr,de')")
    resolved = tuple(dict.fromkeys(_language(tag) for tag in tags))
    return resolved


def _language_template(raw: str) -> str:
    try:
        raw.format(language="English", code="en")
    except (KeyError, IndexError, ValueError):
        raise ValueError("may use only {language} and {code} as placeholders") from None
    return _nonempty(raw)


def _secret(raw: str) -> str:
    if len(raw.strip()) < 16:
        raise ValueError("must be at least 16 characters")
    return raw.strip()


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def _text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw.strip()) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return raw.strip()

    return parse


def _notice(raw: str) -> str:
    """A disclosure line: may use {source} and {code}; empty turns it off."""
    try:
        raw.format(source="English", code="en")
    except (KeyError, IndexError, ValueError):
        raise ValueError("may use only {source} and {code} as placeholders") from None
    return _text(300)(raw)


def _score(raw: str) -> float | None:
    """Parse an engine score threshold (a log-probability per token, 0 or less), or off."""
    if raw.strip().lower() == "off":
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        value = 1.0
    if not -100 <= value <= 0:
        raise ValueError("must be a number from -100 to 0 (a log-probability per token), "
                         "or off")
    return value


def _review(raw: str) -> tuple[tuple[str, ReviewMode], ...]:
    """Parse "failed,de=all": the default mode, then modes per language."""
    modes: dict[str, ReviewMode] = {"": ReviewMode.FAILED}
    choices = ", ".join(m.value for m in ReviewMode)
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        language, _, mode = part.rpartition("=")
        try:
            value = ReviewMode(mode.strip().lower())
        except ValueError:
            raise ValueError(f"{mode.strip()!r} is not one of {choices} (as in "
                             "'failed,de=all')") from None
        if language:
            try:
                language = languages.resolve(language.strip()).tag
            except languages.UnknownLanguage as exc:
                raise ValueError(str(exc)) from None
        modes[language] = value
    return tuple(modes.items())


def _engines(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    unknown = sorted(set(names) - {"argos", "apertium"})
    if not names or unknown:
        raise ValueError("must list engines in order of preference: argos, apertium")
    return names


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("0", "1", "true", "false"):
        raise ValueError("must be 0 or 1")
    return value in ("1", "true")


def _device(raw: str) -> str:
    device = raw.strip().lower()
    if device not in ("cpu", "cuda", "auto"):
        raise ValueError("must be cpu, cuda or auto (CTranslate2's device)")
    return device


def _hosts(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(addresses.allow_entry(p) for p in raw.split(",") if p.strip()))


def _fraction(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("must be a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise ValueError("must be a number from 0 to 1")
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.strip().lower() not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw.strip().lower()

    return parse


def _optional_file(raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = Path(raw.strip()).expanduser()
    if not path.is_file():
        raise ValueError("must name a readable file (PEM certificates)")
    return path
