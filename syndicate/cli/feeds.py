"""Named feeds for partners, partner keys, and the partners' readiness rules."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from .common import current_service, reported
from .table import Column, show

log = logging.getLogger(__name__)


feeds_group = AppGroup("feeds", help="Published feeds.")


@feeds_group.command("add")
@click.argument("name")
@click.option("--lang", "langs", required=True, help="Languages, comma-separated.")
@click.option("--category", "categories", multiple=True, help="Only these categories.")
@click.option("--producer", "producers", multiple=True, help="Only these producers.")
@click.option("--entries", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--max-bytes", type=click.IntRange(10_000, 50_000_000), default=2_000_000,
              show_default=True, help="Size cap per document (Google News: 2 MB).")
@click.option("--mode", type=click.Choice(["full", "summary", "bilingual"]), default="full",
              show_default=True)
@click.option("--public", is_flag=True, help="No partner key needed.")
@click.option("--partner", "partners", multiple=True, help="Only these partners' keys.")
@click.option("--reviewed-only", is_flag=True,
              help="Only translations a person approved or post-edited.")
@reported
def feeds_add(name: str, langs: str, categories: tuple[str, ...], producers: tuple[str, ...],
              entries: int, max_bytes: int, mode: str, public: bool,
              partners: tuple[str, ...], reviewed_only: bool) -> None:
    """Create or replace a named feed, published at /feeds/NAME/<lang>/."""
    from ..ingest.named_feeds import parse_named_feed

    service = current_service()
    body = {"languages": [t.strip() for t in langs.split(",") if t.strip()],
            "categories": list(categories), "producers": list(producers), "entries": entries,
            "max_bytes": max_bytes, "mode": mode, "public": public, "partners": list(partners),
            "reviewed_only": reviewed_only}
    feed = parse_named_feed(name, body, service.settings.translation.languages)
    new = service.named_feeds.put(feed)
    base = service.settings.server.public_url
    click.echo(f"{'created' if new else 'replaced'} feed {name}: "
               + ", ".join(f"{base}/feeds/{name}/{lang}/rss.xml" for lang in feed.languages))


@feeds_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def feeds_list(as_json: bool) -> None:
    """List named feeds with their pulls."""
    rows = [{"name": feed.name, "languages": ",".join(feed.languages),
             "mode": feed.mode.value, "access": "public" if feed.public else "key",
             "partners": ",".join(feed.partners) or None,
             "reviewed_only": "yes" if feed.reviewed_only else "no",
             "pulls": sum(p.requests for p in pulls)}
            for feed, pulls in current_service().named_feeds.all()]
    show(rows, [Column("name"), Column("languages"), Column("mode"), Column("access"),
                Column("partners"), Column("reviewed_only"), Column("pulls")],
         as_json=as_json, empty="no named feeds")


@feeds_group.command("remove")
@click.argument("name")
@reported
def feeds_remove(name: str) -> None:
    """Remove a named feed."""
    current_service().named_feeds.delete(name)
    click.echo(f"removed feed {name}")


partners_group = AppGroup("partners", help="Partner keys for non-public feeds.")


@partners_group.command("create")
@click.argument("name")
@reported
def partners_create(name: str) -> None:
    """Create (or renew) a partner's key and print it once."""
    key = current_service().named_feeds.create_partner(name.strip())
    click.echo(f"key for partner {name!r}; it is shown only now:", err=True)
    click.echo(key)


@partners_group.command("revoke")
@click.argument("name")
@reported
def partners_revoke(name: str) -> None:
    """Revoke a partner's key; it stops working at once."""
    current_service().named_feeds.revoke_partner(name)
    click.echo(f"revoked partner {name!r}")


@feeds_group.command("check")
@click.option("--partner", help="One partner's rules (default: every rule set).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def feeds_check(partner: str | None, as_json: bool) -> None:
    """List what each partner's rules would reject; exit code 1 when anything would be."""
    findings = current_service().publisher.check(partner)
    show([{"partner": f.partner, "language": f.language, "rule": f.rule,
           "article": f.article_id, "title": f.title, "detail": f.detail} for f in findings],
         [Column("partner"), Column("language", "LANG"), Column("rule"), Column("article"),
          Column("detail")], as_json=as_json)
    if findings:
        raise click.ClickException(f"{len(findings)} finding(s)")
    click.echo("every partner would take every feed", err=True)
