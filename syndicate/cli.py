"""The `syndicate` command group: serve, scheduler, db, ingest, articles, tokens, models,
feeds, partners, sources, review and translations."""

from __future__ import annotations

import contextlib
import functools
import getpass
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar, cast

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo, with_appcontext

from .config import Settings
from .errors import ConfigError, InputError, PairUnavailable, SyndicateError
from .models import IngestResult, Role
from .service import EXTENSION_KEY, Service

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

_SUFFIX_TYPES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown",
                 ".markdown": "text/markdown", ".html": "text/html", ".htm": "text/html",
                 ".json": "application/json"}


def main() -> NoReturn:
    """Run the `syndicate` command (console-script entry point)."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        click.echo(f"syndicate: {exc}", err=True)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":  # two lines per run of jobs that run every few seconds
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    from . import create_app

    app = create_app(settings)
    app.cli.main(prog_name="syndicate", obj=ScriptInfo(create_app=lambda: app))
    sys.exit(0)  # click exits itself; this line tells mypy so


def init_app(app: Flask) -> None:
    """Attach every command to the app's command group."""
    app.cli.help = "syndicate: ingest, translate and publish multilingual feeds."
    for command in (serve, scheduler_command, worker_command, db, ingest_command, articles,
                    tokens, models, translate_command, republish_command, retranslate_command,
                    status_command, jobs_command, feeds_group, partners_group,
                    sources_group, review_group, translations_group):
        app.cli.add_command(command)


def _service() -> Service:
    return cast(Service, current_app.extensions[EXTENSION_KEY])


