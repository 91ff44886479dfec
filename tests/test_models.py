"""Model management: install from a file or from the package index, list, upgrade, remove."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from syndicate.errors import PackageError
from syndicate.models import Role
from syndicate.service import Service
from syndicate.testing import argos_builder
from syndicate.translate import packages

from .conftest import json_lines, make_token
from .test_api_articles import article_body


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    return tmp_path / "translations" / "packages"


@pytest.fixture
def models_app(make_app: Callable[..., Flask], packages_dir: Path) -> Flask:
    return make_app(SYNDICATE_PACKAGES_DIR=str(packages_dir), SYNDICATE_TARGET_LANGUAGES="es")


def snapshot(packages_dir: Path) -> list[str]:
    """Return every path under the packages dir and its parent: what an install may touch."""
    root = packages_dir.parent
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def rezip(source: Path, dest: Path, edit: Callable[[str, bytes], tuple[str, bytes] | None]) -> Path:
    """Copy an .argosmodel, letting edit rename, change or drop (None) each member."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            changed = edit(item.filename, zin.read(item))
            if changed is not None:
                zout.writestr(changed[0], changed[1])
    return dest


def test_install_list_translate_and_remove(models_app: Flask, package_files: dict[str, Path],
                                           packages_dir: Path) -> None:
    runner = models_app.test_cli_runner()
    installed = runner.invoke(args=["models", "install", str(package_files["en-es"])])
    assert installed.exit_code == 0, installed.output
    assert "installed en→es 1.0 (translate-en_es-1_0)" in installed.output
    listed = runner.invoke(args=["models", "list"])
    assert listed.stdout.splitlines()[0].split() == ["PAIR", "ENGINE", "VERSION", "MB", "MODEL",
                                                     "SERVES", "NOTE"]
    [row] = json_lines(runner.invoke(args=["models", "list", "--json"]).stdout)
    assert (row["pair"], row["engine"], row["version"], row["model"], row["serves"]) == (
        "en→es", "argos", "1.0", "translate-en_es-1_0", "en→es")
    assert row["size_mb"] > 0
    service: Service = models_app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    models_app.test_client().post("/api/v1/articles", json=article_body(), headers=headers)
    assert runner.invoke(args=["translate"]).output.startswith("1 done")
    removed = runner.invoke(args=["models", "remove", "--from", "en", "--to", "es"])
    assert removed.exit_code == 0 and "removed en→es 1.0" in removed.output
    assert snapshot(packages_dir) == ["packages"]
    again = runner.invoke(args=["models", "remove", "--from", "en", "--to", "es"])
    assert again.exit_code == 1 and "no en→es package is installed" in again.output


def test_installing_a_newer_version_replaces_the_pair(models_app: Flask, tmp_path: Path,
                                                     sp_model: bytes, packages_dir: Path) -> None:
    runner = models_app.test_cli_runner()
    for version in ("1.0", "1.1"):
        path = argos_builder.build_package(tmp_path / version, "en", "es", version=version,
                                           sp_model=sp_model)
        assert runner.invoke(args=["models", "install", str(path)]).exit_code == 0
    listed = json_lines(runner.invoke(args=["models", "list", "--json"]).stdout)
    assert [(r["pair"], r["version"], r["serves"]) for r in listed] == [
        ("en→es", "1.1", "en→es")]  # one package left, and it serves the pair
    assert snapshot(packages_dir)[:2] == ["packages", "packages/translate-en_es-1_1"]


BAD_PACKAGES: list[tuple[str, Callable[[str, bytes], tuple[str, bytes] | None], str]] = [
    ("two top folders", lambda n, d: (n.replace("translate-en_es-1_0/README.md", "other/README.md"),
                                      d), "exactly one top-level folder"),
    ("no metadata", lambda n, d: None if n.endswith("metadata.json") else (n, d),
     "no metadata.json"),
    ("metadata not json", lambda n, d: (n, b"{nope") if n.endswith("metadata.json") else (n, d),
     "metadata.json is not valid JSON"),
    ("metadata without to_code",
     lambda n, d: (n, json.dumps({**json.loads(d), "to_code": None}).encode())
     if n.endswith("metadata.json") else (n, d), "needs a string 'to_code'"),
    ("unknown language", lambda n, d: (n, json.dumps({**json.loads(d), "to_code": "xx"}).encode())
     if n.endswith("metadata.json") else (n, d), "Argos language code 'xx' is not known"),
    ("no tokenizer", lambda n, d: None if n.endswith("sentencepiece.model") else (n, d),
     "no tokenizer"),
    ("no model", lambda n, d: None if n.endswith("model.bin") else (n, d), "no CTranslate2 model"),
    ("no vocabulary", lambda n, d: None if "vocabulary" in n else (n, d), "no vocabulary file"),
    ("path escapes", lambda n, d: (n.replace("translate-en_es-1_0/README.md",
                                             "translate-en_es-1_0/../../evil"), d),
     "points outside the package folder"),
]


