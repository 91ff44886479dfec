"""The review gate: every translation is checked when it is stored; SYNDICATE_REVIEW decides
what a person sees first; held work is in no feed until approved; post-edits are reviews."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.models import Role
from syndicate.service import Service
from syndicate.testing import argos_builder

from .conftest import make_token
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
Setup = tuple[Service, FlaskClient, dict[str, str]]


def _service(make_app: Callable[..., Flask], review: str, **more: str) -> Setup:
    app = make_app(**{"SYNDICATE_REVIEW": review, "SYNDICATE_TARGET_LANGUAGES": "es,fr", **more})
    service: Service = app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    return service, app.test_client(), headers


def _post(client: FlaskClient, headers: dict[str, str], **fields: Any) -> str:
    answer = client.post("/api/v1/articles", json=article_body(**fields), headers=headers)
    assert answer.status_code == 201
    return str(answer.get_json()["id"])


def _titles(service: Service, lang: str) -> list[str]:
    path = service.settings.feeds.feeds_dir / lang / "rss.xml"
    return [e.title for e in feedparser.parse(path.read_bytes()).entries] if path.exists() \
        else []


def test_a_copy_model_is_held_with_a_language_finding_and_approval_publishes_it(
        make_app: Callable[..., Flask]) -> None:
    service, client, headers = _service(make_app, "failed")
    article = _post(client, headers, title="Council approves the new bridge over the river")
    report = service.pipeline.translate_pending()
    assert report.held == 2 and report.done == 0  # the copy packages echo English
    service.pipeline.publish()
    assert "Council approves the new bridge over the river" in _titles(service, "en")
    assert _titles(service, "fr") == []  # held: in no feed
    got = client.get(f"/api/v1/articles/{article}/translations/fr", headers=headers).get_json()
    assert got["status"] == "held" and got["checks"]["passed"] is False
    language = [f for f in got["checks"]["findings"] if f["check"] == "language"]
    assert language and language[0]["severity"] == "error"
    assert "(the source language: left untranslated?)" in language[0]["detail"]
    assert client.get(f"/api/v1/articles/{article}", headers=headers).get_json()["checks"] == \
        {"es": False, "fr": False}
    assert client.get(f"/articles/{article}/fr").status_code == 404
    metrics = client.get("/api/v1/metrics").get_data(as_text=True)
    assert ('syndicate_translation_findings_total{check="language",language="fr",'
            'severity="error"} 4.0') in metrics  # title, summary and two paragraphs
    assert "syndicate_translations_held_total 2.0" in metrics

    queue = client.get("/api/v1/review?language=fr", headers=headers).get_json()["items"]
    assert [(i["article_id"], i["source"]["title"], i["title"]) for i in queue] == [
        (article, "Council approves the new bridge over the river",
         "Council approves the new bridge over the river")]
    approved = client.post(f"/api/v1/articles/{article}/translations/fr/review",
                           json={"decision": "approve", "note": "names only"}, headers=headers)
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "done"
    assert approved.get_json()["review"]["decision"] == "approve"
    assert approved.get_json()["review"]["by"] == "desk"
    service.pipeline.publish_changes()
    assert _titles(service, "fr") == ["Council approves the new bridge over the river"]
    assert client.get("/api/v1/review?language=fr", headers=headers).get_json()["items"] == []


def test_reject_keeps_it_out_and_a_new_model_gets_its_chance(
        make_app: Callable[..., Flask], tmp_path: Path, sp_model: bytes) -> None:
    packages = tmp_path / "packages"
    for version in ("1.0",):
        with zipfile.ZipFile(argos_builder.build_package(
                tmp_path, "en", "fr", version=version, sp_model=sp_model)) as zf:
            zf.extractall(packages)
    service, client, headers = _service(make_app, "failed", SYNDICATE_PACKAGES_DIR=str(packages),
                                         SYNDICATE_TARGET_LANGUAGES="fr")
    article = _post(client, headers)
    service.pipeline.translate_pending()
    rejected = client.post(f"/api/v1/articles/{article}/translations/fr/review",
                           json={"decision": "reject", "note": "English, not French"},
                           headers=headers)
    assert rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["review"]["note"] == "English, not French"
    service.pipeline.translate_pending()
    service.pipeline.publish()
    assert _titles(service, "fr") == []
    with zipfile.ZipFile(argos_builder.build_package(  # a new model for the pair
            tmp_path, "en", "fr", version="1.1", sp_model=sp_model)) as zf:
        zf.extractall(packages)
    for old in packages.glob("translate-en_fr-1_0"):
        for path in sorted(old.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        old.rmdir()
    report = service.pipeline.translate_pending()
    assert report.held == 1  # translated again by the new model, checked again
    got = client.get(f"/api/v1/articles/{article}/translations/fr", headers=headers).get_json()
    assert got["status"] == "held" and got["model"].endswith("@1.1") and got["review"] is None


def test_review_all_holds_even_what_passes_and_none_publishes_with_findings(
        make_app: Callable[..., Flask]) -> None:
    service, client, headers = _service(make_app, "none,fr=all")
    article = _post(client, headers, title="Council approves the new bridge over the river")
    report = service.pipeline.translate_pending()
    assert (report.done, report.held) == (1, 1)
    service.pipeline.publish()
    assert _titles(service, "es") == ["Council approves the new bridge over the river"]
    assert _titles(service, "fr") == []
    es = client.get(f"/api/v1/articles/{article}/translations/es", headers=headers).get_json()
    assert es["status"] == "done" and es["checks"]["passed"] is False  # recorded, not held


def test_a_post_edit_is_checked_like_an_engines_output_and_approves_no_other_field(
        make_app: Callable[..., Flask]) -> None:
    service, client, headers = _service(make_app, "failed")
    article = _post(client, headers, summary="The vote was 7 to 2.")
    service.pipeline.translate_pending()
    edit = {"title": "El consejo aprueba el nuevo puente sobre el río",
            "summary": "La votación fue 7 a 3."}  # a number changed by the editor
    answer = client.put(f"/api/v1/articles/{article}/translations/es", json=edit,
                        headers=headers)
    assert answer.status_code == 200
    got = answer.get_json()
    # the blocks are still the engine's English copy: held, whatever the title now says
    assert got["status"] == "held" and got["review"]["decision"] == "edit"
    numbers = [f for f in got["checks"]["findings"] if f["check"] == "numbers"]
    assert numbers and numbers[0]["severity"] == "error" and numbers[0]["field"] == "summary"
    service.pipeline.publish_changes()
    assert _titles(service, "es") == []
    assert client.post(f"/api/v1/articles/{article}/translations/es/review",
                       json={"decision": "approve"}, headers=headers).status_code == 200
    service.pipeline.publish_changes()
    assert _titles(service, "es") == ["El consejo aprueba el nuevo puente sobre el río"]


def test_review_requests_are_checked(make_app: Callable[..., Flask]) -> None:
    service, client, headers = _service(make_app, "failed")
    article = _post(client, headers)
    url = f"/api/v1/articles/{article}/translations/fr/review"
    assert client.post(url, json={"decision": "maybe"}, headers=headers).status_code == 422
    assert client.post(url, json={}, headers=headers).status_code == 422
    assert client.post(url, json={"decision": "approve"},
                       headers=headers).status_code == 404  # nothing translated yet
    producer = {"Authorization": "Bearer " + make_token(service, "p", Role.PRODUCER)}
    assert client.get("/api/v1/review", headers=producer).status_code == 403
    assert client.get("/api/v1/review?limit=0", headers=headers).status_code == 422


def test_a_reviewer_reviews_and_post_edits_and_does_nothing_else(
        make_app: Callable[..., Flask]) -> None:
    service, client, headers = _service(make_app, "failed")
    article = _post(client, headers)
    service.pipeline.translate_pending()
    reviewer = {"Authorization": "Bearer " + make_token(service, "ana", Role.REVIEWER)}
    assert len(client.get("/api/v1/review", headers=reviewer).get_json()["items"]) == 2
    assert client.get(f"/api/v1/articles/{article}/translations/es",
                      headers=reviewer).status_code == 200
    approved = client.post(f"/api/v1/articles/{article}/translations/es/review",
                           json={"decision": "approve"}, headers=reviewer)
    assert approved.get_json()["review"]["by"] == "ana"
    edited = client.put(f"/api/v1/articles/{article}/translations/fr",
                        json={"title": "Le conseil approuve le nouveau pont"}, headers=reviewer)
    assert edited.status_code == 200 and edited.get_json()["status"] == "held"  # one field
    for method, path in (("POST", "/api/v1/articles"), ("DELETE", f"/api/v1/articles/{article}"),
                         ("POST", "/api/v1/republish"), ("GET", "/api/v1/sources")):
        assert client.open(path, method=method, json={}, headers=reviewer).status_code == 403


def test_the_review_and_check_commands(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_REVIEW="failed", SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions["syndicate"]
    runner = app.test_cli_runner()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    client = app.test_client()
    article = _post(client, headers, title="Council approves the new bridge over the river")
    service.pipeline.translate_pending()

    listed = runner.invoke(args=["review", "list", "--lang", "fr"])
    assert listed.exit_code == 0
    assert [line.split(None, 3) for line in listed.output.splitlines()] == [
        ["ARTICLE", "LANGUAGE", "ERRORS", "TITLE"],
        [article, "fr", "language,untranslated", "Council approves the new bridge over the river"]]
    shown = runner.invoke(args=["review", "show", article, "fr"])
    assert "fr: held" in shown.output and "error: language (title)" in shown.output
    assert runner.invoke(args=["review", "approve", article, "fr", "--note", "ok"]).output \
        .strip() == f"{article} fr: done"
    assert runner.invoke(args=["review", "reject", article, "es"]).output.strip() == \
        f"{article} es: rejected"
    assert runner.invoke(args=["review", "approve", "nope", "es"]).exit_code == 1

    checked = runner.invoke(args=["translations", "check", "--lang", "fr"])
    assert checked.exit_code == 1  # the approved copy is still English: the checks say so
    rows = checked.stdout.splitlines()
    assert rows[0].split() == ["ARTICLE", "LANGUAGE", "STATUS", "ERRORS", "WARNINGS", "CHECKS"]
    assert rows[1].split()[:3] == [article, "fr", "done"]
    late = runner.invoke(args=["translations", "check", "--since", "2999-01-01T00:00:00Z"])
    assert late.exit_code == 0 and late.stdout == ""
    assert late.stderr.strip() == "0 translation(s) checked, 0 with errors"
    assert runner.invoke(args=["translations", "check", "--since", "yesterday"]).exit_code == 2


def test_a_reviewed_only_feed_carries_what_a_person_passed_and_partners_are_told(
        make_app: Callable[..., Flask]) -> None:
    service, client, headers = _service(make_app, "none")
    approved = _post(client, headers, guid="a", title="The first story about the new bridge")
    edited = _post(client, headers, guid="b", title="The second story about the new bridge")
    machine = _post(client, headers, guid="c", title="The third story about the new bridge")
    service.pipeline.translate_pending()
    assert client.put("/api/v1/feeds/reviewed", json={"languages": ["en", "es"], "public": True,
                                                      "reviewed_only": True},
                      headers=headers).status_code == 201
    client.post(f"/api/v1/articles/{approved}/translations/es/review",
                json={"decision": "approve"}, headers=headers)
    client.put(f"/api/v1/articles/{machine}/translations/es",  # one field: not reviewed
               json={"title": "La tercera historia del puente"}, headers=headers)
    client.put(f"/api/v1/articles/{edited}/translations/es", json={  # every field: reviewed
        "title": "La segunda historia del puente", "summary": "La votación fue 7 a 2.",
        "blocks": [{"position": 0, "html": "¿Qué pasó?"},
                   {"position": 1, "html": "El consejo <em>aprobó</em> el puente."},
                   {"position": 2, "html": "Las obras empiezan en primavera."}]},
               headers=headers)
    service.pipeline.publish()
    spanish = feedparser.parse(client.get("/feeds/reviewed/es/rss.xml").data)
    assert sorted(e.title for e in spanish.entries) == [
        "La segunda historia del puente", "The first story about the new bridge"]
    english = feedparser.parse(client.get("/feeds/reviewed/en/rss.xml").data)
    assert len(english.entries) == 3  # the source language is never machine-translated
    [listed] = client.get("/api/v1/feeds", headers=headers).get_json()["items"]
    assert listed["reviewed_only"] is True
    report = client.get("/api/v1/feeds/check?partner=msn", headers=headers).get_json()
    flagged = {(f["article_id"], f["language"]) for f in report["findings"]
               if f["rule"] == "reviewed_translations_only"}
    assert flagged == {(machine, "es"), (machine, "fr"), (approved, "fr"), (edited, "fr")}


def test_the_engines_confidence_is_kept_shown_and_warned_about(
        make_app: Callable[..., Flask], tmp_path: Path, sp_model: bytes) -> None:
    packages = tmp_path / "packages"
    with zipfile.ZipFile(argos_builder.build_package(tmp_path, "en", "es", kind="unsure",
                                                     sp_model=sp_model)) as zf:
        zf.extractall(packages)
    service, client, headers = _service(make_app, "none", SYNDICATE_PACKAGES_DIR=str(packages),
                                         SYNDICATE_TARGET_LANGUAGES="es")
    first = _post(client, headers, guid="one")
    service.pipeline.translate_pending()
    again = _post(client, headers, guid="two")  # the same text: from the memory this time
    report = service.pipeline.translate_pending()
    assert report.memory_hits > 0 and report.translated == 0
    for article in (first, again):
        got = client.get(f"/api/v1/articles/{article}/translations/es",
                         headers=headers).get_json()
        assert -10 < got["confidence"] < -1.5  # a copy with flattened logits: unsure
        warned = [f for f in got["checks"]["findings"] if f["check"] == "confidence"]
        assert {f["field"] for f in warned} == {"title", "summary", "block"}
        assert all(f["severity"] == "warning" and "under -1.50" in f["detail"] for f in warned)
    quiet = make_app(SYNDICATE_REVIEW="none", SYNDICATE_PACKAGES_DIR=str(packages),
                     SYNDICATE_TARGET_LANGUAGES="es", SYNDICATE_CONFIDENCE_WARNING="off")
    assert quiet.test_cli_runner().invoke(args=["translations", "check"]).exit_code == 1
    checked = quiet.test_client().get(f"/api/v1/articles/{first}/translations/es",
                                      headers=headers).get_json()
    assert checked["confidence"] is not None  # kept; only the warning is off
    assert "confidence" not in {f["check"] for f in checked["checks"]["findings"]}
