"""Install, list and remove Argos packages; install from the Argos package index.

Every install is checked before anything is touched: a zip within the size limits below (checked
on the sizes its directory declares before a byte is decompressed, so a zip bomb is refused at
once; decompression itself never reads past them), exactly one top-level folder, no path
escaping it, intact CRCs, a metadata.json with the fields argostranslate reads, a
tokenizer and a CTranslate2 model. It is unpacked in a staging folder beside (never inside) the
packages dir, read back with argostranslate's own Package reader, and moved in with one rename:
a stray folder without metadata.json in the packages dir would make argostranslate's listing
fail for every package, so none is ever left there.

Downloads are https only (plain http only to this host, and only when asked, for tests), never
follow a redirect to another scheme, stop at a size cap, and are checked against the index's
sha256 when it gives one; an install without one is reported as unverified.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import languages
from ..errors import PackageError
from .argos import InstalledPackage, argos_package_module, installed_packages

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]  # bytes so far, total (None if unknown)
_CHUNK = 1 << 16
MAX_UNPACKED = 4 << 30  # a package, unpacked (real ones are 100-400 MB)
MAX_FILE = 2 << 30  # one file in it
MAX_FILES = 2000
MAX_RATIO = 100  # uncompressed / compressed, for files over RATIO_FROM bytes
RATIO_FROM = 1 << 20
MAX_METADATA = 1 << 20
MAX_DOWNLOAD = 2 << 30
MAX_INDEX = 16 << 20
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class PackageFile:
    """What an .argosmodel file holds, checked."""

    top: str
    source: str
    target: str
    version: str


def inspect(path: Path) -> PackageFile:
    """Check an .argosmodel file without installing it; raise PackageError saying what is wrong."""
    if not path.is_file():
        raise PackageError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{path}: not a zip archive (an .argosmodel is a zip)")
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n]
        if any(PurePosixPath(n).is_absolute() or ".." in PurePosixPath(n).parts for n in names):
            raise PackageError(f"{path}: an entry points outside the package folder")
        tops = {n.split("/", 1)[0] for n in names}
        if len(tops) != 1 or not any("/" in n for n in names):
            raise PackageError(f"{path}: must hold exactly one top-level folder, "
                               f"found {sorted(tops) or 'none'}")
        top = tops.pop()
        _check_sizes(archive, path)
        members = set(names)
        metadata = _metadata(archive, f"{top}/metadata.json", path)
        if not {f"{top}/sentencepiece.model", f"{top}/bpe.model"} & members:
            raise PackageError(f"{path}: no tokenizer (sentencepiece.model or bpe.model)")
        if f"{top}/model/model.bin" not in members:
            raise PackageError(f"{path}: no CTranslate2 model (model/model.bin)")
        if not any(n.startswith(f"{top}/model/") and "vocabulary" in n for n in names):
            raise PackageError(f"{path}: the model has no vocabulary file")
        try:
            broken = archive.testzip()
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageError(f"{path}: the archive is corrupt: {exc}") from None
        if broken is not None:
            raise PackageError(f"{path}: {broken} is corrupt (bad CRC)")
    try:
        source = languages.from_argos(metadata["from_code"]).tag
        target = languages.from_argos(metadata["to_code"]).tag
    except languages.UnknownLanguage as exc:
        raise PackageError(f"{path}: {exc}") from None
    return PackageFile(top, source, target, str(metadata["package_version"]))


def _check_sizes(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse, from the declared sizes alone, an archive that would unpack too large."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise PackageError(f"{path}: {len(infos)} files; a package may hold {MAX_FILES}")
    total = 0
    for info in infos:
        if info.file_size > MAX_FILE:
            raise PackageError(f"{path}: {info.filename} unpacks to {info.file_size} bytes; "
                               f"at most {MAX_FILE} per file")
        if info.file_size > RATIO_FROM and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError(f"{path}: {info.filename} is compressed "
                               f"{info.file_size // max(info.compress_size, 1)}:1 "
                               f"(at most {MAX_RATIO}:1): a zip bomb?")
        total += info.file_size
    if total > MAX_UNPACKED:
        raise PackageError(f"{path}: unpacks to {total} bytes; at most {MAX_UNPACKED}")


def _metadata(archive: zipfile.ZipFile, name: str, path: Path) -> dict[str, Any]:
    try:
        if archive.getinfo(name).file_size > MAX_METADATA:
            raise PackageError(f"{path}: metadata.json is over {MAX_METADATA} bytes")
        metadata = json.loads(archive.read(name))
    except KeyError:
        raise PackageError(f"{path}: no metadata.json in the package folder") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageError(f"{path}: metadata.json is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise PackageError(f"{path}: metadata.json must be an object")
    for key in ("from_code", "to_code", "package_version"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise PackageError(f"{path}: metadata.json needs a string {key!r}")
    if metadata.get("type", "translate") != "translate":
        raise PackageError(f"{path}: only translate packages are supported")
    return metadata


def install(path: Path, packages_dir: Path) -> InstalledPackage:
    """Install (or upgrade) a package atomically; the pair's older package is replaced."""
    info = inspect(path)
    packages_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".syndicate-staging-", dir=packages_dir.parent))
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        candidate = staging / info.top
        try:
            argos_package_module(packages_dir).Package(candidate)  # argostranslate can read it
        except Exception as exc:  # the reader fails in many ways; all mean "invalid"
            raise PackageError(f"{path}: argostranslate cannot read the package: {exc}") from exc
        retired = staging / ".retired"
        retired.mkdir()
        for old in installed_packages(packages_dir):
            if (old.source, old.target) == (info.source, info.target) \
                    or old.path.name == info.top:
                os.replace(old.path, retired / old.path.name)
        os.replace(candidate, packages_dir / info.top)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = next(p for p in installed_packages(packages_dir) if p.path.name == info.top)
    log.info("installed %s (%s→%s %s)", info.top, info.source, info.target, info.version)
    return installed


