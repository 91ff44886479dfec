"""Translation packages: list, install, remove (what a removed model made is requeued)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from ..errors import PairUnavailable
from ..service import Service
from .common import current_service, language_arg, reported
from .table import Column, show

log = logging.getLogger(__name__)


models = AppGroup("models", help="Argos translation packages.")


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def models_list(as_json: bool) -> None:
    """List installed packages and pairs (pair, engine, version, size on disk), and which
    one serves each of the service's pairs."""
    from ..translate import packages
    from ..translate.argos import installed_packages

    service = current_service()
    settings = service.settings
    serving: dict[tuple[str, str], str] = {}
    for target in settings.target_languages:
        try:
            route = service.translator.route(settings.source_language, target)
        except PairUnavailable:
            continue
        for hop in route.model.split(">"):  # a pivot serves through two models
            serving[(route.engine, hop)] = f"{settings.source_language}→{target}" + (
                " (pivot)" if ">" in route.model else "")
    rows: list[dict[str, Any]] = []
    for p in sorted(installed_packages(settings.packages_dir), key=lambda p: (p.source, p.target)):
        rows.append({"pair": f"{p.source}→{p.target}", "engine": "argos", "version": p.version,
                     "size_mb": round(packages.size_on_disk(p) / 1e6, 1),
                     "model": p.path.name, "serves": serving.get(("argos", p.model_id)),
                     "note": f"test package ({p.test_kind}): not a translation model"
                     if p.test_kind else None})
    modes = service.apertium.pairs() if "apertium" in settings.engines else []
    for source, target, mode in modes:
        rows.append({"pair": f"{source}→{target}", "engine": "apertium", "version": None,
                     "size_mb": None, "model": mode,
                     "serves": serving.get(("apertium", mode)), "note": None})
    show(rows, [Column("pair"), Column("engine"), Column("version"), Column("size_mb", "MB"),
                Column("model"), Column("serves"), Column("note")], as_json=as_json,
         empty=f"no packages installed in {settings.packages_dir}, and no Apertium pairs "
         "(apt-get install apertium-eng-spa, ...)")


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
    from ..translate import packages

    service = current_service()
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
        src, tgt = language_arg(source or "", "--from"), language_arg(target, "--to")
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
    from ..translate import packages

    service = current_service()
    removed = packages.remove(service.settings.packages_dir,
                              language_arg(source, "--from"), language_arg(target, "--to"))
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