@pytest.mark.parametrize("edit,message", [c[1:] for c in BAD_PACKAGES],
                         ids=[c[0] for c in BAD_PACKAGES])
def test_bad_package_is_rejected_and_installed_packages_are_untouched(
        models_app: Flask, package_files: dict[str, Path], packages_dir: Path, tmp_path: Path,
        edit: Callable[[str, bytes], tuple[str, bytes] | None], message: str) -> None:
    runner = models_app.test_cli_runner()
    assert runner.invoke(args=["models", "install", str(package_files["en-fr"])]).exit_code == 0
    before = snapshot(packages_dir)
    bad = rezip(package_files["en-es"], tmp_path / "bad.argosmodel", edit)
    result = runner.invoke(args=["models", "install", str(bad)])
    assert result.exit_code == 1
    assert message in result.output
    assert snapshot(packages_dir) == before
    assert [(r["pair"], r["version"]) for r in json_lines(
        runner.invoke(args=["models", "list", "--json"]).stdout)] == [("en→fr", "1.0")]


def test_not_a_zip_and_a_corrupt_zip_are_rejected(models_app: Flask, tmp_path: Path,
                                                  package_files: dict[str, Path],
                                                  packages_dir: Path) -> None:
    runner = models_app.test_cli_runner()
    text = tmp_path / "notes.argosmodel"
    text.write_text("hello")
    assert "not a zip archive" in runner.invoke(args=["models", "install", str(text)]).output
    corrupt = tmp_path / "corrupt.argosmodel"
    data = bytearray(package_files["en-es"].read_bytes())
    with zipfile.ZipFile(package_files["en-es"]) as zf:
        info = zf.getinfo("translate-en_es-1_0/model/model.bin")
    data[info.header_offset + 200] ^= 0xFF  # flip a byte inside the stored model
    corrupt.write_bytes(bytes(data))
    result = runner.invoke(args=["models", "install", str(corrupt)])
    assert result.exit_code == 1 and "corrupt" in result.output
    assert snapshot(packages_dir) in ([], ["packages"])


class _IndexHandler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    lie_about_length: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        length = len(body) + (1000 if self.path in self.lie_about_length else 0)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def fake_index(package_files: dict[str, Path]) -> Iterator[tuple[str, type[_IndexHandler]]]:
    """Serve an Argos-style index and packages on 127.0.0.1."""
    class Handler(_IndexHandler):
        files: dict[str, bytes] = {}
        lie_about_length: set[str] = set()

    handler = Handler
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    data = package_files["en-es"].read_bytes()
    handler.files["/translate-en_es-1_0.argosmodel"] = data
    entry = {"package_version": "1.0", "argos_version": "1.9", "from_code": "en",
             "from_name": "English", "to_code": "es", "to_name": "Spanish", "type": "translate",
             "links": [f"{base}/translate-en_es-1_0.argosmodel"], "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest()}
    handler.files["/index.json"] = json.dumps([entry]).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, handler
    server.shutdown()
    server.server_close()


def test_install_from_the_index(make_app: Callable[..., Flask], packages_dir: Path,
                                fake_index: tuple[str, type[_IndexHandler]]) -> None:
    base, _ = fake_index
    app = make_app(SYNDICATE_PACKAGES_DIR=str(packages_dir),
                   SYNDICATE_ARGOS_INDEX_URL=f"{base}/index.json",
                   SYNDICATE_ARGOS_LOOPBACK_HTTP="1")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["models", "install", "--from", "en", "--to", "es"])
    assert result.exit_code == 0, result.output
    assert "installed en→es 1.0" in result.stdout
    missing = runner.invoke(args=["models", "install", "--from", "en", "--to", "fr"])
    assert missing.exit_code == 1 and "the package index has no en→fr package" in missing.output