def reported(func: Callable[P, R]) -> Callable[P, R]:
    """Turn syndicate errors into a message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SyndicateError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@click.command()
@click.option("--no-scheduler", is_flag=True, help="Serve the web app only.")
@with_appcontext
@reported
def serve(no_scheduler: bool) -> None:
    """Serve the web app (and run the scheduler, with its worker, in this process)."""
    from .jobs.scheduler import Leader
    from .web import server

    service = _service()
    service.store.require_current_schema()
    settings = service.settings
    leader = None
    if not no_scheduler:
        leader = Leader(service)
        held = leader.acquire_or_refuse()
        threading.Thread(target=leader.run, args=(held,), name="scheduler", daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("serving on http://%s:%d (public URL %s)", settings.host, settings.port,
             settings.public_url)
    try:
        app = cast(Any, current_app)._get_current_object()
        server.create(app, settings).run()  # SIGTERM: waitress ends its workers and returns
    except KeyboardInterrupt:
        log.info("interrupted")
    finally:
        if leader is not None:
            leader.stop()


@click.command("scheduler")
@click.option("--no-worker", is_flag=True,
              help="Do not translate in this process (run `syndicate worker`s instead).")
@with_appcontext
@reported
def scheduler_command(no_worker: bool) -> None:
    """Run the scheduler: active if no other is, else a standby that takes over (PostgreSQL)."""
    from .jobs.scheduler import Leader

    service = _service()
    service.store.require_current_schema()
    leader = Leader(service, worker=not no_worker)
    held = leader.acquire_or_refuse()
    if held is None:
        log.info("another scheduler is active; standing by to take over")
    signal.signal(signal.SIGTERM, lambda *_: leader.stop())
    try:
        leader.run(held)
    except KeyboardInterrupt:
        leader.stop()
    log.info("scheduler stopped")


@click.command("worker")
@with_appcontext
@reported
def worker_command() -> None:
    """Translate queued work (any number of workers, on any host), until stopped."""
    from .jobs.runs import recorded
    from .jobs.translate import has_work, translate_pending

    service = _service()
    service.store.require_current_schema()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    job = recorded("translate", translate_pending, has_work)
    log.info("worker %s started", service.owner)
    try:
        while not stopping.is_set():
            try:
                if job(service) is not None:
                    continue
            except SyndicateError as exc:  # e.g. the database restarting: try again shortly
                log.error("translation pass failed: %s", exc)
            stopping.wait(service.settings.translate_interval)
    except KeyboardInterrupt:
        pass
    finally:
        service.runner.release()
    log.info("worker stopped")


db = AppGroup("db", help="Database schema.")


@db.command("upgrade")
@reported
def db_upgrade() -> None:
    """Upgrade the database schema to the newest revision."""
    store = _service().store
    store.upgrade()
    click.echo(f"database at revision {store.current_revision()} ({store.url.render_as_string()})")


@db.command("current")
@reported
def db_current() -> None:
    """Show the schema revision of the database and of the code."""
    store = _service().store
    click.echo(f"database: {store.current_revision() or 'empty'}; code: {store.head_revision()}")


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
    svc = _service()
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
@reported
def articles_list(limit: int, include_retracted: bool) -> None:
    """List articles, newest first."""
    found = _service().articles.page(limit=limit, cursor=None,
                                                  include_retracted=include_retracted)
    for a in found.items:
        state = "retracted" if a.retracted else "live"
        click.echo(f"{a.id}\tr{a.revision}\t{a.language}\t{state}\t"
                   f"{a.published:%Y-%m-%d %H:%M}\t{a.title}")
    if not found.items:
        click.echo("no articles", err=True)


tokens = AppGroup("tokens", help="API tokens.")


@tokens.command("create")
@click.option("--name", required=True, help="Who the token is for; producers' guids are theirs.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@reported
def tokens_create(name: str, role: str) -> None:
    """Create a token and print its secret once (only a hash is stored)."""
    service = _service()
    token, secret = service.access.create_token(name.strip(), Role(role))
    click.echo(f"created {token.role.value} token {token.name!r}; it is shown only now:",
               err=True)
    click.echo(secret)


@tokens.command("list")
@reported
def tokens_list() -> None:
    """List tokens (names, roles, states; never secrets)."""
    found = _service().access.tokens()
    for t in found:
        state = f"revoked {t.revoked:%Y-%m-%d %H:%M}" if t.revoked else "active"
        click.echo(f"{t.name}\t{t.role.value}\t{state}\tcreated {t.created:%Y-%m-%d %H:%M}")
    if not found:
        click.echo("no tokens", err=True)


@tokens.command("revoke")
@click.argument("name")
@reported
def tokens_revoke(name: str) -> None:
    """Revoke a token; it stops working at once."""
    service = _service()
    service.access.revoke_token(name)
    click.echo(f"revoked {name!r}")



models = AppGroup("models", help="Argos translation packages.")


@models.command("list")
@reported
def models_list() -> None:
    """List installed packages: pair, version, size on disk."""
    from .translate import packages
    from .translate.argos import installed_packages

    service = _service()
    found = installed_packages(service.settings.packages_dir)
    for p in sorted(found, key=lambda p: (p.source, p.target)):
        size = packages.size_on_disk(p) / 1e6
        label = f"\ttest package ({p.test_kind}): not a translation model" if p.test_kind \
            else ""
        click.echo(f"{p.source}→{p.target}\targos\t{p.version}\t{size:.1f} MB\t{p.path.name}"
                   f"{label}")
    modes = service.apertium.pairs() if "apertium" in service.settings.engines else []
    for source, target, mode in modes:
        click.echo(f"{source}→{target}\tapertium\t-\t-\t{mode}")
    if not found and not modes:
        click.echo(f"no packages installed in {service.settings.packages_dir}, and no "
                   "Apertium pairs (apt-get install apertium-eng-spa, ...)", err=True)
    for target in service.settings.target_languages:
        try:
            route = service.translator.route(service.settings.source_language, target)
        except PairUnavailable:
            continue
        click.echo(f"serves {service.settings.source_language}→{target}: {route.engine} "
                   f"{route.model}")


@models.command("install")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "source", help="Install from the Argos index: source language.")
@click.option("--to", "targets", help="Target languages, comma-separated (with --from).")
@click.option("--force", is_flag=True,
              help="Install even when the package takes a pair over from another engine.")
@reported
def models_install(files: tuple[Path, ...], source: str | None, targets: str | None,
                   force: bool) -> None:
    """Install .argosmodel files, or --from/--to packages from the Argos package index."""
    from .translate import packages

    service = _service()
    settings = service.settings
    if bool(files) == bool(source or targets) or bool(source) != bool(targets):
        raise click.UsageError("give FILE... or both --from and --to")
    for path in files:
        info = packages.inspect(path)
        _refuse_takeover(service, info.source, info.target, force)
        before = _route_model(service, info.source, info.target)
        installed = packages.install(path, settings.packages_dir)
        kind = f"; a test package ({installed.test_kind}), not a translation model" \
            if installed.test_kind else ""
        click.echo(f"installed {installed.source}→{installed.target} {installed.version} "
                   f"({installed.path.name}){kind}")
        if before is not None and before[0] == "argos" and before[1] != installed.model_id:
            _requeue(service, before)  # the package it replaced
    for target in (t.strip() for t in (targets or "").split(",") if t.strip()):
        src, tgt = _language_arg(source or "", "--from"), _language_arg(target, "--to")
        with click.progressbar(length=1, label=f"downloading {src}→{tgt}",
                               file=sys.stderr) as bar:

            def progress(done: int, total: int | None) -> None:
                if total and bar.length != total:
                    bar.length = total
                bar.update(done - bar.pos)

            installed, verified = packages.install_from_index(
                settings.argos_index_url, src, tgt, settings.packages_dir, progress,
                allow_loopback_http=settings.argos_loopback_http)
        click.echo(f"installed {installed.source}→{installed.target} {installed.version} "
                   f"({installed.path.name})"
                   + ("" if verified else "; unverified: the index gives no sha256"))


@models.command("remove")
@click.option("--from", "source", required=True)
@click.option("--to", "target", required=True)
@reported
def models_remove(source: str, target: str) -> None:
    """Remove the package for a language pair; what it translated is translated again."""
    from .translate import packages

    service = _service()
    removed = packages.remove(service.settings.packages_dir,
                              _language_arg(source, "--from"), _language_arg(target, "--to"))
    click.echo(f"removed {removed.source}→{removed.target} {removed.version}")
    _requeue(service, ("argos", removed.model_id))


def _route_model(service: Service, source: str, target: str) -> tuple[str, str] | None:
    try:
        route = service.translator.route(source, target)
    except PairUnavailable:
        return None
    return route.engine, route.model


def _refuse_takeover(service: Service, source: str, target: str, force: bool) -> None:
    """Refuse, without --force, an Argos package that would take a pair from another
    engine (SYNDICATE_ENGINES puts argos first: en→es from Apertium, say)."""
    current = _route_model(service, source, target)
    engines = service.settings.engines
    if current is None or current[0] == "argos" or force or "argos" not in engines \
            or engines.index("argos") > engines.index(current[0]):
        return
    raise click.ClickException(
        f"{source}→{target} is served by {current[0]} ({current[1]}); this Argos package "
        "would take it over (SYNDICATE_ENGINES lists argos first): pass --force to install it")


def _requeue(service: Service, made_by: tuple[str, str] | None) -> None:
    """Translate again what a replaced or removed model made."""
    if made_by is None:
        return
    moved = service.articles.requeue_made_by(*made_by)
    if moved:
        click.echo(f"{moved} translation(s) by {made_by[1]} queued again")


@click.command("translate")
@with_appcontext
@reported
def translate_command() -> None:
    """Run one translation pass now (the scheduler does this every interval)."""
    report = _service().pipeline.translate_pending()
    click.echo(f"{report.done} done, {report.failed} failed, {report.unavailable} unavailable; "
               f"{report.segments} segments, {report.memory_hits} from memory, "
               f"{report.translated} translated")


def _language_arg(tag: str, option: str) -> str:
    from . import languages

    try:
        return languages.resolve(tag).tag
    except languages.UnknownLanguage as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _languages_option(value: str | None) -> list[str] | None:
    if not value:
        return None
    configured = _service().settings.languages
    out = []
    for tag in (t.strip() for t in value.split(",") if t.strip()):
        lang = _language_arg(tag, "--lang")
        if lang not in configured:
            raise click.BadParameter(f"{tag!r} is not configured ({', '.join(configured)})",
                                     param_hint="--lang")
        out.append(lang)
    return sorted(set(out))


def _finish(run: Any) -> None:
    click.echo(f"job {run.id} {run.job}: {run.state}; {json.dumps(run.counts)}")


_TIMEOUT = click.option("--timeout", default=900, show_default=True,
                        type=click.FloatRange(min=0.1),
                        help="Seconds to wait for the job before giving up (exit code 1).")


@click.command("republish")
@click.option("--lang", help="Languages to republish, comma-separated (default: all).")
@_TIMEOUT
@with_appcontext
@reported
def republish_command(lang: str | None, timeout: float) -> None:
    """Re-render and republish the feeds now, without retranslating."""
    from .jobs import queue

    _finish(queue.run_here(_service(), "republish", {"languages": _languages_option(lang)},
                           "cli", timeout=timeout))


@click.command("retranslate")
@click.argument("article_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Every live article.")
@click.option("--lang", help="Languages, comma-separated (default: every target).")
@click.option("--force", is_flag=True, help="Bypass the translation memory (not human edits).")
@_TIMEOUT
@with_appcontext
@reported
def retranslate_command(article_id: str | None, everything: bool, lang: str | None,
                        force: bool, timeout: float) -> None:
    """Translate ARTICLE_ID (or --all) again, then republish."""
    from .jobs import queue

    if bool(article_id) == everything:
        raise click.UsageError("give ARTICLE_ID or --all")
    service = _service()
    if article_id:
        service.articles.get(article_id)
    params = {"articles": [article_id] if article_id else None, "force": force,
              "languages": _languages_option(lang)}
    with click.progressbar(length=1, label="retranslating", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        run = queue.run_here(service, "retranslate", params, "cli", progress, timeout=timeout)
    _finish(run)


review_group = AppGroup("review", help="Translations held for a person's review.")


@review_group.command("list")
@click.option("--lang", help="One language (default: all).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
@reported
def review_list(lang: str | None, limit: int, as_json: bool) -> None:
    """List held translations, oldest first, with what the checks found."""
    language = _language_arg(lang, "--lang") if lang else None
    items = _service().review.held(language, limit)
    if as_json:
        for article, t in items:
            click.echo(json.dumps({"article": article.id, "language": t.language,
                                   "title": article.title, "findings":
                                   [f.to_dict() for f in t.findings]}))
        return
    click.echo("ARTICLE\tLANGUAGE\tERRORS\tTITLE")
    for article, t in items:
        errors = sorted({f.check for f in t.findings if f.severity.value == "error"})
        click.echo(f"{article.id}\t{t.language}\t{','.join(errors) or '-'}\t{article.title}")


@review_group.command("show")
@click.argument("article_id")
@click.argument("lang")
@with_appcontext
@reported
def review_show(article_id: str, lang: str) -> None:
    """Show an article beside its translation into LANG, with the findings."""
    article, t, _ = _service().articles.translation(
        article_id, _language_arg(lang, "LANG"))
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
    reviewed = _service().review.decide(
        article_id, _language_arg(lang, "LANG"), decision, f"cli:{getpass.getuser()}", note)
    click.echo(f"{article_id} {reviewed.language}: {reviewed.status.value}")


translations_group = AppGroup("translations", help="Stored translations.")


@translations_group.command("check")
@click.option("--lang", help="Languages, comma-separated (default: every target).")
@click.option("--since", help="Only translations stored since this RFC 3339 time.")
@with_appcontext
@reported
def translations_check(lang: str | None, since: str | None) -> None:
    """Run the checks again over stored translations; exit 1 when any has an error."""
    from .ingest import fields

    service = _service()
    problems = fields.Problems()
    moment = fields.timestamp(since, "--since", problems) if since else None
    if problems.items:
        raise click.BadParameter(problems.items[0].detail, param_hint="--since")
    wanted = _languages_option(lang) or list(service.settings.target_languages)
    checked = service.runner.recheck(wanted, moment)
    click.echo("ARTICLE\tLANGUAGE\tSTATUS\tERRORS\tWARNINGS\tCHECKS")
    failing = 0
    for article, t in checked:
        errors = [f for f in t.findings if f.severity.value == "error"]
        failing += bool(errors)
        names = ",".join(sorted({f.check for f in t.findings})) or "-"
        click.echo(f"{article.id}\t{t.language}\t{t.status.value}\t{len(errors)}\t"
                   f"{len(t.findings) - len(errors)}\t{names}")
    click.echo(f"{len(checked)} translation(s) checked, {failing} with errors", err=True)
    if failing:
        sys.exit(1)


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
    from .ingest.named_feeds import parse_named_feed

    service = _service()
    body = {"languages": [t.strip() for t in langs.split(",") if t.strip()],
            "categories": list(categories), "producers": list(producers), "entries": entries,
            "max_bytes": max_bytes, "mode": mode, "public": public, "partners": list(partners),
            "reviewed_only": reviewed_only}
    feed = parse_named_feed(name, json.dumps(body).encode(), service.settings.languages)
    new = service.named_feeds.put(feed)
    base = service.settings.public_url
    click.echo(f"{'created' if new else 'replaced'} feed {name}: "
               + ", ".join(f"{base}/feeds/{name}/{lang}/rss.xml" for lang in feed.languages))


@feeds_group.command("list")
@reported
def feeds_list() -> None:
    """List named feeds with their pulls."""
    found = _service().named_feeds.all()
    for feed, pulls in found:
        requests = sum(p.requests for p in pulls)
        click.echo(f"{feed.name}\t{','.join(feed.languages)}\t{feed.mode.value}\t"
                   f"{'public' if feed.public else 'key'}\t{requests} pull(s)")
    if not found:
        click.echo("no named feeds", err=True)


@feeds_group.command("remove")
@click.argument("name")
@reported
def feeds_remove(name: str) -> None:
    """Remove a named feed."""
    _service().named_feeds.delete(name)
    click.echo(f"removed feed {name}")


partners_group = AppGroup("partners", help="Partner keys for non-public feeds.")


@partners_group.command("create")
@click.argument("name")
@reported
def partners_create(name: str) -> None:
    """Create (or renew) a partner's key and print it once."""
    key = _service().named_feeds.create_partner(name.strip())
    click.echo(f"key for partner {name!r}; it is shown only now:", err=True)
    click.echo(key)


