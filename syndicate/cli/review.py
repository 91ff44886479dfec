"""Review of machine translation, and the checks run again over stored translations."""

from __future__ import annotations

import getpass
import logging
import sys

import click
from flask.cli import AppGroup, with_appcontext

from .common import current_service, language_arg, languages_option, reported
from .table import Column, show

log = logging.getLogger(__name__)


review_group = AppGroup("review", help="Translations held for a person's review.")


@review_group.command("list")
@click.option("--lang", help="One language (default: all).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
@reported
def review_list(lang: str | None, limit: int, as_json: bool) -> None:
    """List held translations, oldest first, with what the checks found."""
    language = language_arg(lang, "--lang") if lang else None
    items = current_service().review.held(language, limit)
    if as_json:
        show([{"article": article.id, "language": t.language, "title": article.title,
               "findings": [f.to_dict() for f in t.findings]} for article, t in items], [],
             as_json=True)
        return
    show([{"article": article.id, "language": t.language,
           "errors": ",".join(sorted({f.check for f in t.findings
                                      if f.severity.value == "error"})) or None,
           "title": article.title} for article, t in items],
         [Column("article"), Column("language"), Column("errors"), Column("title")],
         empty="nothing waits for review")


@review_group.command("show")
@click.argument("article_id")
@click.argument("lang")
@with_appcontext
@reported
def review_show(article_id: str, lang: str) -> None:
    """Show an article beside its translation into LANG, with the findings."""
    article, t, _ = current_service().articles.translation(
        article_id, language_arg(lang, "LANG"))
    click.echo(f"{t.language}: {t.status.value}; engine {t.engine} {t.model}")
    click.echo(f"title\n  {article.language}: {article.title}\n  {t.language}: {t.title}")
    for index, (block, translated) in enumerate(zip(article.blocks, t.blocks, strict=False)):
        click.echo(f"block {index}\n  {article.language}: {block.html}\n"
                   f"  {t.language}: {translated.html}")
    for f in t.findings:
        where = f.field if f.block is None else f"{f.field} {f.block}"
        click.echo(f"{f.severity.value}: {f.check} ({where}): {f.detail}")


@review_group.command("approve")
@click.argument("article_id")
@click.argument("lang")
@click.option("--note", help="Why, for the record.")
@with_appcontext
@reported
def review_approve(article_id: str, lang: str, note: str | None) -> None:
    """Publish a held translation (numbered now, the same guid ever after)."""
    _decide(article_id, lang, "approve", note)


@review_group.command("reject")
@click.argument("article_id")
@click.argument("lang")
@click.option("--note", help="Why, for the record.")
@with_appcontext
@reported
def review_reject(article_id: str, lang: str, note: str | None) -> None:
    """Keep a translation out until the source or the model changes."""
    _decide(article_id, lang, "reject", note)


def _decide(article_id: str, lang: str, decision: str, note: str | None) -> None:
    reviewed = current_service().review.decide(
        article_id, language_arg(lang, "LANG"), decision, f"cli:{getpass.getuser()}", note)
    click.echo(f"{article_id} {reviewed.language}: {reviewed.status.value}")


translations_group = AppGroup("translations", help="Stored translations.")


@translations_group.command("check")
@click.option("--lang", help="Languages, comma-separated (default: every target).")
@click.option("--since", help="Only translations stored since this RFC 3339 time.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
@reported
def translations_check(lang: str | None, since: str | None, as_json: bool) -> None:
    """Run the checks again over stored translations; exit 1 when any has an error."""
    from ..ingest import fields

    service = current_service()
    problems = fields.Problems()
    moment = fields.timestamp(since, "--since", problems) if since else None
    if problems.items:
        raise click.BadParameter(problems.items[0].detail, param_hint="--since")
    wanted = languages_option(lang) or list(service.settings.translation.target_languages)
    checked = service.runner.recheck(wanted, moment)
    rows = []
    for article, t in checked:
        errors = [f for f in t.findings if f.severity.value == "error"]
        rows.append({"article": article.id, "language": t.language, "status": t.status.value,
                     "errors": len(errors), "warnings": len(t.findings) - len(errors),
                     "checks": ",".join(sorted({f.check for f in t.findings})) or None})
    failing = sum(1 for row in rows if row["errors"])
    show(rows, [Column("article"), Column("language"), Column("status"), Column("errors"),
                Column("warnings"), Column("checks")], as_json=as_json)
    click.echo(f"{len(checked)} translation(s) checked, {failing} with errors", err=True)
    if failing:
        sys.exit(1)
