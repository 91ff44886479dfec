"""XLIFF for human translators: export validates against OASIS's schemas; a CAT tool's edits
come back as post-edits of exactly the units changed; a changed source refuses the article."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree
from translate.storage import xliff as toolkit_xliff1
from translate.storage import xliff2 as toolkit_xliff2

from syndicate.errors import ValidationError
from syndicate.exchange import xliff as xliff_file
from syndicate.models import Role
from syndicate.publish.entries import guid
from syndicate.service import Service

from .conftest import make_token
from .newsroom_schemas import check_xml_schema, xliff_schema
from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
X2 = "{urn:oasis:names:tc:xliff:document:2.0}"
X12 = "{urn:oasis:names:tc:xliff:document:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
RICH = [{"type": "heading", "html": "What happened?"},
        {"type": "paragraph", "html": "The council <em>approved</em> the bridge."},
        {"type": "paragraph", "html": "Work starts in <a href=\"https://example.org/spring\">"
                                      "spring</a>, costing <strong>€4m</strong>.<br>More soon."},
        {"type": "list", "html": "<li>Two lanes</li><li>A cycle path</li>"}]
Setup = tuple[Service, FlaskClient, dict[str, str], FlaskCliRunner]


@pytest.fixture
def desk(make_app: Callable[..., Flask]) -> Setup:
    """A service holding machine translation that fails a check (the copy models echo
    English into Spanish: a translator's work), with a reviewer's token."""
    app = make_app(SYNDICATE_REVIEW="failed", SYNDICATE_TARGET_LANGUAGES="es,fr")
    service: Service = app.extensions["syndicate"]
    headers = {"Authorization": "Bearer " + make_token(service, "translator-1", Role.REVIEWER)}
    app.config["TEST_PRODUCER"] = {  # one producer: its second post of a guid is an update
        "Authorization": "Bearer " + make_token(service, "newsroom", Role.PRODUCER)}
    return service, app.test_client(), headers, app.test_cli_runner()


def _ingest(service: Service, client: FlaskClient, **fields: Any) -> str:
    answer = client.post("/api/v1/articles", json=article_body(**{"blocks": RICH, **fields}),
                         headers=client.application.config["TEST_PRODUCER"])
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    service.pipeline.translate_pending()
    service.pipeline.publish_changes()
    return str(answer.get_json()["id"])


def _export(client: FlaskClient, headers: dict[str, str], query: str = "lang=es") -> bytes:
    answer = client.get(f"/api/v1/xliff?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Content-Type"].startswith("application/xliff+xml")
    return bytes(answer.data)


def _import(client: FlaskClient, headers: dict[str, str], data: bytes) -> Any:
    answer = client.post("/api/v1/xliff", data=data, headers=headers,
                         content_type="application/xliff+xml")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def _find(element: etree._Element | None, path: str) -> etree._Element:
    assert element is not None
    found = element.find(path)
    assert found is not None, path
    return found


def _unit(root: etree._Element | None, unit: str) -> etree._Element:
    return _find(root, f".//{X2}unit[@id='{unit}']")


def _entry_blocks(service: Service, article: str) -> tuple[str, list[str]]:
    atom = etree.fromstring((service.settings.feeds.feeds_dir / "es" / "atom.xml").read_bytes())
    for entry in atom.iter(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}id") == guid(article, "es"):
            return entry.findtext(f"{ATOM}title") or "", \
                (entry.findtext(f"{ATOM}content") or "").split("\n")
    raise AssertionError("not in the Spanish feed")


@pytest.mark.parametrize("version", ["2.1", "1.2"])
def test_the_export_is_valid_xliff_with_inline_codes_states_and_findings(
        desk: Setup, version: str) -> None:
    service, client, headers, _ = desk
    article = _ingest(service, client)
    data = _export(client, headers, f"lang=es&version={version}")
    check_xml_schema(xliff_schema(version), data)
    root = etree.fromstring(data)
    if version == "1.2":
        store: toolkit_xliff1.xlifffile[Any] = toolkit_xliff1.xlifffile()  # a 1.2 tool reads it
        store.parse(data)
        units = root.findall(f".//{X12}trans-unit")
        assert [u.get("resname") for u in units] == \
            ["title", "summary", "blocks[0]", "blocks[1]", "blocks[2]", "blocks[3]"]
        source = units[4].find(f"{X12}source")
        assert source is not None
        assert [(g.tag[len(X12):], g.get("ctype")) for g in source] == \
            [("g", "link"), ("g", "bold"), ("x", "lb")]
        assert (units[0].findtext(f"{X12}note") or "").startswith("error: language")
        assert len(store.units) == 6
        return
    store2 = toolkit_xliff2.Xliff2File()  # translate-toolkit reads it back
    store2.parse(data)
    assert store2.gettargetlanguage() == "es" and len(store2.units) == 6
    assert root.get("version") == "2.1" and root.get("srcLang") == "en"
    [file] = root.findall(f"{X2}file")
    assert file.get("id") == f"a-{article}"
    assert "held" in (file.findtext(f"{X2}notes/{X2}note") or "")
    paragraph = _unit(root, "b2")
    assert paragraph.get("name") == "blocks[2]"
    data_map = {d.get("id"): d.text for d in paragraph.iter(f"{X2}data")}
    assert data_map["d1o"] == '<a href="https://example.org/spring">'
    assert data_map["d3e"] == "<br>"
    source = paragraph.find(f"{X2}segment/{X2}source")
    assert source is not None
    assert [(c.tag[len(X2):], c.get("id"), c.get("type")) for c in source] == \
        [("pc", "1", "link"), ("pc", "2", "fmt"), ("ph", "3", "fmt")]
    assert _find(paragraph, f"{X2}segment").get("state") == "translated"
    notes = [n.text or "" for n in _unit(root, "title").iter(f"{X2}note")]
    assert any(n.startswith("error: language") for n in notes)  # the check's finding
    listing = _find(_unit(root, "b3"), f"{X2}segment/{X2}source")
    assert [c.get("id") for c in listing] == ["1", "2"]  # <li> as codes: tags protected


def test_a_round_trip_with_one_edited_target_changes_exactly_that_block(desk: Setup) -> None:
    service, client, headers, _ = desk
    article = _ingest(service, client)
    other = _ingest(service, client, guid="other-0001", title="A second story")
    for approved in (article, other):
        client.post(f"/api/v1/articles/{approved}/translations/es/review",
                    json={"decision": "approve"}, headers=headers)
    service.pipeline.publish_changes()
    title_before, blocks_before = _entry_blocks(service, article)
    other_before = _entry_blocks(service, other)
    exported = _export(client, headers)
    unchanged = _import(client, headers, exported)  # nothing changed: nothing stored
    assert unchanged["applied"] == unchanged["refused"] == []
    assert sorted(unchanged["unchanged"]) == sorted([article, other])
    root = etree.fromstring(exported)
    file = root.find(f"{X2}file[@id='a-{article}']")
    assert file is not None
    target = _unit(file, "b2").find(f"{X2}segment/{X2}target")
    assert target is not None
    # The translator rewrites the paragraph, moving the codes and dropping the line break.
    for child in list(target):
        target.remove(child)
    target.text = "Las obras empiezan en "
    link = etree.SubElement(target, f"{X2}pc", id="1", dataRefStart="d1o", dataRefEnd="d1c")
    link.text = "primavera"
    link.tail = " y cuestan "
    money = etree.SubElement(target, f"{X2}pc", id="2", dataRefStart="d2o", dataRefEnd="d2c")
    money.text = "4 M€"
    money.tail = " <script>alert(1)</script>."
    edited = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    report = _import(client, headers, edited)
    assert report == {"applied": [{"article": article, "fields": ["blocks[2]"]}],
                      "unchanged": [other], "refused": []}
    service.pipeline.publish_changes()
    title_after, blocks_after = _entry_blocks(service, article)
    assert title_after == title_before
    changed = [i for i, (a, b) in enumerate(zip(blocks_before, blocks_after, strict=True))
               if a != b]
    assert blocks_after[2] == ('<p>Las obras empiezan en <a href="https://example.org/spring">'
                               'primavera</a> y cuestan <strong>4 M€</strong> '
                               '&lt;script&gt;alert(1)&lt;/script&gt;.</p>')
    assert changed == [2]  # approved before, so the disclosure line already said reviewed
    assert _entry_blocks(service, other) == other_before
    got = client.get(f"/api/v1/articles/{article}/translations/es", headers=headers).get_json()
    # the approval of the rest stands; the edit is the translator's, in the edit history
    assert got["review"]["decision"] == "approve"
    assert [e["editor"] for e in got["history"]] == ["translator-1"]
    assert got["human_fields"] == ["blocks[2]"] and got["reviewed"] is True
    assert got["blocks"][2]["origin"] == "human" and got["blocks"][1]["origin"] == "machine"
    again = etree.fromstring(_export(client, headers))
    segment = _find(_unit(again.find(f"{X2}file[@id='a-{article}']"), "b2"), f"{X2}segment")
    assert segment.get("state") == "final"


def test_a_changed_source_refuses_the_whole_article_and_reports_it(
        desk: Setup, tmp_path: Path) -> None:
    service, client, headers, cli = desk
    article = _ingest(service, client)
    exported = etree.fromstring(_export(client, headers))
    for unit_id, text in (("title", "El consejo aprueba el puente"), ("b0", "¿Qué pasó?")):
        target = _unit(exported, unit_id).find(f"{X2}segment/{X2}target")
        assert target is not None
        target.text = text
    changed = [dict(b) for b in RICH]
    changed[0]["html"] = "What did the council decide?"
    _ingest(service, client, blocks=changed)  # the producer rewrote the heading since
    path = tmp_path / "es.xlf"
    path.write_bytes(etree.tostring(exported, xml_declaration=True, encoding="UTF-8"))
    before = client.get(f"/api/v1/articles/{article}/translations/es", headers=headers)
    result = cli.invoke(args=["xliff", "import", str(path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout.splitlines()[0])
    assert report["applied"] == [] and report["refused"] == [
        {"article": article, "field": "blocks[0]",
         "reason": "the source changed since this file was exported"}]
    after = client.get(f"/api/v1/articles/{article}/translations/es", headers=headers)
    assert after.get_json()["title"] == before.get_json()["title"]  # the title: not applied


@pytest.mark.parametrize("mutate,reason", [
    (lambda t: etree.SubElement(t, f"{X2}pc", id="9"), "inline code 9 (open) is not in"),
    (lambda t: etree.SubElement(t, f"{X2}ph", id="1"), "inline code 1 (empty) is not in"),
    (lambda t: [etree.SubElement(t, f"{X2}ph", id="3"), etree.SubElement(t, f"{X2}ph", id="3")],
     "used twice"),
])
def test_codes_the_source_lacks_are_refused(desk: Setup, mutate: Callable[[Any], Any],
                                            reason: str) -> None:
    service, client, headers, _ = desk
    article = _ingest(service, client)
    root = etree.fromstring(_export(client, headers))
    target = _find(_unit(root, "b2"), f"{X2}segment/{X2}target")
    target.text = "Nuevo texto "
    for child in list(target):
        target.remove(child)
    mutate(target)
    report = _import(client, headers, etree.tostring(root))
    assert report["applied"] == []
    [refusal] = report["refused"]
    assert refusal["article"] == article and refusal["field"] == "blocks[2]"
    assert reason in refusal["reason"]


def test_a_cat_tool_that_splits_a_unit_into_segments_is_joined_back(desk: Setup) -> None:
    service, client, headers, _ = desk
    article = _ingest(service, client)
    root = etree.fromstring(_export(client, headers))
    unit = _unit(root, "b1")
    segment = _find(unit, f"{X2}segment")
    # "The council <pc>approved</pc> the bridge." as two segments and an ignorable space
    first = etree.Element(f"{X2}segment", state="translated")
    s1 = etree.SubElement(first, f"{X2}source")
    s1.text = "The council "
    code = etree.SubElement(s1, f"{X2}pc", id="1", dataRefStart="d1o", dataRefEnd="d1c")
    code.text = "approved"
    t1 = etree.SubElement(first, f"{X2}target")
    t1.text = "El consejo "
    tcode = etree.SubElement(t1, f"{X2}pc", id="1", dataRefStart="d1o", dataRefEnd="d1c")
    tcode.text = "aprobó"
    second = etree.Element(f"{X2}segment", state="reviewed")
    etree.SubElement(second, f"{X2}source").text = " the bridge."
    etree.SubElement(second, f"{X2}target").text = " el puente."
    unit.remove(segment)
    unit.extend([first, second])
    check_xml_schema(xliff_schema("2.1"), etree.tostring(root))
    report = _import(client, headers, etree.tostring(root))
    assert report["applied"] == [{"article": article, "fields": ["blocks[1]"]}]
    got = client.get(f"/api/v1/articles/{article}/translations/es", headers=headers).get_json()
    assert got["blocks"][1]["html"] == "El consejo <em>aprobó</em> el puente."
    # a post-edit of one field approves none of the others: still held for a person
    assert got["status"] == "held" and got["review"]["decision"] == "edit"


def test_an_xliff_1_2_round_trip_through_the_command_line(
        desk: Setup, tmp_path: Path) -> None:
    service, client, _, cli = desk
    article = _ingest(service, client)
    path = tmp_path / "es.xlf"
    result = cli.invoke(args=["xliff", "export", "--lang", "es", "--status", "held",
                              "--version", "1.2", str(path)])
    assert result.exit_code == 0, result.output
    store: toolkit_xliff1.xlifffile[Any] = toolkit_xliff1.xlifffile()  # edited by the toolkit
    store.parse(path.read_bytes())
    [title] = [u for u in store.units if u.getid() == f"a-{article}\x04title"]
    title.target = "El consejo aprueba el nuevo puente"
    path.write_bytes(bytes(store))
    result = cli.invoke(args=["xliff", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{article}: post-edited title" in result.output
    assert cli.invoke(args=["xliff", "export", "--lang", "es", "--status", "held",
                            str(path)]).exit_code == 0
    # the title alone is a person's: the rest still waits for one, so it is still held
    assert etree.fromstring(path.read_bytes()).find(f"{X2}file") is not None


@pytest.mark.parametrize("body,field", [
    (b"not xml", "file"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY big "boom">]>'
     b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" '
     b'trgLang="es"><file id="a-x"/></xliff>', "file"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" '
     b'trgLang="it"><file id="a-x"/></xliff>', "trgLang"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" '
     b'trgLang="es"><file id="f1"/></xliff>', "file"),
    (b'<html><body>hello</body></html>', "file"),
])
def test_bad_files_are_422_naming_the_problem(desk: Setup, body: bytes, field: str) -> None:
    _, client, headers, _ = desk
    answer = client.post("/api/v1/xliff", data=body, headers=headers,
                         content_type="application/xliff+xml")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == field


def test_an_unknown_article_is_refused_and_producers_may_not_import(desk: Setup) -> None:
    service, client, headers, _ = desk
    body = (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" '
            b'srcLang="en" trgLang="es"><file id="a-nope"><unit id="title"><segment>'
            b'<source>x</source><target>y</target></segment></unit></file></xliff>')
    report = _import(client, headers, body)
    assert report["refused"] == [{"article": "nope", "field": None,
                                  "reason": "no article with id 'nope'"}]
    producer = {"Authorization": "Bearer " + make_token(service, "np", Role.PRODUCER)}
    assert client.post("/api/v1/xliff", data=body, headers=producer).status_code == 403
    assert client.get("/api/v1/xliff?lang=es", headers=producer).status_code == 403
    assert client.get("/api/v1/xliff?lang=es&status=maybe", headers=headers).status_code == 422
    assert client.get("/api/v1/xliff", headers=headers).status_code == 422


def test_since_and_status_narrow_the_export_and_an_oversized_one_is_refused(
        desk: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    service, client, headers, _ = desk
    article = _ingest(service, client)

    def files(data: bytes) -> list[str | None]:
        return [f.get("id") for f in etree.fromstring(data).iter(f"{X2}file")]

    assert files(_export(client, headers, "lang=es&since=2000-01-01T00:00:00Z")) == \
        [f"a-{article}"]
    assert files(_export(client, headers, "lang=es&since=2999-01-01T00:00:00Z")) == []
    assert files(_export(client, headers, "lang=es&status=done")) == []  # it is held
    assert files(_export(client, headers, "lang=es&status=held")) == [f"a-{article}"]
    bad = client.get("/api/v1/xliff?lang=es&since=yesterday", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["field"] == "since"
    monkeypatch.setattr("syndicate.service.exchange.MAX_EXPORT", 0)
    over = client.get("/api/v1/xliff?lang=es", headers=headers)
    assert over.status_code == 422 and "holds at most 0" in over.get_json()["detail"]


def test_xliff_2_holds_one_source_language_and_from_picks_it(desk: Setup) -> None:
    service, client, headers, _ = desk
    article = _ingest(service, client)
    english = etree.fromstring(_export(client, headers, "lang=es&from=en"))
    assert [f.get("id") for f in english.iter(f"{X2}file")] == [f"a-{article}"]
    french = etree.fromstring(_export(client, headers, "lang=es&from=fr"))
    assert french.find(f"{X2}file") is None and french.get("srcLang") == "en"
    documents = [xliff_file.Document("a1", "en", ()), xliff_file.Document("a2", "fr", ())]
    with pytest.raises(ValidationError) as mixed:
        xliff_file.write(documents, "es", "2.1")
    assert mixed.value.problems[0].field == "from"
    both = etree.fromstring(xliff_file.write(documents, "es", "1.2"))  # one language a <file>
    assert [f.get("source-language") for f in both.iter(f"{X12}file")] == ["en", "fr"]
    bad = client.get("/api/v1/xliff?lang=es&from=xx-nope", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["field"] == "from"


def test_an_import_is_bounded_by_units(desk: Setup) -> None:
    """Each changed unit is a checked post-edit: one request carries at most 2,000 units."""
    _, client, headers, _ = desk
    units = "".join(f'<unit id="b{i}"><segment><source>Word {i}</source><target>Palabra {i}'
                    "</target></segment></unit>" for i in range(2001))
    data = ('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" '
            f'trgLang="es"><file id="a-x">{units}</file></xliff>').encode()
    answer = client.post("/api/v1/xliff", data=data, headers=headers,
                         content_type="application/xliff+xml")
    assert answer.status_code == 422
    [error] = answer.get_json()["errors"]
    assert error["field"] == "file" and "2001 units" in error["detail"]