@partners_group.command("revoke")
@click.argument("name")
@reported
def partners_revoke(name: str) -> None:
    """Revoke a partner's key; it stops working at once."""
    _service().named_feeds.revoke_partner(name)
    click.echo(f"revoked partner {name!r}")


@feeds_group.command("check")
@click.option("--partner", help="One partner's rules (default: every rule set).")
@reported
def feeds_check(partner: str | None) -> None:
    """List what each partner's rules would reject; exit code 1 when anything would be."""
    findings = _service().publisher.check(partner)
    for f in findings:
        what = f"{f.article_id} {f.title!r}" if f.article_id else "feed"
        click.echo(f"{f.partner}\t{f.language}\t{f.rule}\t{what}\t{f.detail}")
    if findings:
        raise click.ClickException(f"{len(findings)} finding(s)")
    click.echo("every partner would take every feed", err=True)


@click.command("status")
@with_appcontext
@reported
def status_command() -> None:
    """Show per language: model, articles by status, last publish."""
    for entry in _service().queries.status()["languages"]:
        counts = entry["articles"]
        model = "source" if entry["source"] else (
            entry["model"]["version"] or "no package installed")
        click.echo(f"{entry['language']}\t{model}\t"
                   + " ".join(f"{k}={v}" for k, v in counts.items())
                   + f"\tlast publish {entry['last_publish'] or 'never'}")


