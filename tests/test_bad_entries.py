"""One bad entry never stops a pass: every way in refuses or strips control and XML-forbidden
characters in every field, and the publisher leaves out (and records) what a renderer still
refuses, publishing the rest, takedowns included. Links never depend on the shell."""

from __future__ import annotations

import json
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import update

from syndicate.errors import PublishError
from syndicate.ingest.upstream import parse_feed
from syndicate.models import Role
from syndicate.service import Service
from syndicate.store.schema import ArticleRow, TranslationRow

from .conftest import make_token
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
# C0 (but tab and line ends), DEL, C1, a lone surrogate and a non-character: none may pass.
FORBIDDEN = ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\x9f", "\ud800", "\ufffe"]
TEXT_FIELDS = ("guid", "title", "summary", "author")


def _has_forbidden(value: Any) -> bool:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return any(c in text for c in FORBIDDEN) or "\\u" in text and any(
        json.dumps(c)[1:-1] in text for c in FORBIDDEN)


def _bodies(char: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (field, body) with the character in that field of an article body."""
    out = [(name, article_body(**{"guid": f"g-{name}", name: f"A{char}B title words"}))
           for name in TEXT_FIELDS]
    out.append(("link", article_body(guid="g-link", link=f"https://example.org/a{char}b")))
    out.append(("categories", article_body(guid="g-cat", categories=[f"lo{char}cal"])))
    out.append(("blocks", article_body(guid="g-block", blocks=[
        {"type": "paragraph", "html": f"The council{char} <a href=\"https://x.org/{char}\">"
                                      "approved</a> it."}])))
    out.append(("image", article_body(guid="g-image", image={
        "url": f"https://example.org/i{char}.jpg", "alt": f"a{char}b",
        "caption": f"c{char}d", "credit": f"e{char}f"})))
    return out


@pytest.mark.parametrize("char", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_every_field_of_the_api_refuses_or_strips_forbidden_characters(
        client: FlaskClient, service: Service, producer: dict[str, str], char: str) -> None:
    for field, body in _bodies(char):
        answer = client.post("/api/v1/articles", data=json.dumps(body, ensure_ascii=True),
                             content_type="application/json", headers=producer)
        if answer.status_code == 422:  # refused, naming the field
            problem = answer.get_json()
            assert answer.content_type == "application/problem+json"
            assert any(e["field"].startswith(field) for e in problem["errors"]), problem
            continue
        assert answer.status_code == 201, (field, answer.get_json())
        stored = client.get(f"/api/v1/articles/{answer.get_json()['id']}",
                            headers=producer).get_json()
        assert not _has_forbidden(stored), (field, stored)
    service.pipeline.translate_pending()
    service.pipeline.publish()  # and everything stored publishes


@pytest.mark.parametrize("char", ["\x01", "\x85", "\ufffe"], ids=["C0", "C1", "U+FFFE"])
def test_an_upstream_feed_cannot_carry_them_either(char: str) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Up", "items": [{
        "id": f"x{char}1", "url": f"https://example.org/a{char}b", "title": f"T{char}itle",
        "summary": f"S{char}", "content_html": f"<p>Body{char} text</p>",
        "tags": [f"t{char}ag"], "authors": [{"name": f"A{char}n"}]}]}
    document = parse_feed(json.dumps(feed).encode(), "application/feed+json",
                          default_language="en", limit=10)
    [entry] = document.entries
    assert entry.link is None  # a link with a control character is dropped, not kept
    assert not _has_forbidden([entry.guid, entry.title, entry.summary, entry.author,
                               list(entry.categories), [b.html for b in entry.blocks]])


def test_a_post_edit_strips_them_and_its_plain_fields_keep_no_markup(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    desk = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    answer = client.put(f"/api/v1/articles/{created['id']}/translations/es", json={
        "title": "El <b>consejo</b>\x01 aprueba", "summary": "La\x85 votación"}, headers=desk)
    assert answer.status_code == 200
    got = answer.get_json()
    assert got["title"] == "El consejo aprueba" and got["summary"] == "La votación"


def test_a_stored_bad_entry_is_left_out_and_recorded_and_a_takedown_still_publishes(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    """What came in before the ingest checks (an old row, a restored backup) still cannot
    stop a pass: the entry is left out and recorded, and the rest is published."""
    bad = client.post("/api/v1/articles", json=article_body(guid="bad"), headers=producer)
    court = client.post("/api/v1/articles", json=article_body(guid="court", title="Court story"),
                        headers=producer)
    good = client.post("/api/v1/articles", json=article_body(guid="good", title="Good story"),
                       headers=producer)
    bad_id, court_id, good_id = (r.get_json()["id"] for r in (bad, court, good))
    service.pipeline.translate_pending()
    service.pipeline.publish()
    with service.store.write() as session:  # as an older release would have stored it
        session.execute(update(ArticleRow).where(ArticleRow.id == bad_id)
                        .values(link="https://example.org/a\x01b"))
        session.execute(update(TranslationRow).where(TranslationRow.article_id == bad_id,
                                                     TranslationRow.language == "es")
                        .values(title="Título\x01 roto"))
    assert client.delete(f"/api/v1/articles/{court_id}", headers=producer).status_code == 200
    client.post("/api/v1/articles", json=article_body(guid="good", title="Good story, updated"),
                headers=producer)
    service.pipeline.translate_pending()
    service.publisher.publish(force=True)  # no error: the entry is left out, not the pass
    for lang in ("en", "es", "fr"):
        parsed = feedparser.parse(client.get(f"/feeds/{lang}/rss.xml").data)
        titles = [e.title for e in parsed.entries]
        assert "Court story" not in titles  # the takedown reached every language
        assert any("updated" in t for t in titles), (lang, titles)
        assert bad_id not in json.dumps([e.get("link") for e in parsed.entries])
    got = client.get(f"/api/v1/articles/{bad_id}/translations/es", headers=producer).get_json()
    assert any(f["check"] == "publishable" for f in got["checks"]["findings"])
    metrics = client.get("/api/v1/metrics").get_data(as_text=True)
    assert "syndicate_publish_entries_refused" in metrics
    del good_id


def test_a_document_that_fails_whole_is_named_and_the_others_still_publish(
        client: FlaskClient, service: Service, producer: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from syndicate.publish import render

    client.post("/api/v1/articles", json=article_body(), headers=producer)
    service.pipeline.translate_pending()
    real = render.render_rss

    def broken_for_spanish(meta: Any, *args: Any, **kwargs: Any) -> bytes:
        if meta.language == "es":
            raise ValueError("a renderer bug")
        return real(meta, *args, **kwargs)

    monkeypatch.setattr(render, "render_rss", broken_for_spanish)
    with pytest.raises(PublishError, match="es: ValueError: a renderer bug") as failed:
        service.publisher.publish(force=True)
    assert "the rest was published" in str(failed.value)
    assert (service.settings.feeds.feeds_dir / "fr" / "rss.xml").exists()
    assert not (service.settings.feeds.feeds_dir / "es" / "rss.xml").exists()


def test_links_come_from_the_instance_not_from_the_shell(
        client: FlaskClient, service: Service, producer: dict[str, str],
        make_app: Any) -> None:
    """The service records its public URL when it starts; a command from a shell with
    another SYNDICATE_PUBLIC_URL (or none) writes the same links, and a real change of URL
    rewrites every document, archive pages included."""
    for n in range(3):
        client.post("/api/v1/articles", json=article_body(guid=f"n{n}", title=f"Story {n}"),
                    headers=producer)
    service.pipeline.translate_pending()
    service.publisher.adopt()  # what `syndicate serve` does as it starts
    service.pipeline.publish()
    feeds = service.settings.feeds.feeds_dir
    other_shell = make_app(SYNDICATE_PUBLIC_URL="http://127.0.0.1:8000",
                           SYNDICATE_FEED_ENTRIES="2")
    cli: FlaskCliRunner = other_shell.test_cli_runner()
    result = cli.invoke(args=["republish"])
    assert result.exit_code == 0, result.output
    assert "links use the instance's public URL http://localhost" in result.output
    for path in feeds.rglob("*.xml"):
        assert "127.0.0.1:8000" not in path.read_text(), path
    assert "127.0.0.1:8000" not in (feeds / "robots.txt").read_text()
    moved = make_app(SYNDICATE_PUBLIC_URL="https://news.example.org",
                     SYNDICATE_FEED_ENTRIES="2")
    moved_service: Service = moved.extensions["syndicate"]
    assert moved_service.publisher.adopt() == "http://localhost"
    for _ in range(5):
        moved_service.publisher.publish()
    pages = list(feeds.glob("*/archive/*.xml"))
    assert pages  # two entries a page: three stories fill one
    for path in [*pages, *feeds.glob("*/*.xml"), feeds / "robots.txt"]:
        text = path.read_text()
        assert "http://localhost" not in text, path
        assert "https://news.example.org" in text or path.name == "robots.txt"


def test_a_rejection_refreshes_every_language_that_links_to_it(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    article = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    service.pipeline.publish()
    atom = (service.settings.feeds.feeds_dir / "es" / "atom.xml").read_text()
    assert 'hreflang="fr"' in atom
    desk = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    assert client.post(f"/api/v1/articles/{article['id']}/translations/fr/review",
                       json={"decision": "reject"}, headers=desk).status_code == 200
    service.pipeline.publish()
    for lang in ("en", "es"):
        text = (service.settings.feeds.feeds_dir / lang / "atom.xml").read_text()
        assert 'hreflang="fr"' not in text, lang
        ninjs = (service.settings.feeds.feeds_dir / lang / "ninjs.json").read_text()
        assert '"language":"fr"' not in ninjs, lang


def test_a_retracted_article_takes_no_edit_and_no_review(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    article = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    client.delete(f"/api/v1/articles/{article['id']}", headers=producer)
    desk = {"Authorization": "Bearer " + make_token(service, "desk", Role.OPERATOR)}
    edited = client.put(f"/api/v1/articles/{article['id']}/translations/es",
                        json={"title": "Nuevo"}, headers=desk)
    assert edited.status_code == 409 and "retracted" in edited.get_json()["detail"]
    reviewed = client.post(f"/api/v1/articles/{article['id']}/translations/es/review",
                           json={"decision": "approve"}, headers=desk)
    assert reviewed.status_code == 409 and "retracted" in reviewed.get_json()["detail"]


def test_every_way_of_post_editing_keeps_no_markup_in_plain_fields(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    """The door itself strips it: XLIFF and the dashboard reach the same post_edit."""
    from syndicate.models import EditInput

    created = client.post("/api/v1/articles", json=article_body(), headers=producer).get_json()
    service.pipeline.translate_pending()
    service.articles.post_edit(created["id"], "es", EditInput({
        "title": "El <script>x()</script><b>consejo</b> aprueba",
        "summary": "<i>La</i>\x01 votación"}), "desk")
    _, translation, _ = service.articles.translation(created["id"], "es")
    assert (translation.title, translation.summary) == ("El consejo aprueba", "La votación")
