"""The `syndicate` command group: one module per group of commands, attached to the app here.

``python -m syndicate`` and the ``syndicate`` script start in ``syndicate/__main__.py``, which
builds the app; this package never imports the factory back.
"""

from __future__ import annotations

from flask import Flask

from . import (
    articles,
    backup,
    db,
    exchange,
    feeds,
    jobs,
    models,
    review,
    serve,
    settings,
    sources,
    status,
    tokens,
)


def init_app(app: Flask) -> None:
    """Attach every command to the app's command group."""
    app.cli.help = "syndicate: ingest, translate and publish multilingual feeds."
    for command in (serve.serve, serve.scheduler_command, serve.worker_command, db.db,
                    articles.ingest_command, articles.articles, tokens.tokens, models.models,
                    jobs.translate_command, jobs.republish_command, jobs.retranslate_command,
                    status.status_command, jobs.jobs_command, feeds.feeds_group,
                    feeds.partners_group, sources.sources_group, review.review_group,
                    review.translations_group, settings.settings_command,
                    backup.backup_command, backup.restore_command, exchange.xliff_group,
                    exchange.memory_group, exchange.glossary_group):
        app.cli.add_command(command)
