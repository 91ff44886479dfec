"""JSON Schemas of every JSON request body, and the validator that enforces them.

These schemas are the single source: the parsers run ``check`` on every JSON body before their
semantic checks (known languages, RFC 3339 times, sanitizing), and ``web/openapi.py`` publishes
the very same dictionaries in the OpenAPI document. The validator covers the subset of JSON
Schema used here: type, properties, required, additionalProperties, items, min/maxItems,
min/maxLength, minimum/maximum, enum, oneOf (of required sets).
"""

from __future__ import annotations

from typing import Any

from ..errors import FieldProblem, ValidationError
from . import fields

Schema = dict[str, Any]

_TAG = {"type": "string", "description": "BCP 47 language tag the service knows",
        "examples": ["en", "pt-BR"]}
_LANGUAGES = {"type": "array", "items": _TAG, "minItems": 1}

BLOCK: Schema = {
    "type": "object", "additionalProperties": False, "required": ["type", "html"],
    "properties": {
        "type": {"type": "string", "enum": ["heading", "paragraph", "list", "quote"]},
        "html": {"type": "string", "description": "inline HTML (list items for a list)"},
        "level": {"type": "integer", "minimum": 1, "maximum": 6},
        "ordered": {"type": "boolean"},
    },
}

ARTICLE: Schema = {
    "type": "object", "additionalProperties": False, "required": ["guid", "title"],
    "oneOf": [{"required": ["blocks"]}, {"required": ["body"]}],
    "properties": {
        "guid": {"type": "string", "minLength": 1, "maxLength": fields.MAX_GUID},
        "title": {"type": "string", "minLength": 1, "maxLength": fields.MAX_TITLE},
        "language": _TAG,
        "summary": {"type": "string", "maxLength": fields.MAX_SUMMARY},
        "author": {"type": "string", "maxLength": fields.MAX_AUTHOR},
        "link": {"type": "string", "format": "uri", "maxLength": fields.MAX_URL},
        "categories": {"type": "array", "maxItems": fields.MAX_CATEGORIES,
                       "items": {"type": "string", "minLength": 1,
                                 "maxLength": fields.MAX_CATEGORY}},
        "published": {"type": "string", "format": "date-time"},
        "updated": {"type": "string", "format": "date-time"},
        "blocks": {"type": "array", "minItems": 1, "items": BLOCK},
        "body": {"type": "string"},
        "format": {"type": "string", "enum": ["html", "markdown", "text"]},
        "image": {
            "type": "object", "additionalProperties": False, "required": ["url"],
            "properties": {
                "url": {"type": "string", "format": "uri", "maxLength": fields.MAX_URL},
                "alt": {"type": "string", "maxLength": fields.MAX_IMAGE_TEXT},
                "caption": {"type": "string", "maxLength": fields.MAX_IMAGE_TEXT},
                "credit": {"type": "string", "maxLength": fields.MAX_AUTHOR},
                "width": {"type": "integer", "minimum": 1, "maximum": 100_000},
                "height": {"type": "integer", "minimum": 1, "maximum": 100_000},
                "type": {"type": "string", "pattern": "^image/[a-z0-9.+-]+$"},
            },
        },
    },
}

EDIT: Schema = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "summary": {"type": "string", "minLength": 1},
        "blocks": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["position", "html"],
            "properties": {"position": {"type": "integer", "minimum": 0},
                           "html": {"type": "string"}}}},
    },
}

REPUBLISH: Schema = {"type": "object", "additionalProperties": False,
                     "properties": {"languages": _LANGUAGES}}
RETRANSLATE: Schema = {"type": "object", "additionalProperties": False,
                       "properties": {"languages": _LANGUAGES, "force": {"type": "boolean"}}}
RETRANSLATE_ALL: Schema = {**RETRANSLATE, "required": ["languages"]}

_NAMES = {"type": "array", "maxItems": 50,
          "items": {"type": "string", "minLength": 1, "maxLength": 100}}
