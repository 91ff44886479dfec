"""Files for human translators and their tools: XLIFF, TMX memories, TBX/CSV glossaries."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from .common import current_service, language_arg, reported

MAX_FILE_BYTES = 64 * 1024 * 1024  # an import file, at most (a translator's file, not a dump)

xliff_group = AppGroup("xliff", help="XLIFF 2.1 / 1.2 for translators' CAT tools.")


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise click.BadParameter(f"{path} is over {MAX_FILE_BYTES // 2**20} MiB",
                                 param_hint="FILE")
    return path.read_bytes()


def _since(value: str | None) -> datetime | None:
    from ..ingest import fields

    problems = fields.Problems()
    moment = fields.timestamp(value, "--since", problems) if value else None
    if problems.items:  # timestamp reports a bad value as a problem
        raise click.BadParameter(problems.items[0].detail, param_hint="--since")
    return moment


@xliff_group.command("export")
@click.option("--lang", required=True, help="The target language.")
@click.option("--status", type=click.Choice(["held", "done", "all"]), default="all",
              show_default=True, help="Held for review, published, or both.")
@click.option("--since", help="Only translations stored since this RFC 3339 time.")
@click.option("--version", "version", type=click.Choice(["2.1", "1.2"]), default="2.1",
              show_default=True, help="XLIFF version (1.2 for older tools).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@reported
def xliff_export(lang: str, status: str, since: str | None, version: str, file: Path) -> None:
    """Write a language's translations to FILE (- for stdout), one <file> per article."""
    data = current_service().exchange.export_xliff(
        language_arg(lang, "--lang"), status=status, since=_since(since), version=version)
    if str(file) == "-":
        sys.stdout.buffer.write(data)
    else:
        file.write_bytes(data)
        click.echo(f"wrote {file} ({len(data)} bytes, XLIFF {version})", err=True)


@xliff_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@with_appcontext
@reported
def xliff_import(file: Path, as_json: bool) -> None:
    """Store the targets a translator changed in FILE as post-edits (checked, recorded as a
    review, published with the same guid); exit 1 when any article was refused."""
    report = current_service().exchange.import_xliff(_read(file), f"cli:{getpass.getuser()}")
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for article, names in report.applied.items():
            click.echo(f"{article}: post-edited {', '.join(names)}")
        for article in report.unchanged:
            click.echo(f"{article}: unchanged")
        for refusal in report.refused:
            where = f" {refusal.field}" if refusal.field else ""
            click.echo(f"{refusal.article_id}{where}: refused: {refusal.reason}", err=True)
    click.echo(f"{len(report.applied)} article(s) post-edited, {len(report.unchanged)} "
               f"unchanged, {len({r.article_id for r in report.refused})} refused", err=True)
    if report.refused:
        sys.exit(1)
