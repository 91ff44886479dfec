"""Bearer tokens: missing, unknown and revoked get 401; the wrong role gets 403."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from syndicate.service import Service
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


def test_revoked_token_stops_working_at_once(client: FlaskClient, service: Service,
                                             producer: dict[str, str]) -> None:
    assert client.get("/api/v1/articles", headers=producer).status_code == 200
    with service.store.write() as session:
        token_store.revoke(session, "newsroom", service.clock())
    response = client.get("/api/v1/articles", headers=producer)
    assert response.status_code == 401 and "revoked" in response.get_json()["detail"]


def test_operator_may_do_what_a_producer_may(client: FlaskClient,
                                             operator: dict[str, str]) -> None:
    assert client.post("/api/v1/articles", json=article_body(), headers=operator).status_code == 201


def test_producers_see_and_retract_only_their_own_articles(
        client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=operator).get_json()
    mine = client.post("/api/v1/articles", json=article_body(guid="mine"),
                       headers=producer).get_json()
    for method, path in (("delete", created["url"]), ("get", created["url"]),
                         ("get", created["url"] + "/translations/es")):
        response = getattr(client, method)(path, headers=producer)
        assert response.status_code == 404, path  # as if it did not exist
    listed = client.get("/api/v1/articles?include_retracted=true", headers=producer).get_json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]]
    everything = client.get("/api/v1/articles", headers=operator).get_json()["items"]
    assert {a["id"] for a in everything} == {created["id"], mine["id"]}
    assert client.get(created["url"], headers=operator).get_json()["retracted"] is None
    assert client.delete(created["url"], headers=operator).status_code == 200


def test_only_a_hash_of_the_secret_is_stored(service: Service,
                                             producer: dict[str, str]) -> None:
    secret = producer["Authorization"].split()[1]
    with service.store.read() as session:
        rows = session.scalars(select(TokenRow)).all()
        dumped = "\n".join(str(value) for row in rows for value in vars(row).values())
    assert secret not in dumped and len(secret) > 40


def test_failed_sign_ins_are_throttled_per_client_address(
        client: FlaskClient, producer: dict[str, str]) -> None:
    bad = {"Authorization": "Bearer syn_not-a-token"}
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    codes = [client.get("/api/v1/articles", headers=bad, environ_base=attacker).status_code
             for _ in range(22)]
    assert codes[:20] == [401] * 20 and codes[20:] == [429, 429]
    limited = client.get("/api/v1/articles", headers=bad, environ_base=attacker)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["detail"].startswith(
        "too many unknown tokens or keys from this address; retry in ")
    # only failures count: a valid token from the same address still passes
    assert client.get("/api/v1/articles", headers=producer,
                      environ_base=attacker).status_code == 200
    signed_in = client.post("/admin/sign-in", data={"token": "wrong"}, environ_base=attacker,
                            headers={"Origin": "http://localhost"})
    assert signed_in.status_code == 429
    # everyone else is unaffected
    assert client.get("/api/v1/articles", headers=producer,
                      environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200
