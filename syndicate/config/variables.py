"""The one table of settings: each SYNDICATE_* variable's concern, default, parser and meaning.

It drives parsing (``Settings.from_env``), ``syndicate settings`` and the generated
``docs/settings.md``; a setting added here is documented everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import parsers as p

PREFIX = "SYNDICATE_"
GROUPS = {
    "server": "The web server: where it listens, what it accepts, who may sign in.",
    "database": "Where state lives, and the leases that let several processes share it.",
    "translation": "Languages, engines and models.",
    "review": "What a person sees before it is published.",
    "fetch": "Fetching upstream feeds: limits every fetch keeps.",
    "polling": "When sources are polled, and what a poll takes.",
    "feeds": "What the published feeds say and hold.",
}
WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Variable:
    """One SYNDICATE_* variable."""

    name: str
    group: str
    default: str | Callable[[Mapping[str, Any]], str]  # text, or made from earlier values
    parse: Callable[[str], Any]
    help: str
    shown_default: str | None = None  # how the docs show a default made from other values
    secret: bool = False

    @property
    def env(self) -> str:
        """Return the environment variable's full name."""
        return PREFIX + self.name

    @property
    def field(self) -> str:
        """Return the Settings field the variable fills."""
        return self.name.lower()

    def default_text(self, earlier: Mapping[str, Any]) -> str:
        """Return the default as text, given the values read before this one."""
        return self.default(earlier) if callable(self.default) else self.default


def _public_url(earlier: Mapping[str, Any]) -> str:
    host = str(earlier["host"])
    host = "127.0.0.1" if host in WILDCARDS else f"[{host}]" if ":" in host else host
    return f"http://{host}:{earlier['port']}"


