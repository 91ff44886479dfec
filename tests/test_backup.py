"""Backups taken while the service runs restore into an empty instance with the same articles
and feeds, on SQLite and on PostgreSQL; a backup never lands on an instance with articles."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from syndicate import create_app
from syndicate.config import Settings
from syndicate.service import EXTENSION_KEY, Service

from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")


@pytest.fixture
def empty_target(request: pytest.FixtureRequest, env: dict[str, str], tmp_path: Path,
                 database_url: str) -> Iterator[Settings]:
    """Return the settings of a second, empty instance on the same backend."""
    target = tmp_path / "restored"
    url = f"sqlite:///{target / 'instance' / 'syndicate.db'}"
    admin = None
    if not database_url.startswith("sqlite"):
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS restored"))
            conn.execute(text("CREATE DATABASE restored"))
        url = make_url(database_url).set(database="restored").render_as_string(
            hide_password=False)
    yield Settings.from_env({**env, "SYNDICATE_INSTANCE_DIR": str(target / "instance"),
                             "SYNDICATE_DATABASE_URL": url,
                             "SYNDICATE_FEEDS_DIR": str(target / "feeds"),
                             "SYNDICATE_TRANSLATIONS_DIR": str(target / "translations")})
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS restored WITH (FORCE)"))
        admin.dispose()


def _live_ids(service: Service) -> dict[str, str]:
    return {a.id: a.title for a in service.articles.page(
        limit=1000, cursor=None, include_retracted=True).items}


def test_a_backup_taken_while_the_service_runs_restores_into_an_empty_instance(
        app: Flask, service: Service, client: FlaskClient, producer: dict[str, str],
        tmp_path: Path, empty_target: Settings) -> None:
    glossary = service.settings.translation.translations_dir / "glossary.toml"
    glossary.parent.mkdir(parents=True, exist_ok=True)
    glossary.write_text('keep = ["Kim Jong Un"]\n', encoding="utf-8")
    for i in range(5):
        client.post("/api/v1/articles", json=article_body(guid=f"before-{i}",
                                                          title=f"Story number {i}"),
                    headers=producer)
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()

    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:  # producers and the pipeline go on during the backup
        writer = app.test_client()
        while not stop.is_set():
            n = len(written)
            answer = writer.post("/api/v1/articles", headers=producer, json=article_body(
                guid=f"during-{n}", title=f"Story written during the backup {n}"))
            written.append(answer.status_code)
            service.pipeline.translate_pending()
            service.pipeline.publish_changes()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while len(written) < 2:
            stop.wait(0.05)
        done = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
        while len(written) < 4:
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert done.exit_code == 0, done.output
    assert set(written) == {201}
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["schema"] == service.store.head_revision()
    assert 5 + 2 <= manifest["articles"] <= 5 + len(written)  # one moment, mid-stream
    assert any(p["model"].startswith("translate-en_es") for p in manifest["packages"])
    again = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert again.exit_code == 1 and "is not empty" in again.output  # never overwritten

    restored_app = create_app(empty_target)
    restored: Service = restored_app.extensions[EXTENSION_KEY]
    try:
        result = restored_app.test_cli_runner().invoke(args=["restore",
                                                             str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        assert f"{manifest['articles']} articles" in result.output
        source, copy = _live_ids(service), _live_ids(restored)
        assert len(copy) == manifest["articles"]
        assert all(source[i] == title for i, title in copy.items())  # the same articles
        assert {f"Story number {i}" for i in range(5)} <= set(copy.values())
        backed = tmp_path / "backup" / "feeds"
        for path in backed.rglob("*"):  # the feeds, byte for byte
            if path.is_file():
                relative = path.relative_to(backed)
                assert (empty_target.feeds.feeds_dir / relative).read_bytes() == path.read_bytes()
        assert (empty_target.feeds.feeds_dir / "es" / "rss.xml").is_file()
        assert (empty_target.translation.translations_dir / "glossary.toml").read_text(
            encoding="utf-8") == glossary.read_text(encoding="utf-8")
        restored.store.require_current_schema()
        restored.pipeline.publish(["es"])  # the restored instance publishes as before
        assert b"Story number 4" in (empty_target.feeds.feeds_dir / "es" / "rss.xml").read_bytes()
        refused = restored_app.test_cli_runner().invoke(args=["restore",
                                                              str(tmp_path / "backup")])
        assert refused.exit_code == 1 and "has articles already" in refused.output
    finally:
        restored.store.dispose()


def test_restore_refuses_a_folder_that_is_not_a_backup(runner: FlaskCliRunner,
                                                       tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    result = runner.invoke(args=["restore", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "is not a syndicate backup" in result.output


def test_a_backup_leaves_out_half_written_files_and_files_gone_mid_copy(
        service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = service.settings.feeds.feeds_dir
    (feeds / "en" / "archive").mkdir(parents=True)
    (feeds / "en" / "rss.xml").write_text("<rss/>")
    (feeds / "en" / ".rss.xml.k2j3.tmp").write_text("<rss")  # the writer, mid-write
    (feeds / "en" / "archive" / "1.xml").write_text("<feed/>")
    copy = shutil.copy2

    def vanishing(src: Path, dst: Path) -> object:
        if Path(src).name == "1.xml":  # renamed away between listing and copying
            raise FileNotFoundError(src)
        return copy(src, dst)

    monkeypatch.setattr(shutil, "copy2", vanishing)
    manifest = service.backups.backup(tmp_path / "b")
    copied = sorted(str(p.relative_to(tmp_path / "b" / "feeds"))
                    for p in (tmp_path / "b" / "feeds").rglob("*") if p.is_file())
    assert copied == ["en/rss.xml"] and manifest.feed_files == 1


def test_backups_and_the_database_are_private_to_their_owner(
        service: Service, runner: FlaskCliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "backups" / "one"
    assert runner.invoke(args=["backup", str(folder)]).exit_code == 0
    for path in [folder, *folder.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
    if service.store.file:
        assert service.store.file.stat().st_mode & 0o077 == 0
        assert service.store.file.parent.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("tamper", ["symlink", "manifest"])
def test_restore_refuses_a_backup_that_reaches_outside_itself(
        service: Service, runner: FlaskCliRunner, tmp_path: Path, tamper: str) -> None:
    folder = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(folder)]).exit_code == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the feeds")
    if tamper == "symlink":
        (folder / "feeds" / "es").mkdir(parents=True, exist_ok=True)
        (folder / "feeds" / "es" / "rss.xml").symlink_to(secret)
    else:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["database"] = "../secret.txt"
        (folder / "manifest.json").write_text(json.dumps(manifest))
    result = runner.invoke(args=["restore", str(folder), "--force"])
    assert result.exit_code != 0
    assert ("symbolic link" if tamper == "symlink" else "names '../secret.txt'") in result.output
    assert not (service.settings.feeds.feeds_dir / "es" / "rss.xml").is_symlink()
    published = service.settings.feeds.feeds_dir / "es" / "rss.xml"
    assert not published.exists() or "not for the feeds" not in published.read_text()


def test_the_postgres_password_never_reaches_a_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pg_dump and pg_restore get the password in PGPASSWORD: ps shows every argument."""
    from syndicate.store import dump

    seen = tmp_path / "seen"
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" > {seen}\necho "$PGPASSWORD" >> {seen}\n')
    fake.chmod(0o700)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    for url in ("postgresql+psycopg://bob:s3cret@db.example:5432/news",
                "postgresql+psycopg://bob@db.example/news?password=s3cret&sslmode=require"):
        dump._postgres("pg_dump", make_url(url), "--format=custom")
        argv, password = seen.read_text().splitlines()
        assert "s3cret" not in argv and "bob@db.example" in argv
        assert password == "s3cret"
