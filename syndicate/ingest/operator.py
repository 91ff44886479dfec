"""Parse operators' job requests: which languages, and whether to bypass the memory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import languages as known
from ..errors import MalformedInput, ValidationError
from . import fields


@dataclass(frozen=True)
class JobRequest:
    """What an operator asked a job to do."""

    languages: tuple[str, ...] | None
    force: bool = False


def parse_job_request(body: bytes, *, allowed: frozenset[str], configured: Sequence[str],
                      require_languages: bool = False) -> JobRequest:
    """Parse an optional JSON body {"languages"?: [...], "force"?: bool}."""
    data: Any = {}
    if body.strip():
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedInput(f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError.single("body", "must be a JSON object")
    problems = fields.Problems()
    for key in sorted(set(data) - allowed):
        problems.add(key, f"unknown field; allowed: {', '.join(sorted(allowed))}")
    langs: tuple[str, ...] | None = None
    raw = data.get("languages")
    if raw is None:
        if require_languages:
            problems.add("languages", "is required: a list of language tags")
    elif not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        problems.add("languages", "must be a non-empty list of language tags")
    else:
        resolved = []
        for tag in raw:
            try:
                lang = known.resolve(tag).tag
            except known.UnknownLanguage as exc:
                problems.add("languages", str(exc))
                continue
            if lang not in configured:
                problems.add("languages", f"{tag!r} is not configured; configured: "
                             f"{', '.join(configured)}")
            resolved.append(lang)
        langs = tuple(sorted(set(resolved)))
    force = data.get("force", False)
    if not isinstance(force, bool):
        problems.add("force", "must be true or false")
    problems.raise_if_any()
    return JobRequest(langs, bool(force))
