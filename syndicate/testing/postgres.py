"""A throwaway PostgreSQL cluster on a Unix socket (no TCP), for running the suite on PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_bin() -> Path | None:
    """Return the folder with PostgreSQL's server programs, if they are installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def cluster(bin_dir: Path) -> Iterator[str]:
    """Run a fresh cluster for the duration; yield a SQLAlchemy URL to its database."""
    root = Path(tempfile.mkdtemp(prefix="syndicate-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
        "--no-sync", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
        f"-k {sock} -c listen_addresses='' -c fsync=off -c full_page_writes=off", "start")
    try:
        run(str(bin_dir / "createdb"), "-h", str(sock), "-U", "postgres", "syndicate")
        yield f"postgresql+psycopg://postgres@/syndicate?host={sock}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)
