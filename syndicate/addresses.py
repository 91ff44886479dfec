"""Which network addresses an upstream fetch may reach (pure: no DNS, no sockets).

The fetcher resolves a name once, checks every resolved address here, and connects to the one
it checked, on every redirect hop, so a DNS rebind cannot slip a private address in between.
Refused: loopback, private (RFC 1918, ULA), link-local (169.254/16 with cloud metadata, fe80::),
CGNAT (100.64/10), multicast, unspecified, reserved and documentation ranges, IPv4-mapped and
-compatible IPv6 (judged by the IPv4 inside), 6to4 and Teredo relays, and NAT64 (64:ff9b::/96,
64:ff9b:1::/48). An operator's allowlist (names, addresses or networks, each with an optional
port) opens exact exceptions; it never reaches a cloud metadata address.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_EXTRA_REFUSED: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",  # CGNAT: routes to internal workloads at many providers
    "192.0.0.0/24",  # IETF protocol assignments
    "192.88.99.0/24",  # 6to4 relay anycast
    "198.18.0.0/15",  # benchmarking
    "64:ff9b::/96",  # NAT64: reaches any IPv4 address, private ones included
    "64:ff9b:1::/48",  # local-use NAT64
    "2001::/32",  # Teredo
    "2002::/16",  # 6to4: embeds any IPv4 address
    "2001:20::/28",  # ORCHIDv2
    "5f00::/16",  # segment routing
))
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")

def refusal(address: Address) -> str | None:
    """Return why an address may not be fetched from, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or _ipv4_compatible(address)
        if inner is not None:
            reason = refusal(inner)
            return f"IPv4-mapped {reason}" if reason else None
    checks = (
        (address.is_unspecified, "unspecified address"),
        (address.is_loopback, "loopback address"),
        (address.is_link_local, "link-local address"),
        (address.is_multicast, "multicast address"),
        (any(address in net for net in _EXTRA_REFUSED if net.version == address.version),
         "special-purpose address (CGNAT, NAT64, relay or benchmark range)"),
        (address.is_private, "private address"),
        (address.is_reserved, "reserved address"),
        (not address.is_global, "non-global address"),
    )
    for refused, reason in checks:
        if refused:
            return reason
    return None


def _ipv4_compatible(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address of a deprecated IPv4-compatible IPv6 address (::a.b.c.d)."""
    value = int(address)
    if value >> 32 == 0 and value > 1:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


# Cloud metadata services: an allowlist entry that reaches one is refused outright.
METADATA: tuple[Address, ...] = tuple(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"))
_WIDEST = {4: 8, 6: 32}  # the shortest network prefix an entry may have, per IP version


def allow_entry(raw: str) -> str:
    """Return an allowlist entry in canonical form: a host name, an address or a network,
    with an optional port (``feeds.internal:8080``, ``[fd00::5]:443``); raise ValueError for
    anything else, for a network wider than /8 (IPv4) or /32 (IPv6), and for an entry that
    reaches a cloud metadata address or the unspecified address."""
    value = raw.strip().lower()
    if not value:
        raise ValueError("an allowed host must not be empty")
    host, port = _split_port(value, raw)
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError:
        if not _HOSTNAME.match(host):
            raise ValueError(f"{raw!r} is not a host name, an IP address or a network, with "
                             "an optional :port") from None
        host = host.rstrip(".")
        return f"{host}:{port}" if port is not None else host
    if network.prefixlen < _WIDEST[network.version] or network.network_address.is_unspecified:
        raise ValueError(f"{raw!r} covers too much: name hosts or networks no wider than "
                         f"/{_WIDEST[network.version]}")
    if any(a.version == network.version and a in network for a in METADATA):
        raise ValueError(f"{raw!r} reaches a cloud metadata address; it is never allowed")
    text = str(network) if "/" in host else str(network.network_address)
    if port is None:
        return text
    if "/" in host:
        raise ValueError(f"{raw!r}: a network takes no port")
    return f"[{text}]:{port}" if network.version == 6 else f"{text}:{port}"


def _split_port(value: str, raw: str) -> tuple[str, int | None]:
    """Split "host:port" or "[v6]:port"; a bare IPv6 address has no port."""
    if value.startswith("["):
        inside, _, rest = value[1:].partition("]")
        return inside, _port(rest.removeprefix(":"), raw) if rest else None
    if value.count(":") == 1:
        host, _, number = value.partition(":")
        return host, _port(number, raw)
    return value, None


def _port(text: str, raw: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{raw!r}: the port must be a number from 1 to 65535")
    return int(text)


def allowed(host: str, port: int, address: Address, allowlist: Iterable[str]) -> bool:
    """Say whether an allowlist names this URL host, or contains this resolved address, on
    this port (an entry without a port allows every port)."""
    name = host.lower().strip("[]").rstrip(".")
    for entry in allowlist:
        target, wanted = _split_port(entry, entry)
        if wanted is not None and wanted != port:
            continue
        if target == name:
            return True
        try:
            network = ipaddress.ip_network(target, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


def parse(value: str) -> Address:
    """Return the address a resolver gave (an IPv6 zone id, "%eth0", is dropped)."""
    return ipaddress.ip_address(value.split("%", 1)[0])
