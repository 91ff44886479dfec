"""Write published files atomically, and only when their content changed.

The only module in publish/ that touches the disk. A file is written to a temporary file in the
same folder, flushed and fsynced, checked (parsed) and then renamed over the old one, so a crash
at any moment leaves either the old or the new complete file, never a torn one. Unchanged
content is not rewritten, so mtime, ETag and Last-Modified stay put and pollers get 304s.
Beside each file goes its gzip twin (``name.gz``, written the same way) for nginx's
``gzip_static``; a twin left stale by a crash between the two renames is rewritten next time.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from ..errors import PublishError


def check_xml(data: bytes) -> None:
    """Raise unless data is well-formed XML."""
    try:
        etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise PublishError(f"invalid XML: {exc}") from exc


def check_json(data: bytes) -> None:
    """Raise unless data is valid JSON."""
    try:
        json.loads(data)
    except ValueError as exc:
        raise PublishError(f"invalid JSON: {exc}") from exc


def check_nothing(data: bytes) -> None:
    """Accept any bytes (plain text: robots.txt)."""


def check_for(name: str) -> Callable[[bytes], None]:
    """Return the check for a file by its name: JSON, plain text, or else XML."""
    if name.endswith(".json"):
        return check_json
    return check_nothing if name.endswith(".txt") else check_xml


def write_if_changed(path: Path, data: bytes, check: Callable[[bytes], None]) -> bool:
    """Replace path (and its .gz twin) atomically unless it holds exactly data; say whether
    the file itself was written."""
    changed = _read(path) != data
    if changed:
        check(data)
        replace(path, data)
    twin = path.with_name(path.name + ".gz")
    packed = _read(twin)
    if changed or packed is None or _gunzip(packed) != data:
        replace(twin, gzip.compress(data, compresslevel=9, mtime=0))
    return changed


def remove(path: Path) -> bool:
    """Delete path and its .gz twin; say whether the file was there."""
    path.with_name(path.name + ".gz").unlink(missing_ok=True)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    _fsync_dir(path.parent)
    return True


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _gunzip(data: bytes) -> bytes | None:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return None


def replace(path: Path, data: bytes) -> None:
    """Write path whole or not at all: a synced temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
