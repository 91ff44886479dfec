"""A retraction or a correction reaches every document ever published (current feeds in three
formats, every archive page, named feeds, gzip twins), and no public page answers 500 after
any kind of entry."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from syndicate.models import Role, SourceInput
from syndicate.service import EXTENSION_KEY, Service
from syndicate.testing import feeds as make
from syndicate.testing.upstream import Document, serving

from .atom_grammar import check_atom
from .conftest import make_token
from .test_api_articles import article_body
from .test_feeds import IMAGE

pytestmark = pytest.mark.usefixtures("installed_packages")
SECRET = "Defamatory claim about the mayor"


def _documents(feeds: Path) -> dict[str, bytes]:
    """Return every published document, the gzip twins unpacked."""
    out = {}
    for path in sorted(p for p in feeds.rglob("*") if p.is_file()):
        data = path.read_bytes()
        out[str(path.relative_to(feeds))] = gzip.decompress(data) \
            if path.suffix == ".gz" else data
    return out


@pytest.fixture
def small(make_app: Callable[..., Flask]) -> tuple[Service, FlaskClient, dict[str, str]]:
    """A service whose feeds show two entries, so older ones live in archive pages only."""
    app = make_app(SYNDICATE_FEED_ENTRIES="2", SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions[EXTENSION_KEY]
    headers = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    return service, app.test_client(), headers


def _post_six(client: FlaskClient, headers: dict[str, str], first_title: str) -> str:
    ids = []
    for day in range(1, 7):
        body = article_body(guid=f"g{day}", title=first_title if day == 1 else f"Story {day}",
                            published=f"2026-11-0{day}T08:00:00Z")
        ids.append(client.post("/api/v1/articles", json=body, headers=headers).get_json()["id"])
    return str(ids[0])


def test_a_retraction_leaves_no_trace_in_any_document(
        small: tuple[Service, FlaskClient, dict[str, str]]) -> None:
    service, client, headers = small
    assert client.put("/api/v1/feeds/wire", json={"languages": ["en", "es"], "public": True},
                      headers=headers).status_code == 201
    first = _post_six(client, headers, SECRET)
    service.pipeline.translate_pending()
    service.pipeline.publish()
    before = _documents(service.settings.feeds.feeds_dir)
    holding = sorted(name for name, data in before.items() if SECRET.encode() in data)
    assert "en/archive/1.xml" in holding and "es/archive/1.xml.gz" in holding
    assert "en/rss.xml" not in holding  # only the two newest are in the current feeds

    gone = client.delete(f"/api/v1/articles/{first}?reason=legal+takedown", headers=headers)
    assert gone.status_code == 200
    service.pipeline.publish_changes()

    after = _documents(service.settings.feeds.feeds_dir)
    assert [name for name, data in after.items() if SECRET.encode() in data] == []
    assert set(holding) <= set(after)  # rewritten, not deleted
    for lang in ("en", "es", "fr"):
        page = client.get(f"/feeds/{lang}/archive/1.xml")
        assert page.status_code == 200 and SECRET.encode() not in page.data
        check_atom(page.data)
        assert client.get(f"/feeds/{lang}/").status_code == 200
        assert client.get(f"/articles/{first}/{lang}").status_code == 410
    for name in ("rss.xml", "atom.xml", "feed.json"):
        assert SECRET.encode() not in client.get(f"/feeds/wire/es/{name}").data


def test_a_correction_reaches_the_archive_page_in_every_language(
        small: tuple[Service, FlaskClient, dict[str, str]]) -> None:
    service, client, headers = small
    first = _post_six(client, headers, "Council approves the bridge")
    service.pipeline.translate_pending()
    service.pipeline.publish()
    page_three = {lang: (service.settings.feeds.feeds_dir / lang / "archive" / "3.xml").read_bytes()
                  for lang in ("en", "es")}
    corrected = article_body(guid="g1", title="Council delays the bridge",
                             published="2026-11-01T08:00:00Z")
    assert client.post("/api/v1/articles", json=corrected, headers=headers).status_code == 200
    edit = client.put(f"/api/v1/articles/{first}/translations/fr",
                      json={"title": "Le conseil reporte le pont"}, headers=headers)
    service.pipeline.translate_pending()
    assert edit.status_code == 200
    service.pipeline.publish_changes()
    for lang, title in (("en", "Council delays the bridge"), ("es", "Council delays the bridge"),
                        ("fr", "Le conseil reporte le pont")):
        page = (service.settings.feeds.feeds_dir / lang / "archive" / "1.xml").read_bytes()
        assert title.encode() in page and b"Council approves the bridge" not in page, lang
        assert gzip.decompress((service.settings.feeds.feeds_dir / lang / "archive" /
                                "1.xml.gz").read_bytes()) == page
    for lang, data in page_three.items():  # a page the change did not touch is not rewritten
        assert (service.settings.feeds.feeds_dir / lang / "archive" / "3.xml").read_bytes() == data


def _every_kind_of_entry(service: Service, client: FlaskClient,
                         headers: dict[str, str]) -> dict[str, str]:
    """Publish one entry of each kind; return kind -> article id."""
    made: dict[str, str] = {}
    for kind, extra in (("plain", {}), ("image", {"image": IMAGE}),
                        ("retracted", {}), ("edited", {}),
                        ("embargoed", {"published": (service.clock()
                                                     + timedelta(hours=3)).strftime(
                                                         "%Y-%m-%dT%H:%M:%SZ")})):
        body = article_body(guid=kind, title=f"The {kind} story", **extra)
        made[kind] = client.post("/api/v1/articles", json=body,
                                 headers=headers).get_json()["id"]
    service.pipeline.translate_pending()
    client.put(f"/api/v1/articles/{made['edited']}/translations/es",
               json={"title": "La historia editada"}, headers=headers)
    client.delete(f"/api/v1/articles/{made['retracted']}", headers=headers)
    client.put("/api/v1/feeds/learners", json={"languages": ["es"], "mode": "bilingual",
                                               "public": True}, headers=headers)
    with serving() as upstream:
        upstream.routes["/feed.xml"] = Document(make.rss20([make.Entry(
            guid="up-1", title="From a source", html="<p>Upstream text.</p>")]))
        source = service.sources.add(SourceInput(
            url=upstream.url("/feed.xml"), producer=None, allow_hosts=(upstream.host,)))
        service.pipeline.poll_sources()
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    page = service.articles.page(limit=10, cursor=None, include_retracted=False,
                                              producer=source.producer)
    made["source"] = page.items[0].id
    return made


def test_every_public_page_answers_after_every_kind_of_entry(
        small: tuple[Service, FlaskClient, dict[str, str]]) -> None:
    service, client, operator = small
    made = _every_kind_of_entry(service, client, operator)
    langs = list(service.settings.translation.languages)
    paths = ["/feeds/", "/feeds/opml.xml", "/feeds/feed.xsl", "/healthz"]
    for lang in langs:
        paths += [f"/feeds/{lang}/", f"/feeds/{lang}/rss.xml", f"/feeds/{lang}/atom.xml",
                  f"/feeds/{lang}/feed.json", f"/feeds/{lang}/archive/1.xml"]
        paths += [f"/articles/{article}/{lang}" for article in made.values()]
    paths += [f"/feeds/learners/es/{name}" for name in ("rss.xml", "atom.xml", "feed.json")]
    answers = {path: client.get(path).status_code for path in paths}
    assert [p for p, status in answers.items() if status >= 500] == []
    assert {answers[f"/articles/{made[k]}/es"] for k in ("plain", "image", "edited",
                                                         "source")} == {200}
    assert answers[f"/articles/{made['retracted']}/es"] == 410
    assert answers[f"/articles/{made['embargoed']}/es"] == 404
    assert all(answers[f"/feeds/{lang}/"] == 200 for lang in langs)
    assert all(answers[f"/feeds/{lang}/archive/1.xml"] == 200 for lang in langs)
    listed = json.loads(client.get("/feeds/es/feed.json").data)["items"]
    page = client.get("/feeds/es/").get_data(as_text=True)
    shown: list[Any] = [i for i in listed if not i.get("_syndicate", {}).get("deleted")]
    assert all(i["title"] in page for i in shown) and "Withdrawn" not in page