def remove(packages_dir: Path, source: str, target: str) -> InstalledPackage:
    """Remove the package for a pair."""
    for package in installed_packages(packages_dir):
        if (package.source, package.target) == (source, target):
            trash = Path(tempfile.mkdtemp(prefix=".syndicate-removed-", dir=packages_dir.parent))
            os.replace(package.path, trash / package.path.name)
            shutil.rmtree(trash, ignore_errors=True)
            log.info("removed %s", package.model_id)
            return package
    raise PackageError(f"no {source}→{target} package is installed")


def size_on_disk(package: InstalledPackage) -> int:
    """Return the bytes a package takes on disk."""
    return sum(f.stat().st_size for f in package.path.rglob("*") if f.is_file())


def require_https(url: str, allow_loopback_http: bool = False) -> None:
    """Raise PackageError unless url is https (or http to this host, when allowed)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise PackageError(f"{url!r} is not a valid URL") from None
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and allow_loopback_http and host in _LOOPBACK:
        return
    raise PackageError(f"{url!r}: packages are fetched over https only")


class _SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to URLs a download may use (never https -> http, file:, ...)."""

    def __init__(self, allow_loopback_http: bool) -> None:
        super().__init__()
        self.allow_loopback_http = allow_loopback_http

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(req.full_url).scheme == "https" \
                and not newurl.startswith("https:"):
            raise PackageError(f"refused a redirect from https to {newurl!r}")
        require_https(newurl, self.allow_loopback_http)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _open(url: str, timeout: float, allow_loopback_http: bool) -> Any:
    require_https(url, allow_loopback_http)
    opener = urllib.request.build_opener(_SameSchemeRedirects(allow_loopback_http))
    return opener.open(url, timeout=timeout)


def fetch_index(url: str, timeout: float = 30, *, allow_loopback_http: bool = False
                ) -> list[dict[str, Any]]:
    """Download and check the Argos package index (at most MAX_INDEX bytes)."""
    try:
        with _open(url, timeout, allow_loopback_http) as response:
            raw = response.read(MAX_INDEX + 1)
        if len(raw) > MAX_INDEX:
            raise PackageError(f"the package index at {url} is over {MAX_INDEX} bytes")
        data = json.loads(raw)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PackageError(f"cannot read the package index at {url}: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise PackageError(f"the package index at {url} is not a list of packages")
    return data


def find(index: list[dict[str, Any]], source: str, target: str) -> dict[str, Any]:
    """Return the newest index entry for a pair (BCP 47 tags)."""
    codes = (languages.resolve(source).argos_code, languages.resolve(target).argos_code)
    found = [e for e in index if (e.get("from_code"), e.get("to_code")) == codes
             and e.get("type", "translate") == "translate" and e.get("links")]
    if not found:
        raise PackageError(f"the package index has no {source}→{target} package")
    return max(found, key=lambda e: _version_key(str(e.get("package_version", "0"))))


def download(entry: dict[str, Any], dest_dir: Path, progress: Progress | None = None,
             timeout: float = 60, *, allow_loopback_http: bool = False) -> Path:
    """Download an index entry to dest_dir, checking length, size and sha256 if given."""
    errors: list[str] = []
    for link in entry["links"]:
        name = PurePosixPath(urllib.parse.urlsplit(str(link)).path).name
        target = dest_dir / (name or "package.argosmodel")
        try:
            _fetch(str(link), target, entry, progress, timeout, allow_loopback_http)
            return target
        except (urllib.error.URLError, OSError, PackageError) as exc:
            target.unlink(missing_ok=True)
            errors.append(f"{link}: {exc}")
    raise PackageError("download failed: " + "; ".join(errors))


def _fetch(link: str, target: Path, entry: dict[str, Any], progress: Progress | None,
           timeout: float, allow_loopback_http: bool) -> None:
    digest = hashlib.sha256()
    received = 0
    with _open(link, timeout, allow_loopback_http) as response, target.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and total > MAX_DOWNLOAD:
            raise PackageError(f"the package is {total} bytes; at most {MAX_DOWNLOAD}")
        while chunk := response.read(_CHUNK):
            if received + len(chunk) > MAX_DOWNLOAD:
                raise PackageError(f"the download passed {MAX_DOWNLOAD} bytes; stopped")
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            if progress:
                progress(received, total)
    if total is not None and received != total:
        raise PackageError(f"truncated download: {received} of {total} bytes")
    if "size" in entry and received != int(entry["size"]):
        raise PackageError(f"size is {received} bytes, the index says {entry['size']}")
    expected = entry.get("sha256") or entry.get("checksum")
    if expected and digest.hexdigest() != str(expected).lower():
        raise PackageError(f"sha256 is {digest.hexdigest()}, the index says {expected}")


def install_from_index(index_url: str, source: str, target: str, packages_dir: Path,
                       progress: Progress | None = None, *, allow_loopback_http: bool = False
                       ) -> tuple[InstalledPackage, bool]:
    """Find, download, check and install the index's package for a pair; return it and
    whether its sha256 was verified (False when the index gives none)."""
    entry = find(fetch_index(index_url, allow_loopback_http=allow_loopback_http), source,
                 target)
    with tempfile.TemporaryDirectory(prefix="syndicate-download-") as tmp:
        path = download(entry, Path(tmp), progress, allow_loopback_http=allow_loopback_http)
        verified = bool(entry.get("sha256") or entry.get("checksum"))
        if not verified:
            log.warning("%s→%s: the index gives no sha256; installed unverified", source,
                        target)
        return install(path, packages_dir), verified


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))
