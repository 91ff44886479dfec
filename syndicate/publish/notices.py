"""The machine-translation notice lines: the settings, per-language overrides, shipped lines."""

from __future__ import annotations

import functools
import time
import tomllib
from importlib import resources
from pathlib import Path

from ..config import FeedsSettings
from ..errors import ConfigError
from . import entries as feed_entries


class NoticeFile:
    """The disclosure lines, re-read when translations/notices.toml changes."""

    def __init__(self, feeds: FeedsSettings, translations_dir: Path) -> None:
        self.feeds = feeds
        self.translations_dir = translations_dir
        self._notices: tuple[int | None, feed_entries.Notices] | None = None
        self._notices_checked = 0.0

    def get(self) -> feed_entries.Notices:
        """Return the disclosure lines: the settings, overridden per language by
        translations/notices.toml (``[es] machine = "…" reviewed = "…"``)."""
        if self._notices is not None and time.monotonic() < self._notices_checked + 1:
            return self._notices[1]  # every entry asks: look at the file at most once a second
        self._notices_checked = time.monotonic()
        path = self.translations_dir / "notices.toml"
        stamp = path.stat().st_mtime_ns if path.exists() else None
        if self._notices is None or self._notices[0] != stamp:
            per_language: list[tuple[str, str, str]] = []
            if stamp is not None:
                try:
                    table = tomllib.loads(path.read_text(encoding="utf-8"))
                    for lang, texts in table.items():
                        machine = str(texts.get("machine", self.feeds.mt_notice))
                        reviewed = str(texts.get("reviewed", self.feeds.mt_reviewed_notice))
                        machine.format(source="", code=""), reviewed.format(source="", code="")
                        per_language.append((lang, machine, reviewed))
                except (tomllib.TOMLDecodeError, AttributeError, KeyError, IndexError,
                        ValueError) as exc:
                    raise ConfigError(f"{path}: {exc} (see the README's Feeds section)") \
                        from exc
            self._notices = (stamp, feed_entries.Notices(
                self.feeds.mt_notice, self.feeds.mt_reviewed_notice, tuple(per_language),
                shipped_notices()))
        return self._notices[1]


@functools.cache
def shipped_notices() -> feed_entries.Shipped:
    """Return the machine-translation lines shipped in each feed language (notices.toml)."""
    table = tomllib.loads(resources.files(__package__).joinpath("notices.toml")
                          .read_text(encoding="utf-8"))
    return tuple((lang, texts["machine"], texts["reviewed"], tuple(texts["from"].items()))
                 for lang, texts in table.items())
