"""Parse a person's post-edit of a translation into an EditInput, and a review decision."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from ..models import EditInput
from ..sanitize import clean_html, has_content
from . import fields, schemas


def parse_edit(data: Any, list_positions: frozenset[int]) -> EditInput:
    """Parse {"title"?, "summary"?, "blocks"?: [{"position", "html"}]}; sanitize the HTML."""
    fields.check_depth(data)
    structural = schemas.check(schemas.EDIT, data)
    if not isinstance(data, dict):
        raise ValidationError(structural)
    problems = fields.Problems()
    out: dict[str, str] = {}
    for name, limit in (("title", fields.MAX_TITLE * 4), ("summary", fields.MAX_SUMMARY * 4)):
        if name in data:
            value = fields.text(data[name], name, problems, required=True, max_len=limit)
            if value:
                out[name] = value
    blocks: Any = data.get("blocks", [])
    for index, item in enumerate(blocks if isinstance(blocks, list) else []):
        # the shape was checked against schemas.EDIT; skip what it already reported
        if not isinstance(item, dict) or not isinstance(item.get("html"), str):
            continue
        position, markup = item.get("position"), item["html"]
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            continue
        where = f"blocks[{index}]"
        cleaned = clean_html(markup, base_url=None, allow_lists=position in list_positions)
        if not has_content(cleaned):
            problems.add(f"{where}.html", "has no content after sanitizing")
            continue
        out[f"blocks[{position}]"] = cleaned
    problems.items = schemas.merged(structural, problems.items)
    if not out and not problems.items:
        problems.add("body", "give at least one of title, summary, blocks")
    problems.raise_if_any()
    return EditInput(out)


def parse_review(data: Any) -> tuple[str, str | None]:
    """Parse {"decision": "approve" | "reject", "note"?} into (decision, note)."""
    data = schemas.checked_object(data, schemas.REVIEW)
    note = fields.text(data.get("note"), "note", fields.Problems(), required=False,
                       max_len=2000) if data.get("note") else None
    return str(data["decision"]), note or None
