"""The OpenAPI 3.1 document: valid, complete, built from the validating schemas, and a bounded
schemathesis run against the app finds no server error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.ingest import schemas

from .test_api_articles import article_body


def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    document = spec(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_of_the_app_is_documented(app: Flask, client: FlaskClient) -> None:
    paths = spec(client)["paths"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        assert path in paths, path
        assert {m.lower() for m in methods} <= set(paths[path]), path


def test_request_schemas_are_the_ones_that_validate(client: FlaskClient,
                                                    producer: dict[str, str]) -> None:
    paths = spec(client)["paths"]
    body = paths["/api/v1/articles"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == schemas.ARTICLE
    assert paths["/api/v1/republish"]["post"]["requestBody"]["content"]["application/json"][
        "schema"] == schemas.REPUBLISH
    # what the schema forbids, the API rejects, naming the field the schema names
    assert schemas.ARTICLE["properties"]["title"]["maxLength"] == 500
    response = client.post("/api/v1/articles", json=article_body(title="t" * 501),
                           headers=producer)
    assert response.status_code == 422 and response.get_json()["field"] == "title"
    block = schemas.BLOCK["properties"]["type"]["enum"]
    bad = article_body(blocks=[{"type": "table", "html": "x"}])
    response = client.post("/api/v1/articles", json=bad, headers=producer)
    assert "table" not in block and response.get_json()["field"] == "blocks[0].type"


def test_the_docs_page_lists_every_operation(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for path in spec(client)["paths"]:
        assert path in page
    assert "Request body (JSON Schema)" in page


@pytest.mark.usefixtures("installed_packages")
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_a_bounded_schemathesis_run_finds_no_server_error(
        app: Flask, operator: dict[str, str], client: FlaskClient, mode: str) -> None:
    """Valid requests (positive) and hostile ones that break the schema (negative)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok
    from schemathesis.generation import GenerationMode

    client.post("/api/v1/articles", json=article_body(), headers=operator)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    calls: list[int] = []
    ran = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of the document loads
        operation = result.ok()

        @given(case=operation.as_strategy(GenerationMode(mode)))
        @settings(max_examples=8, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = case.call(headers=operator)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: "
                                f"{response.status_code} {response.text[:200]}")
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Unsatisfiable:  # nothing to break: an operation that takes no input
            assert mode == "negative"
            continue
        ran += 1
    assert failures == []
    assert len(calls) >= 100  # a real, varied run
    if mode == "positive":
        assert ran >= 25 and {200, 404, 422} <= set(calls)
    else:  # every operation that takes input got broken input, and said so with a 4xx
        assert ran >= 12 and {400, 404, 422} <= set(calls)
