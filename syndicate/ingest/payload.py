"""Parse an ingest request (JSON, plain text, Markdown or HTML) into an ArticleInput."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lxml.html

from ..errors import MalformedInput, UnsupportedMediaType, ValidationError
from ..models import ArticleInput, Block, BlockType, Image
from ..sanitize import clean_html, has_content, plain_field, text_of
from . import fields, schemas
from .htmlblocks import Document, parse_html
from .markdown import parse_markdown
from .text import first_sentence, parse_text

JSON = "application/json"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
HTML = "text/html"
ACCEPTED = (JSON, TEXT, MARKDOWN, HTML)
_ALIASES = {"text/x-markdown": MARKDOWN, "application/xhtml+xml": HTML}

QUERY_FIELDS = frozenset({"guid", "title", "language", "summary", "author", "link", "categories",
                          "published", "updated"})
_FORMATS = {"html": HTML, "markdown": MARKDOWN, "text": TEXT}


def media_type(content_type: str | None) -> str:
    """Return the bare, lower-case media type of a Content-Type header value."""
    bare = (content_type or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(bare, bare)


def parse_payload(
    body: bytes,
    content_type: str | None,
    params: Mapping[str, Sequence[str]],
    *,
    default_language: str,
    guid_fallback: str | None = None,
) -> ArticleInput:
    """Parse a request body and its query parameters into a validated ArticleInput."""
    kind = media_type(content_type)
    if kind not in ACCEPTED:
        raise UnsupportedMediaType(kind, ACCEPTED)
    text = _decode(body, content_type)
    if kind == JSON:
        if params:
            raise ValidationError.single(
                sorted(params)[0], "JSON bodies carry their fields in the body, not the query"
            )
        return _from_json(text, default_language)
    return _from_document(text, kind, params, default_language, guid_fallback)


def _decode(body: bytes, content_type: str | None) -> str:
    charset = "utf-8"
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    try:
        return body.decode(charset)
    except LookupError:
        raise MalformedInput(f"unknown charset {charset!r}", field="Content-Type") from None
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"body is not valid {charset}: {exc.reason} at byte {exc.start}")\
            from None


def _from_json(text: str, default_language: str) -> ArticleInput:
    data = fields.json_document(text)
    structural = schemas.check(schemas.ARTICLE, data)
    if not isinstance(data, dict):
        raise ValidationError(structural)
    problems = fields.Problems()
    meta = _metadata(data, problems, default_language)
    blocks: tuple[Block, ...] = ()
    if ("blocks" in data) == ("body" in data):
        problems.add("blocks", "give exactly one of 'blocks' (a list) or 'body' (a string)")
    elif "blocks" in data:
        if "format" in data:
            problems.add("format", "goes with 'body', not with 'blocks'")
        blocks = _json_blocks(data["blocks"], problems, meta["link"])
    else:
        blocks = _json_body(data, problems, meta["link"])
    problems.items = schemas.merged(structural, problems.items)
    if not problems.items and not blocks:
        problems.add("blocks" if "blocks" in data else "body", "has no content after sanitizing")
    problems.raise_if_any()
    return ArticleInput(blocks=blocks, language_stated="language" in data,
                        **{**meta, "image": meta["image"] or first_image(blocks)})


def _metadata(source: Mapping[str, Any], problems: fields.Problems,
              default_language: str) -> dict[str, Any]:
    link = fields.link(source.get("link"), "link", problems)
    return {
        "guid": fields.text(source.get("guid"), "guid", problems, markup=True, required=True,
                            max_len=fields.MAX_GUID) or "",
        "title": fields.text(source.get("title"), "title", problems, required=True,
                             max_len=fields.MAX_TITLE) or "",
        "language": (language := fields.language(source.get("language"), "language",
                                                 problems, default_language)),
        "language_tag": fields.regional_tag(source.get("language"), language),
        "summary": fields.text(source.get("summary"), "summary", problems, required=False,
                               max_len=fields.MAX_SUMMARY),
        "author": fields.text(source.get("author"), "author", problems, required=False,
                              max_len=fields.MAX_AUTHOR),
        "link": link,
        "categories": fields.categories(source.get("categories"), "categories", problems),
        "published": fields.timestamp(source.get("published"), "published", problems),
        "updated": fields.timestamp(source.get("updated"), "updated", problems),
        "image": fields.image(source.get("image"), "image", problems, base_url=link),
    }


def first_image(blocks: tuple[Block, ...]) -> Image | None:
    """Return the first inline image of the (sanitized) blocks, as the lead image."""
    for block in blocks:
        if "<img" not in block.html:
            continue
        root = lxml.html.fragment_fromstring(block.html, create_parent="div")
        for img in root.iter("img"):
            src = img.get("src")
            if not src:
                continue
            sizes = [int(v) if v.isdigit() and 0 < int(v) <= 100_000 else None
                     for v in (img.get("width", ""), img.get("height", ""))]
            return Image(src, img.get("alt") or None, None, None, sizes[0], sizes[1])
    return None


def _json_blocks(value: Any, problems: fields.Problems, base_url: str | None) -> tuple[Block, ...]:
    """Build blocks; their shape was checked against schemas.BLOCK already."""
    if not isinstance(value, list):
        return ()
    blocks: list[Block] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        block = _json_block(item, f"blocks[{index}]", problems, base_url)
        if block is not None:
            blocks.append(block)
    return tuple(blocks)


def _json_block(item: dict[str, Any], where: str, problems: fields.Problems,
                base_url: str | None) -> Block | None:
    try:
        kind = BlockType(str(item.get("type")))
    except ValueError:
        problems.add(f"{where}.type", f"must be one of {', '.join(t.value for t in BlockType)}")
        return None
    markup = item.get("html")
    if not isinstance(markup, str):
        problems.add(f"{where}.html", "must be a string of HTML")
        return None
    level, ordered = item.get("level"), item.get("ordered")
    if kind is BlockType.HEADING:
        level = 2 if level is None else level
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 6:
            problems.add(f"{where}.level", "must be a whole number from 1 to 6")
            return None
    elif level is not None:
        problems.add(f"{where}.level", "only heading blocks have a level")
        return None
    if kind is BlockType.LIST:
        ordered = False if ordered is None else ordered
        if not isinstance(ordered, bool):
            problems.add(f"{where}.ordered", "must be true or false")
            return None
    elif ordered is not None:
        problems.add(f"{where}.ordered", "only list blocks are ordered or not")
        return None
    cleaned = clean_html(markup, base_url=base_url, allow_lists=kind is BlockType.LIST)
    if kind is BlockType.LIST and "<li" not in cleaned:
        problems.add(f"{where}.html", "a list block's html must hold <li> items")
        return None
    if not has_content(cleaned):
        problems.add(f"{where}.html", "has no content after sanitizing")
        return None
    return Block(kind, cleaned, level=level, ordered=ordered)


def _json_body(data: Mapping[str, Any], problems: fields.Problems,
               base_url: str | None) -> tuple[Block, ...]:
    body, fmt = data.get("body"), data.get("format", "html")
    if not isinstance(fmt, str) or fmt not in _FORMATS:
        problems.add("format", f"must be one of {', '.join(_FORMATS)}")
        return ()
    if not isinstance(body, str):
        problems.add("body", "must be a string")
        return ()
    return _document(body, _FORMATS[fmt], base_url).blocks


def _document(text: str, kind: str, base_url: str | None) -> Document:
    if kind == TEXT:
        return Document(parse_text(text), None)
    if kind == MARKDOWN:
        return parse_markdown(text, base_url=base_url)
    return parse_html(text, base_url=base_url)


def _from_document(text: str, kind: str, params: Mapping[str, Sequence[str]],
                   default_language: str, guid_fallback: str | None) -> ArticleInput:
    problems = fields.Problems()
    for key in sorted(set(params) - QUERY_FIELDS):
        problems.add(key, f"unknown query parameter; allowed: {', '.join(sorted(QUERY_FIELDS))}")
    for key, values in params.items():
        if key != "categories" and len(values) > 1:
            problems.add(key, "give this parameter once")
    single: dict[str, Any] = {k: v[0] for k, v in params.items() if k != "categories" and v}
    if "categories" in params:
        single["categories"] = [c.strip() for v in params["categories"] for c in v.split(",")]
    link = fields.link(single.get("link"), "link", problems)
    document = _document(text, kind, link)
    if not document.blocks:
        problems.add("body", "has no content")
    single.setdefault("guid", guid_fallback)
    if "title" not in single:
        single["title"] = document.title or _derived_title(document.blocks)
    meta = _metadata(single, problems, default_language)
    problems.raise_if_any()
    return ArticleInput(blocks=document.blocks, language_stated="language" in single,
                        **{**meta, "image": meta["image"] or first_image(document.blocks)})


def parse_entry(data: Mapping[str, Any], *, default_language: str,
                kind: str = HTML) -> ArticleInput:
    """Validate one feed entry, already shaped like a JSON article with an HTML (or text)
    ``body``; a missing title is derived from the body as for documents."""
    problems = fields.Problems()
    link = fields.link(data.get("link"), "link", problems)
    document = _document(str(data.get("body") or ""), kind, link)
    if not document.blocks:
        problems.add("body", "has no content")
    values = dict(data)
    if not values.get("title"):
        values["title"] = document.title or _derived_title(document.blocks)
    meta = _metadata(values, problems, default_language)
    problems.raise_if_any()
    return ArticleInput(blocks=document.blocks, language_stated="language" in data,
                        **{**meta, "image": meta["image"] or first_image(document.blocks)})


def _derived_title(blocks: tuple[Block, ...]) -> str | None:
    """Return the first sentence of the first paragraph, cut to the title limit at a word."""
    for block in blocks:
        if block.type is BlockType.PARAGRAPH:
            return fields.cut(first_sentence(plain_field(text_of(block.html))),
                              fields.MAX_TITLE)
    return None
