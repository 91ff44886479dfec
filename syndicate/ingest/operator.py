"""Parse operators' job requests: which languages, and whether to bypass the memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import languages as known
from ..errors import ValidationError
from . import fields, schemas


@dataclass(frozen=True)
class JobRequest:
    """What an operator asked a job to do."""

    languages: tuple[str, ...] | None
    force: bool = False


def parse_job_request(data: Any, *, schema: schemas.Schema,
                      configured: Sequence[str]) -> JobRequest:
    """Parse an optional JSON body {"languages"?: [...], "force"?: bool} against schema
    (None, an empty body, asks for the defaults)."""
    data = {} if data is None else data
    structural = schemas.check(schema, data)
    if not isinstance(data, dict):
        raise ValidationError(structural)
    problems = fields.Problems()
    langs: tuple[str, ...] | None = None
    raw = data.get("languages")
    if isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
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
    problems.items = schemas.merged(structural, problems.items)
    problems.raise_if_any()
    return JobRequest(langs, data.get("force") is True)