@click.command("jobs")
@click.option("--id", "run_id", type=int, help="Show one job run in full.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
@with_appcontext
@reported
def jobs_command(run_id: int | None, limit: int) -> None:
    """List recent job runs (scheduled and requested)."""
    queries = _service().queries
    if run_id is not None:
        run = queries.job(run_id)
        click.echo(json.dumps({**run.__dict__, "started": str(run.started),
                               "finished": str(run.finished), "queued": str(run.queued)},
                              indent=2))
        return
    runs = queries.jobs(limit=limit)
    for r in runs:
        click.echo(f"{r.id}\t{r.job}\t{r.state}\t{r.trigger}\t{r.requested_by or '-'}\t"
                   f"{r.started:%Y-%m-%d %H:%M:%S}\t{r.error or ''}")


sources_group = AppGroup("sources", help="Upstream feeds syndicate polls and ingests.")


@sources_group.command("add")
@click.argument("url")
@click.option("--language", help="The feed's language (default: the feed's own, else detected "
              "per entry).")
@click.option("--producer", help="Whose guids the entries become (default: the URL's host).")
@click.option("--categories", help="Categories added to every entry, comma-separated.")
@click.option("--interval", type=click.IntRange(1, 30 * 86400),
              help="Seconds between polls (default: SYNDICATE_SOURCE_INTERVAL).")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="A host, address or network this source may reach though it is not public "
              "(a private deployment, a local test feed).")
