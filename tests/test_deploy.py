"""The deploy files as the tools that run them read them: systemd's own verifier for the units,
gunicorn's config check, and the settings parser for the environment files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syndicate.config import Settings

ROOT = Path(__file__).parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
ANALYZE = shutil.which("systemd-analyze")
if ANALYZE is None and os.environ.get("CI"):
    raise RuntimeError("CI checks the systemd units: .ci/run installs systemd")


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
