"""One safe, conditional GET of an upstream feed (the network edge; miniflux's fetcher).

requests-hardened resolves each host once, checks the address and pins the connection to it,
on every hop: redirects are followed here, one at a time, so each is checked the same way (at
most ``max_redirects``, http(s) only, never from https down to http). ``syndicate.addresses``
is checked on top of the library's own list; its allowlist pins the connection too. The body is
read in pieces against one deadline and a byte cap that counts decompressed bytes, so a slow
drip, a huge body or a gzip bomb ends with a clear error, never a stuck thread or lost memory.
"""

from __future__ import annotations

import dataclasses
import email.utils
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests_hardened import ip_filter
from requests_hardened.ip_filter_adapter import IPFilterAdapter

from .. import addresses
from ..errors import FetchFailed, FetchRefused, FetchTooLarge, SourceError
from .watchdog import POOL_CLASSES, Watchdog

REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
PIECE = 64 * 1024
USER_AGENT = "syndicate-feed-fetcher/1 (+https://github.com/syndicate)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


@dataclass(frozen=True)
class Limits:
    """How long and how much one fetch may take (SYNDICATE_FETCH_*)."""

    timeout: float = 20.0  # the whole fetch, headers and body, redirects included
    connect_timeout: float = 10.0
    max_bytes: int = 15 * 1024 * 1024  # after decompression
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """What a conditional GET brought back: a body (200) or nothing new (304)."""

    status: int
    url: str  # after redirects
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    max_age: int | None = None  # Cache-Control: max-age, seconds
    retry_after: int | None = None  # seconds
    moved_to: str | None = None  # the new URL when every redirect was permanent


