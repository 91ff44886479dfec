"""The ingest parsers, pure: text, Markdown and HTML become the same blocks; input is sanitized."""

from __future__ import annotations

import html
import json
import re

import pytest

from syndicate.errors import MalformedInput, UnsupportedMediaType, ValidationError
from syndicate.ingest import parse_payload
from syndicate.models import ArticleInput, BlockType


def parse(body: str | bytes, content_type: str, **params: str) -> ArticleInput:
    raw = body.encode() if isinstance(body, str) else body
    return parse_payload(raw, content_type, {k: [v] for k, v in params.items()},
                         default_language="en", guid_fallback="fallback")


def sample_lines(sample_text: str) -> list[str]:
    return [line for line in sample_text.splitlines() if line.strip()]


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def as_markdown(sample_text: str) -> str:
    lines = sample_lines(sample_text)
    return "\n\n".join(f"## {ln}" if i % 2 == 0 else ln for i, ln in enumerate(lines))


def as_html(sample_text: str) -> str:
    lines = sample_lines(sample_text)
    parts = [f"<h2>{html.escape(ln)}</h2>" if i % 2 == 0 else f"<p>{html.escape(ln)}</p>"
             for i, ln in enumerate(lines)]
    return "<html><body><article>" + "\n".join(parts) + "</article></body></html>"


def test_sample_text_becomes_four_headings_and_four_paragraphs(sample_text: str) -> None:
    article = parse(sample_text, "text/plain")
    kinds = [b.type for b in article.blocks]
    assert kinds == [BlockType.HEADING, BlockType.PARAGRAPH] * 4
    assert [visible(b.html) for b in article.blocks] == sample_lines(sample_text)
    assert article.blocks[0].html == "What's Happening?"
    assert article.blocks[6].html == "Beyond the Headlines"


@pytest.mark.parametrize("render,content_type", [(as_markdown, "text/markdown"),
                                                 (as_html, "text/html")])
def test_markdown_and_html_give_the_same_blocks_as_text(sample_text: str, render: object,
                                                        content_type: str) -> None:
    assert callable(render)
    text_blocks = parse(sample_text, "text/plain").blocks
    other = parse(render(sample_text), content_type, title="Kim's pledge")
    assert [(b.type, visible(b.html)) for b in other.blocks] == \
        [(b.type, visible(b.html)) for b in text_blocks]


def test_title_is_derived_from_the_first_sentence(sample_text: str) -> None:
    article = parse(sample_text, "text/plain")
    assert article.title == ("North Korean leader Kim Jong Un has pledged a 'beautiful life' for "
                             "the families of soldiers who died fighting for Russia in the war "
                             "against Ukraine.")


def test_title_parameter_wins_and_markdown_h1_is_the_title() -> None:
    assert parse("Hello there. More.", "text/plain", title="Given").title == "Given"
    md = parse("# The Title\n\nBody *text* here.", "text/markdown")
    assert md.title == "The Title"
    assert [b.html for b in md.blocks] == ["Body <em>text</em> here."]


def test_first_sentence_keeps_abbreviations_whole() -> None:
    article = parse("Dr. Smith met U.S. officials on Monday. They talked.", "text/plain")
    assert article.title == "Dr. Smith met U.S. officials on Monday."


def test_hard_wrapped_text_with_blank_lines_joins_lines_into_paragraphs() -> None:
    text = ("Background\n\nThe committee met on Tuesday to discuss the proposal that was\n"
            "submitted last month by the regional office in the north.\n\n"
            "It will meet again\nnext week to vote on it.\n")
    blocks = parse(text, "text/plain").blocks
    assert [(b.type, b.html) for b in blocks] == [
        (BlockType.HEADING, "Background"),
        (BlockType.PARAGRAPH, "The committee met on Tuesday to discuss the proposal that was "
                              "submitted last month by the regional office in the north."),
        (BlockType.PARAGRAPH, "It will meet again next week to vote on it."),
    ]


def test_text_is_escaped_not_interpreted() -> None:
    blocks = parse("Use <b> & <script>alert(1)</script> wisely.", "text/plain").blocks
    assert blocks[0].html == "Use &lt;b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; wisely."


def test_html_structure_lists_quotes_code_and_inline_markup() -> None:
    markup = """
      <div><h3>Steps</h3>
      <ol><li>First <strong>do</strong> this</li><li>Then <a href="https://x.org/a">that</a></li></ol>
      <blockquote><p>One quote.</p><p>Two quote.</p></blockquote>
      <pre>x = 1
y = 2</pre>
      Loose <em>inline</em> text<br>on two lines
      </div>"""
    blocks = parse(markup, "text/html", title="T").blocks
    assert [(b.type, b.html) for b in blocks] == [
        (BlockType.HEADING, "Steps"),
        (BlockType.LIST, '<li>First <strong>do</strong> this</li><li>Then '
                         '<a href="https://x.org/a">that</a></li>'),
        (BlockType.QUOTE, "One quote."),
        (BlockType.QUOTE, "Two quote."),
        (BlockType.PARAGRAPH, "<code>x = 1<br>y = 2</code>"),
        (BlockType.PARAGRAPH, "Loose <em>inline</em> text<br>on two lines"),
    ]
    assert blocks[0].level == 3 and blocks[1].ordered is True


