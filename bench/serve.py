"""Serving benchmark: one feed through the shipped nginx config and through gunicorn, against
plain nginx serving the same file, with wrk (``apt-get install nginx wrk``).

Run: ``.venv/bin/python bench/serve.py`` (about a minute; ``--seconds`` per run). Everything
listens on 127.0.0.1 only. Printed, for a full 200 answer and a 304 (If-None-Match):
  (a) plain nginx, a minimal config serving the feeds folder (the baseline);
  (b) nginx with ``deploy/nginx.conf`` (types, charset, gzip_static, Cache-Control, ETag);
  (c) gunicorn with ``deploy/gunicorn.conf.py`` serving ``syndicate.wsgi:app`` directly.
Targets: b/a >= 0.95, c/a >= 0.15 for 200.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from syndicate.config import Settings
from syndicate.models import TranslationStatus
from syndicate.service import Service
from syndicate.store import bulk
from syndicate.testing import corpus

ROOT = Path(__file__).resolve().parents[1]
FEED = "/feeds/es/rss.xml"


def free_port() -> int:
    """Return a free port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 20) -> None:
    """Wait until url answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def etag(url: str) -> str:
    """Return the ETag a server gives url."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.headers["ETag"])


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> float:
    """Return requests per second for url (2 threads, 32 connections)."""
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", url]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out and not headers:
        raise RuntimeError(f"wrk failed or got errors:\n{out}")
    return float(match.group(1))


def prepare(work: Path) -> Settings:
    """Publish a Spanish feed of 50 full articles under work/srv/feeds."""
    settings = Settings.from_env({
        "SYNDICATE_INSTANCE_DIR": str(work / "instance"),
        "SYNDICATE_DATABASE_URL": f"sqlite:///{work / 'instance' / 'db.sqlite'}",
        "SYNDICATE_FEEDS_DIR": str(work / "srv" / "feeds"),
        "SYNDICATE_TRANSLATIONS_DIR": str(work / "translations"),
        "SYNDICATE_TARGET_LANGUAGES": "es",
        "SYNDICATE_RATE_LIMIT": "0",
        "SYNDICATE_LOG_LEVEL": "WARNING",
    })
    service = Service.build(settings)
    service.store.upgrade()
    with service.store.write() as session:
        bulk.load(session, corpus.articles(60), "bench",
                  service.clock(), targets=["es"], status=TranslationStatus.DONE)
    service.pipeline.publish_changes()
    service.store.dispose()
    return settings


def nginx_conf(work: Path, name: str, port: int, app_port: int, shipped: bool) -> Path:
    """Write an nginx config: the shipped one pointed at work, or a minimal plain one."""
    if shipped:
        text = (ROOT / "deploy" / "nginx.conf").read_text()
        text = (text.replace("root /srv/syndicate;", f"root {work / 'srv'};")
                .replace("listen 8080;", f"listen 127.0.0.1:{port};")
                .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
                .replace("pid /tmp/syndicate-nginx.pid;", f"pid {work / name}.pid;")
                .replace("worker_processes auto;", "worker_processes 1;"))
    else:  # Debian's stock nginx.conf settings, one static server
        text = f"""worker_processes 1;
pid {work / name}.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 10000;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server {{ listen 127.0.0.1:{port}; root {work / 'srv'}; }}
}}
"""
    path = work / f"{name}.conf"
    path.write_text(text)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            print(f"{tool} is missing: apt-get install nginx wrk", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="syndicate-serve-"))
    work.chmod(0o755)  # nginx's workers run as an unprivileged user: they must read the feeds
    settings = prepare(work)
    env = {**os.environ, "SYNDICATE_INSTANCE_DIR": str(settings.database.instance_dir),
           "SYNDICATE_DATABASE_URL": settings.database.database_url,
           "SYNDICATE_FEEDS_DIR": str(settings.feeds.feeds_dir),
           "SYNDICATE_TRANSLATIONS_DIR": str(settings.translation.translations_dir),
           "SYNDICATE_TARGET_LANGUAGES": "es", "SYNDICATE_LOG_LEVEL": "WARNING"}
    app_port, plain_port, shipped_port = free_port(), free_port(), free_port()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    procs = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                          str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind",
                          f"127.0.0.1:{app_port}"], env=env, stderr=subprocess.DEVNULL),
        subprocess.Popen([nginx, "-c", str(nginx_conf(work, "plain", plain_port, app_port,
                                                      False)), "-g", "daemon off;"]),
        subprocess.Popen([nginx, "-c", str(nginx_conf(work, "shipped", shipped_port, app_port,
                                                      True)), "-g", "daemon off;"]),
    ]
    try:
        urls = {"plain nginx": f"http://127.0.0.1:{plain_port}{FEED}",
                "shipped nginx": f"http://127.0.0.1:{shipped_port}{FEED}",
                "gunicorn": f"http://127.0.0.1:{app_port}{FEED}"}
        for url in urls.values():
            wait_for(url)
        rates: dict[tuple[str, int], float] = {}
        for name, url in urls.items():
            rates[(name, 200)] = wrk(url, args.seconds)
            rates[(name, 304)] = wrk(url, args.seconds, {"If-None-Match": etag(url)})
        size = (settings.feeds.feeds_dir / "es" / "rss.xml").stat().st_size
        print(f"serving {FEED} ({size} bytes), wrk 2 threads x 32 connections, "
              f"{args.seconds} s each, loopback")
        print(f"{'':16}{'200 req/s':>12}{'304 req/s':>12}{'200 ratio':>11}{'304 ratio':>11}")
        for name in urls:
            a200, a304 = rates[("plain nginx", 200)], rates[("plain nginx", 304)]
            print(f"{name:16}{rates[(name, 200)]:12.0f}{rates[(name, 304)]:12.0f}"
                  f"{rates[(name, 200)] / a200:11.2f}{rates[(name, 304)] / a304:11.2f}")
        print("targets: shipped nginx / plain nginx >= 0.95; gunicorn / plain nginx >= 0.15 "
              "for 200")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
