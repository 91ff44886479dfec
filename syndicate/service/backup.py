"""Backups an operator can restore: the database, the published feeds, the translation files
and the list of installed models, with a manifest saying what the copy holds.

A backup is taken while the service runs (the database copy is one moment; feed files are
replaced by rename, so each copied file is whole). A restore goes into an empty instance and
brings an older schema up to the code's.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..clock import Clock, rfc3339
from ..config import Settings
from ..errors import Conflict, InputError
from ..store import Store, dump
from ..store import articles as article_store
from .models import Models

log = logging.getLogger(__name__)
FORMAT = 1
TRANSLATION_FILES = ("glossary.toml", "engines.toml", "notices.toml")


@dataclass(frozen=True)
class Manifest:
    """What a backup holds."""

    created: str
    backend: str
    database: str
    schema: str | None
    articles: int
    feed_files: int
    packages: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest as JSON-ready data."""
        return {"format": FORMAT, **self.__dict__}


class Backups:
    """Write backups of this instance and restore them into an empty one."""

    def __init__(self, settings: Settings, store: Store, models: Models, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.models = models
        self.clock = clock

    def backup(self, folder: Path) -> Manifest:
        """Write a backup into folder (new or empty); return its manifest."""
        if folder.exists() and any(folder.iterdir()):
            raise InputError(f"{folder} is not empty: give a new folder for each backup")
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        database = dump.dump(self.store, folder)
        with self.store.read() as session:
            articles = sum(article_store.count_by_language(session).values())
        feeds = folder / "feeds"
        _copy_published(self.settings.feeds.feeds_dir, feeds)
        translations = folder / "translations"
        translations.mkdir()
        for name in TRANSLATION_FILES:
            if (self.settings.translation.translations_dir / name).is_file():
                shutil.copy2(self.settings.translation.translations_dir / name, translations / name)
        manifest = Manifest(
            created=rfc3339(self.clock()), backend="sqlite" if self.store.is_sqlite
            else "postgresql", database=database, schema=self.store.current_revision(),
            articles=articles,
            feed_files=sum(1 for p in feeds.rglob("*") if p.is_file()),
            packages=self._packages())
        (folder / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2) + "\n",
                                              encoding="utf-8")
        _private(folder)
        log.info("backup written to %s: %d articles, %d feed files", folder, articles,
                 manifest.feed_files)
        return manifest

    def restore(self, folder: Path, *, force: bool = False) -> tuple[Manifest, list[str]]:
        """Restore a backup into this instance (its database empty unless force); return the
        manifest and the models it listed that are not installed here."""
        manifest = read_manifest(folder)
        _checked(folder, manifest)
        if not force and self.store.exists() and self.store.current_revision() is not None:
            with self.store.read() as session:
                if sum(article_store.count_by_language(session).values()):
                    raise Conflict("this instance has articles already: restore into an empty "
                                   "one, or pass --force to replace everything it holds")
        dump.load(self.store, folder / manifest.database)
        self.store.upgrade()  # an older backup's schema is brought up to the code's
        if (folder / "feeds").is_dir():
            shutil.copytree(folder / "feeds", self.settings.feeds.feeds_dir, dirs_exist_ok=True)
        self.settings.translation.translations_dir.mkdir(parents=True, exist_ok=True)
        for path in (folder / "translations").glob("*.toml"):
            shutil.copy2(path, self.settings.translation.translations_dir / path.name)
        here = self._packages()
        missing = [f"{p['engine']} {p['pair']} {p['model']} {p['version'] or ''}".rstrip()
                   for p in manifest.packages if p not in here]
        log.info("backup of %s restored from %s (%d articles)", manifest.created, folder,
                 manifest.articles)
        return manifest, missing

    def _packages(self) -> list[dict[str, Any]]:
        return [{k: row[k] for k in ("engine", "pair", "model", "version")}
                for row in self.models.installed()]


def _copy_published(source: Path, target: Path) -> None:
    """Copy the publish root while the publisher writes: its half-written temporary files are
    left out, and a file replaced or removed mid-copy is taken as it is found (the writer
    renames whole files into place, so each file copied is whole)."""
    target.mkdir()
    if not source.is_dir():
        return  # nothing published yet
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            continue
        try:
            if path.is_dir():
                (target / relative).mkdir(parents=True, exist_ok=True)
            else:
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)
        except FileNotFoundError:
            continue  # removed since it was listed (an archive page rewritten): not needed


def _private(folder: Path) -> None:
    """Make a backup readable by its owner only: it holds token hashes, session secrets,
    source keys, and held, embargoed and retracted texts."""
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _checked(folder: Path, manifest: Manifest) -> None:
    """Refuse a backup that could make a restore read outside it: a link anywhere in it, or
    a database that is not one of the two files a backup writes, in the folder itself."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            raise InputError(f"{path} is a symbolic link: a backup holds none, so this one "
                             "was changed; refusing to restore it")
    if manifest.database not in (dump.SQLITE_FILE, dump.POSTGRES_FILE) or \
            not (folder / manifest.database).is_file():
        raise InputError(f"the manifest names {manifest.database!r} as the database: a backup "
                         f"holds {dump.SQLITE_FILE} or {dump.POSTGRES_FILE} in its folder")


def read_manifest(folder: Path) -> Manifest:
    """Read a backup's manifest; InputError when the folder is not a backup."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if data.pop("format") != FORMAT:
            raise ValueError("an unknown backup format")
        return Manifest(**data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{folder} is not a syndicate backup (manifest.json: {exc})") from None
