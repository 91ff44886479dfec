"""The docs as a reader follows them: every ```console block of README.md and docs/*.md runs,
in order, in a fresh folder beside a running `syndicate serve`, and each command must succeed
and print what the docs show under it ("..." stands for lines left out)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
APERTIUM = Path("/usr/share/apertium/apertium-eng-spa").is_dir()
if not APERTIUM and os.environ.get("CI"):
    raise RuntimeError("CI runs the README's path: .ci/run installs apertium-eng-spa")


@dataclass
class Step:
    """One command of a console block and the lines the docs show it printing."""

    command: str
    expected: list[str] = field(default_factory=list)


def steps(path: Path) -> list[Step]:
    """Return the commands of every ```console block in a document, in order."""
    found: list[Step] = []
    for block in re.findall(r"^```console\n(.*?)^```", path.read_text(encoding="utf-8"),
                            re.M | re.S):
        lines = block.splitlines()
        while lines:
            line = lines.pop(0)
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\") and lines:
                    command = command[:-1] + lines.pop(0)
                found.append(Step(command))
            elif found:
                found[-1].expected.append(line)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("doc", [d for d in DOCS if steps(d)],
                         ids=[d.name for d in DOCS if steps(d)])
def test_every_console_block_runs_as_shown(doc: Path, tmp_path: Path) -> None:
    if doc.name == "README.md" and not APERTIUM:
        pytest.skip("the README's path translates with Apertium: apt-get install "
                    "apertium apertium-eng-spa")
    venv = Path(sys.executable).parents[1]
    for name, target in ((".venv", venv), ("tests", ROOT / "tests"), ("docs", ROOT / "docs"),
                         ("deploy", ROOT / "deploy")):
        (tmp_path / name).symlink_to(target)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env.update(SYNDICATE_PORT=str(port), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    syndicate = str(venv / "bin" / "syndicate")
    subprocess.run([syndicate, "db", "upgrade"], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=120)
    server = subprocess.Popen([syndicate, "serve"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "serve died"
                time.sleep(0.2)
        _run(steps(doc), tmp_path, env, port)
        if doc.name == "README.md":
            _published_by_the_official_schemas(tmp_path / "feeds")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


def _published_by_the_official_schemas(feeds: Path) -> None:
    """Check what `make run`'s service published on the README's path (Apertium's Spanish of
    the sample article) against IPTC's ninjs schema and the sitemap XSDs."""
    from .newsroom_schemas import check_ninjs, check_xml_schema, index_schema, sitemap_schema

    ninjs = json.loads((feeds / "es" / "ninjs.json").read_bytes())
    check_ninjs(ninjs)
    assert ninjs["associations"][0]["language"] == "es"
    check_xml_schema(sitemap_schema(), (feeds / "es" / "news-sitemap.xml").read_bytes())
    check_xml_schema(index_schema(), (feeds / "sitemap-index.xml").read_bytes())


def _run(found: list[Step], cwd: Path, env: dict[str, str], port: int) -> None:
    """Run the steps in one shell (variables and `.` carry over), each output kept apart;
    the docs' port, 8000, is the one this server listens on, in commands and in output, and
    the port of the docs' example upstream, 8765, is a free one too."""
    upstream = _free_port()

    def ported(text: str) -> str:
        return text.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("8765", str(upstream))

    out = cwd / ".steps"
    out.mkdir()
    script = ["set -o pipefail"]
    for i, step in enumerate(found):
        command = ported(step.command)
        script.append(f"{{ {command}\n}} >{out}/{i}.out 2>&1; echo $? >{out}/{i}.rc")
    subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=env, timeout=600,
                   check=False)
    for i, step in enumerate(found):
        rc = (out / f"{i}.rc").read_text().strip()
        printed = (out / f"{i}.out").read_text(encoding="utf-8", errors="replace")
        assert rc == "0", f"`{step.command}` exited {rc}:\n{printed}"
        for line in step.expected:  # links follow the port served (SYNDICATE_PORT)
            line = ported(line)
            if line.strip() and line.strip() != "...":
                assert _normal(line) in _normal(printed), \
                    f"`{step.command}` did not print {line!r}; it printed:\n{printed}"
