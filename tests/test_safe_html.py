"""Safe HTML by construction: whatever a producer or an engine sends, only the allow-list is
ever stored or published (through the real engine: copy and pseudo-language models)."""

from __future__ import annotations

import html
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from syndicate.models import Article, Block, BlockType
from syndicate.sanitize import clean_html
from syndicate.service import Service
from syndicate.translate import article as article_translation
from syndicate.translate import markup
from syndicate.translate.argos import ArgosEngine
from syndicate.translate.glossary import Glossary

from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")

ALLOWED = {
    "a": {"href", "title", "hreflang"}, "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"}, "q": {"cite"}, "time": {"datetime"},
}
INLINE = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img",
          "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
          "time", "u", "var", "li", "ul", "ol"}
PAYLOAD = ('<img alt="&gt;&quot; onerror=&quot;alert(document.domain)" '
           'src="https://x/i.png">')


BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote"}  # what feeds wrap blocks in


def assert_allowed(fragment: str, wrapped: bool = False) -> None:
    """Fail unless every element, attribute and URL scheme is on the allow-list."""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    allowed = INLINE | (BLOCKS if wrapped else set())
    for element in root.iterdescendants():
        assert isinstance(element.tag, str) and element.tag in allowed, element.tag
        for name, value in element.attrib.items():
            assert name in ALLOWED.get(element.tag, set()) | {"lang", "dir"}, (element.tag, name)
            if name in ("href", "src", "cite"):
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto"), value


def translate_block(engine: ArgosEngine, source_html: str, target: str) -> str:
    """Translate one block the way the runner does (piecewise when markup is damaged)."""
    now = datetime(2026, 11, 27, tzinfo=UTC)
    article = Article("a1", "p", "g", "en", "Title", (Block(BlockType.PARAGRAPH, source_html),),
                      None, None, None, (), now, now, 1, "f", now)
    plan = article_translation.plan(article, target, Glossary())
    route = engine.route("en", target)
    unique = {s.key: s for s in plan.segments()}
    done = {k: text for k, (text, _) in zip(unique, engine.translate(route, list(unique)),
                                             strict=True)}
    for key, seg in unique.items():
        try:
            markup.check(seg, done[key])
        except markup.PlaceholderMismatch:
            pieces = markup.pieces(seg)
            done[key] = markup.reassemble(seg, {p: text for p, (text, _) in zip(
                pieces, engine.translate(route, pieces), strict=True)})
    return article_translation.assemble(article, plan, done, []).blocks[0].html


@pytest.fixture(scope="module")
def engine(installed_packages: Path) -> ArgosEngine:
    return ArgosEngine(installed_packages, beam_size=1, max_loaded=4)


_NASTY = st.lists(st.sampled_from(list('<>"\'&;=/ :{}1aoe') + [
    "onerror", "script", "javascript", "&gt;", "&quot;", "&lt;", "&#x3c;", "<script>", "-->"]),
    max_size=12).map("".join)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attr=_NASTY, text=_NASTY)
def test_no_element_attribute_or_scheme_outside_the_allow_list(engine: ArgosEngine, attr: str,
                                                               text: str) -> None:
    quoted = html.escape(attr)
    raw = (f"<p>{text} <img alt=\"{quoted}\" src=\"https://x/i.png\" title='{attr}'> "
           f"<a href=\"{quoted}\" title=\"{quoted}\">{html.escape(text)} {attr}</a> "
           f"<em onclick=\"{quoted}\">{text}</em></p>")
    cleaned = clean_html(raw, base_url="https://example.org/news/")
    assert_allowed(cleaned)
    for target in ("es", "de"):  # the copy model and the pseudo-language model
        assert_allowed(translate_block(engine, cleaned, target))


def test_the_known_payload_leaves_no_onerror_anywhere(client: FlaskClient, service: Service,
                                                     producer: dict[str, str]) -> None:
    body = article_body(blocks=[{"type": "paragraph", "html": f"Look {PAYLOAD} here."}])
    created = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    for lang in ("es", "de"):
        page = lxml_html.fromstring(client.get(f"/articles/{created['id']}/{lang}").data)
        assert not [e for e in page.iter() if isinstance(e.tag, str)
                    and any(str(a).startswith("on") for a in e.attrib)]
        got = client.get(f"/api/v1/articles/{created['id']}/translations/{lang}",
                         headers=producer).get_json()
        for block in got["blocks"]:
            assert_allowed(block["html"])
    checked = 0
    for path in sorted(service.settings.feeds.feeds_dir.rglob("*")):
        if path.name == "ninjs.json":  # IPTC ninjs: each article's HTML body
            for item in json.loads(path.read_text()).get("associations", []):
                for body in item.get("bodies", []):
                    assert_allowed(body["value"], wrapped=True)
                    checked += 1
        elif path.suffix == ".json":
            for item in json.loads(path.read_text())["items"]:
                assert_allowed(item["content_html"], wrapped=True)
                checked += 1
        elif path.suffix == ".xml":  # what a reader renders: the decoded HTML of each entry
            for entry in feedparser.parse(path.read_bytes()).entries:
                for content in entry.get("content", []):
                    assert_allowed(content.value, wrapped=True)
                    checked += 1
    assert checked >= 8  # en, es, fr, de: RSS, Atom and JSON


