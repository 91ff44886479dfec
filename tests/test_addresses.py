"""The address policy of upstream fetches: what is refused, what passes, and allowlists."""

from __future__ import annotations

import ipaddress

import pytest

from syndicate import addresses


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("127.9.9.9", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("fd00::1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("100.64.0.1", "special-purpose"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "private"),
    ("255.255.255.255", "broadcast"), ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped private"), ("::127.0.0.1", "IPv4-mapped loopback"),
    ("64:ff9b::a00:1", "special-purpose"), ("2002:a00:1::", "special-purpose"),
    ("198.18.0.1", "special-purpose"), ("192.0.2.1", "private"),
])
def test_refused_addresses(address: str, reason: str) -> None:
    found = addresses.refusal(ipaddress.ip_address(address))
    assert found is not None
    if reason != "broadcast":
        assert found.startswith(reason), found


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111",
                                     "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert addresses.refusal(ipaddress.ip_address(address)) is None


def test_allowlist_matches_names_addresses_and_networks() -> None:
    entries = [addresses.allow_entry(e) for e in ("Feeds.Internal.", "127.0.0.2", "10.8.0.0/16")]
    assert entries == ["feeds.internal", "127.0.0.2", "10.8.0.0/16"]
    ip = ipaddress.ip_address
    assert addresses.allowed("feeds.internal", 80, ip("10.99.0.1"), entries)
    assert addresses.allowed("x.example", 8080, ip("10.8.3.4"), entries)
    assert not addresses.allowed("x.example", 80, ip("127.0.0.1"), entries)
    with pytest.raises(ValueError, match="not a host name"):
        addresses.allow_entry("bad host!")


def test_allowlist_entries_may_name_a_port_and_then_allow_only_that_port() -> None:
    entries = [addresses.allow_entry(e) for e in ("Feeds.Internal:8080", "127.0.0.2:8765",
                                                  "[FD00::5]:443", "fd00::6")]
    assert entries == ["feeds.internal:8080", "127.0.0.2:8765", "[fd00::5]:443", "fd00::6"]
    ip = ipaddress.ip_address
    assert addresses.allowed("127.0.0.2", 8765, ip("127.0.0.2"), entries)
    assert not addresses.allowed("127.0.0.2", 8000, ip("127.0.0.2"), entries)
    assert addresses.allowed("feeds.internal", 8080, ip("10.0.0.9"), entries)
    assert not addresses.allowed("feeds.internal", 80, ip("10.0.0.9"), entries)
    assert addresses.allowed("[fd00::5]", 443, ip("fd00::5"), entries)
    assert addresses.allowed("[fd00::6]", 1234, ip("fd00::6"), entries)


@pytest.mark.parametrize("entry, message", [
    ("0.0.0.0/0", "covers too much"), ("::/0", "covers too much"), ("10.0.0.0/7", "too much"),
    ("0.0.0.0", "covers too much"), ("::", "covers too much"),
    ("169.254.169.254", "cloud metadata"), ("169.254.0.0/16", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"), ("100.100.100.200:80", "cloud metadata"),
    ("10.0.0.0/8:80", "a network takes no port"), ("host:99999", "the port must be"),
    ("host:", "the port must be"),
])
def test_allowlist_entries_that_cover_everything_or_metadata_are_refused(
        entry: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        addresses.allow_entry(entry)
