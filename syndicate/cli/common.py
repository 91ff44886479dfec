"""What every command module shares: the service, error reporting, language options."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

import click
from flask import current_app

from ..errors import SyndicateError
from ..service import EXTENSION_KEY, Service

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def current_service(*, initialised: bool = True) -> Service:
    """Return the app's service; unless told otherwise, first check that the database is
    there and current (SchemaOutOfDate says how to initialise it, never SQL)."""
    service = cast(Service, current_app.extensions[EXTENSION_KEY])
    if initialised and not current_app.config.get("SYNDICATE_SCHEMA_CHECKED"):
        service.store.require_current_schema()
        current_app.config["SYNDICATE_SCHEMA_CHECKED"] = True
    return service


def reported(func: Callable[P, R]) -> Callable[P, R]:
    """Turn syndicate errors into a message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SyndicateError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def language_arg(tag: str, option: str) -> str:
    from .. import languages

    try:
        return languages.resolve(tag).tag
    except languages.UnknownLanguage as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def languages_option(value: str | None) -> list[str] | None:
    if not value:
        return None
    configured = current_service().settings.translation.languages
    out = []
    for tag in (t.strip() for t in value.split(",") if t.strip()):
        lang = language_arg(tag, "--lang")
        if lang not in configured:
            raise click.BadParameter(f"{tag!r} is not configured ({', '.join(configured)})",
                                     param_hint="--lang")
        out.append(lang)
    return sorted(set(out))


def finish(run: Any) -> None:
    click.echo(f"job {run.id} {run.job}: {run.state}; {json.dumps(run.counts)}")


TIMEOUT = click.option("--timeout", default=900, show_default=True,
                        type=click.FloatRange(min=0.1),
                        help="Seconds to wait for the job before giving up (exit code 1).")
