"""The public's endpoints: feeds, the feed index, OPML, article pages, health. No auth."""

from __future__ import annotations

import json
import logging
from importlib import resources

from flask import Blueprint, Response, jsonify, render_template, request

from .. import languages
from ..errors import Forbidden, NotFound, StoreError, Unauthenticated
from ..models import NamedFeed
from . import files, problems
from .auth import bearer, counted_failure
from .context import service

log = logging.getLogger(__name__)
bp = Blueprint("public", __name__)
FILES = files.FileCache()  # shared with the WSGI fast path (web.init_app)
_XSL = resources.files("syndicate.publish").joinpath("feed.xsl").read_bytes()


def _language(tag: str) -> str:
    """Return a configured language, or raise NotFound (a problem JSON 404)."""
    try:
        lang = languages.resolve(tag).tag
    except languages.UnknownLanguage as exc:
        raise NotFound(str(exc)) from None
    if lang not in service().settings.translation.languages:
        configured = ", ".join(service().settings.translation.languages)
        raise NotFound(f"no feeds in {tag!r}; languages: {configured}")
    return lang


def _serve(relative: str, media_type: str) -> Response:
    settings = service().settings
    cached = FILES.get(settings.feeds.feeds_dir / relative)
    if cached is None:
        raise NotFound(f"{relative} has not been published yet")
    return files.respond(request, cached, media_type, settings.feeds.publish_interval)


@bp.get("/feeds/<lang>/<any('rss.xml', 'atom.xml', 'feed.json', 'ninjs.json'):name>")
def feed(lang: str, name: str) -> Response:
    """Serve a language's RSS, Atom, JSON Feed or IPTC ninjs feed."""
    return _serve(f"{_language(lang)}/{name}", files.MEDIA_TYPES[name])


@bp.get("/sitemaps/<lang>.xml")
def news_sitemap(lang: str) -> Response:
    """Serve a language's Google News sitemap (its articles of the last two days)."""
    if lang == "index":
        return _serve("sitemap-index.xml", files.SITEMAP_TYPE)
    return _serve(f"{_language(lang)}/news-sitemap.xml", files.SITEMAP_TYPE)


@bp.get("/robots.txt")
def robots() -> Response:
    """Serve robots.txt, naming the sitemap index (before the first publish: the same rules,
    no index)."""
    settings = service().settings
    cached = FILES.get(settings.feeds.feeds_dir / "robots.txt")
    if cached is None:
        return Response(service().publisher.robots(), content_type=files.ROBOTS_TYPE,
                        headers={"Cache-Control": "public, max-age=60"})
    return files.respond(request, cached, files.ROBOTS_TYPE, settings.feeds.publish_interval)


@bp.get("/feeds/<lang>/archive/<int(min=1, max=2147483647):page>.xml")
def archive(lang: str, page: int) -> Response:
    """Serve an RFC 5005 archive page (immutable once full)."""
    return _serve(f"{_language(lang)}/archive/{page}.xml", files.ARCHIVE_TYPE)


@bp.get("/feeds/<lang>/")
def feed_page(lang: str) -> str:
    """Show a language's feed as a page: its entries, with autodiscovery links (current
    Chromium no longer applies a feed's xml-stylesheet)."""
    lang = _language(lang)
    cached = FILES.get(service().settings.feeds.feeds_dir / lang / "feed.json")
    if cached is None:
        raise NotFound(f"nothing has been published in {lang!r} yet")
    document = json.loads(cached.body)
    meta = service().publisher.feed_meta(lang)
    return render_template("feed_page.html", feed=document, meta=meta,
                           name=languages.KNOWN[lang].name)


@bp.get("/feeds/<feed_name>/<lang>/<any('rss.xml', 'atom.xml', 'feed.json'):name>")
def named_feed(feed_name: str, lang: str, name: str) -> Response:
    """Serve a named feed; unless it is public, with a partner key (a bearer header, or
    ?key= for pullers that cannot send headers). Every pull is counted per partner. Without
    a valid key, an unknown feed answers as a private one does: names are not confirmed."""
    svc = service()
    key = bearer(request.headers.get("Authorization", "")) or \
        request.args.get("key", "").strip() or None
    try:
        feed: NamedFeed | None = svc.named_feeds.get(feed_name)
    except NotFound:
        feed = None
    partner = "public"
    if key is not None:
        try:
            partner = svc.named_feeds.partner(key)
        except Unauthenticated as exc:
            raise counted_failure(exc) from None
    elif feed is None or not feed.public:
        raise Unauthenticated(f"feed {feed_name!r} needs a partner key: send "
                              "'Authorization: Bearer <key>' or ?key=<key>")
    if feed is None:
        raise NotFound(f"no feed named {feed_name!r}")
    if not feed.public and feed.partners and partner not in feed.partners:
        raise Forbidden(f"partner {partner!r} may not pull feed {feed_name!r}")
    lang = _language(lang)
    if lang not in feed.languages:
        raise NotFound(f"feed {feed_name!r} has no {lang!r} version")
    cached = FILES.get(svc.settings.feeds.feeds_dir / feed.name / lang / name)
    if cached is None:
        raise NotFound(f"feed {feed_name!r} has not been published in {lang!r} yet")
    response = files.respond(request, cached, files.MEDIA_TYPES[name],
                             svc.settings.feeds.publish_interval, private=not feed.public)
    svc.named_feeds.count_pull(partner, feed.name, lang, response.status_code == 304)
    return response


@bp.get("/feeds/feed.xsl")
def stylesheet() -> Response:
    """Serve the XSLT that shows a feed as a page in a browser."""
    return Response(_XSL, content_type="text/xsl; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/feeds/")
def index() -> str:
    """List every feed, with autodiscovery links."""
    return render_template("feeds_index.html", feeds=_feed_list(), title="syndicate feeds")


@bp.get("/feeds/opml.xml")
def opml() -> Response:
    """Return an OPML 2.0 list of every feed."""
    body = render_template("opml.xml", feeds=_feed_list())
    return Response(body, content_type="text/x-opml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@bp.get("/articles/<article_id>/<lang>")
def article_page(article_id: str, lang: str) -> str:
    """Show an article in one language, with links to its other languages."""
    svc = service()
    entry = svc.publisher.published(article_id, _language(lang))
    names = {code: languages.KNOWN[code].name for code in languages.KNOWN}
    return render_template("article.html", e=entry, names=names,
                           json_ld=svc.publisher.json_ld(entry))


def _feed_list() -> list[dict[str, str]]:
    svc = service()
    out = []
    for lang in svc.settings.translation.languages:
        if (svc.settings.feeds.feeds_dir / lang / "rss.xml").exists():
            meta = svc.publisher.feed_meta(lang)
            out.append({"lang": lang, "name": languages.KNOWN[lang].name, "title": meta.title,
                        "rss": meta.rss_url, "atom": meta.atom_url, "json": meta.json_url,
                        "site": meta.site_url})
    return out


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Return 200 when the process is up and the database answers, else 503."""
    try:
        service().store.ping()
    except StoreError as exc:
        error_id = problems.new_error_id()
        log.error("health check failed [error %s]: %s", error_id, exc)
        return jsonify({"status": "unavailable", "database": "unavailable",
                        "error_id": error_id}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200
