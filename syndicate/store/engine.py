"""Engine and session lifecycle, and schema migrations, for the database named by a URL."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import Conflict, LockBusy, SchemaOutOfDate, StoreError
from ..leases import Held
from ..wakeups import Bells

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
RINGS = "syndicate_rings"  # session.info key: the concerns a transaction rings on commit


class Store:
    """The database: sessions for reading and writing, health and migrations."""

    def __init__(self, url: str, lock_dir: Path | None = None) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.lock_dir = lock_dir or (Path(self.url.database or ".").parent if self.is_sqlite
                                     else Path("."))
        self.engine = create_engine(self.url, **_engine_options(self.is_sqlite))
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        # Writers on SQLite take the write lock up front (BEGIN IMMEDIATE) so two writers queue
        # on busy_timeout instead of failing when a read lock cannot be upgraded.
        self._writer = self.engine.execution_options(syndicate_write=True)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)
        self.bells = Bells()  # rung after a commit that queued work or changed a feed

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Open a read-only session."""
        with _translated_errors(), self._read_sessions() as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Open a session whose work is committed on success and rolled back on any error."""
        with _translated_errors(), self._write_sessions.begin() as session:
            yield session
        for concern in sorted(session.info.pop(RINGS, ())):  # committed: wake who acts on it
            self.bells.ring(concern)

    @contextmanager
    def lock(self, name: str, timeout: float) -> Iterator[None]:
        """Hold a named lock shared by every process using this database (wait up to timeout).

        PostgreSQL: a session advisory lock, so processes on every host agree. SQLite (one
        host by nature): a file lock beside the instance state.
        """
        held = self.hold(name, wait=timeout)
        if held is None:
            raise LockBusy(f"the {name} lock stayed held elsewhere for {timeout:.0f} s")
        try:
            yield
        finally:
            held.release()

    def hold(self, name: str, wait: float = 0.0) -> Held | None:
        """Take a named lock if it is free (within ``wait`` seconds); None when it is not."""
        deadline = time.monotonic() + wait
        if self.is_sqlite:
            self.lock_dir.mkdir(parents=True, exist_ok=True)
            file_lock = FileLock(self.lock_dir / f"{name}.lock", timeout=wait)
            try:
                file_lock.acquire()
            except Timeout:
                return None
            return Held(file_lock.release, lambda: True)
        key = int.from_bytes(hashlib.sha256(f"syndicate:{name}".encode()).digest()[:8], "big",
                             signed=True)
        with _translated_errors():
            conn = self.engine.connect()
            try:
                while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}
                                       ).scalar():
                    conn.rollback()
                    if time.monotonic() >= deadline:
                        conn.close()
                        return None
                    time.sleep(0.2)
                conn.commit()  # a session lock outlives the transaction: none stays open
            except BaseException:
                conn.close()
                raise

        def alive() -> bool:
            try:
                conn.execute(text("SELECT 1"))
                conn.rollback()
            except SQLAlchemyError:
                return False
            return True

        def release() -> None:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
            except SQLAlchemyError:
                pass  # a closed connection has released its locks already
            finally:
                conn.close()

        return Held(release, alive)

    def ping(self) -> None:
        """Raise StoreError unless the database answers."""
        with _translated_errors(), self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    @property
    def file(self) -> Path | None:
        """Return the SQLite database's file (None: PostgreSQL, or SQLite in memory)."""
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            return Path(str(self.url.database))
        return None

    @property
    def where(self) -> str:
        """Return where the database lives, as an operator reads it (no password)."""
        return str(self.file.resolve()) if self.file else \
            self.url.render_as_string(hide_password=True)

    def exists(self) -> bool:
        """Say whether the database can be opened without creating it (SQLite: the file)."""
        return self.file.is_file() if self.file else True

    def upgrade(self, to: str = "head") -> None:
        """Create the database if need be (SQLite: its folder and file) and upgrade the schema
        to the newest migration (or to an earlier revision: the upgrade tests)."""
        if self.file:
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _translated_errors(), self._writer.begin() as conn:
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, to)
        if self.file:  # token hashes, session secrets, source keys, held and retracted texts
            for path in (self.file, self.file.with_name(self.file.name + "-wal"),
                         self.file.with_name(self.file.name + "-shm")):
                if path.exists():
                    path.chmod(0o600)
        log.info("database schema upgraded to %s", self.head_revision() if to == "head" else to)

    def current_revision(self) -> str | None:
        """Return the schema revision the database is at (None when empty)."""
        with _translated_errors(), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @staticmethod
    def revisions() -> list[str]:
        """Return every schema revision the code knows, oldest first."""
        script = ScriptDirectory.from_config(_alembic_config())
        return [r.revision for r in reversed(list(script.walk_revisions()))]

    @staticmethod
    def head_revision() -> str | None:
        """Return the newest schema revision the code knows."""
        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def require_current_schema(self) -> None:
        """Raise SchemaOutOfDate unless the database is at the newest revision (saying how
        to initialise one that is not there yet)."""
        current = self.current_revision() if self.exists() else None
        head = self.head_revision()
        if current is None:
            raise SchemaOutOfDate(f"database not initialised at {self.where}; run "
                                  "`syndicate db upgrade` (or set SYNDICATE_INSTANCE_DIR or "
                                  "SYNDICATE_DATABASE_URL to the instance you meant)")
        if current != head:
            raise SchemaOutOfDate(
                f"database schema is at {current or 'nothing'}, the code needs {head}: "
                "run `syndicate db upgrade`"
            )

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# TCP keepalives: a host that dies holding the scheduler's advisory lock loses it within
# about 30 s (10 idle + 4 probes 5 s apart), which bounds the standby's takeover.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 4}


def _engine_options(is_sqlite: bool) -> dict[str, Any]:
    if is_sqlite:
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {"pool_pre_ping": True, "connect_args": dict(KEEPALIVES)}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("syndicate_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(f"the change clashes with stored data: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"database error: {exc.__class__.__name__}: {exc}") from exc
