"""Parsers for setting values: each takes the raw text and returns a typed value or raises
ValueError with what the value must be (the reader adds the variable's name)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from .. import addresses, languages
from ..models import ReviewMode


def nonempty(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw.strip()


def path(raw: str) -> Path:
    return Path(nonempty(raw)).expanduser()


def int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"must be a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def auto_or(parse: Callable[[str], int]) -> Callable[[str], int | None]:
    """Return a parser for ``auto`` (None: decided at start from the machine) or a number."""
    def parse_auto(raw: str) -> int | None:
        if raw.strip().lower() == "auto":
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            raise ValueError(f"must be `auto` or {str(exc).removeprefix('must be ')}") from None

    return parse_auto


def http_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return raw.strip()


def optional(parse: Callable[[str], str]) -> Callable[[str], str | None]:
    def parse_optional(raw: str) -> str | None:
        return parse(raw) if raw.strip() else None

    return parse_optional


def database_url(raw: str) -> str:
    scheme = raw.split(":", 1)[0]
    if "://" not in raw or not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ValueError("must be a sqlite:///PATH or postgresql+psycopg://... URL")
    return raw


def language(raw: str) -> str:
    try:
        return languages.resolve(raw).tag
    except languages.UnknownLanguage as exc:
        raise ValueError(str(exc)) from None


def language_list(raw: str) -> tuple[str, ...]:
    tags = [part for part in (p.strip() for p in raw.split(",")) if part]
    if not tags:
        raise ValueError("must list at least one language, comma-separated (e.g. 'es,fr,de')")
    resolved = tuple(dict.fromkeys(language(tag) for tag in tags))
    return resolved


def language_template(raw: str) -> str:
    try:
        raw.format(language="English", code="en")
    except (KeyError, IndexError, ValueError):
        raise ValueError("may use only {language} and {code} as placeholders") from None
    return nonempty(raw)


def secret(raw: str) -> str:
    if len(raw.strip()) < 16:
        raise ValueError("must be at least 16 characters")
    return raw.strip()


def log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw.strip()) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return raw.strip()

    return parse


def notice(raw: str) -> str:
    """A disclosure line: may use {source} and {code}; empty turns it off."""
    try:
        raw.format(source="English", code="en")
    except (KeyError, IndexError, ValueError):
        raise ValueError("may use only {source} and {code} as placeholders") from None
    return text(300)(raw)


def score(raw: str) -> float | None:
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


def review(raw: str) -> tuple[tuple[str, ReviewMode], ...]:
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


def engines(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    unknown = sorted(set(names) - {"argos", "apertium"})
    if not names or unknown:
        raise ValueError("must list engines in order of preference: argos, apertium")
    return names


def flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("0", "1", "true", "false"):
        raise ValueError("must be 0 or 1")
    return value in ("1", "true")


def device(raw: str) -> str:
    device = raw.strip().lower()
    if device not in ("cpu", "cuda", "auto"):
        raise ValueError("must be cpu, cuda or auto (CTranslate2's device)")
    return device


def hosts(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(addresses.allow_entry(p) for p in raw.split(",") if p.strip()))


def fraction(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("must be a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise ValueError("must be a number from 0 to 1")
    return value


def choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.strip().lower() not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw.strip().lower()

    return parse


def optional_file(raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = Path(raw.strip()).expanduser()
    if not path.is_file():
        raise ValueError("must name a readable file (PEM certificates)")
    return path


def base_url(raw: str) -> str:
    """An absolute http(s) URL that links are built on (no trailing slash)."""
    return http_url(raw).rstrip("/")
