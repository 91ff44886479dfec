"""Ingest: parse producer payloads into validated ArticleInput values (pure: no I/O, no clock)."""

from __future__ import annotations

from .payload import ACCEPTED, media_type, parse_payload

__all__ = ["ACCEPTED", "media_type", "parse_payload"]
