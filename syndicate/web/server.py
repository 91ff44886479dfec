"""waitress as ``syndicate serve`` runs it: bounded bodies and connections, a total deadline
for each request's headers, the proxy's headers kept for ProxyFix, and a clean stop.

waitress closes a connection only after ``channel_timeout`` seconds without activity, so a
client that sends one header byte every few seconds would hold its connection (and, past
``connection_limit``, everyone else's) for ever. Here each request's headers must be complete
within ``SYNDICATE_HEADER_TIMEOUT`` seconds of its first byte, however they trickle.
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from typing import Any, cast

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from ..config import Settings

Server = TcpWSGIServer | MultiSocketServer


def in_use(settings: Settings) -> bool:
    """Say whether another process listens on the address serve would take (waitress leaves
    its socket open when its bind fails, so the address is tried first)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        settings.server.host, settings.server.port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def options(settings: Settings) -> dict[str, Any]:
    """Return waitress's options: bounded bodies, idle connections and connection count."""
    return {
        "host": settings.server.host, "port": settings.server.port, "threads": 8,
        "ident": "syndicate",
        # a body over the limit is refused while it arrives, never buffered whole first
        "max_request_body_size": settings.server.max_body_bytes,
        "max_request_header_size": 64 * 1024,
        # idle connections are closed after this many seconds, dripping headers after
        # SYNDICATE_HEADER_TIMEOUT (checked every second)...
        "channel_timeout": settings.server.channel_timeout, "cleanup_interval": 1,
        # ...and many of them cannot lock out everyone else
        "connection_limit": settings.server.connection_limit,
        # behind a proxy, its X-Forwarded-* headers reach ProxyFix (SYNDICATE_PROXY_HOPS);
        # otherwise waitress drops them, so a client cannot claim another address
        "clear_untrusted_proxy_headers": settings.server.proxy_hops == 0,
    }


class _Channel(HTTPChannel):
    """A connection that remembers when its current request's first byte came."""

    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.monotonic()
        done: bool = super().received(data)
        return done


class _Server(TcpWSGIServer):
    """A listening socket whose maintenance also ends requests with late headers."""

    channel_class = _Channel
    header_timeout = 10.0

    def maintenance(self, now: int) -> None:  # waitress passes time.time(), a float
        super().maintenance(now)
        late = time.monotonic() - self.header_timeout
        channels: dict[int, Any] = cast(Any, self).active_channels  # the stubs say otherwise
        for channel in list(channels.values()):
            request = channel.request
            if request is not None and not request.headers_finished \
                    and channel.request_started < late:
                channel.will_close = True  # closed at the next turn of the loop


def create(app: Any, settings: Settings, **overrides: Any) -> Server:
    """Return the server for app, listening (``overrides`` change options, as tests do)."""
    adj = Adjustments(**{**options(settings), **overrides})
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict[int, Any] = {}
    listen: list[Any] = cast(Any, adj).listen  # (family, type, proto, address) each
    servers = [_Server(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=info)
               for info in listen]
    for server in servers:
        server.header_timeout = settings.server.header_timeout
    if len(servers) == 1:
        return servers[0]
    found: list[Any] = list(servers)
    listening = [(s.effective_host, s.effective_port) for s in found]
    return MultiSocketServer(socket_map, adj, listening, dispatcher)


def stop(server: Server, running: threading.Thread) -> None:
    """Stop a server that ``running`` runs, from another thread, as waitress allows it: its
    own loop closes every socket it watches (so its run() returns), then the workers end."""
    found: Any = server  # waitress keeps its map in .map or ._map (untyped)
    socket_map: dict[int, Any] = found.map if isinstance(server, MultiSocketServer) \
        else found._map
    trigger: Any = next(s for s in socket_map.values() if isinstance(s, _Server)).trigger

    def close_all() -> None:
        for dispatcher in list(socket_map.values()):
            dispatcher.close()

    if not running.is_alive():
        return
    try:
        trigger.pull_trigger(close_all)
    except OSError:
        # The wake-up pipe is closed already. Closing sockets under the loop's select() would
        # crash it (EBADF); emptying its map ends it at its next turn (it runs while the map
        # has entries), and the sockets are closed once it has.
        left = list(socket_map.values())
        socket_map.clear()
        running.join(timeout=30)
        for dispatcher in left:
            dispatcher.close()
        return
    running.join(timeout=30)
    server.task_dispatcher.shutdown()
