"""Apertium, a real offline engine, beside Argos: en→es through Debian's apertium-eng-spa.

Nothing here compares exact strings (they would tie the tests to one Apertium version): the
output is checked for what must hold whatever the version. Blocks, link targets, numbers and
glossary terms survive; markup is identical outside the text; no unknown-word mark remains;
and the text is Spanish, by its share of Spanish function words.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from syndicate.errors import EngineFailure
from syndicate.models import Role
from syndicate.service import Service
from syndicate.translate import cores, markup
from syndicate.translate.apertium import ApertiumEngine

from .conftest import json_lines, make_token
from .test_api_articles import article_body

if shutil.which("apertium") is None or "eng-spa" not in subprocess.run(
        ["apertium", "-l"], capture_output=True, text=True).stdout:
    if os.environ.get("CI"):
        raise RuntimeError(".ci/run installs apertium and apertium-eng-spa; CI must run this")
    pytest.skip("Apertium's eng-spa pair is not installed: apt-get install apertium-eng-spa",
                allow_module_level=True)

pytestmark = pytest.mark.usefixtures("installed_packages")
SPANISH = {"el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "por", "con",
           "para", "se", "es", "al", "lo", "su", "sus", "a", "como", "más", "este", "esta"}
RICH = [
    {"type": "heading", "html": "What changed in the city this week?"},
    {"type": "paragraph", "html": 'The council <em>approved</em> 3 new bridges for '
     '<a href="https://example.org/budget?year=2027&amp;id=42">the budget of 2027</a>, '
     'said the mayor of Syndicateville.'},
    {"type": "list", "html": "<li>The first bridge costs 120 million euros.</li>"
     "<li>The second bridge opens in <strong>June</strong>.</li>"},
    {"type": "paragraph", "html": "Around 950 people attended the meeting, and the "
     '<a href="https://example.org/report.pdf">full report</a> is online.'},
]


@pytest.fixture
def apertium_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(SYNDICATE_ENGINES="apertium", SYNDICATE_TARGET_LANGUAGES="es")
    service: Service = app.extensions["syndicate"]
    glossary = service.settings.translation.translations_dir / "glossary.toml"
    glossary.parent.mkdir(parents=True, exist_ok=True)
    glossary.write_text('keep = ["Syndicateville"]\n')
    return app


def spanish_share(text: str) -> float:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in SPANISH for w in words) / max(len(words), 1)


def shape(html: str) -> list[str]:
    """Return the markup of a block: every tag, in order, byte for byte."""
    return [raw for name, raw in markup.tokens(html) if name is not None]


def test_the_sample_and_a_rich_article_come_out_in_spanish_with_all_markup(
        apertium_app: Flask, sample_text: str) -> None:
    service: Service = apertium_app.extensions["syndicate"]
    client = apertium_app.test_client()
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.PRODUCER)}
    sample = client.post("/api/v1/articles", data=sample_text.encode(),
                         content_type="text/plain", headers=headers).get_json()
    rich = client.post("/api/v1/articles", json=article_body(guid="rich", blocks=RICH),
                       headers=headers).get_json()
    report = service.pipeline.translate_pending()
    assert (report.done, report.failed) == (2, 0)
    for created in (sample, rich):
        got: Any = client.get(f"/api/v1/articles/{created['id']}/translations/es",
                              headers=headers).get_json()
        assert got["status"] == "done" and got["engine"] == "apertium"
        assert got["model"] == "eng-spa"
        source, translated = created["blocks"], got["blocks"]
        assert [b["type"] for b in translated] == [b["type"] for b in source]
        text = " ".join(re.sub(r"<[^>]+>", " ", b["html"]) for b in translated)
        assert "*" not in text  # no unknown-word marks
        assert spanish_share(text) > 0.2, text
        for before, after in zip(source, translated, strict=True):
            assert shape(after["html"]) == shape(before["html"])  # markup byte-identical
            assert sorted(re.findall(r"\d+", re.sub(r"<[^>]+>", " ", after["html"]))) == \
                sorted(re.findall(r"\d+", re.sub(r"<[^>]+>", " ", before["html"])))
        if created is rich:
            assert "Syndicateville" in text  # the glossary keeps it
    service.pipeline.publish_changes()
    feed = (service.settings.feeds.feeds_dir / "es" / "atom.xml").read_text()
    assert 'href="https://example.org/budget?year=2027&amp;amp;id=42"' in feed
    assert "https://example.org/report.pdf" in feed


def test_a_batch_is_one_process_and_keeps_segment_boundaries() -> None:
    engine = ApertiumEngine()
    sentences = [f"The city council approved plan number {n} on Tuesday." for n in range(40)]
    out = engine.batch("eng-spa", sentences)
    assert len(out) == 40
    assert all(str(n) in line for n, line in enumerate(out))
    assert all(spanish_share(line) > 0.2 for line in out)


def test_a_large_batch_is_split_over_the_workers_at_once_and_keeps_its_order() -> None:
    pool = cores.Pool(cores.plan(4, 4))  # a call keeps two cores busy: four make two parts
    engine = ApertiumEngine(pool)
    both = threading.Barrier(2, timeout=30)  # broken unless two processes run at once
    calls: list[str] = []
    call = engine._call

    def counted(mode: str, text: str) -> str:
        calls.append(text)
        both.wait()
        return call(mode, text)

    engine._call = counted  # type: ignore[method-assign]
    sentences = [f"The city council approved plan number {n} on Tuesday after a long debate "
                 f"about the budget of the new library." for n in range(400)]
    try:
        out = engine.batch("eng-spa", sentences)
    finally:
        pool.close()
    assert len(calls) == 2  # two apertium processes, at the same time (the barrier held)
    assert out == ApertiumEngine().batch("eng-spa", sentences)  # one process: the same text
    assert all(f" {n} " in line for n, line in enumerate(out))


def test_a_word_apertium_drops_leaves_no_double_space() -> None:
    [out] = ApertiumEngine().batch("eng-spa", ["They fell in Russia's Kursk region."])
    assert "Rusia" in out and "  " not in out  # Apertium itself prints "Rusia  Kursk"


def test_a_crash_is_an_engine_failure() -> None:
    with pytest.raises(EngineFailure, match="apertium"):
        ApertiumEngine().batch("eng-xxx", ["Hello."])
    with pytest.raises(EngineFailure):
        ApertiumEngine(binary="/nonexistent/apertium").batch("eng-spa", ["Hello."])


def test_routing_prefers_engines_in_order_and_a_pair_can_be_pinned(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(SYNDICATE_ENGINES="argos,apertium", SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions["syndicate"]
    assert service.translator.route("en", "es").engine == "argos"  # first that has it
    assert service.translator.route("es", "en").engine == "argos"
    engines = service.settings.translation.translations_dir / "engines.toml"
    engines.parent.mkdir(parents=True, exist_ok=True)
    engines.write_text('[pairs]\n"en-es" = "apertium"\n')
    assert service.translator.route("en", "es").engine == "apertium"
    status = app.test_client().get("/api/v1/status", headers={
        "Authorization": "Bearer " + make_token(service, "ops", Role.OPERATOR)}).get_json()
    es = next(lang for lang in status["languages"] if lang["language"] == "es")
    assert es["model"] == {"installed": True, "version": "eng-spa", "engine": "apertium",
                           "test_package": False, "memory": []}  # no model in this process
    listed = json_lines(app.test_cli_runner().invoke(args=["models", "list", "--json"]).stdout)
    assert {"pair": "en→es", "engine": "apertium", "version": None, "size_mb": None,
            "model": "eng-spa", "serves": "en→es", "note": None} in listed


def test_spanish_to_catalan_answers_in_catalan_with_cg3_installed() -> None:
    """spa-cat needs cg3 (.ci/run installs it); without it Apertium prints nothing, which the
    engine refuses (see test_translate's empty-output tests)."""
    engine = ApertiumEngine()
    route = engine.route("es", "ca")
    [out] = engine.translate(route, ["El consejo aprobó el puente nuevo el martes."])
    assert out == ("El consell va aprovar el pont nou el dimarts.", None)  # rules: no score


def test_a_package_that_would_take_a_pair_from_apertium_needs_force(
        make_app: Callable[..., Flask], tmp_path: Path, package_files: dict[str, Path]) -> None:
    app = make_app(SYNDICATE_ENGINES="argos,apertium", SYNDICATE_TARGET_LANGUAGES="es",
                   SYNDICATE_PACKAGES_DIR=str(tmp_path / "packages"))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["models", "install", str(package_files["en-es"])])
    assert refused.exit_code == 1
    assert "en→es is served by apertium (eng-spa); this Argos package would take it over" in \
        refused.output and "--force" in refused.output
    assert not (tmp_path / "packages").exists() or not any((tmp_path / "packages").iterdir())
    forced = runner.invoke(args=["models", "install", "--force", str(package_files["en-es"])])
    assert forced.exit_code == 0
    assert "a test package (copy), not a translation model" in forced.output