@reported
def sources_add(url: str, language: str | None, producer: str | None, categories: str | None,
                interval: int | None, allow_hosts: tuple[str, ...]) -> None:
    """Register an upstream feed; the scheduler polls it within seconds."""
    from .ingest.sources import parse_source

    body: dict[str, Any] = {"url": url, "allow_hosts": list(allow_hosts)}
    if language:
        body["language"] = language
    if producer:
        body["producer"] = producer
    if categories:
        body["categories"] = [c.strip() for c in categories.split(",") if c.strip()]
    if interval:
        body["interval"] = interval
    source = _service().sources.add(parse_source(json.dumps(body).encode()))
    click.echo(f"added source {source.id}: {source.url} (producer {source.producer})")


@sources_group.command("list")
@reported
def sources_list() -> None:
    """List sources: id, state, last status, entries ingested, URL, last error."""
    found = _service().sources.all()
    for s in found:
        state = "paused" if s.paused else "active"
        click.echo(f"{s.id}\t{state}\t{s.last_status or '-'}\t{s.entries_ingested}\t{s.url}"
                   f"\t{s.flagged or s.last_error or ''}")
    if not found:
        click.echo("no sources", err=True)


@sources_group.command("show")
@click.argument("source_id", type=int)
@reported
def sources_show(source_id: int) -> None:
    """Show one source's settings and state as JSON."""
    click.echo(json.dumps(_service().sources.get(source_id).to_dict(), indent=2))