NAMED_FEED: Schema = {
    "type": "object", "additionalProperties": False, "required": ["languages"],
    "properties": {
        "languages": {**_LANGUAGES, "minItems": 1},
        "categories": _NAMES, "producers": _NAMES, "partners": _NAMES,
        "entries": {"type": "integer", "minimum": 1, "maximum": 1000},
        "max_bytes": {"type": "integer", "minimum": 10_000, "maximum": 50_000_000},
        "public": {"type": "boolean"},
        "mode": {"type": "string", "enum": ["full", "summary", "bilingual"]},
        "reviewed_only": {"type": "boolean", "description": "carry only translations a "
                          "person approved or post-edited (and the source language)"},
    },
}
SOURCE: Schema = {
    "type": "object", "additionalProperties": False, "required": ["url"],
    "properties": {
        "url": {"type": "string", "format": "uri", "maxLength": fields.MAX_URL,
                "description": "the feed's http(s) URL (RSS, Atom or JSON Feed)"},
        "language": {**_TAG, "description": "the feed's language; omit to use the feed's own "
                     "or detect each entry's"},
        "producer": {"type": "string", "minLength": 1, "maxLength": 100,
                     "description": "whose guids the entries become (default: the host)"},
        "categories": {"type": "array", "maxItems": fields.MAX_CATEGORIES,
                       "items": {"type": "string", "minLength": 1,
                                 "maxLength": fields.MAX_CATEGORY}},
        "interval": {"type": "integer", "minimum": 1, "maximum": 30 * 86400,
                     "description": "seconds between polls (kept within the service's "
                     "floor and ceiling)"},
        "allow_hosts": {"type": "array", "maxItems": 20,
                        "items": {"type": "string", "minLength": 1, "maxLength": 255},
                        "description": "hosts, addresses or networks this source may reach "
                        "though they are not public (a private deployment)"},
    },
}
REVIEW: Schema = {
    "type": "object", "additionalProperties": False, "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": ["approve", "reject"],
                     "description": "approve publishes the translation; reject keeps it out "
                     "until the source or the model changes"},
        "note": {"type": "string", "maxLength": 2000, "description": "why, for the record"},
    },
}
SOURCE_CHANGE: Schema = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "paused": {"type": "boolean", "description": "false resumes: clears the flag and the "
                   "failure counts, due at once"},
        "language": {"type": "string", "maxLength": 35, "description": "a language tag, or "
                     "\"\" for the feed's own or detected"},
        "interval": SOURCE["properties"]["interval"],
        "categories": SOURCE["properties"]["categories"],
        "allow_hosts": SOURCE["properties"]["allow_hosts"],
    },
}
PARTNER: Schema = {"type": "object", "additionalProperties": False, "required": ["name"],
                   "properties": {"name": {"type": "string", "minLength": 1,
                                           "maxLength": 100}}}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "number": (int, float),
}


def check(schema: Schema, value: Any, where: str = "") -> list[FieldProblem]:
    """Return every way value breaks the schema, each named by its field path."""
    name = where or "body"
    expected = schema.get("type")
    if expected is not None:
        ok = isinstance(value, _TYPES[expected]) and not (
            expected in ("integer", "number") and isinstance(value, bool))
        if not ok:
            article = "an" if expected[0] in "aeiou" else "a"
            return [FieldProblem(name, f"must be {article} {expected}")]
    problems: list[FieldProblem] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(FieldProblem(name, f"must be one of {', '.join(map(str, schema['enum']))}"))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(FieldProblem(name, "must not be empty"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(FieldProblem(
                name, f"must be at most {schema['maxLength']} characters (got {len(value)})"))
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(FieldProblem(name, f"must be from {low} to {high}"
                                         if high is not None else f"must be at least {low}"))
    if isinstance(value, list):
        problems += _check_array(schema, value, name)
    if isinstance(value, dict):
        problems += _check_object(schema, value, where)
    return problems


def _check_array(schema: Schema, value: list[Any], name: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if len(value) < schema.get("minItems", 0):
        problems.append(FieldProblem(name, "must not be empty"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        problems.append(FieldProblem(name, f"must have at most {schema['maxItems']} items"))
    if "items" in schema:
        for index, item in enumerate(value):
            problems += check(schema["items"], item, f"{name}[{index}]")
    return problems


def _check_object(schema: Schema, value: dict[str, Any], where: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    props: dict[str, Schema] = schema.get("properties", {})
    prefix = f"{where}." if where else ""
    if schema.get("additionalProperties") is False:
        allowed = ", ".join(sorted(props))
        problems += [FieldProblem(prefix + key, f"unknown field; allowed: {allowed}")
                     for key in sorted(set(value) - set(props))]
    problems += [FieldProblem(prefix + key, "is required")
                 for key in schema.get("required", []) if key not in value]
    if "oneOf" in schema:
        matches = [opt for opt in schema["oneOf"] if all(k in value for k in opt["required"])]
        if len(matches) != 1:
            keys = " or ".join(f"'{opt['required'][0]}'" for opt in schema["oneOf"])
            problems.append(FieldProblem(prefix + schema["oneOf"][0]["required"][0],
                                         f"give exactly one of {keys}"))
    for key, sub in props.items():
        if key in value:
            problems += check(sub, value[key], prefix + key)
    return problems


def decoded(body: bytes) -> Any:
    """Return a JSON request body as data (an empty body is None): what the parsers take."""
    return fields.json_document(body) if body.strip() else None


def checked_object(data: Any, schema: Schema) -> dict[str, Any]:
    """Check decoded data (a request body, CLI options) against a schema whose type is object;
    raise ValidationError naming every problem."""
    problems = check(schema, data)
    if problems:
        raise ValidationError(problems)
    if not isinstance(data, dict):
        raise ValidationError.single("body", "must be a JSON object")
    return data


def merged(*groups: list[FieldProblem]) -> list[FieldProblem]:
    """Return problems from several checks, one per field (the first found wins)."""
    seen: set[str] = set()
    out: list[FieldProblem] = []
    for group in groups:
        for problem in group:
            if problem.field not in seen:
                seen.add(problem.field)
                out.append(problem)
    return out
