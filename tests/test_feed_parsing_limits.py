"""Upstream documents parsed within bounds: entries past a raw cap are never read, and the
entity check runs on the document as feedparser will parse it (re-encoded, repaired)."""

from __future__ import annotations

import json

import pytest

from syndicate.errors import FeedInvalid
from syndicate.ingest.upstream import RAW_FACTOR, parse_feed

LIMIT = 50
XXE = "<!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"


def _rss(items: str, declaration: str = "<?xml version='1.0' encoding='utf-8'?>",
         doctype: str = "") -> str:
    return (f"{declaration}{doctype}<rss version='2.0'><channel><title>t</title>{items}"
            "</channel></rss>")


def _item(i: int) -> str:
    return (f"<item><guid>g-{i}</guid><title>Story {i}</title>"
            f"<description>Body of story {i}.</description></item>")


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_a_document_of_a_million_entries_is_read_only_up_to_the_cap(kind: str) -> None:
    count = 1_000_000
    if kind == "rss":
        body = _rss(_item(0) + "<item/>" * count).encode()
    elif kind == "atom":
        body = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
                "<entry><id>g-0</id><title>Story 0</title><content>Body.</content></entry>"
                + "<entry/>" * count + "</feed>").encode()
    else:
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t",
                           "items": [{"id": "g-0", "title": "Story 0",
                                      "content_text": "Body."}] + [{}] * count}).encode()
    document = parse_feed(body, None, default_language="en", limit=LIMIT)
    assert document.cut and document.total == RAW_FACTOR * LIMIT
    assert [e.guid for e in document.entries] == ["g-0"]
    assert (document.note() or "").startswith(
        f"the document has more than {RAW_FACTOR * LIMIT} entries: the first "
        f"{RAW_FACTOR * LIMIT} were read")


def test_a_cut_document_keeps_the_newest_entries_it_read() -> None:
    items = "".join(f"<item><guid>g-{i}</guid><title>Story {i}</title><pubDate>"
                    f"Mon, {1 + i % 28:02d} Jun 2026 10:00:00 GMT</pubDate>"
                    f"<description>Body {i}.</description></item>" for i in range(400))
    document = parse_feed(_rss(items).encode(), None, default_language="en", limit=LIMIT)
    assert document.cut and len(document.entries) == LIMIT
    assert all(int(e.guid[2:]) < RAW_FACTOR * LIMIT for e in document.entries)
    days = sorted({e.published.day for e in document.entries if e.published}, reverse=True)
    assert days[0] == 28  # the newest of those read come first


def test_below_the_cap_nothing_is_cut() -> None:
    document = parse_feed(_rss("".join(_item(i) for i in range(30))).encode(), None,
                          default_language="en", limit=LIMIT)
    assert not document.cut and document.total == 30 and len(document.entries) == 30
    assert document.note() is None


@pytest.mark.parametrize("body", [
    ("\n \n" + _rss(_item(1), doctype=XXE)).encode(),  # text before the declaration
    _rss(_item(1), "<?xml version='1.0' encoding='shift_jis'?>", XXE).encode("shift_jis"),
    _rss(_item(1), "<?xml version='1.0' encoding='big5'?>", XXE).encode("big5"),
    _rss(_item(1), "<?xml version='1.0' encoding='utf-16'?>", XXE).encode("utf-16"),
    _rss(_item(1) + "&nbsp; & bare", doctype=XXE).encode(),  # read only once repaired
], ids=["leading-space", "shift_jis", "big5", "utf-16", "repaired"])
def test_the_entity_check_sees_the_document_as_it_is_parsed(body: bytes) -> None:
    with pytest.raises(FeedInvalid, match=r"DTD declares an entity \(x\)"):
        parse_feed(body, None, default_language="en", limit=LIMIT)


@pytest.mark.parametrize("ttl", ["9" * 5000, "1234567", "٣٠", "-5"])
def test_an_implausible_ttl_is_ignored(ttl: str) -> None:
    body = _rss(f"<ttl>{ttl}</ttl>" + _item(1)).encode()
    assert parse_feed(body, None, default_language="en", limit=LIMIT).ttl_minutes is None


def test_over_long_cache_numbers_are_ignored_as_invalid() -> None:
    from syndicate.fetch.client import _max_age, _retry_after

    assert _retry_after("9" * 5000) is None and _max_age("max-age=" + "9" * 5000) is None
    assert _retry_after("Wed, 21 Oct 99999 07:28:00 GMT") is None
    assert (_retry_after("120"), _max_age("public, s-maxage=60")) == (120, 60)


def test_block_boundaries_stay_apart_when_an_entry_becomes_text() -> None:
    body = (b"<rss version='2.0'><channel><title>t</title><item><guid>1</guid>"
            b"<title>Roads close: &lt;b&gt;bold&lt;/b&gt; claims</title>"
            b"<description>&lt;p&gt;Roads closed overnight.&lt;/p&gt;&lt;blockquote&gt;We "
            b"expect delays,&lt;/blockquote&gt;&lt;p&gt;said the mayor.&lt;/p&gt;</description>"
            b"<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            b"&lt;p&gt;Full text.&lt;/p&gt;</content:encoded></item></channel></rss>")
    [entry] = parse_feed(body, None, default_language="en", limit=LIMIT).entries
    assert entry.title == "Roads close: bold claims"
    assert entry.summary == "Roads closed overnight. We expect delays, said the mayor."