def test_structure_survives_the_tokenizer_byte_for_byte(engine: ArgosEngine) -> None:
    source = clean_html('A <a href="https://x.org/?a=1&amp;b=2" title="x > y">link</a>, '
                        "<em>emphasis</em>,<br> a {1} and <code>a &lt; b</code>.",
                        base_url=None)
    assert translate_block(engine, source, "es") == source


def _attrs(element: Any) -> dict[str, str]:
    return dict(element.attrib)


def test_a_feed_entry_parses_as_xml_with_the_payload(client: FlaskClient, service: Service,
                                                    producer: dict[str, str]) -> None:
    client.post("/api/v1/articles", json=article_body(
        blocks=[{"type": "paragraph", "html": PAYLOAD}]), headers=producer)
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    root = etree.fromstring((service.settings.feeds.feeds_dir / "es" / "atom.xml").read_bytes())
    content = root.findtext(".//{http://www.w3.org/2005/Atom}content") or ""
    img = lxml_html.fragment_fromstring(content, create_parent="div").find(".//img")
    assert img is not None and set(_attrs(img)) <= {"alt", "src"}


def test_plain_text_fields_stay_plain_in_the_store_and_every_feed(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    body = article_body(
        title="<b>Big</b> news <img src=x onerror=alert(1)>",
        summary="&lt;script&gt;alert(1)&lt;/script&gt; Plain & simple",
        author="<i>Jo</i> Writer", categories=["<u>world</u>"])
    created = client.post("/api/v1/articles", json=body, headers=producer).get_json()
    assert (created["title"], created["summary"], created["author"], created["categories"]) \
        == ("Big news", "Plain & simple", "Jo Writer", ["world"])
    escaped = article_body(guid="escaped", blocks=[
        {"type": "paragraph", "html": "&lt;img src=x onerror=alert(1)&gt; is how it starts."}])
    del escaped["summary"]  # the feeds derive one from the first paragraph
    assert client.post("/api/v1/articles", json=escaped, headers=producer).status_code == 201
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    for lang in ("en", "es"):
        rss = feedparser.parse((service.settings.feeds.feeds_dir / lang / "rss.xml").read_bytes())
        summaries = {e.id: e.summary for e in rss.entries}
        # what a reader shows: the characters, never an element (feedparser's sanitizer,
        # which reads <description> as HTML, finds no tag to remove)
        for text in summaries.values():
            assert lxml_html.fragment_fromstring(text, create_parent="div").find(".//*") is None
        assert any("<img src=x onerror=alert(1)>" in html.unescape(t)
                   for t in summaries.values())
        assert "Plain & simple" in [html.unescape(t) for t in summaries.values()]


def test_newsboat_shows_a_summary_that_mentions_a_tag_as_text(
        client: FlaskClient, service: Service, producer: dict[str, str],
        tmp_path: Path) -> None:
    """A real reader: newsboat stores what it will render for each item; fed the RSS
    description alone (no content:encoded), it must keep the tag as text."""
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        if os.environ.get("CI"):
            raise RuntimeError(".ci/run installs newsboat; CI must run this test")
        pytest.skip("newsboat is not installed: apt-get install newsboat")
    body = article_body(guid="mentions", blocks=[
        {"type": "paragraph", "html": "&lt;img src=x onerror=alert(1)&gt; is how it starts."}])
    del body["summary"]
    client.post("/api/v1/articles", json=body, headers=producer)
    service.pipeline.publish_changes()
    tree = etree.parse(str(service.settings.feeds.feeds_dir / "en" / "rss.xml"))
    for element in list(tree.iter("{http://purl.org/rss/1.0/modules/content/}encoded")):
        element.getparent().remove(element)
    feed = tmp_path / "rss.xml"
    tree.write(str(feed))
    (tmp_path / "urls").write_text(f"file://{feed}\n")
    (tmp_path / "config").write_text("auto-reload no\n")
    subprocess.run([newsboat, "-u", str(tmp_path / "urls"), "-c", str(tmp_path / "cache.db"),
                    "-C", str(tmp_path / "config"), "-x", "reload"], check=True, timeout=60,
                   env={**os.environ, "HOME": str(tmp_path)}, capture_output=True)
    with sqlite3.connect(tmp_path / "cache.db") as db:
        shown = [row[0] for row in db.execute("SELECT content FROM rss_item")]
    assert shown and all("<img" not in html_text for html_text in shown)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in html_text for html_text in shown)
