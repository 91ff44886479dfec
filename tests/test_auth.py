"""Bearer tokens: missing, unknown and revoked get 401; the wrong role gets 403."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from syndicate.services import Services
from syndicate.store import tokens as token_store
from syndicate.store.schema import TokenRow

from .test_api_articles import article_body


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwdw==",
                                    "Bearer syn_not-a-real-token"])
def test_missing_or_unknown_token_is_401_with_www_authenticate(
        client: FlaskClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for response in (client.get("/api/v1/articles", headers=headers),
                     client.post("/api/v1/articles", json=article_body(), headers=headers)):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["title"] == "Authentication required"


def test_revoked_token_stops_working_at_once(client: FlaskClient, services: Services,
                                             producer: dict[str, str]) -> None:
    assert client.get("/api/v1/articles", headers=producer).status_code == 200
    with services.store.write() as session:
        token_store.revoke(session, "newsroom", services.pipeline.clock())
    response = client.get("/api/v1/articles", headers=producer)
    assert response.status_code == 401 and "revoked" in response.get_json()["detail"]


def test_operator_may_do_what_a_producer_may(client: FlaskClient,
                                             operator: dict[str, str]) -> None:
    assert client.post("/api/v1/articles", json=article_body(), headers=operator).status_code == 201


def test_producer_may_not_retract_another_producers_article(
        client: FlaskClient, producer: dict[str, str], operator: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=operator).get_json()
    response = client.delete(created["url"], headers=producer)
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("/forbidden")
    assert client.get(created["url"], headers=producer).get_json()["retracted"] is None
    assert client.delete(created["url"], headers=operator).status_code == 200


def test_only_a_hash_of_the_secret_is_stored(services: Services,
                                             producer: dict[str, str]) -> None:
    secret = producer["Authorization"].split()[1]
    with services.store.read() as session:
        rows = session.scalars(select(TokenRow)).all()
        dumped = "\n".join(str(value) for row in rows for value in vars(row).values())
    assert secret not in dumped and len(secret) > 40