@pytest.mark.parametrize("damage,message", [
    ("checksum", "sha256 is"),
    ("truncated", "download failed"),
    ("size", "the index says"),
])
def test_index_download_checks_leave_nothing_installed(
        make_app: Callable[..., Flask], packages_dir: Path,
        fake_index: tuple[str, type[_IndexHandler]], damage: str, message: str) -> None:
    base, handler = fake_index
    index = json.loads(handler.files["/index.json"])
    if damage == "checksum":
        index[0]["sha256"] = "0" * 64
    elif damage == "size":
        index[0]["size"] += 1
    else:
        handler.lie_about_length.add("/translate-en_es-1_0.argosmodel")
    handler.files["/index.json"] = json.dumps(index).encode()
    app = make_app(SYNDICATE_PACKAGES_DIR=str(packages_dir),
                   SYNDICATE_ARGOS_INDEX_URL=f"{base}/index.json",
                   SYNDICATE_ARGOS_LOOPBACK_HTTP="1")
    result = app.test_cli_runner().invoke(args=["models", "install", "--from", "en", "--to", "es"])
    assert result.exit_code == 1 and message in result.output
    assert snapshot(packages_dir) in ([], ["packages"])


def test_index_that_is_down_is_a_clear_error(make_app: Callable[..., Flask],
                                             packages_dir: Path) -> None:
    app = make_app(SYNDICATE_PACKAGES_DIR=str(packages_dir),
                   SYNDICATE_ARGOS_INDEX_URL="http://127.0.0.1:9/index.json",
                   SYNDICATE_ARGOS_LOOPBACK_HTTP="1")
    result = app.test_cli_runner().invoke(args=["models", "install", "--from", "en", "--to", "es"])
    assert result.exit_code == 1 and "cannot read the package index" in result.output


def test_unavailable_article_is_translated_once_the_package_is_installed(
        models_app: Flask, package_files: dict[str, Path]) -> None:
    service: Service = models_app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    models_app.test_client().post("/api/v1/articles", json=article_body(), headers=headers)
    runner: FlaskCliRunner = models_app.test_cli_runner()
    assert "1 unavailable" in runner.invoke(args=["translate"]).output
    runner.invoke(args=["models", "install", str(package_files["en-es"])])
    assert runner.invoke(args=["translate"]).output.startswith("1 done")


def test_usage_errors(models_app: Flask, package_files: dict[str, Path]) -> None:
    runner = models_app.test_cli_runner()
    assert runner.invoke(args=["models", "install"]).exit_code == 2
    both = runner.invoke(args=["models", "install", str(package_files["en-es"]), "--from", "en",
                               "--to", "es"])
    assert both.exit_code == 2
    bad_lang = runner.invoke(args=["models", "install", "--from", "en", "--to", "xx!"])
    assert bad_lang.exit_code == 2 and "--to" in bad_lang.output


def test_downloads_are_https_only_unless_a_test_asks(
        make_app: Callable[..., Flask], packages_dir: Path,
        fake_index: tuple[str, type[_IndexHandler]]) -> None:
    base, _ = fake_index
    app = make_app(SYNDICATE_PACKAGES_DIR=str(packages_dir),
                   SYNDICATE_ARGOS_INDEX_URL=f"{base}/index.json")
    result = app.test_cli_runner().invoke(args=["models", "install", "--from", "en", "--to", "es"])
    assert result.exit_code == 1 and "https only" in result.output
    for url in ("ftp://example.org/p.argosmodel", "file:///etc/passwd",
                "http://example.org/p.argosmodel"):
        with pytest.raises(PackageError, match="https only"):
            packages.require_https(url, allow_loopback_http=True)