class _GuardedAdapter(IPFilterAdapter):  # type: ignore[misc]  # the library has no types
    """requests-hardened's pinning adapter, checked against syndicate.addresses as well, with
    the operator's allowlist as the only way to a non-public address."""

    def __init__(self, *, https: bool, allowlist: Sequence[str]) -> None:
        super().__init__(is_https_proto=https, allow_loopback=False)
        self.https = https
        self.allowlist = tuple(allowlist)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES  # sockets the watchdog sees

    def build_connection_pool_key_attributes(
            self, request: requests.PreparedRequest, verify: bool | str,
            cert: str | tuple[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = urlsplit(request.url or "")
        host = parts.hostname or ""
        port = parts.port or (443 if self.https else 80)
        address = _resolve(host, port)
        reason = addresses.refusal(address)
        if reason is None:
            try:
                host_params, pool_kwargs = super().build_connection_pool_key_attributes(
                    request, verify, cert)
            except ip_filter.InvalidIPAddress as exc:  # the name moved between two lookups
                raise FetchRefused(f"{host} resolves to {exc}, which is not public") from None
            pinned = addresses.parse(str(host_params["host"]).strip("[]"))
            if (late := addresses.refusal(pinned)) is not None:
                raise FetchRefused(f"{host} resolves to {pinned}: {late}")
            return host_params, pool_kwargs
        if not addresses.allowed(host, port, address, self.allowlist):
            where = f"{host} is a" if host.strip("[]") == str(address) \
                else f"{host} resolves to {address}, a"
            raise FetchRefused(f"{where} {reason}; refused (not in the allowlist)")
        return self._pinned(request, verify, cert, host, address)

    def _pinned(self, request: requests.PreparedRequest, verify: bool | str,
                cert: str | tuple[str, str] | None, host: str,
                address: addresses.Address) -> tuple[dict[str, Any], dict[str, Any]]:
        """Connect to the very address checked (as requests-hardened does for public ones)."""
        params, kwargs = HTTPAdapter.build_connection_pool_key_attributes(self, request, verify,
                                                                          cert)
        host_params: dict[str, Any] = dict(params)
        pool_kwargs: dict[str, Any] = dict(kwargs)
        request.headers = CaseInsensitiveDict(request.headers or {})
        header = f"[{host}]" if ":" in host else host
        if host_params.get("port") is not None:
            header += f":{host_params['port']}"
        request.headers["Host"] = header
        if self.https:
            pool_kwargs["assert_hostname"] = host
            pool_kwargs["server_hostname"] = host
        host_params["host"] = f"[{address}]" if address.version == 6 else str(address)
        return host_params, pool_kwargs


def _resolve(host: str, port: int) -> addresses.Address:
    """Resolve a host the way the connection will (the first address), or raise FetchFailed."""
    if not host:
        raise FetchRefused("the URL has no host")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"cannot resolve {host}: {exc}") from None
    return addresses.parse(str(infos[0][4][0]))


class Client:
    """Fetches feeds within Limits; one instance is shared by the poller's threads."""

    def __init__(self, limits: Limits, allowlist: Sequence[str] = (),
                 ca_bundle: Path | None = None) -> None:
        self.limits = limits
        self.allowlist = tuple(allowlist)
        self.verify: bool | str = str(ca_bundle) if ca_bundle else True
        self._lock = threading.Lock()
        self._running: set[Watchdog] = set()

    def abort(self) -> None:
        """End every fetch under way now (a stop); each fails as timed out."""
        with self._lock:
            running = list(self._running)
        for watchdog in running:
            watchdog.fire()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            allow: Sequence[str] = ()) -> Fetched:
        """Fetch url conditionally within the deadline, whatever the server does; raise a
        SourceError saying what went wrong."""
        watchdog = Watchdog(self.limits.timeout)
        with self._lock:
            self._running.add(watchdog)
        try:
            with watchdog.running():
                return self._get(url, etag, last_modified, allow, watchdog)
        except SourceError:
            raise
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
                OSError) as exc:
            if watchdog.fired:
                raise FetchFailed(f"timed out after {self.limits.timeout:g} s") from None
            raise FetchFailed(f"connection failed: {_reason(exc)}") from None
        finally:
            with self._lock:
                self._running.discard(watchdog)

    def _get(self, url: str, etag: str | None, last_modified: str | None,
             allow: Sequence[str], watchdog: Watchdog) -> Fetched:
        deadline = time.monotonic() + self.limits.timeout
        allowlist = self._allowlist(url, allow)
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with requests.Session() as session:
            session.trust_env = False  # no proxy, .netrc or CA bundle from the environment
            session.verify = self.verify
            session.mount("http://", _GuardedAdapter(https=False, allowlist=allowlist))
            session.mount("https://", _GuardedAdapter(https=True, allowlist=allowlist))
            permanent = True
            current = url
            for _hop in range(self.limits.max_redirects + 1):
                _check_scheme(current)
                response = self._send(session, current, headers, deadline, watchdog)
                if response.status_code in REDIRECTS and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    response.close()
                    if urlsplit(current).scheme == "https" and \
                            urlsplit(target).scheme == "http":
                        raise FetchRefused(f"redirect from https to http ({target}) refused")
                    permanent = permanent and response.status_code in PERMANENT
                    current = target
                    continue
                with response:
                    return self._finish(response, url, current, permanent, deadline, watchdog)
        raise FetchRefused(f"more than {self.limits.max_redirects} redirects")

    def _allowlist(self, url: str, own: Sequence[str]) -> tuple[str, ...]:
        """Return the allowlist for every hop of a fetch of url. A public origin gets none,
        so it can never redirect into the private network; a private one gets its source's
        own entries, and the global ones only when url itself is inside them."""
        _check_scheme(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        origin = _resolve(host, port)
        if addresses.refusal(origin) is None:
            return ()
        inside = addresses.allowed(host, port, origin, self.allowlist)
        return (*own, *(self.allowlist if inside else ()))

    def _send(self, session: requests.Session, url: str, headers: dict[str, str],
              deadline: float, watchdog: Watchdog) -> requests.Response:
        left = deadline - time.monotonic()
        if left <= 0 or watchdog.fired:
            raise FetchFailed(f"timed out after {self.limits.timeout:g} s")
        try:
            return session.get(url, headers=headers, stream=True, allow_redirects=False,
                               timeout=(min(self.limits.connect_timeout, left), left))
        except SourceError:
            raise
        except requests.exceptions.RequestException as exc:
            raise self._failure(exc, watchdog) from None

    def _failure(self, exc: requests.exceptions.RequestException,
                 watchdog: Watchdog) -> SourceError:
        """Say what a failed request means: the deadline, the connection or the URL."""
        if watchdog.fired:
            return FetchFailed(f"timed out after {self.limits.timeout:g} s")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return FetchFailed(f"no connection within {self.limits.connect_timeout:g} s")
        if isinstance(exc, requests.exceptions.Timeout):
            return FetchFailed(f"timed out after {self.limits.timeout:g} s")
        if isinstance(exc, requests.exceptions.InvalidURL):
            return FetchRefused(f"invalid URL: {exc}")
        return FetchFailed(f"connection failed: {_reason(exc)}")

    def _finish(self, response: requests.Response, asked: str, final: str, permanent: bool,
                deadline: float, watchdog: Watchdog) -> Fetched:
        if watchdog.fired:  # the headers were cut off at the deadline: nothing here is whole
            raise FetchFailed(f"timed out after {self.limits.timeout:g} s")
        status = response.status_code
        headers = response.headers
        retry_after = _retry_after(headers.get("retry-after"))
        meta = Fetched(status=status, url=final, etag=headers.get("etag"),
                       last_modified=headers.get("last-modified"),
                       max_age=_max_age(headers.get("cache-control")), retry_after=retry_after,
                       moved_to=final if permanent and final != asked else None)
        if status == 304:
            return meta
        if status != 200:
            fault = 400 <= status < 500 and status not in (408, 425, 429)
            raise FetchFailed(f"HTTP {status} {response.reason or ''}".strip(),
                              retry_after=retry_after, status=status, feed_fault=fault)
        body = self._read(response, deadline, watchdog)
        return dataclasses.replace(meta, body=body, content_type=headers.get("content-type"))

    def _read(self, response: requests.Response, deadline: float, watchdog: Watchdog) -> bytes:
        """Read the body (decompressed) within the deadline and the byte cap."""
        raw = response.raw
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and "content-encoding" not in response.headers \
                and int(declared) > self.limits.max_bytes:
            raise FetchTooLarge(f"body of {int(declared)} bytes is over the limit of "
                                f"{self.limits.max_bytes}")
        sock = getattr(getattr(raw, "_connection", None), "sock", None)
        pieces: list[bytes] = []
        size = 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise FetchFailed(f"body not complete after {self.limits.timeout:g} s")
                if sock is not None:
                    sock.settimeout(left)
                piece = raw.read1(PIECE, decode_content=True)
                if not piece:
                    break
                size += len(piece)
                if size > self.limits.max_bytes:
                    raise FetchTooLarge(f"body is over the limit of {self.limits.max_bytes} "
                                        "bytes (after decompression)")
                pieces.append(piece)
        except (TimeoutError, urllib3.exceptions.ReadTimeoutError):
            raise FetchFailed(f"body not complete after {self.limits.timeout:g} s") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if watchdog.fired:
                raise FetchFailed(f"body not complete after {self.limits.timeout:g} s") \
                    from None
            raise FetchFailed(f"body could not be read: {_reason(exc)}") from None
        if watchdog.fired:  # a read cut off at the deadline may look like the end: it is not
            raise FetchFailed(f"body not complete after {self.limits.timeout:g} s")
        return b"".join(pieces)


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https URLs are fetched, not {parts.scheme or url!r}")
    if parts.username or parts.password:
        raise FetchRefused("URLs with credentials are not fetched")


def _reason(exc: BaseException) -> str:
    """Return the innermost reason of a requests/urllib3 error, shortly."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "reason", None) or inner.__context__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    return str(inner)[:300] or type(inner).__name__


def seconds(text: str) -> int | None:
    """Return a count of seconds written as at most 10 ASCII digits, else None (invalid)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def _max_age(value: str | None) -> int | None:
    for part in (value or "").split(","):
        key, _, number = part.strip().partition("=")
        if key.lower() in ("max-age", "s-maxage") and (found := seconds(number)) is not None:
            return found
    return None


def _retry_after(value: str | None) -> int | None:
    """Return Retry-After in seconds (it may be seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return seconds(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, int((moment - datetime.now(UTC)).total_seconds()))
