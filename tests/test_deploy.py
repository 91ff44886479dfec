"""The deploy files as the tools that run them read them: systemd's own verifier for the units,
gunicorn's config check, and the settings parser for the environment files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from syndicate.config import Settings

ROOT = Path(__file__).parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
ANALYZE = shutil.which("systemd-analyze")
if ANALYZE is None and os.environ.get("CI"):
    raise RuntimeError("CI checks the systemd units: .ci/run installs systemd")
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()),
                                      None)
if NGINX is None and os.environ.get("CI"):
    raise RuntimeError("CI checks deploy/nginx.conf: .ci/run installs nginx")


def _environment(path: Path) -> dict[str, str]:
    """Read an EnvironmentFile as systemd does: KEY=VALUE lines, whole-line comments."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            key, _, value = line.partition("=")
            env[key.strip()] = value
    return env


@pytest.mark.skipif(ANALYZE is None, reason="needs systemd-analyze (apt-get install systemd)")
@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_systemd_verifies_every_unit(unit: Path, tmp_path: Path) -> None:
    """Each unit, with /srv/syndicate pointed at this checkout, passes `systemd-analyze verify`
    with nothing to say (an unknown key or a missing program is reported)."""
    home = tmp_path / "srv"
    home.mkdir()
    (home / ".venv").symlink_to(Path(sys.executable).parents[1])
    (home / "deploy").symlink_to(ROOT / "deploy")
    placed = tmp_path / unit.name
    placed.write_text(unit.read_text(encoding="utf-8").replace("/srv/syndicate", str(home)),
                      encoding="utf-8")
    assert ANALYZE is not None
    done = subprocess.run([ANALYZE, "verify", str(placed)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_the_single_host_unit_serves_on_sqlite_behind_nginx() -> None:
    unit = (ROOT / "deploy" / "systemd" / "syndicate.service").read_text(encoding="utf-8")
    assert "ExecStart=/srv/syndicate/.venv/bin/syndicate serve\n" in unit
    assert "ExecStartPre=/srv/syndicate/.venv/bin/syndicate db upgrade\n" in unit
    settings = Settings.from_env(_environment(ROOT / "deploy" / "env.single-host"))
    assert settings.database.database_url.startswith("sqlite:///")
    assert settings.server.proxy_hops == 1
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8000)  # nginx's upstream
    assert "server 127.0.0.1:8000;" in (ROOT / "deploy" / "nginx.conf").read_text()


def test_the_web_unit_runs_gunicorn_with_the_shipped_config(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "systemd" / "syndicate-web.service").read_text(encoding="utf-8")
    assert "gunicorn -c /srv/syndicate/deploy/gunicorn.conf.py\n" in unit
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    done = subprocess.run([str(Path(sys.executable).with_name("gunicorn")), "--check-config",
                           "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx)")
def test_nginx_serves_every_published_file_from_disk_with_its_type(tmp_path: Path) -> None:
    """deploy/nginx.conf, with its root and port moved here, passes `nginx -t` and serves what
    the publisher writes (feeds, ninjs, news sitemaps, the index, robots.txt) from the disk
    with the right types; anything else goes to the app (here: none, so 502)."""
    assert NGINX is not None
    # nginx's workers drop to another user: the files must be readable by it, which the
    # test's own tmp_path (0700 under pytest's folder) is not
    root = Path(tempfile.mkdtemp(prefix="syndicate-nginx-"))
    root.chmod(0o755)
    published = {"feeds/es/rss.xml": "application/rss+xml",
                 "feeds/es/atom.xml": "application/atom+xml",
                 "feeds/es/feed.json": "application/feed+json",
                 "feeds/es/ninjs.json": "application/json",
                 "feeds/es/news-sitemap.xml": "application/xml",
                 "feeds/sitemap-index.xml": "application/xml",
                 "feeds/robots.txt": "text/plain"}
    for name in published:
        (root / name).parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        (root / name).write_text(name)
        (root / name).chmod(0o644)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert config.count("root /srv/syndicate;") == 1 and config.count("listen 8080;") == 1
    config = config.replace("root /srv/syndicate;", f"root {root};")
    config = config.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    config = config.replace("pid /tmp/syndicate-nginx.pid;", f"pid {tmp_path / 'nginx.pid'};")
    (tmp_path / "nginx.conf").write_text(config)
    (tmp_path / "logs").mkdir()
    command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
               "-e", str(tmp_path / "logs" / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    try:
        urls = {"/feeds/es/rss.xml": "feeds/es/rss.xml", "/feeds/es/atom.xml": "feeds/es/atom.xml",
                "/feeds/es/feed.json": "feeds/es/feed.json",
                "/feeds/es/ninjs.json": "feeds/es/ninjs.json",
                "/sitemaps/es.xml": "feeds/es/news-sitemap.xml",
                "/sitemaps/index.xml": "feeds/sitemap-index.xml", "/robots.txt": "feeds/robots.txt"}
        for url, name in urls.items():
            body, media = _get(port, url)
            assert (body, media.split(";")[0]) == (name.encode(), published[name]), url
        for url in ("/sitemaps/fr.xml", "/feeds/es/news-sitemap.xml", "/feeds/robots.txt"):
            assert _status(port, url) in (404, 502), url  # not served from the disk
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root)


def _get(port: int, path: str) -> tuple[bytes, str]:
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                return answer.read(), answer.headers["Content-Type"]
        except ConnectionRefusedError:
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionRefusedError):
                raise
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)


def _status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
