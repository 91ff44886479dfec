"""Newsroom formats: IPTC ninjs, schema.org JSON-LD on article pages, news sitemaps, robots.txt.

Every ninjs document and sitemap the publisher writes is also validated against the official
schema by the suite-wide check in conftest (published_by_the_official_schemas); these tests
say what the documents carry and check the ones served over HTTP too.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from pyld import jsonld

from syndicate.models import Role
from syndicate.publish import sitemaps
from syndicate.publish.entries import guid
from syndicate.service import Service

from .conftest import make_token
from .newsroom_schemas import check_ninjs, check_xml_schema, index_schema, sitemap_schema
from .test_api_articles import article_body
from .test_feeds import IMAGE, LANGS

pytestmark = pytest.mark.usefixtures("installed_packages")
CONTEXT = Path(__file__).with_name("data") / "schemaorg" / "schemaorgcontext.jsonld"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SCHEMA = "http://schema.org/"
SDO = "https://schema.org/"


@pytest.fixture
def reviewer(service: Service) -> dict[str, str]:
    """Return headers with a reviewer token."""
    return {"Authorization": "Bearer " + make_token(service, "reviewer-1", Role.REVIEWER)}


def publish_sample(client: FlaskClient, service: Service, headers: dict[str, str],
                   sample_text: str, **params: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in {"guid": "sample", **params}.items())
    created = client.post(f"/api/v1/articles?{query}", data=sample_text.encode(),
                          content_type="text/plain", headers=headers).get_json()
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    return dict(created)


def served_json(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)


# --- IPTC ninjs ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_a_ninjs_feed_valid_by_iptc_schema(
        client: FlaskClient, service: Service, producer: dict[str, str],
        sample_text: str, lang: str) -> None:
    sample = publish_sample(client, service, producer, sample_text)
    rich = client.post("/api/v1/articles", json=article_body(image=IMAGE),
                       headers=producer).get_json()
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    feed = served_json(client, f"/feeds/{lang}/ninjs.json")
    check_ninjs(feed)
    assert feed["type"] == "composite" and feed["language"] == lang
    assert feed["standard"]["version"] == "2.3"
    items = {a["uri"]: a for a in feed["associations"]}
    assert set(items) == {guid(sample["id"], lang), guid(rich["id"], lang)}
    item = items[guid(rich["id"], lang)]
    assert item["language"] == lang and item["name"] == "article"
    assert item["bodies"][0]["contenttype"] == "text/html" and "<h2>" in item["bodies"][0]["value"]
    assert item["by"] == "A. Writer"
    assert [s["name"] for s in item["subjects"]] == ["local", "transport"]
    image = next(a for a in item["associations"] if a["name"] == "leadimage")
    assert image["type"] == "picture" and image["uri"] == IMAGE["url"]
    assert image["by"] == "Jo Photographer"
    assert image["renditions"][0]["width"] == 1200
    languages = [a for a in item["associations"] if a["type"] == "text"]
    assert {a["language"] for a in languages} == set(LANGS) - {lang}
    assert all(a["uri"] == guid(rich["id"], a["language"]) for a in languages)
    if lang == "en":  # the original: its translations, nothing declared machine-made
        assert {a["name"] for a in languages} == {"translation"}
        assert "digitalsourcetype" not in item and "infosources" not in item
    else:
        assert languages[0]["name"] == "original" and languages[0]["language"] == "en"
        assert item["digitalsourcetype"]["uri"] == \
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        translator = item["infosources"][0]
        assert translator["role"] == "translator" and translator["name"] == "Argos Translate"
        assert translator["literal"].startswith("translate-")
        assert "not reviewed" in item["ednote"]


def test_the_article_ninjs_endpoint_and_a_review_changes_the_declaration(
        client: FlaskClient, service: Service, producer: dict[str, str],
        reviewer: dict[str, str], sample_text: str) -> None:
    sample = publish_sample(client, service, producer, sample_text)
    url = f"/api/v1/articles/{sample['id']}/ninjs"
    response = client.get(url, headers=producer)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    own = response.get_json()
    check_ninjs(own)
    assert own["language"] == "en" and own["uri"] == guid(sample["id"], "en")
    spanish = client.get(url + "?lang=es", headers=producer).get_json()
    check_ninjs(spanish)
    assert spanish["language"] == "es" and spanish["infosources"][0]["role"] == "translator"
    reviewed = client.post(f"/api/v1/articles/{sample['id']}/translations/es/review",
                           json={"decision": "approve"}, headers=reviewer)
    assert reviewed.status_code == 200
    after = client.get(url + "?lang=es", headers=producer).get_json()
    check_ninjs(after)
    assert after["digitalsourcetype"]["literal"] == "compositeWithTrainedAlgorithmicMedia"
    assert {"name": "the newsroom", "role": "reviewer"} in after["infosources"]  # never a token
    assert "reviewer-1" not in json.dumps(after)
    assert "reviewed by the newsroom" in after["ednote"]
    assert client.get(url + "?lang=xx-bogus", headers=producer).status_code == 422
    assert client.get(url + "?format=3", headers=producer).status_code == 422
    assert client.get(url).status_code == 401
    client.delete(f"/api/v1/articles/{sample['id']}", headers=producer)
    assert client.get(url + "?lang=es", headers=producer).status_code == 410


def test_a_retracted_article_stays_in_the_ninjs_feed_only_as_canceled(
        client: FlaskClient, service: Service, producer: dict[str, str],
        sample_text: str) -> None:
    sample = publish_sample(client, service, producer, sample_text)
    client.delete(f"/api/v1/articles/{sample['id']}?reason=Legal", headers=producer)
    service.pipeline.publish_changes()
    for lang in LANGS:
        feed = json.loads((service.settings.feeds.feeds_dir / lang / "ninjs.json").read_bytes())
        check_ninjs(feed)
        [item] = feed["associations"]
        assert item["pubstatus"] == "canceled" and item["uri"] == guid(sample["id"], lang)
        assert "bodies" not in item and item["headlines"][0]["value"] == "Withdrawn"


# --- schema.org JSON-LD ----------------------------------------------------------------------

def _loader(url: str, options: dict[str, Any]) -> dict[str, Any]:
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads(CONTEXT.read_text(encoding="utf-8"))}


def page_graph(client: FlaskClient, url: str) -> dict[str, Any]:
    """Fetch an article page, take its JSON-LD block, and expand it with a JSON-LD processor."""
    page = client.get(url)
    assert page.status_code == 200
    blocks = etree.HTML(page.data).findall('.//script[@type="application/ld+json"]')
    assert len(blocks) == 1
    [node] = jsonld.expand(json.loads(blocks[0].text or ""), {"documentLoader": _loader})
    return dict(node)


def _value(node: dict[str, Any], name: str) -> Any:
    return node[SCHEMA + name][0].get("@value", node[SCHEMA + name][0].get("@id"))


def test_article_pages_carry_a_news_article_that_names_each_language(
        client: FlaskClient, service: Service, producer: dict[str, str],
        sample_text: str) -> None:
    sample = publish_sample(client, service, producer, sample_text)
    rid = sample["id"]
    spanish = page_graph(client, f"/articles/{rid}/es")
    assert spanish["@type"] == [SCHEMA + "NewsArticle"]
    assert spanish["@id"] == f"http://localhost/articles/{rid}/es"
    assert _value(spanish, "inLanguage") == "es"
    assert _value(spanish, "headline")
    assert _value(spanish, "datePublished") == sample["published"].replace("+00:00", "Z")
    original = spanish[SCHEMA + "translationOfWork"][0]
    assert original["@id"] == f"http://localhost/articles/{rid}/en"
    translators = spanish[SCHEMA + "translator"]
    assert translators[0]["@type"] == [SCHEMA + "SoftwareApplication"]
    assert _value(translators[0], "name") == "Argos Translate"
    assert _value(spanish, "digitalSourceType") == SDO + "TrainedAlgorithmicMediaDigitalSource"
    # The sample names no author: the publication stands in for one.
    author = spanish[SCHEMA + "author"][0]
    assert author["@type"] == [SCHEMA + "NewsMediaOrganization"]
    english = page_graph(client, f"/articles/{rid}/en")
    translations = {t["@id"] for t in english[SCHEMA + "workTranslation"]}
    assert translations == {f"http://localhost/articles/{rid}/{lang}" for lang in LANGS[1:]}
    assert SCHEMA + "translator" not in english and SCHEMA + "digitalSourceType" not in english


def test_json_ld_names_author_image_source_and_cannot_be_broken_out_of(
        client: FlaskClient, service: Service, producer: dict[str, str]) -> None:
    title = "Council: 7 < 9 & 2 > 1, it says </script"
    created = client.post("/api/v1/articles", json=article_body(image=IMAGE, title=title),
                          headers=producer).get_json()
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    page = client.get(f"/articles/{created['id']}/en").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None and "<" not in block.group(1)
    node = page_graph(client, f"/articles/{created['id']}/en")
    assert _value(node, "headline") == created["title"] == "Council: 7 < 9 & 2 > 1, it says"
    assert _value(node[SCHEMA + "author"][0], "name") == "A. Writer"
    image = node[SCHEMA + "image"][0]
    assert _value(image, "creditText") == "Jo Photographer"
    assert _value(image, "contentUrl") == IMAGE["url"]
    assert _value(node, "isBasedOn") == "https://example.org/news/42"


# --- sitemaps and robots.txt -----------------------------------------------------------------

def test_news_sitemaps_index_and_robots_follow_the_feeds(
        client: FlaskClient, service: Service, producer: dict[str, str],
        sample_text: str) -> None:
    assert client.get("/sitemaps/es.xml").status_code == 404  # nothing published yet
    early = client.get("/robots.txt")  # the rules hold before the first publish too
    assert early.status_code == 200 and "Disallow: /api/" in early.get_data(as_text=True)
    assert "Sitemap:" not in early.get_data(as_text=True)
    sample = publish_sample(client, service, producer, sample_text)
    old = client.post("/api/v1/articles", json=article_body(
        published=(datetime.now(UTC) - timedelta(days=3)).isoformat()), headers=producer)
    assert old.status_code == 201
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    for lang in LANGS:
        response = client.get(f"/sitemaps/{lang}.xml")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/xml")
        check_xml_schema(sitemap_schema(), response.data)
        root = etree.fromstring(response.data)
        assert [u.findtext(f"{SM}loc") for u in root.iter(f"{SM}url")] == \
            [f"http://localhost/articles/{sample['id']}/{lang}"]  # three days old: not listed
        assert root.findtext(f".//{NEWS}language") == lang
        assert root.findtext(f".//{NEWS}name") == "localhost"
        assert root.findtext(f".//{NEWS}title")
    index = client.get("/sitemaps/index.xml")
    check_xml_schema(index_schema(), index.data)
    assert [e.text for e in etree.fromstring(index.data).iter(f"{SM}loc")] == \
        [f"http://localhost/sitemaps/{lang}.xml" for lang in LANGS]
    robots = client.get("/robots.txt")
    assert robots.headers["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://localhost/sitemaps/index.xml" in robots.get_data(as_text=True)
    # A retraction takes the article out of every sitemap at the next publish; with nothing
    # left in the last two days there is no sitemap, and robots.txt names none.
    client.delete(f"/api/v1/articles/{sample['id']}", headers=producer)
    service.pipeline.publish_changes()
    assert client.get("/sitemaps/es.xml").status_code == 404
    assert client.get("/sitemaps/index.xml").status_code == 404
    assert "Sitemap:" not in client.get("/robots.txt").get_data(as_text=True)


def test_a_sitemap_entry_ages_out_by_itself(client: FlaskClient, service: Service,
                                            producer: dict[str, str], sample_text: str) -> None:
    publish_sample(client, service, producer, sample_text)
    assert (service.settings.feeds.feeds_dir / "es" / "news-sitemap.xml").exists()
    later = service.clock() + sitemaps.WINDOW + timedelta(minutes=1)
    service.publisher.clock = lambda: later
    assert service.publisher.pending()  # the sitemap's entry is older than two days now
    service.publisher.publish()
    assert not (service.settings.feeds.feeds_dir / "es" / "news-sitemap.xml").exists()


def _entry(n: int, published: datetime) -> sitemaps.NewsItem:
    return sitemaps.NewsItem(f"https://news.example/articles/a{n}/es", f"Noticia {n}",
                             published, published)


def test_a_news_sitemap_holds_at_most_1000_urls_of_the_last_two_days() -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    entries = [_entry(n, now - timedelta(minutes=n)) for n in range(1500)]
    entries += [_entry(9999, now - timedelta(days=2, seconds=1)),
                _entry(8888, now + timedelta(hours=1))]  # too old; not yet published
    shown = sitemaps.recent(entries, now)
    assert len(shown) == 1000 and shown[0].title == "Noticia 0" and shown[-1].title == "Noticia 999"
    data = sitemaps.news_sitemap(shown, "The Example Times", "zh-Hant")
    check_xml_schema(sitemap_schema(), data)
    assert b"<news:language>zh-tw</news:language>" in data


def test_a_sitemap_title_is_escaped_and_loses_what_xml_cannot_hold() -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    item = sitemaps.NewsItem("https://news.example/articles/a&b/es?x=<1>",
                             "Tom & Jerry <b>\x0bvs\x00</b> \ud800“fans”", now, now)
    data = sitemaps.news_sitemap([item], "Diario & Co <S.A.>", "es")
    check_xml_schema(sitemap_schema(), data)
    root = etree.fromstring(data)
    assert root.findtext(f".//{NEWS}title") == "Tom & Jerry <b>vs</b> “fans”"
    assert root.findtext(f".//{NEWS}name") == "Diario & Co <S.A.>"
    assert root.findtext(f".//{SM}loc") == "https://news.example/articles/a&b/es?x=<1>"
