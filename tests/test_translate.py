"""Translation through real Argos packages run by CTranslate2 (copy and pseudo-language models)."""

from __future__ import annotations

import html
import re
import socket
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from syndicate.models import Role, TranslateReport
from syndicate.service import Service
from syndicate.testing import corpus

from .conftest import make_token
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]+")


def translate(service: Service) -> TranslateReport:
    return service.pipeline.translate_pending()


def get_translation(client: FlaskClient, headers: dict[str, str], article_id: str,
                    lang: str) -> Any:
    response = client.get(f"/api/v1/articles/{article_id}/translations/{lang}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def post_text(client: FlaskClient, headers: dict[str, str], text: str) -> Any:
    response = client.post("/api/v1/articles", data=text.encode(), content_type="text/plain",
                           headers=headers)
    assert response.status_code in (200, 201)
    return response.get_json()


def test_sample_through_copy_model_comes_back_identical_block_for_block(
        client: FlaskClient, service: Service, producer: dict[str, str],
        sample_text: str) -> None:
    created = post_text(client, producer, sample_text)
    report = translate(service)
    assert report.done == 3 and report.failed == report.unavailable == 0
    for lang in ("es", "fr"):
        got = get_translation(client, producer, created["id"], lang)
        assert got["status"] == "done" and got["complete"] is True
        assert got["title"] == created["title"]
        assert [(b["type"], b["html"]) for b in got["blocks"]] == \
            [(b["type"], b["html"]) for b in created["blocks"]]
        assert got["engine"] == "argos"
        assert got["model"] == f"translate-en_{lang}-1_0@1.0"
    statuses = client.get(created["url"], headers=producer).get_json()["translations"]
    assert statuses == {"de": "done", "es": "done", "fr": "done"}


def test_markup_survives_the_copy_model_exactly(client: FlaskClient, service: Service,
                                                producer: dict[str, str]) -> None:
    blocks = [
        {"type": "heading", "html": "Budget <em>2027</em> explained", "level": 3},
        {"type": "paragraph", "html": 'Read <a href="https://example.org/r?a=1&amp;b=2">the '
                                      '<strong>full</strong> report</a>. Costs rose 4.5% in '
                                      'Jan.<br>Second <code>line</code> here {1} too.'},
        {"type": "list", "ordered": True, "html": "<li>One <em>item</em>.</li><li>Two.</li>"},
        {"type": "quote", "html": "“We will build it,” she said. <q>Soon.</q>"},
    ]
    created = client.post("/api/v1/articles", json=article_body(blocks=blocks),
                          headers=producer).get_json()
    translate(service)
    got = get_translation(client, producer, created["id"], "es")
    assert [b["html"] for b in got["blocks"]] == [b["html"] for b in created["blocks"]]
    assert got["summary"] == created["summary"]


def test_pseudo_language_changes_every_word_and_no_tag_link_or_number(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    blocks = [
        {"type": "paragraph", "html": 'The council <em>approved</em> <a href="https://example.org'
                                      '/budget">the budget</a> of 42 million euros on 12 May.'},
        {"type": "list", "html": "<li>Roads and <strong>bridges</strong>: 17%</li>"
                                 "<li>Schools: 9 new buildings</li>"},
    ]
    created = client.post("/api/v1/articles", json=article_body(blocks=blocks),
                          headers=producer).get_json()
    translate(service)
    got = get_translation(client, producer, created["id"], "de")
    assert got["status"] == "done"
    for source, target in zip(created["blocks"], got["blocks"], strict=True):
        assert _TAG.findall(target["html"]) == _TAG.findall(source["html"])
        assert re.findall(r"\d+", target["html"]) == re.findall(r"\d+", source["html"])
        source_words = _WORD.findall(html.unescape(_TAG.sub(" ", source["html"])))
        target_words = _WORD.findall(html.unescape(_TAG.sub(" ", target["html"])))
        assert len(target_words) == len(source_words)
        assert all(s != t for s, t in zip(source_words, target_words, strict=True))
    assert got["title"] != created["title"]


def test_pivot_through_english_uses_two_packages(client: FlaskClient, service: Service,
                                                 producer: dict[str, str]) -> None:
    body = article_body(language="es", title="El consejo aprobó el puente",
                        blocks=[{"type": "paragraph", "html": "El <em>puente</em> costará 9 "
                                                              "millones."}])
    created = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    translate(service)
    to_en = get_translation(client, producer, created["id"], "en")
    to_fr = get_translation(client, producer, created["id"], "fr")
    assert to_en["model"] == "translate-es_en-1_0@1.0"
    assert to_fr["model"] == "translate-es_en-1_0@1.0>translate-en_fr-1_0@1.0"
    assert to_fr["blocks"][0]["html"] == "El <em>puente</em> costará 9 millones."
    to_de = get_translation(client, producer, created["id"], "de")
    assert to_de["blocks"][0]["html"] != created["blocks"][0]["html"]  # pseudo second hop
    assert "<em>" in to_de["blocks"][0]["html"] and " 9 " in to_de["blocks"][0]["html"]


def test_memory_translates_only_the_edited_paragraph_and_republish_translates_nothing(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    paragraphs = corpus.paragraphs(10, 3, seed=21)
    body = article_body(blocks=[{"type": "paragraph", "html": p} for p in paragraphs])
    client.post("/api/v1/articles", json=body, headers=producer)
    first = translate(service)
    assert first.translated == first.segments > 0 and first.memory_hits == 0
    again = translate(service)
    assert again == TranslateReport()  # nothing pending: a republish translates nothing
    paragraphs[4] = "The mayor unveiled a statue in the park. Children sang. It rained."
    body["blocks"] = [{"type": "paragraph", "html": p} for p in paragraphs]
    updated = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    assert updated["outcome"] == "updated"
    edited = translate(service)
    assert edited.done == 3
    per_language = edited.translated / 3
    assert per_language == 3  # the three new sentences, nothing else
    assert edited.memory_hits == edited.segments - edited.translated


def test_missing_package_is_unavailable_not_a_crash(make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es,it")
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    created = client.post("/api/v1/articles", json=article_body(), headers=headers).get_json()
    report = service.pipeline.translate_pending()
    assert (report.done, report.unavailable) == (1, 1)
    got = get_translation(client, headers, created["id"], "it")
    assert got["status"] == "unavailable" and got["complete"] is False
    assert got["error"] == ("no en→it model installed: install one with `syndicate models "
                            "install` (Argos) or an apertium-* package")
    assert client.get(created["url"], headers=headers).get_json()["translations"] == \
        {"es": "done", "it": "unavailable"}


def _unpacked(package: Path, tmp_path: Path) -> Path:
    """Unpack an .argosmodel into a packages folder of the test's own; return the folder."""
    packages = tmp_path / "packages"
    with zipfile.ZipFile(package) as zf:
        zf.extractall(packages)
    return packages


def _translate_with(make_app: Callable[..., Flask], packages: Path) -> tuple[
        Service, FlaskClient, dict[str, str], dict[str, Any], TranslateReport]:
    """Post an article to a service translating into es with those packages; one pass."""
    app = make_app(SYNDICATE_TARGET_LANGUAGES="es", SYNDICATE_PACKAGES_DIR=str(packages))
    service: Service = app.extensions["syndicate"]
    client = app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    created = client.post("/api/v1/articles", json=article_body(), headers=headers).get_json()
    return service, client, headers, created, service.pipeline.translate_pending()


def test_unreadable_model_fails_with_backoff_and_keeps_the_work(
        make_app: Callable[..., Flask], tmp_path: Path,
        package_files: dict[str, Path]) -> None:
    packages = _unpacked(package_files["en-es"], tmp_path)
    model_bin = next(packages.glob("*/model/model.bin"))
    model_bin.write_bytes(model_bin.read_bytes()[:1000])  # a truncated download
    service, client, headers, created, report = _translate_with(make_app, packages)
    assert report.failed == 1
    got = get_translation(client, headers, created["id"], "es")
    assert got["status"] == "failed" and got["attempts"] == 1 and got["next_attempt"]
    assert "translate-en_es-1_0@1.0" in got["error"]
    # not due again until the backoff has passed
    assert service.pipeline.translate_pending() == TranslateReport()


def test_post_edit_survives_machine_passes_and_goes_stale_when_the_source_changes(
        client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str]) -> None:
    body = article_body()
    created = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    translate(service)
    url = f"/api/v1/articles/{created['id']}/translations/es"
    edit = {"title": "El consejo aprueba el nuevo puente",
            "blocks": [{"position": 1, "html": "El consejo <em>aprobó</em> el puente."},
                       {"position": 2, "html": "Las obras empiezan en primavera."}]}
    assert client.put(url, json=edit, headers=producer).status_code == 403
    response = client.put(url, json=edit, headers=operator)
    assert response.status_code == 200
    got = response.get_json()
    assert got["title"] == edit["title"]
    assert [b["origin"] for b in got["blocks"]] == ["machine", "human", "human"]
    # a machine pass over a new revision keeps the edits whose source did not change ...
    body["blocks"][2] = {"type": "paragraph", "html": "Work starts in <em>summer</em>."}
    client.post("/api/v1/articles", json=body, headers=producer)
    report = translate(service)
    assert report.done == 3
    got = get_translation(client, producer, created["id"], "es")
    assert got["title"] == edit["title"]
    assert got["blocks"][1] == {**got["blocks"][1], "html": "El consejo <em>aprobó</em> el "
                                                            "puente.", "origin": "human"}
    # ... and retranslates the changed block, keeping the old edit in history, flagged stale
    assert got["blocks"][2]["html"] == "Work starts in <em>summer</em>."
    assert got["blocks"][2]["origin"] == "machine"
    stale = {h["field"]: h["stale"] for h in got["history"]}
    assert stale["blocks[2]"] is not None
    assert stale["blocks[1]"] is None and stale["title"] is None


@pytest.mark.parametrize("edit,field", [
    ({"colour": "red"}, "colour"),
    ({}, "body"),
    ({"blocks": [{"position": 99, "html": "x"}]}, "blocks[99]"),
    ({"blocks": [{"position": 0}]}, "blocks[0].html"),
    ({"blocks": [{"position": 0, "html": "<script>x()</script>"}]}, "blocks[0].html"),
    ({"title": ""}, "title"),
])
def test_bad_post_edits_are_422_naming_the_field(client: FlaskClient, service: Service,
                                                 producer: dict[str, str],
                                                 operator: dict[str, str],
                                                 edit: dict[str, Any], field: str) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    response = client.put(f"/api/v1/articles/{created['id']}/translations/es", json=edit,
                          headers=operator)
    assert response.status_code == 422 and response.get_json()["field"] == field


def test_unknown_translation_language_is_404(client: FlaskClient,
                                            producer: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    for lang in ("it", "klingon", "en"):
        response = client.get(f"/api/v1/articles/{created['id']}/translations/{lang}",
                              headers=producer)
        assert response.status_code == 404


def test_glossary_terms_are_kept_or_rendered_exactly(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    glossary = service.settings.translation.translations_dir / "glossary.toml"
    glossary.parent.mkdir(parents=True, exist_ok=True)
    glossary.write_text('keep = ["Kim Jong Un", "Kursk"]\n\n[terms."European Union"]\n'
                        'de = "Europäische Union"\nes = "Unión Europea"\n', encoding="utf-8")
    body = article_body(blocks=[{"type": "paragraph", "html": "Kim Jong Un met the European "
                                                              "Union near Kursk."}])
    created = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    translate(service)
    de = get_translation(client, producer, created["id"], "de")["blocks"][0]["html"]
    assert de.startswith("Kim Jong Un ") and "Europäische Union" in de and "Kursk." in de
    assert "met" not in de.split()  # the other words went through the pseudo model
    es = get_translation(client, producer, created["id"], "es")["blocks"][0]["html"]
    assert es == "Kim Jong Un met the Unión Europea near Kursk."


def test_pending_work_survives_a_restart(make_app: Callable[..., Flask], client: FlaskClient,
                                         producer: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    restarted: Service = make_app().extensions["syndicate"]
    assert restarted.pipeline.translate_pending().done == 3
    statuses = client.get(created["url"], headers=producer).get_json()["translations"]
    assert set(statuses.values()) == {"done"}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse every non-local socket connection and name lookup; record the attempts."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family != socket.AF_UNIX:
            attempts.append(f"connect {address}")
            raise OSError(f"network access during translation: {address}")
        real_connect(self, address)

    def guarded_getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        attempts.append(f"getaddrinfo {args[:2]}")
        raise OSError("name lookup during translation")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts


def test_translation_opens_no_network_socket(client: FlaskClient, service: Service,
                                             producer: dict[str, str], sample_text: str,
                                             no_network: list[str]) -> None:
    post_text(client, producer, sample_text)
    report = translate(service)
    assert report.done == 3 and report.translated > 0
    assert no_network == []


def test_models_load_lazily_and_at_most_the_configured_number_stay_loaded(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_MAX_LOADED_MODELS="1")
    service: Service = app.extensions["syndicate"]
    engine = service.argos
    assert engine.loaded() == []  # nothing is loaded before the first translation
    for target in ("es", "fr", "es"):
        route = engine.route("en", target)
        assert engine.translate(route, ["Hello there."]) == [("Hello there.", 0.0)]
        assert engine.loaded() == [route.model]


def test_the_scheduled_job_function_runs_a_pass(client: FlaskClient, service: Service,
                                                producer: dict[str, str]) -> None:
    from syndicate.jobs.translate import translate_pending

    client.post("/api/v1/articles", json=article_body(), headers=producer)
    assert translate_pending(service).done == 3
    assert translate_pending(service) == TranslateReport()



def test_a_model_that_answers_nothing_fails_and_publishes_nothing(
        make_app: Callable[..., Flask], tmp_path: Path, sp_model: bytes) -> None:
    from syndicate.testing import argos_builder

    built = argos_builder.build_package(tmp_path, "en", "es", kind="mute", sp_model=sp_model)
    service, client, headers, created, report = _translate_with(
        make_app, _unpacked(built, tmp_path))
    assert report.failed == 1 and report.done == 0
    got = get_translation(client, headers, created["id"], "es")
    assert got["status"] == "failed" and "returned empty output for" in got["error"]
    service.pipeline.publish()
    assert client.get(f"/articles/{created['id']}/es").status_code == 404


def test_empty_or_misaligned_engine_output_is_an_engine_failure() -> None:
    from syndicate.errors import EngineFailure
    from syndicate.models import Route
    from syndicate.translate.engine import checked

    route = Route("apertium", "es", "ca", "spa-cat")
    blank = [("Hola.", None), ("", None)]
    assert checked(route, ["Hola.", " "], blank) == blank  # blank in, blank out
    with pytest.raises(EngineFailure, match="empty output for 1 of 2"):
        checked(route, ["Hola.", "Adiós."], [("Hola.", None), ("  \n", None)])
    with pytest.raises(EngineFailure, match="returned 1 segments for 2"):
        checked(route, ["Hola.", "Adiós."], [("", None)])


def test_a_missing_pair_says_what_to_install_and_mentions_a_pivot_only_when_one_could_help(
        ) -> None:
    from syndicate.errors import PairUnavailable

    assert str(PairUnavailable("en", "fr")) == (
        "no en→fr model installed: install one with `syndicate models install` (Argos) or an "
        "apertium-* package")
    assert "(and no fr→en and en→de pair to pivot through)" in str(PairUnavailable("fr", "de"))


@pytest.mark.usefixtures("installed_packages")
def test_translate_wait_waits_for_work_another_worker_holds(
        client: FlaskClient, service: Service, runner: FlaskCliRunner,
        producer: dict[str, str]) -> None:
    import threading
    from datetime import timedelta

    from syndicate.store import translations as translation_store

    client.post("/api/v1/articles", json=article_body(), headers=producer)
    with service.store.write() as session:  # another worker takes every pair's work
        now = service.clock()
        while translation_store.claim(session, "elsewhere:1", now, now + timedelta(minutes=5),
                                      limit=10):
            pass
    assert "0 done" in runner.invoke(args=["translate"]).output  # nothing due here

    def give_back() -> None:  # the other worker stops: its work returns to the queue
        with service.store.write() as session:
            translation_store.release(session, "elsewhere:1")

    timer = threading.Timer(1.0, give_back)
    timer.start()
    try:
        waited = runner.invoke(args=["translate", "--wait", "--timeout", "60"])
    finally:
        timer.join()
    assert waited.exit_code == 0 and waited.output.startswith("3 done"), waited.output