V = Variable
VARIABLES: tuple[Variable, ...] = (
    # server
    V("HOST", "server", "127.0.0.1", p.nonempty, "address `serve` listens on"),
    V("PORT", "server", "8000", p.int_between(1, 65535), "port `serve` listens on"),
    V("PUBLIC_URL", "server", _public_url, p.base_url,
      "base URL of every link the service writes (feeds, pages, dashboard); set it to the "
      "public https address behind a proxy", shown_default="`http://HOST:PORT`"),
    V("MAX_BODY_BYTES", "server", str(2 * 1024 * 1024), p.int_between(1024, 1 << 30),
      "request body limit (413 above)"),
    V("PROXY_HOPS", "server", "0", p.int_between(0, 5),
      "trusted proxies in front (nginx: `1`): the client address and scheme come from their "
      "`X-Forwarded-*` headers"),
    V("CONNECTION_LIMIT", "server", "1000", p.int_between(10, 100_000),
      "waitress (`serve`): open connections at most"),
    V("CHANNEL_TIMEOUT", "server", "20", p.int_between(1, 3600),
      "waitress (`serve`): seconds before an idle or half-open connection is closed"),
    V("HEADER_TIMEOUT", "server", "10", p.int_between(1, 3600),
      "waitress (`serve`): seconds a request's whole header may take, however slowly it "
      "drips"),
    V("LOG_LEVEL", "server", "INFO", p.log_level, "logging level (logs go to stderr)"),
    V("ACCESS_LOG", "server", "0", p.flag,
      "`1` logs each request (method, path, status, bytes, time) with tokens and keys "
      "redacted"),
    V("RATE_LIMIT", "server", "600", p.int_between(0, 1_000_000),
      "writes a minute per token (`0`: no limit)"),
    V("AUTH_FAILURES", "server", "20", p.int_between(0, 100_000),
      "unknown tokens or partner keys a minute per client address before 429 (`0`: no "
      "limit)"),
    V("SESSION_IDLE", "server", "1800", p.int_between(60, 7 * 86400),
      "seconds a dashboard session lives unused"),
    V("METRICS_TOKEN", "server", "", p.optional(p.secret),
      "bearer token `/api/v1/metrics` asks for (16+ characters; unset: open)", secret=True),
    # database
    V("INSTANCE_DIR", "database", "instance", p.path,
      "local state: the SQLite database and the scheduler's lock"),
    V("DATABASE_URL", "database",
      lambda e: f"sqlite:///{e['instance_dir'] / 'syndicate.db'}", p.database_url,
      "`sqlite:///PATH`, or `postgresql+psycopg://user:pw@host/db` (the `postgres` extra)",
      shown_default="`sqlite:///INSTANCE_DIR/syndicate.db`", secret=True),
    V("LEASE_SECONDS", "database", "60", p.int_between(2, 3600),
      "how long claimed work and running jobs are held without a heartbeat"),
    V("FAILOVER_SECONDS", "database", "30", p.int_between(2, 3600),
      "bound on a standby scheduler's takeover (PostgreSQL)"),
    # translation
    V("SOURCE_LANGUAGE", "translation", "en", p.language,
      "the service's source language, and the fallback when an article's language is "
      "neither stated nor detected"),
    V("TARGET_LANGUAGES", "translation", "es,fr,de", p.language_list,
      "languages to translate into (BCP 47, comma-separated)"),
    V("TRANSLATIONS_DIR", "translation", "translations", p.path,
      "glossary, engine pins, notices and packages"),
    V("PACKAGES_DIR", "translation", lambda e: str(e["translations_dir"] / "packages"),
      p.path, "Argos packages", shown_default="`TRANSLATIONS_DIR/packages`"),
    V("ENGINES", "translation", "argos,apertium", p.engines,
      "offline engines in order of preference (per-pair pins in "
      "`translations/engines.toml`)"),
    V("BEAM_SIZE", "translation", "2", p.int_between(1, 16), "Argos beam size"),
    V("MAX_LOADED_MODELS", "translation", "4", p.int_between(1, 64),
      "Argos models kept loaded (least recently used unloaded first)"),
    V("DEVICE", "translation", "cpu", p.device, "CTranslate2's device: `cpu`, `cuda` or `auto`"),
    V("TRANSLATE_INTERVAL", "translation", "10", p.int_between(1, 86400),
      "seconds an idle worker waits before looking again if nothing wakes it (new work wakes "
      "it at once)"),
    V("TRANSLATE_THREADS", "translation", "auto", p.auto_or(p.int_between(1, 256)),
      "batches translated at once per process: CTranslate2 `inter_threads`, and Apertium "
      "processes; `auto`: the physical cores this process may use (`intra_threads` is then "
      "cores / threads)"),
    V("ARGOS_INDEX_URL", "translation",
      "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json",
      p.http_url, "where `models install --from/--to` looks"),
    V("ARGOS_LOOPBACK_HTTP", "translation", "0", p.flag,
      "`1` lets `models install --from/--to` use plain http to this host (tests)"),
    V("DETECT_THRESHOLD", "translation", "0.8", p.fraction,
      "confidence a detected language needs"),
    V("DETECT_UNSURE", "translation", "fallback", p.choice("fallback", "hold"),
      "below it: `fallback` (the declared language, logged) or `hold` (422 / entry skipped)"),
    # review
    V("REVIEW", "review", "failed", p.review,
      "the review gate: `none`, `failed` (hold what a check gives an error) or `all`; per "
      "language as `failed,de=all`"),
    V("CONFIDENCE_WARNING", "review", "-1.5", p.score,
      "engine score (mean log-probability per token) under which a field gets a warning; "
      "`off`"),
    # fetch
    V("FETCH_TIMEOUT", "fetch", "20", p.int_between(1, 600), "seconds for a whole upstream fetch"),
    V("FETCH_CONNECT_TIMEOUT", "fetch", "10", p.int_between(1, 600), "seconds for connecting"),
    V("FETCH_MAX_BYTES", "fetch", str(15 * 1024 * 1024), p.int_between(1024, 1 << 30),
      "an upstream body's limit, after decompression"),
    V("FETCH_ALLOW_HOSTS", "fetch", "", p.hosts,
      "hosts, addresses or networks (each with an optional `:port`) that fetches may reach "
      "though not public (comma-separated)"),
    V("FETCH_CA_BUNDLE", "fetch", "", p.optional_file,
      "PEM bundle to verify upstream HTTPS with (a private CA)"),
    V("FETCH_WORKERS", "fetch", "8", p.int_between(1, 256), "concurrent fetches"),
    V("FETCH_PER_HOST", "fetch", "2", p.int_between(1, 64), "concurrent fetches per host"),
    # polling
    V("SOURCE_INTERVAL", "polling", "900", p.int_between(1, 7 * 86400),
      "seconds between polls of a source that sets none"),
    V("SOURCE_MIN_INTERVAL", "polling", "60", p.int_between(1, 7 * 86400),
      "floor of every wait (ttl, max-age, Retry-After, backoff)"),
    V("SOURCE_MAX_INTERVAL", "polling", "86400", p.int_between(1, 30 * 86400),
      "ceiling of every wait"),
    V("SOURCE_PAUSE_AFTER", "polling", "5", p.int_between(1, 1000),
      "failures in a row (the feed's fault) before a source is paused and flagged"),
    V("SOURCE_MAX_ENTRIES", "polling", "500", p.int_between(1, 100_000),
      "newest entries taken from one document (4 × as many are read at most)"),
    # feeds
    V("FEEDS_DIR", "feeds", "feeds", p.path, "where feeds and pages are written"),
    V("PUBLISH_INTERVAL", "feeds", "300", p.int_between(1, 86400),
      "seconds between the publisher's full passes (changes publish within seconds)"),
    V("FEED_ENTRIES", "feeds", "50", p.int_between(1, 1000),
      "entries per feed and per archive page"),
    V("FEED_TITLE", "feeds", "syndicate ({language})", p.language_template,
      "per-language feed title (`{language}`, `{code}`)"),
    V("FEED_DESCRIPTION", "feeds", "Articles in {language}, from syndicate",
      p.language_template, "per-language feed description (`{language}`, `{code}`)"),
    V("FEED_AUTHOR", "feeds", "", p.text(200),
      "the feeds' own author (unset: the public URL's host)"),
    V("MT_NOTICE", "feeds", "auto", p.notice,
      "the visible machine-translation line (`{source}`, `{code}`; empty: none); `auto`: the "
      "shipped line in the feed's language; per language in `translations/notices.toml`"),
    V("MT_REVIEWED_NOTICE", "feeds", "auto", p.notice,
      "the same once a person reviewed or post-edited the translation"),
    V("REVIEWER_NAME", "feeds", "the newsroom", p.text(200),
      "the name published for whoever reviewed a translation (JSON-LD, ninjs); never a "
      "token's or an account's name"),
    V("TOMBSTONE_DAYS", "feeds", "7", p.int_between(0, 365),
      "how long a retracted article's tombstone stays in the feeds"),
    V("WEBSUB_HUB", "feeds", "", p.optional(p.http_url), "WebSub hub to notify (unset: none)"),
)


