"""Language detection at ingest: a stated language stands, a missing one is detected, an
unsure one falls back or is held."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

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
