"""The `syndicate` command group, through the app's CLI runner and the console script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner

from syndicate.service import Service

from .conftest import SAMPLE_PATH, json_lines


def test_help_lists_every_command(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["--help"])
    for command in ("serve", "scheduler", "db", "ingest", "articles", "tokens"):
        assert command in result.output


def test_token_lifecycle(runner: FlaskCliRunner, client: FlaskClient) -> None:
    created = runner.invoke(args=["tokens", "create", "--name", "desk", "--role", "producer"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("syn_")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/articles", headers=headers).status_code == 200
    listed = runner.invoke(args=["tokens", "list"])
    assert listed.stdout.splitlines()[0].split() == ["NAME", "ROLE", "STATE", "CREATED",
                                                     "REVOKED"]
    assert listed.stdout.splitlines()[1].split()[:3] == ["desk", "producer", "active"]
    assert secret not in listed.output
    as_json = runner.invoke(args=["tokens", "list", "--json"]).stdout
    assert [(t["name"], t["state"]) for t in json_lines(as_json)] == [("desk", "active")]
    again = runner.invoke(args=["tokens", "create", "--name", "desk", "--role", "operator"])
    assert again.exit_code == 1 and "exists already" in again.output
    assert runner.invoke(args=["tokens", "revoke", "desk"]).exit_code == 0
    revoked = json_lines(runner.invoke(args=["tokens", "list", "--json"]).stdout)
    assert [(t["name"], t["role"], t["state"]) for t in revoked] == [
        ("desk", "producer", "revoked")]
    assert client.get("/api/v1/articles", headers=headers).status_code == 401
    missing = runner.invoke(args=["tokens", "revoke", "nobody"])
    assert missing.exit_code == 1 and "no token named 'nobody'" in missing.output
    bad_role = runner.invoke(args=["tokens", "create", "--name", "x", "--role", "admin"])
    assert bad_role.exit_code == 2


def test_ingest_reports_bad_files_and_keeps_the_good_ones(
        runner: FlaskCliRunner, tmp_path: Path, service: Service) -> None:
    good_md = tmp_path / "story.md"
    good_md.write_text("# A story\n\nIt begins here. Then it goes on.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    odd = tmp_path / "story.docx"
    odd.write_bytes(b"PK")
    missing = tmp_path / "missing.txt"
    result = runner.invoke(args=["ingest", str(SAMPLE_PATH), str(empty), str(odd), str(missing),
                                 str(good_md), "--lang", "en"])
    assert result.exit_code == 1
    assert "3 of 5 file(s) failed" in result.output
    assert f"error: {empty}: body: has no content" in result.stderr
    assert "unknown file type '.docx'" in result.stderr
    assert f"error: {missing}:" in result.stderr
    listed = runner.invoke(args=["articles", "list"]).output
    assert "A story" in listed and "North Korean leader" in listed
    # the guid is the file name: ingesting the same file again changes nothing
    again = runner.invoke(args=["ingest", str(good_md)])
    assert again.exit_code == 0 and again.stdout.startswith("unchanged\t")


def test_ingest_json_file_rejects_text_options(runner: FlaskCliRunner, tmp_path: Path) -> None:
    doc = tmp_path / "a.json"
    doc.write_text('{"guid": "j1", "title": "T", "body": "Hi.", "format": "text"}')
    assert runner.invoke(args=["ingest", str(doc)]).exit_code == 0
    result = runner.invoke(args=["ingest", str(doc), "--lang", "fr"])
    assert result.exit_code == 1 and "a JSON file carries its own" in result.stderr


def test_db_commands(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    current = runner.invoke(args=["db", "current"])
    assert current.exit_code == 0 and current.output.startswith("database: 0017 at ")
    assert current.output.rstrip().endswith("code: 0017")


def test_console_script_stops_on_a_bad_setting_naming_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "SYNDICATE_INSTANCE_DIR": str(tmp_path), "SYNDICATE_PORT": "http"}
    result = subprocess.run([sys.executable, "-c", "from syndicate.__main__ import main; main()",
                             "db", "current"], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert "SYNDICATE_PORT: must be a whole number from 1 to 65535" in result.stderr


def test_the_cli_from_another_directory_says_how_to_initialise_never_sql(
        tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    for args in (["status"], ["sources", "list"], ["tokens", "list"]):
        result = subprocess.run([sys.executable, "-m", "syndicate", *args], env=env,
                                cwd=elsewhere, capture_output=True, text=True, timeout=60,
                                check=False)
        assert result.returncode == 1, result.stderr
        assert f"database not initialised at {elsewhere / 'instance' / 'syndicate.db'}; run " \
            "`syndicate db upgrade`" in result.stderr
        assert "SQL" not in result.stderr and "no such table" not in result.stderr
        assert result.stdout == ""
    assert list(elsewhere.iterdir()) == []  # no stray instance/ left behind
    current = subprocess.run([sys.executable, "-m", "syndicate", "db", "current"], env=env,
                             cwd=elsewhere, capture_output=True, text=True, timeout=60,
                             check=False)
    assert current.returncode == 0 and "database: not initialised at " in current.stdout
    assert list(elsewhere.iterdir()) == []


def test_serve_refuses_an_old_schema(tmp_path: Path) -> None:
    env = {**os.environ, "SYNDICATE_INSTANCE_DIR": str(tmp_path), "SYNDICATE_PORT": "8765"}
    result = subprocess.run([sys.executable, "-c", "from syndicate.__main__ import main; main()",
                             "serve"], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 1
    assert "run `syndicate db upgrade`" in result.stderr


def test_listings_print_only_data_on_stdout_and_logs_on_stderr(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    env["SYNDICATE_LOG_LEVEL"] = "DEBUG"  # as loud as it gets

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "syndicate", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)

    assert run("db", "upgrade").returncode == 0
    assert run("tokens", "create", "--name", "desk", "--role", "producer").returncode == 0
    listed = run("tokens", "list", "--json")
    assert listed.returncode == 0 and " INFO " in listed.stderr  # the logs went to stderr...
    assert [t["name"] for t in json_lines(listed.stdout)] == ["desk"]  # ...stdout is data
    table = run("tokens", "list").stdout.splitlines()
    assert table[0].split() == ["NAME", "ROLE", "STATE", "CREATED", "REVOKED"] and len(table) == 2


def test_serve_on_a_port_in_use_says_so_in_one_line(make_app: Any) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        app = make_app(SYNDICATE_PORT=str(port), SYNDICATE_HOST="127.0.0.1")
        result = app.test_cli_runner().invoke(args=["serve", "--no-scheduler"])
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: 127.0.0.1:{port} is in use (another syndicate "
                                     "serve?): stop it, or set SYNDICATE_PORT")
