"""Operators: republish and retranslate jobs, job status, per-language status, audit, auth."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.jobs import queue
from syndicate.models import Role
from syndicate.service import Service
from syndicate.store import tokens as token_store

from .conftest import json_lines, make_token
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")

ROUTES: list[tuple[str, str]] = [
    ("POST", "/api/v1/republish"), ("POST", "/api/v1/retranslate"),
    ("POST", "/api/v1/articles/x/retranslate"), ("GET", "/api/v1/jobs"),
    ("GET", "/api/v1/jobs/1"), ("GET", "/api/v1/status"), ("GET", "/api/v1/audit"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_auth_matrix(client: FlaskClient, service: Service, producer: dict[str, str],
                     operator: dict[str, str], method: str, path: str) -> None:
    def call(headers: dict[str, str]) -> Any:
        return client.open(path, method=method, headers=headers, json={"languages": ["es"]})

    for headers in ({}, {"Authorization": "Bearer syn_wrong"}):
        response = call(headers)
        assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert call(producer).status_code == 403
    assert call(operator).status_code not in (401, 403)
    with service.store.write() as session:
        token_store.revoke(session, "ops", service.clock())
    assert call(operator).status_code == 401


def test_public_endpoints_stay_public(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/feeds/").status_code == 200


def test_republish_returns_202_and_the_job_succeeds(
        client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    client.post("/api/v1/articles", json=article_body(), headers=producer)
    response = client.post("/api/v1/republish", headers=operator)
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert (job["state"], job["requested_by"], job["trigger"]) == ("queued", "ops", "manual")
    assert queue.dispatch(service) == 1
    done = client.get(job["url"], headers=operator).get_json()
    assert done["state"] == "succeeded" and done["finished"] is not None
    assert "en/atom.xml" in done["counts"]["written"]
    listed = client.get("/api/v1/jobs", headers=operator).get_json()["items"]
    assert listed[0]["id"] == job["id"]


def test_concurrent_republish_requests_join_one_job(app: Flask, service: Service,
                                                     operator: dict[str, str]) -> None:
    def send(_: int) -> tuple[int, bool]:
        with app.test_client() as c:
            body = c.post("/api/v1/republish", headers=operator, json={}).get_json()
            return body["job"]["id"], body["joined"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(16)))
    assert len({job_id for job_id, _ in results}) == 1
    assert sorted(joined for _, joined in results) == [False] + [True] * 15
    assert queue.dispatch(service) == 1
    # once it has run, a new request starts a new job
    again = app.test_client().post("/api/v1/republish", headers=operator).get_json()
    assert again["joined"] is False and again["job"]["id"] != results[0][0]


def test_retranslate_uses_the_memory_unless_forced_and_keeps_human_edits(
        client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    edit = {"blocks": [{"position": 1, "html": "Editado <em>a mano</em>."}]}
    client.put(f"/api/v1/articles/{created['id']}/translations/es", json=edit, headers=operator)
    url = f"/api/v1/articles/{created['id']}/retranslate"

    def run(body: dict[str, Any]) -> dict[str, Any]:
        job = client.post(url, json=body, headers=operator).get_json()["job"]
        queue.dispatch(service)
        result: dict[str, Any] = client.get(job["url"], headers=operator).get_json()
        assert result["state"] == "succeeded", result
        counts: dict[str, Any] = result["counts"]
        return counts

    cached = run({"languages": ["es"]})
    assert cached["done"] == 1 and cached["translated"] == 0 and cached["memory_hits"] > 0
    forced = run({"languages": ["es"], "force": True})
    assert forced["done"] == 1 and forced["memory_hits"] == 0 and forced["translated"] > 0
    got = client.get(f"/api/v1/articles/{created['id']}/translations/es",
                     headers=producer).get_json()
    assert got["blocks"][1]["html"] == "Editado <em>a mano</em>."
    assert got["blocks"][1]["origin"] == "human"


def test_bulk_retranslate_needs_languages_and_reports_progress(
        client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    for n in range(3):
        client.post("/api/v1/articles", json=article_body(guid=f"g{n}"), headers=producer)
    service.pipeline.translate_pending()
    missing = client.post("/api/v1/retranslate", json={}, headers=operator)
    assert missing.status_code == 422 and missing.get_json()["field"] == "languages"
    job = client.post("/api/v1/retranslate", json={"languages": ["fr", "de"]},
                      headers=operator).get_json()["job"]
    queue.dispatch(service)
    done = client.get(job["url"], headers=operator).get_json()
    assert done["state"] == "succeeded" and done["counts"]["done"] == 6


@pytest.mark.parametrize("path,body,status,field", [
    ("/api/v1/republish", {"languages": ["xx!"]}, 422, "languages"),
    ("/api/v1/republish", {"languages": ["it"]}, 422, "languages"),
    ("/api/v1/republish", {"force": True}, 422, "force"),
    ("/api/v1/retranslate", {"languages": ["es"], "force": "yes"}, 422, "force"),
    ("/api/v1/retranslate", {"languages": "es"}, 422, "languages"),
    ("/api/v1/articles/nope/retranslate", {}, 404, None),
])
def test_bad_requests_are_problems_naming_the_field(
        client: FlaskClient, operator: dict[str, str], path: str, body: dict[str, Any],
        status: int, field: str | None) -> None:
    response = client.post(path, json=body, headers=operator)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json().get("field") == field
    malformed = client.post("/api/v1/republish", data=b"{", headers=operator,
                            content_type="application/json")
    assert malformed.status_code == 400


def test_status_numbers_match_the_store(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,it")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    ops = {"Authorization": "Bearer " + make_token(service, "boss", Role.OPERATOR)}
    for n in range(2):
        client.post("/api/v1/articles", json=article_body(guid=f"s{n}"), headers=headers)
    client.post("/api/v1/articles", json=article_body(guid="spanish", language="es"),
                headers=headers)
    service.pipeline.translate_pending()
    service.pipeline.publish()
    status = {s["language"]: s for s in client.get("/api/v1/status",
                                                   headers=ops).get_json()["languages"]}
    assert status["en"]["source"] is True and status["en"]["articles"]["written_in"] == 2
    assert status["en"]["articles"]["done"] == 1  # the Spanish article, through es→en
    assert status["es"]["articles"] == {"written_in": 1, "done": 2, "held": 0, "pending": 0,
                                        "failed": 0, "unavailable": 0}
    memory = status["es"]["model"].pop("memory")
    assert status["es"]["model"] == {"installed": True, "version": "translate-en_es-1_0@1.0",
                                     "engine": "argos", "test_package": True}
    assert [m["model"] for m in memory] == ["translate-en_es-1_0@1.0"]
    assert status["it"]["model"]["installed"] is False
    assert status["it"]["articles"]["unavailable"] == 3
    assert status["es"]["last_publish"] is not None and status["it"]["last_publish"] is None
    assert status["es"]["feeds"]["atom"].endswith("/feeds/es/atom.xml")


def test_every_operator_action_is_audited(client: FlaskClient, service: Service,
                                          producer: dict[str, str],
                                          operator: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    client.post("/api/v1/republish", json={"languages": ["es"]}, headers=operator)
    client.post("/api/v1/republish", json={"languages": ["es"]}, headers=operator)
    client.put(f"/api/v1/articles/{created['id']}/translations/fr", json={"title": "Titre"},
               headers=operator)
    trail = client.get("/api/v1/audit", headers=operator).get_json()["items"]
    assert [(e["actor"], e["action"]) for e in trail] == [
        ("ops", "post_edit"), ("ops", "republish"), ("ops", "republish")]
    assert trail[1]["outcome"].startswith("joined run") and trail[2]["outcome"].startswith(
        "queued run")
    assert trail[2]["params"] == {"languages": ["es"]} and trail[0]["time"].endswith("Z")


def test_cli_republish_retranslate_status_and_jobs(
        app: Flask, client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    runner = app.test_cli_runner()
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    republished = runner.invoke(args=["republish", "--lang", "es,fr"])
    assert republished.exit_code == 0, republished.output
    assert "republish: succeeded" in republished.stdout
    assert (service.settings.feeds.feeds_dir / "es" / "atom.xml").exists()
    assert not (service.settings.feeds.feeds_dir / "de" / "atom.xml").exists()
    forced = runner.invoke(args=["retranslate", created["id"], "--lang", "es", "--force"])
    assert forced.exit_code == 0, forced.output
    assert '"memory_hits": 0' in forced.stdout and '"done": 1' in forced.stdout
    every = runner.invoke(args=["retranslate", "--all"])
    assert every.exit_code == 0 and '"done": 3' in every.stdout
    status = runner.invoke(args=["status"]).stdout.splitlines()
    assert status[0].split()[:4] == ["LANG", "MODEL", "OWN", "DONE"]
    assert status[2].split()[:8] == ["es", "argos", "translate-en_es-1_0@1.0", "(test",
                                     "package:", "no", "translation)", "0"]
    assert json.loads(runner.invoke(args=["status", "--json"]).stdout)["languages"][1][
        "articles"]["done"] == 1
    jobs = runner.invoke(args=["jobs"]).stdout.splitlines()
    assert jobs[0].split()[:4] == ["ID", "JOB", "STATE", "TRIGGER"]
    assert [line.split()[1:4] for line in jobs[1:4]] == [
        ["retranslate", "succeeded", "manual"], ["retranslate", "succeeded", "manual"],
        ["republish", "succeeded", "manual"]]
    assert "3 done, 15 segments, 15 memory hits" in jobs[1]  # as people read counts
    runs = json_lines(runner.invoke(args=["jobs", "--json"]).stdout)
    assert runs[0]["job"] == "retranslate" and runs[0]["counts"]["done"] == 3
    one = runner.invoke(args=["jobs", "--id", str(runs[0]["id"])])
    assert '"job": "retranslate"' in one.stdout
    assert runner.invoke(args=["retranslate"]).exit_code == 2
    assert runner.invoke(args=["retranslate", "nope"]).exit_code == 1
    assert runner.invoke(args=["republish", "--lang", "it"]).exit_code == 2


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not exposed")


def test_metrics_expose_each_counter_and_they_move(
        client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    before = client.get("/api/v1/metrics").get_data(as_text=True)
    for name in ("syndicate_articles_ingested_total", "syndicate_segments_translated_total",
                 "syndicate_translation_memory_hit_ratio", "syndicate_pending_translations",
                 "syndicate_queued_jobs", "syndicate_translation_memory_hits_total"):
        assert _metric(before, name) == 0
    client.post("/api/v1/articles", json=article_body(), headers=producer)
    middle = client.get("/api/v1/metrics").get_data(as_text=True)
    assert _metric(middle, "syndicate_articles_ingested_total") == 1
    assert _metric(middle, "syndicate_pending_translations") == 3
    from syndicate.jobs.runs import run_recorded
    from syndicate.jobs.translate import translate_pending

    run_recorded(service, "translate", translate_pending)
    job = client.post("/api/v1/republish", headers=operator).get_json()["job"]
    assert _metric(client.get("/api/v1/metrics").get_data(as_text=True),
                   "syndicate_queued_jobs") == 1
    queue.dispatch(service)
    after = client.get("/api/v1/metrics").get_data(as_text=True)
    translated = _metric(after, "syndicate_segments_translated_total")
    assert translated > 0 and _metric(after, "syndicate_pending_translations") == 0
    assert 'syndicate_job_duration_seconds_count{job="translate"} 1.0' in after
    assert 'syndicate_job_duration_seconds_count{job="republish"} 1.0' in after
    assert 'syndicate_translations{language="es",status="done"} 1.0' in after
    assert _metric(after, "syndicate_feed_files_written_total") >= 9
    client.post(f"/api/v1/articles/{_first_id(client, producer)}/retranslate",
                json={"languages": ["es"]}, headers=operator)
    queue.dispatch(service)
    last = client.get("/api/v1/metrics").get_data(as_text=True)
    assert _metric(last, "syndicate_translation_memory_hits_total") > 0
    assert 0 < _metric(last, "syndicate_translation_memory_hit_ratio") < 1
    assert _metric(last, "syndicate_segments_translated_total") == translated
    assert job["id"]


def _first_id(client: FlaskClient, headers: dict[str, str]) -> str:
    first: str = client.get("/api/v1/articles", headers=headers).get_json()["items"][0]["id"]
    return first


def test_metrics_can_require_a_token(make_app: Callable[..., Flask]) -> None:
    secret = "m" * 24
    app = make_app(SYNDICATE_METRICS_TOKEN=secret)
    client = app.test_client()
    assert client.get("/api/v1/metrics").status_code == 401
    assert client.get("/api/v1/metrics",
                      headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200 and b"syndicate_articles_ingested_total" in ok.data


def test_writes_are_rate_limited_per_token_with_retry_after(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_RATE_LIMIT="3")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    desk = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    wire = {"Authorization": "Bearer " + make_token(service, "wire", Role.PRODUCER)}
    statuses = [client.post("/api/v1/articles", json=article_body(guid=f"r{n}"),
                            headers=desk).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = client.post("/api/v1/articles", json=article_body(guid="r9"), headers=desk)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["status"] == 429
    assert client.get("/api/v1/articles", headers=desk).status_code == 200  # reads are free
    assert client.post("/api/v1/articles", json=article_body(guid="w1"),
                       headers=wire).status_code == 201  # other tokens are not affected
    with service.store.read() as session:
        from syndicate.store import articles as article_store

        assert len(article_store.page(session, limit=50, cursor=None,
                                      include_retracted=True).items) == 4


@pytest.mark.parametrize("path", ["/api/v1/jobs/9223372036854775808",
                                  "/api/v1/jobs?before=9223372036854775808",
                                  "/api/v1/audit?before=99999999999999999999"])
def test_huge_ids_are_client_errors_not_server_errors(client: FlaskClient,
                                                      operator: dict[str, str],
                                                      path: str) -> None:
    assert client.get(path, headers=operator).status_code in (404, 422)
