"""A consistent copy of the database while the service runs, and putting one back.

SQLite: the online backup API copies every page under one read transaction, so writers go on
and the copy is one moment. PostgreSQL: ``pg_dump`` (custom format; one snapshot) and
``pg_restore``. The password never goes on a command line (ps shows those): it is passed in
PGPASSWORD.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any, cast

from sqlalchemy.engine import URL

from ..errors import StoreError
from .engine import Store

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


def dump(store: Store, folder: Path) -> str:
    """Write a consistent copy of the database into folder; return the file's name."""
    if store.is_sqlite:
        target = folder / SQLITE_FILE
        with store.engine.connect() as conn:
            live = cast(sqlite3.Connection, conn.connection.dbapi_connection)
            copy = sqlite3.connect(target)
            try:
                live.backup(copy)
            finally:
                copy.close()
        return SQLITE_FILE
    _postgres("pg_dump", store.url, "--format=custom", "--no-owner", "--no-privileges",
              f"--file={folder / POSTGRES_FILE}")
    return POSTGRES_FILE


def load(store: Store, path: Path) -> None:
    """Replace the database's contents with a copy dump() wrote (same backend)."""
    if path.name == SQLITE_FILE and store.is_sqlite:
        if store.file:
            store.file.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(path)
        try:
            with store.engine.connect() as conn:
                live = cast(sqlite3.Connection, conn.connection.dbapi_connection)
                source.backup(live)
        finally:
            source.close()
        store.dispose()
        return
    if path.name == POSTGRES_FILE and not store.is_sqlite:
        _postgres("pg_restore", store.url, "--clean", "--if-exists", "--no-owner",
                  "--no-privileges", "--single-transaction", str(path))
        store.dispose()
        return
    kind = "SQLite" if path.name == SQLITE_FILE else "PostgreSQL"
    raise StoreError(f"{path.name} is a {kind} backup; this instance's database is "
                     f"{'SQLite' if store.is_sqlite else 'PostgreSQL'}: restore it into a "
                     f"{kind} instance")


def _postgres(program: str, url: URL, *args: str) -> None:
    """Run pg_dump or pg_restore against url; StoreError with its message when it fails."""
    binary = _program(program)
    env: dict[str, Any] = {**os.environ}
    secret = url.password or url.query.get("password")
    if secret:
        env["PGPASSWORD"] = str(secret)
    dsn = command_line_dsn(url)
    done = subprocess.run([binary, f"--dbname={dsn}", *args], env=env, capture_output=True,
                          text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise StoreError(f"{program} failed: {done.stderr.strip()[-2000:]}")


def command_line_dsn(url: URL) -> str:
    """Return the database URL for a client's command line: with no password in it, neither
    its user part nor a ``password`` query parameter (ps shows every process's arguments).
    URL.set(password=None) keeps the password, so the URL is built again without it."""
    query = {k: v for k, v in url.query.items() if k != "password"}
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=query)
    return bare.render_as_string(hide_password=False)


def _program(name: str) -> str:
    """Return PostgreSQL's client program: on PATH, else the newest installed version's."""
    found = shutil.which(name) or next(iter(sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise StoreError(f"{name} is not installed: apt-get install postgresql-client")
    return found