def test_redirects_never_leave_https(fake_index: tuple[str, type[_IndexHandler]]) -> None:
    import urllib.request

    handler = packages._SameSchemeRedirects(allow_loopback_http=True)
    request = urllib.request.Request("https://packages.example.org/p.argosmodel")
    for newurl in ("http://packages.example.org/p.argosmodel", "file:///etc/passwd"):
        with pytest.raises(PackageError, match="refused a redirect|https only"):
            handler.redirect_request(request, None, 302, "Found", {}, newurl)
    base, served = fake_index  # a loopback server redirecting to a file: URL
    served.files["/moved"] = b""
    with pytest.raises(PackageError):
        packages.require_https("file:///etc/passwd", allow_loopback_http=True)


def test_an_install_without_a_checksum_is_reported_unverified(
        make_app: Callable[..., Flask], packages_dir: Path,
        fake_index: tuple[str, type[_IndexHandler]]) -> None:
    base, handler = fake_index
    index = json.loads(handler.files["/index.json"])
    del index[0]["sha256"]
    handler.files["/index.json"] = json.dumps(index).encode()
    app = make_app(SYNDICATE_PACKAGES_DIR=str(packages_dir),
                   SYNDICATE_ARGOS_INDEX_URL=f"{base}/index.json",
                   SYNDICATE_ARGOS_LOOPBACK_HTTP="1")
    result = app.test_cli_runner().invoke(args=["models", "install", "--from", "en", "--to", "es"])
    assert result.exit_code == 0, result.output
    assert "unverified: the index gives no sha256" in result.stdout


def _declared_bomb(path: Path, entries: int, declared: int) -> None:
    """Write a package whose zip directory declares ``declared`` bytes per entry."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pkg/metadata.json", json.dumps(
            {"from_code": "en", "to_code": "es", "package_version": "1.0"}))
        for n in range(entries):
            archive.writestr(f"pkg/model/blob{n}.bin", b"")
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = int.from_bytes(data[start + (26 if offset == 22 else 28):][:2], "little")
            name = bytes(data[start + (30 if offset == 22 else 46):][:name_length])
            if b"blob" in name:
                data[start + offset:start + offset + 4] = declared.to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))


def test_a_zip_bomb_is_refused_at_once_and_nothing_is_touched(
        models_app: Flask, tmp_path: Path, package_files: dict[str, Path]) -> None:
    runner = models_app.test_cli_runner()
    packages_dir = Path(models_app.extensions["syndicate"].settings.translation.packages_dir)
    assert runner.invoke(args=["models", "install", str(package_files["en-es"])]).exit_code == 0
    before = snapshot(packages_dir)
    bomb = tmp_path / "bomb.argosmodel"
    _declared_bomb(bomb, entries=10, declared=1 << 30)  # 10 GB when unpacked
    result = runner.invoke(args=["models", "install", str(bomb)])
    assert result.exit_code == 1
    assert "unpacks to" in result.output or "zip bomb" in result.output
    dense = tmp_path / "dense.argosmodel"  # a real, honest entry of 64 MB of zeros
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/metadata.json", "{}")
        archive.writestr("pkg/model/model.bin", bytes(64 << 20))
    result = runner.invoke(args=["models", "install", str(dense)])
    assert result.exit_code == 1 and "zip bomb" in result.output
    assert snapshot(packages_dir) == before


def test_test_packages_are_labelled_and_removing_a_package_retranslates_its_work(
        models_app: Flask, package_files: dict[str, Path]) -> None:
    runner = models_app.test_cli_runner()
    installed = runner.invoke(args=["models", "install", str(package_files["en-es"])])
    assert "; a test package (copy), not a translation model" in installed.output
    listed = runner.invoke(args=["models", "list"]).output
    assert "  test package (copy): not a translation model" in listed
    service: Service = models_app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    client = models_app.test_client()
    article = client.post("/api/v1/articles", json=article_body(), headers=headers).get_json()
    service.pipeline.translate_pending()
    status = client.get("/api/v1/status", headers=headers).get_json()
    es = next(lang for lang in status["languages"] if lang["language"] == "es")
    assert es["model"]["test_package"] is True
    removed = runner.invoke(args=["models", "remove", "--from", "en", "--to", "es"])
    assert "1 translation(s) by translate-en_es-1_0@1.0 queued again" in removed.output
    service.pipeline.translate_pending()
    got = client.get(f"/api/v1/articles/{article['id']}/translations/es",
                     headers=headers).get_json()
    assert got["status"] == "unavailable"  # out of the feed until another model serves it
