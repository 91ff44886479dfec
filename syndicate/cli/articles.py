"""Articles from files, and the stored articles."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup, with_appcontext

from ..clock import rfc3339
from ..errors import InputError, SyndicateError
from ..models import IngestResult
from .common import current_service, reported
from .table import Column, show

log = logging.getLogger(__name__)


_SUFFIX_TYPES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown",
                 ".markdown": "text/markdown", ".html": "text/html", ".htm": "text/html",
                 ".json": "application/json"}


@click.command("ingest")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", help="Source language of text/Markdown/HTML files (BCP 47).")
@click.option("--title", help="Title for text/Markdown/HTML files (else derived).")
@click.option("--producer", default="cli", show_default=True, help="Producer the guids belong to.")
@with_appcontext
def ingest_command(files: tuple[Path, ...], lang: str | None, title: str | None,
                   producer: str) -> None:
    """Ingest article files (.txt, .md, .html, .json); a bad file does not stop the others."""
    failures = 0
    with _progress(files) as paths:
        for path in paths:
            try:
                outcome = _ingest_file(path, lang, title, producer)
            except (SyndicateError, OSError) as exc:
                failures += 1
                click.echo(f"error: {path}: {exc}", err=True)
                continue
            click.echo(f"{outcome.outcome.value}\t{outcome.article.id}\t{path}")
    if failures:
        raise click.ClickException(f"{failures} of {len(files)} file(s) failed")


def _ingest_file(path: Path, lang: str | None, title: str | None,
                 producer: str) -> IngestResult:
    svc = current_service()
    content_type = _SUFFIX_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise InputError(
            f"unknown file type {path.suffix!r}; use one of {', '.join(sorted(_SUFFIX_TYPES))}"
        )
    params: dict[str, list[str]] = {}
    if content_type != "application/json":
        params = {k: [v] for k, v in (("language", lang), ("title", title)) if v}
    elif lang or title:
        raise InputError("--lang/--title apply to text files; a JSON file carries its own")
    data = svc.articles.parse(path.read_bytes(), f"{content_type}; charset=utf-8", params,
                          guid_fallback=f"file:{path.name}")
    return svc.articles.ingest(data, producer=producer)


def _progress(files: tuple[Path, ...]) -> Any:
    if len(files) > 1:
        return click.progressbar(files, label="ingesting", file=sys.stderr)
    return contextlib.nullcontext(files)


articles = AppGroup("articles", help="Stored articles.")


@articles.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--include-retracted", is_flag=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def articles_list(limit: int, include_retracted: bool, as_json: bool) -> None:
    """List articles, newest first, with each translation's status."""
    found = current_service().articles.page(limit=limit, cursor=None,
                                            include_retracted=include_retracted,
                                            with_status=True)
    rows = [{"id": a.id, "revision": a.revision, "language": a.language,
             "state": "retracted" if a.retracted else "live",
             "published": rfc3339(a.published) if as_json else f"{a.published:%Y-%m-%d %H:%M}",
             "translations": a.translations if as_json else
             " ".join(f"{lang}:{status}" for lang, status in sorted(a.translations.items()))
             or "-", "title": a.title} for a in found.items]
    show(rows, [Column("id"), Column("revision", "REV"), Column("language", "LANG"),
                Column("state"), Column("published"), Column("translations"),
                Column("title")], as_json=as_json, empty="no articles")