@pytest.mark.parametrize("dangerous", [
    '<p>a<script>alert(1)</script>b</p>',
    '<p>a<style>p{}</style>b</p>',
    '<p>a<iframe src="https://evil.example"></iframe>b</p>',
    '<p onclick="steal()">a<span onmouseover="x()">b</span></p>',
    '<p><a href="javascript:alert(1)">a</a>b</p>',
    '<p><a href="JaVaScRiPt:alert(1)">a</a><img src="data:image/png;base64,AAAA">b</p>',
])
def test_dangerous_html_never_survives(dangerous: str) -> None:
    blocks = parse(dangerous, "text/html", title="T").blocks
    joined = " ".join(b.html for b in blocks).lower()
    for bad in ("<script", "alert(", "<style", "<iframe", "onclick", "onmouseover",
                "javascript:", "data:"):
        assert bad not in joined
    assert visible(joined).replace(" ", "") == "ab"


def test_relative_urls_are_resolved_against_link_or_dropped() -> None:
    markup = '<p><a href="/news/2">next</a> <img src="img/a.png" alt="A"></p>'
    with_link = parse(markup, "text/html", title="T", link="https://example.org/news/1")
    assert with_link.blocks[0].html == ('<a href="https://example.org/news/2">next</a> '
                                        '<img src="https://example.org/news/img/a.png" alt="A">')
    without = parse(markup, "text/html", title="T")
    assert "href" not in without.blocks[0].html and "src" not in without.blocks[0].html


def test_xml_forbidden_characters_are_removed_everywhere() -> None:
    body = json.dumps({"guid": "g\x01", "title": "Ti\x0btle\ufffe", "summary": "s\x1f",
                       "blocks": [{"type": "paragraph", "html": "a\x00b\x08c"}]})
    article = parse(body, "application/json")
    assert (article.guid, article.title, article.summary) == ("g", "Title", "s")
    assert article.blocks[0].html == "abc"


def test_json_blocks_and_body_formats() -> None:
    base = {"guid": "g1", "title": "T", "language": "pt-br"}
    blocks = parse(json.dumps({**base, "blocks": [{"type": "heading", "html": "H"},
                                                  {"type": "list", "html": "<li>x</li>"}]}),
                   "application/json")
    assert blocks.language == "pt-BR"
    assert [(b.type, b.level, b.ordered) for b in blocks.blocks] == [
        (BlockType.HEADING, 2, None), (BlockType.LIST, None, False)]
    md = parse(json.dumps({**base, "body": "## H\n\nP **b**", "format": "markdown"}),
               "application/json")
    assert [b.html for b in md.blocks] == ["H", "P <strong>b</strong>"]


def test_categories_from_query_are_split_and_deduplicated() -> None:
    article = parse("Body text.", "text/plain", title="T", categories="world, asia,world")
    assert article.categories == ("world", "asia")


def test_unsupported_media_type_and_bad_encoding() -> None:
    with pytest.raises(UnsupportedMediaType):
        parse("<x/>", "application/xml")
    with pytest.raises(MalformedInput):
        parse(b"\xff\xfe bad", "text/plain")
    with pytest.raises(MalformedInput):
        parse("{", "application/json")


def test_all_problems_are_reported_at_once() -> None:
    body = json.dumps({"guid": "", "title": "x" * 501, "language": "klingon!", "link": "/rel",
                       "published": "yesterday", "extra": 1,
                       "blocks": [{"type": "table", "html": "x"}]})
    with pytest.raises(ValidationError) as caught:
        parse(body, "application/json")
    fields = {p.field for p in caught.value.problems}
    assert fields == {"guid", "title", "language", "link", "published", "extra", "blocks[0].type"}


@pytest.mark.parametrize("field, sent, kept", [
    ("title", "When a<b and c>d", "When a<b and c>d"),
    ("title", "x <3 y and 3 < 5 > 2", "x <3 y and 3 < 5 > 2"),
    ("title", "<b>Bold</b> <img src=x onerror=alert(1)>claims", "Bold claims"),
    ("title", "&lt;script&gt;alert(1)&lt;/script&gt;Safe", "Safe"),
    ("summary", "<p>Roads closed overnight.</p><blockquote>We expect delays.</blockquote>",
     "Roads closed overnight. We expect delays."),
    ("author", "Jo <jo at example dot org>", "Jo <jo at example dot org>"),
])
def test_plain_text_fields_keep_brackets_that_are_not_markup(field: str, sent: str,
                                                             kept: str) -> None:
    body = {"guid": "g", "title": "A title", "body": "Text.", "format": "text", field: sent}
    article = parse(json.dumps(body), "application/json")
    assert getattr(article, field) == kept
