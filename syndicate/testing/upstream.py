"""Real HTTP servers that play upstream feeds, polite or hostile, for the tests and bench/.

They listen on 127.0.0.2 by default (any 127/8 address is local on Linux): tests allowlist that
one address, so a redirect to 127.0.0.1, [::1] or a private address is still refused.
"""

from __future__ import annotations

import email.utils
import gzip
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.2"
Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Document:
    """A feed served with an ETag and Last-Modified, answering conditional GETs with 304."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: bool = True
    last_modified: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    version: int = 1

    def replace(self, body: bytes) -> None:
        """Serve a new body (a new ETag and date)."""
        self.body = body
        self.version += 1

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        tag = f'"v{self.version}-{len(self.body)}"'
        stamp = email.utils.formatdate(1_700_000_000 + self.version * 60, usegmt=True)
        fresh = (self.etag and handler.headers.get("If-None-Match") == tag) or (
            not self.etag and self.last_modified
            and handler.headers.get("If-Modified-Since") == stamp)
        handler.send_response(304 if fresh else 200)
        if self.etag:
            handler.send_header("ETag", tag)
        if self.last_modified:
            handler.send_header("Last-Modified", stamp)
        for key, value in self.headers.items():
            handler.send_header(key, value)
        if fresh:
            handler.end_headers()
            return
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Handler:
    """Answer with a status, headers and a short body."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return handle


def redirect(location: str, code: int = 302) -> Handler:
    """Redirect to location."""
    return status(code, {"Location": location})


def huge(size: int) -> Handler:
    """Stream size bytes of a never-ending RSS document, without a Content-Length."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        handler.wfile.write(b"<rss version='2.0'><channel><title>x</title>")
        chunk = b"<item><title>filler</title></item>" * 2000
        sent = 0
        try:
            while sent < size:
                handler.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should

    return handle


def gzip_bomb(size: int) -> Handler:
    """Send a small gzip body that inflates to size bytes."""
    payload = gzip.compress(b"<rss version='2.0'><channel>" + b" " * size, compresslevel=9)

    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        try:
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handle


def drip(body: bytes, every: float, stop: threading.Event) -> Handler:
    """Send body one byte every ``every`` seconds (a slowloris upstream)."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            for byte in body:
                if stop.wait(every):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handle


def _trickle(handler: BaseHTTPRequestHandler, opening: bytes, piece: bytes, every: float,
             stop: threading.Event) -> None:
    """Write opening, then piece every ``every`` seconds until stop (or the client leaves)."""
    try:
        handler.wfile.write(opening)
        handler.wfile.flush()
        while not stop.wait(every):
            handler.wfile.write(piece)
            handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass


def header_drip(every: float, stop: threading.Event) -> Handler:
    """Send a status line, then header bytes one every ``every`` seconds, never ending."""
    return lambda handler: _trickle(handler, b"HTTP/1.1 200 OK\r\n", b"X", every, stop)


def chunk_drip(every: float, stop: threading.Event) -> Handler:
    """Send chunked headers, then a chunk-size line one digit every ``every`` seconds."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        _trickle(handler, b"5\r\n<rss \r\n", b"0", every, stop)

    return handle


class Upstream:
    """A threaded HTTP server with a route table; records each request's path and headers."""

    def __init__(self, host: str = HOST, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        upstream = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                upstream.requests.append((self.path, dict(self.headers.items())))
                route = upstream.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    status(404, body=b"not found")(self)
                else:
                    route(self)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hangs up (as a refusing fetcher does) is no error here

        self.server = _Server((host, 0), _Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:  # HTTPS: the listening socket does the handshake per connection
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.host = host
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        """Return how many requests asked for path."""
        return sum(1 for p, _ in self.requests if p.split("?", 1)[0] == path)

    def start(self) -> Upstream:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serving(host: str = HOST, tls: ssl.SSLContext | None = None) -> Iterator[Upstream]:
    """Run an Upstream (HTTPS with a server context) for the length of a with block."""
    upstream = Upstream(host, tls).start()
    try:
        yield upstream
    finally:
        upstream.stop()


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll check until it holds or timeout passes; return whether it held."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()
