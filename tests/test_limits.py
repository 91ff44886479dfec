"""Bounded resources: slow and half-open clients and huge bodies cannot take the service down."""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from flask import Flask
from waitress.server import TcpWSGIServer

from syndicate.service import EXTENSION_KEY, Service
from syndicate.testing.upstream import wait_until
from syndicate.web import server


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[int]:
    """Serve the app as `syndicate serve` does, on a free port; stopped from its own loop."""
    settings = app.extensions[EXTENSION_KEY].settings
    running = server.create(app, settings, host="127.0.0.1", port=0)
    assert isinstance(running, TcpWSGIServer)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        yield int(running.getsockname()[1])
    finally:
        server.stop(running, thread)
    assert not thread.is_alive()


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    """The app served as `syndicate serve` does."""
    with serving(app) as port:
        yield port


def _drip_headers(port: int, stop: threading.Event, started: list[bool],
                  closed: list[bool]) -> None:
    """Send a request's header one line every 0.2 s until the server hangs up or stop."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        try:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            started.append(True)
            for number in range(1500):  # 5 minutes at most
                if stop.wait(0.2):
                    return
                conn.sendall(b"X-Drip-%d: y\r\n" % number)
        except OSError:  # reset or broken pipe: the server hung up
            closed.append(True)


def test_a_dripping_header_is_cut_off_and_cannot_lock_out_others(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_HEADER_TIMEOUT="2", SYNDICATE_CONNECTION_LIMIT="10",
                   SYNDICATE_CHANNEL_TIMEOUT="600")
    stop = threading.Event()
    started: list[bool] = []
    closed: list[bool] = []
    with serving(app) as port:
        drippers = [threading.Thread(target=_drip_headers, args=(port, stop, started, closed))
                    for _ in range(11)]  # more than the connection limit
        for dripper in drippers:
            dripper.start()
        try:
            assert wait_until(lambda: len(started) == 11)
            # answered once the drippers are cut off (they would drip for 5 minutes)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                        timeout=120) as answer:
                assert answer.status == 200
            for dripper in drippers:
                dripper.join(timeout=120)  # each ends when the server hangs up on it
        finally:
            stop.set()
            for dripper in drippers:
                dripper.join()
    assert len(closed) == 11  # every dripping connection was closed by the server


def test_proxy_hops_are_honoured_under_serve(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_PROXY_HOPS="1", SYNDICATE_AUTH_FAILURES="10")

    def bad_token(client_address: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/articles",
            headers={"Authorization": "Bearer syn_wrong", "X-Forwarded-For": client_address})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    with serving(app) as port:
        first = [bad_token("203.0.113.1") for _ in range(11)]
        other = bad_token("203.0.113.2")  # another client behind the same proxy
    assert first[:10] == [401] * 10 and first[10] == 429
    assert other == 401


def test_health_answers_with_200_half_open_connections(served: int) -> None:
    idle: list[socket.socket] = []
    try:
        for _ in range(200):
            conn = socket.create_connection(("127.0.0.1", served), timeout=5)
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
            idle.append(conn)
        # answered while all 200 are still open (no worker waits on one: timings are bench/'s)
        with urllib.request.urlopen(f"http://127.0.0.1:{served}/healthz", timeout=30) as answer:
            assert answer.status == 200
        assert all(conn.fileno() != -1 for conn in idle)
    finally:
        for conn in idle:
            conn.close()


def test_a_huge_body_is_refused_before_it_is_read(served: int, service: Service) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as conn:
        conn.sendall(b"POST /api/v1/articles HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: 10000000000\r\n\r\n" + b"x" * 65536)
        answer = conn.recv(4096)  # the 413 comes before the body: recv would time out else
    assert answer.startswith(b"HTTP/1.1 413")  # 10 GB announced: nothing buffered, nothing stored
    assert service.settings.server.max_body_bytes < 10_000_000_000


def test_the_server_stops_even_when_its_wakeup_pipe_is_gone(app: Flask) -> None:
    """A double close elsewhere in the process can take the loop's trigger fd; stopping must
    still end the loop (CI once saw EBADF here at teardown)."""
    settings = app.extensions[EXTENSION_KEY].settings
    running = server.create(app, settings, host="127.0.0.1", port=0)
    assert isinstance(running, TcpWSGIServer)
    port = int(running.getsockname()[1])
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    trigger: Any = cast(Any, running).trigger  # waitress types it loosely
    trigger.pull_trigger(trigger.close)  # closed by the loop itself, between two turns
    assert wait_until(lambda: trigger._closed, timeout=10)
    server.stop(running, thread)
    assert not thread.is_alive()
    with socket.socket() as probe:  # and the port is closed
        assert probe.connect_ex(("127.0.0.1", port)) != 0