def field_names() -> list[str]:
    """Return the Settings fields the table fills, in table order."""
    return [v.field for v in VARIABLES]


def shown(variable: Variable, value: Any) -> str:
    """Return a value as `syndicate settings` shows it (secrets masked)."""
    if value is None or value == "" or value == ():
        return "(unset)"
    if variable.secret:
        text = str(value)
        if "://" in text and "@" in text:  # a database URL: hide only the password
            scheme, rest = text.split("://", 1)
            userinfo, host = rest.rsplit("@", 1)
            return f"{scheme}://{userinfo.split(':', 1)[0]}:****@{host}"
        if variable.name == "DATABASE_URL":
            return text
        return "****"
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):  # review modes
            return ",".join(f"{k}={m.value}" if k else m.value for k, m in value)
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Path):
        return str(value)
    return str(value)


def markdown() -> str:
    """Return docs/settings.md: every variable, grouped by concern."""
    out = ["# Settings", "",
           "<!-- Generated from syndicate/config/variables.py by `syndicate settings --markdown`;"
           " a test fails when this file is stale. -->", "",
           "Every setting is a `SYNDICATE_*` environment variable, read and checked once at "
           "start: a bad or unknown variable stops the service with a message naming it. "
           "`syndicate settings` prints the values in effect and where each came from "
           "(secrets masked).", ""]
    for group, about in GROUPS.items():
        out += [f"## {group}", "", about, "", "| variable | default | meaning |",
                "|---|---|---|"]
        for v in VARIABLES:
            if v.group != group:
                continue
            default = v.shown_default or (f"`{v.default}`" if v.default else "unset")
            out.append(f"| `{v.env}` | {default} | {v.help} |")
        out.append("")
    return "\n".join(out)