@sources_group.command("pause")
@click.argument("source_id", type=int)
@reported
def sources_pause(source_id: int) -> None:
    """Stop polling a source."""
    _service().sources.pause(source_id, True)
    click.echo(f"paused source {source_id}")


@sources_group.command("resume")
@click.argument("source_id", type=int)
@reported
def sources_resume(source_id: int) -> None:
    """Poll a paused source again (clears its flag and failure counts)."""
    _service().sources.pause(source_id, False)
    click.echo(f"resumed source {source_id}")


@sources_group.command("update")
@click.argument("source_id", type=int)
@click.option("--language", help="The feed's language; '' for the feed's own or detected.")
@click.option("--interval", type=click.IntRange(1, 30 * 86400), help="Seconds between polls.")
@click.option("--categories", help="Categories added to every entry, comma-separated.")
@reported
def sources_update(source_id: int, language: str | None, interval: int | None,
                   categories: str | None) -> None:
    """Change a source; a new language or categories re-read the whole feed at once."""
    from .ingest.sources import parse_source_change

    body: dict[str, Any] = {}
    if language is not None:
        body["language"] = language
    if interval is not None:
        body["interval"] = interval
    if categories is not None:
        body["categories"] = [c.strip() for c in categories.split(",") if c.strip()]
    changes = parse_source_change(json.dumps(body).encode())
    source = _service().sources.change(source_id, changes)
    click.echo(f"updated source {source_id}: language {source.language or 'auto'}, "
               f"interval {source.interval or 'default'}, "
               f"categories {','.join(source.categories) or '-'}")


@sources_group.command("remove")
@click.argument("source_id", type=int)
@reported
def sources_remove(source_id: int) -> None:
    """Forget a source; the articles it brought stay."""
    _service().sources.remove(source_id)
    click.echo(f"removed source {source_id}")


@sources_group.command("fetch")
@click.argument("source_id", type=int)
@reported
def sources_fetch(source_id: int) -> None:
    """Fetch a source now, in this process, and say what it gave; exit 1 if it failed."""
    svc = _service()
    report = svc.pipeline.poll_sources(only=[svc.sources.get(source_id)])
    source = svc.sources.get(source_id)
    click.echo(f"source {source_id}: status {source.last_status or '-'}, "
               f"{report.created} new, {report.updated} changed, {report.held} held"
               + (f"; {source.last_note}" if source.last_note else ""))
    if report.failed:
        raise click.ClickException(f"source {source_id}: {source.last_error}")
