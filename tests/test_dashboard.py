"""The operators' dashboard in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.jobs import scheduler as scheduling
from syndicate.service import Service
from syndicate.web import server

from .test_api_articles import article_body

CHROMIUM = Path("/usr/bin/chromium")
# As this workplace runs Chromium: no sandbox as root, and none of its background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser test: .ci/run installs Debian's chromium")
    pytest.skip("Debian's chromium is not installed: apt-get install chromium "
                "(.ci/run installs it, so CI always runs this test)", allow_module_level=True)

pytestmark = pytest.mark.usefixtures("installed_packages")


@pytest.fixture
def port() -> int:
    """Return a free port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def env(env: dict[str, str], port: int, request: pytest.FixtureRequest) -> dict[str, str]:
    """The service's public URL is the one the browser opens (forms are checked against
    it); a test marked ``review("failed")`` runs with that review gate."""
    marker = request.node.get_closest_marker("review")
    gate = {"SYNDICATE_REVIEW": str(marker.args[0])} if marker else {}
    return {**env, "SYNDICATE_PUBLIC_URL": f"http://127.0.0.1:{port}", **gate}


@pytest.fixture
def live_server(app: Flask, service: Service, port: int) -> Iterator[str]:
    """Serve the app with waitress on its public URL's port, with the real scheduler."""
    running = server.create(app, service.settings, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    scheduler = scheduling.build(service)
    scheduler.start()
    yield f"http://127.0.0.1:{port}"
    scheduler.shutdown(wait=True)
    server.stop(running, thread)


def test_operator_signs_in_sees_status_and_republishes(
        live_server: str, client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    client.post("/api/v1/articles", json=article_body(), headers=producer)
    service.pipeline.translate_pending()
    secret = operator["Authorization"].removeprefix("Bearer ")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()  # no JS needed
        page.goto(f"{live_server}/admin/")
        page.fill("input[name=token]", "syn_not-a-token")
        page.click("button[type=submit]")
        assert "unknown token" in page.inner_text("[role=alert]")
        page.fill("input[name=token]", secret)
        page.click("button[type=submit]")
        assert "Signed in as ops" in page.inner_text("body")
        spanish = page.locator("#status tr[data-language=es] td")
        model = spanish.nth(1).inner_text()  # the suite's packages are test packages
        assert model.startswith("translate-en_es-1_0@1.0") and "test package" in model
        assert spanish.nth(2).inner_text() == "1"  # done
        article = page.locator("#articles tr[data-article] td")
        assert [article.nth(i).inner_text() for i in (1, 2, 4, 5)] == [
            "Council approves the new bridge", "en", "source", "done"]
        page.click("#republish")
        message = page.inner_text("[role=status]")
        assert message.startswith("republish job ") and message.endswith(" queued")
        job_id = message.split()[2]
        state = page.locator(f"#jobs tr[data-job='{job_id}'] td").nth(2)
        deadline = time.monotonic() + 30
        while state.inner_text() != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.5)
            page.goto(f"{live_server}/admin/")
        assert state.inner_text() == "succeeded"
        result = page.locator(f"#jobs tr[data-job='{job_id}'] td").nth(6).inner_text()
        assert "{" not in result and "'" not in result  # counts as people read them
        assert spanish.nth(8).locator("a").all_inner_texts() == ["RSS", "Atom", "JSON"]
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        shots = os.environ.get("SYNDICATE_SCREENSHOT_DIR")
        if shots:
            page.screenshot(path=str(Path(shots) / "dashboard.png"), full_page=True)
        browser.close()
    audit = client.get("/api/v1/audit", headers=operator).get_json()["items"]
    assert audit[0]["action"] == "republish" and audit[0]["actor"] == "ops"
    assert "(dashboard)" in audit[0]["outcome"]


def test_operator_adds_watches_and_pauses_a_source(
        live_server: str, service: Service, operator: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    from syndicate.testing import feeds as make
    from syndicate.testing.upstream import Document, serving

    secret = operator["Authorization"].removeprefix("Bearer ")
    stories = [make.Entry(f"s-{i}", f"Story {i} from upstream", f"<p>Body {i}.</p>")
               for i in range(2)]
    with serving() as upstream, sync_playwright() as pw:
        upstream.routes["/feed.xml"] = Document(make.rss20(stories))
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server}/admin/")
        page.fill("input[name=token]", secret)
        page.click("button[type=submit]")
        refused_url = f"http://127.0.0.1:{upstream.port}/feed.xml"
        page.fill("input[name=url]", refused_url)  # loopback, not allowed: refused at once
        page.click("#add-source")
        assert page.inner_text("#error-add-source").startswith(
            "url: refused: 127.0.0.1 is a loopback address")
        assert "--allow-host" in page.inner_text("#error-add-source")
        assert page.input_value("input[name=url]") == refused_url  # what was typed is kept
        assert page.locator("#sources tr[data-source]").count() == 0  # nothing half-stored
        page.fill("input[name=url]", upstream.url("/feed.xml"))
        page.fill("input[name=allow_hosts]", upstream.host)
        page.click("#add-source")
        assert page.inner_text("[role=status]").endswith(" added")
        good = page.locator("#sources tr[data-source='1'] td")
        deadline = time.monotonic() + 30
        while good.nth(7).inner_text() != "2" and time.monotonic() < deadline:
            time.sleep(0.5)
            page.goto(f"{live_server}/admin/")  # the scheduler polls within seconds
        assert (good.nth(4).inner_text(), good.nth(7).inner_text()) == ("200", "2")
        # the page reads the articles before the sources: the render that first showed the
        # poll's record may have read the articles just before the poll stored them (the
        # record is written after them, so a fresh page has both; seen on a clean clone)
        page.goto(f"{live_server}/admin/")
        titles = page.locator("#articles tr[data-article] td:nth-child(2)").all_inner_texts()
        assert sorted(titles) == ["Story 0 from upstream", "Story 1 from upstream"]
        shots = os.environ.get("SYNDICATE_SCREENSHOT_DIR")
        if shots:
            page.screenshot(path=str(Path(shots) / "dashboard-sources.png"), full_page=True)
        page.locator("#sources tr[data-source='1'] button[value=pause]").click()
        assert good.nth(2).inner_text() == "paused"
        page.locator("#sources tr[data-source='1'] button[value=remove]").click()
        assert page.locator("#sources tr[data-source='1']").count() == 0
        browser.close()
    assert upstream.hits("/feed.xml") >= 1


@pytest.mark.review("failed")
def test_operator_reviews_held_translations_side_by_side(
        live_server: str, client: FlaskClient, service: Service, producer: dict[str, str],
        operator: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    bodies = [article_body(guid=f"g{i}", title=f"The council approves bridge plan {i}")
              for i in range(3)]
    ids = [client.post("/api/v1/articles", json=body, headers=producer).get_json()["id"]
           for body in bodies]
    service.pipeline.translate_pending()  # the copy packages echo English: all held
    secret = operator["Authorization"].removeprefix("Bearer ")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server}/admin/")
        page.fill("input[name=token]", secret)
        page.click("button[type=submit]")
        page.click("#review-link")
        page.click("#languages a:has-text('es')")
        held = page.locator("section.held[data-language=es]")
        assert held.count() == 3
        shots = os.environ.get("SYNDICATE_SCREENSHOT_DIR")
        if shots:
            page.screenshot(path=str(Path(shots) / "review-queue.png"), full_page=True)
        first = page.locator(f"section.held[data-article='{ids[0]}'][data-language=es]")
        title = first.locator("tr[data-field=title]")
        assert title.locator("td.source").inner_text() == "The council approves bridge plan 0"
        marked = title.locator("td.target.error mark.error").first.inner_text()
        assert marked.startswith("error: language:") and "left untranslated" in marked
        first.locator("button.approve").click()
        assert page.inner_text("[role=status]") == f"{ids[0]} es approved"
        second = page.locator(f"section.held[data-article='{ids[1]}'][data-language=es]")
        second.locator("input[name=title]").fill("El consejo aprueba el puente")
        second.locator("button.edit").click()
        assert page.inner_text("[role=status]") == f"{ids[1]} es edited"
        # its other fields are still the engine's, with errors: held until approved whole
        second = page.locator(f"section.held[data-article='{ids[1]}'][data-language=es]")
        second.locator("button.approve").click()
        assert page.inner_text("[role=status]") == f"{ids[1]} es approved"
        third = page.locator(f"section.held[data-article='{ids[2]}'][data-language=es]")
        third.locator("input[name=note]").fill("English, not Spanish")
        third.locator("button.reject").click()
        assert page.inner_text("[role=status]") == f"{ids[2]} es rejected"
        assert page.locator("#empty").inner_text() == "Nothing is held in es."
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        browser.close()
    states = {i: client.get(f"/api/v1/articles/{i}/translations/es",
                            headers=operator).get_json() for i in ids}
    assert [states[i]["status"] for i in ids] == ["done", "done", "rejected"]
    assert states[ids[2]]["review"]["note"] == "English, not Spanish"
    service.pipeline.publish_changes()
    titles = [e.title for e in feedparser.parse(
        (service.settings.feeds.feeds_dir / "es" / "rss.xml").read_bytes()).entries]
    assert sorted(titles) == ["El consejo aprueba el puente", "The council approves bridge plan 0"]
