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


def _write(file: Path, data: bytes, what: str) -> None:
    """Write data to file (stdout for -)."""
    if str(file) == "-":
        sys.stdout.buffer.write(data)
    else:
        file.write_bytes(data)
        click.echo(f"wrote {file} ({len(data)} bytes{what})", err=True)


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
@click.option("--from", "source", help="Only articles in this source language.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@reported
def xliff_export(lang: str, status: str, since: str | None, version: str,
                 source: str | None, file: Path) -> None:
    """Write a language's translations to FILE (- for stdout), one <file> per article."""
    data = current_service().exchange.export_xliff(
        language_arg(lang, "--lang"), status=status, since=_since(since), version=version,
        source=language_arg(source, "--from") if source else None)
    _write(file, data, f", XLIFF {version}")


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


memory_group = AppGroup("memory", help="The translation memory, as TMX 1.4b.")


@memory_group.command("export")
@click.option("--from", "source", required=True, help="The source language.")
@click.option("--to", "target", required=True, help="The target language.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@reported
def memory_export(source: str, target: str, file: Path) -> None:
    """Write one language pair's translation memory to FILE (TMX 1.4b; - for stdout)."""
    data = current_service().exchange.export_memory(language_arg(source, "--from"),
                                                    language_arg(target, "--to"))
    _write(file, data, "")


@memory_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@reported
def memory_import(file: Path) -> None:
    """Add a TMX memory's segments (every pair of this service's languages in it) as a
    person's translations: the next translation uses them for exact matches, before any
    engine's."""
    counts = current_service().exchange.import_memory(_read(file), file.name)
    for pair, count in counts.items():
        click.echo(f"{pair}: {count} segment(s)")
    if not counts:
        raise click.ClickException(f"{file} has no segments between this service's languages")


glossary_group = AppGroup("glossary", help="The glossary (translations/glossary.toml).")


@glossary_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "source", help="The language whose terms are matched (default: the "
              "source language).")
@click.option("--lang", help="The target language of a CSV file's target column.")
@with_appcontext
@reported
def glossary_import(file: Path, source: str | None, lang: str | None) -> None:
    """Add a TBX or CSV term base to the glossary: terms kept as written, and fixed
    renderings (from the next translation on; `retranslate` applies them to what exists)."""
    kind = file.suffix.lower().lstrip(".")
    if kind not in ("tbx", "csv"):
        raise click.BadParameter("give a .tbx or .csv file", param_hint="FILE")
    counts = current_service().exchange.import_glossary(
        _read(file), kind, source=language_arg(source, "--from") if source else None,
        target=language_arg(lang, "--lang") if lang else None)
    click.echo(f"{counts['keep']} term(s) kept as written, {counts['terms']} term(s) with "
               f"{counts['renderings']} rendering(s)")
