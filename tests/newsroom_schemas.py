"""The official schemas of the newsroom formats, as checks: IPTC ninjs, sitemaps, XLIFF.

Each schema was fetched once into tests/data/ (see the README beside each, with its
licence); nothing is fetched while testing.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import xmlschema

DATA = Path(__file__).with_name("data")
NINJS_SCHEMA = DATA / "ninjs" / "ninjs-schema_2.3.json"
SITEMAP_XSD = DATA / "sitemaps" / "sitemap.xsd"
NEWS_XSD = DATA / "sitemaps" / "sitemap-news.xsd"
INDEX_XSD = DATA / "sitemaps" / "siteindex.xsd"
XLIFF2_XSD = DATA / "xliff" / "xliff_core_2.0.xsd"
XLIFF12_XSD = DATA / "xliff" / "xliff-core-1.2-transitional.xsd"
XML_XSD = DATA / "xliff" / "xml.xsd"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"


@functools.cache
def ninjs_validator() -> jsonschema.protocols.Validator:
    """Return a validator for IPTC's ninjs 2.3 schema, checking formats (uri, date-time)."""
    schema = json.loads(NINJS_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = cls.FORMAT_CHECKER
    assert {"uri", "date-time"} <= set(checker.checkers), "format checkers are not installed"
    return cls(schema, format_checker=checker)


def check_ninjs(document: Any) -> None:
    """Raise AssertionError naming every violation unless document is valid ninjs 2.3."""
    errors = sorted(ninjs_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        raise AssertionError("not valid IPTC ninjs 2.3: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]))


@functools.cache
def sitemap_schema() -> xmlschema.XMLSchema:
    """Return the sitemaps.org schema with Google's News extension."""
    return xmlschema.XMLSchema([str(SITEMAP_XSD), str(NEWS_XSD)])


@functools.cache
def index_schema() -> xmlschema.XMLSchema:
    """Return the sitemaps.org sitemap index schema."""
    return xmlschema.XMLSchema(str(INDEX_XSD))


def _local(url: str) -> str:
    return str(XML_XSD) if url == "http://www.w3.org/2001/xml.xsd" else url


@functools.cache
def xliff_schema(version: str) -> xmlschema.XMLSchema:
    """Return OASIS's XLIFF core schema: 2.0 (for 2.0 and 2.1 documents) or 1.2."""
    if version.startswith("2"):
        return xmlschema.XMLSchema(str(XLIFF2_XSD))
    return xmlschema.XMLSchema(str(XLIFF12_XSD), uri_mapper=_local)


def check_xml_schema(schema: xmlschema.XMLSchema, data: bytes) -> None:
    """Raise AssertionError naming the first violations unless data is valid by schema."""
    errors = list(schema.iter_errors(data.decode("utf-8")))
    if errors:
        raise AssertionError("; ".join(f"{e.path}: {e.reason}" for e in errors[:5]))
