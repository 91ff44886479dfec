"""Language detection for articles that name no language, and the fetcher's address policy."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate import addresses
from syndicate.models import Role
from syndicate.service import EXTENSION_KEY, Service

from .conftest import make_token
from .test_api_articles import article_body

SPANISH = [{"type": "paragraph", "html": "El ayuntamiento aprobó el martes un nuevo presupuesto "
            "que incorpora cuarenta conductores de autobús y amplía el servicio nocturno."}]


def test_an_article_without_language_gets_the_detected_one(
        client: FlaskClient, producer: dict[str, str], service: Service,
        installed_packages: Path) -> None:
    body = article_body(title="Nuevo presupuesto municipal", blocks=SPANISH)
    del body["language"], body["summary"]
    created = client.post("/api/v1/articles", json=body, headers=producer)
    assert created.status_code == 201, created.get_json()
    article = created.get_json()
    assert article["language"] == "es"
    assert service.articles.targets(service.articles.get(article["id"])) == \
        ["en", "fr", "de"]  # an article already in Spanish is not translated into Spanish


def test_plain_text_without_language_is_detected(client: FlaskClient, producer: dict[str, str],
                                                 sample_text: str) -> None:
    created = client.post("/api/v1/articles?guid=explainer", data=sample_text.encode(),
                          headers={**producer, "Content-Type": "text/plain"})
    assert created.status_code == 201 and created.get_json()["language"] == "en"


def test_a_stated_language_is_never_second_guessed(client: FlaskClient,
                                                   producer: dict[str, str]) -> None:
    body = article_body(blocks=SPANISH, language="fr")
    assert client.post("/api/v1/articles", json=body, headers=producer).get_json()[
        "language"] == "fr"


@pytest.mark.parametrize(("unsure", "status", "language"), [("fallback", 201, "en"),
                                                            ("hold", 422, None)])
def test_unsure_detection_falls_back_or_asks(make_app: Callable[..., Flask], unsure: str,
                                             status: int, language: str | None) -> None:
    app = make_app(SYNDICATE_DETECT_UNSURE=unsure)
    service: Service = app.extensions[EXTENSION_KEY]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    body = article_body(title="7:2", blocks=[{"type": "paragraph", "html": "2026 — 7:2 (3:1)"}])
    del body["language"], body["summary"]
    response = app.test_client().post("/api/v1/articles", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    if language:
        assert response.get_json()["language"] == language
    else:
        problem = response.get_json()
        assert problem["errors"][0]["field"] == "language"
        assert "cannot be detected with confidence" in problem["errors"][0]["detail"]
        assert service.articles.page(limit=10, cursor=None,
                                                  include_retracted=True).items == ()


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
