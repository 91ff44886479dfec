"""Bounded resources: slow and half-open clients and huge bodies cannot take the service down."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from flask import Flask

from syndicate.cli import server_options
from syndicate.services import Services


@pytest.fixture
def served(app: Flask, services: Services) -> Iterator[int]:
    """Serve the app with waitress and the options `syndicate serve` uses, on a free port."""
    from waitress.server import TcpWSGIServer, create_server

    options = {**server_options(services.settings), "host": "127.0.0.1", "port": 0}
    server = create_server(app, **options)
    assert isinstance(server, TcpWSGIServer)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    server.close()
    thread.join(timeout=5)


def test_health_answers_within_a_second_with_200_half_open_connections(served: int) -> None:
    idle: list[socket.socket] = []
    try:
        for _ in range(200):
            conn = socket.create_connection(("127.0.0.1", served), timeout=5)
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
            idle.append(conn)
        start = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{served}/healthz", timeout=1) as answer:
            assert answer.status == 200
        assert time.monotonic() - start < 1
    finally:
        for conn in idle:
            conn.close()


def test_a_huge_body_is_refused_before_it_is_read(served: int, services: Services) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as conn:
        conn.sendall(b"POST /api/v1/articles HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: 10000000000\r\n\r\n" + b"x" * 65536)
        start = time.monotonic()
        answer = conn.recv(4096)
        assert time.monotonic() - start < 2
    assert answer.startswith(b"HTTP/1.1 413")  # 10 GB announced: nothing buffered, nothing stored
    assert services.settings.max_body_bytes < 10_000_000_000
