"""Translation memories in and out as TMX 1.4b, and term bases (TBX, CSV) into the glossary,
with files written by translate-toolkit and by hand, through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from translate.storage import csvl10n, tbx, tmx

from syndicate.service import Service
from syndicate.translate import glossary

from .test_api_articles import article_body

pytestmark = pytest.mark.usefixtures("installed_packages")
SENTENCE = "The bridge opens in May."
SPANISH = "El puente abre en mayo."


def _post(client: FlaskClient, headers: dict[str, str], guid: str, *texts: str) -> str:
    blocks = [{"type": "paragraph", "html": text} for text in texts]
    body = article_body(guid=guid, title="Bridge news", blocks=blocks)
    del body["summary"]
    answer = client.post("/api/v1/articles", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return str(answer.get_json()["id"])


def _spanish(client: FlaskClient, headers: dict[str, str], article: str) -> list[str]:
    got = client.get(f"/api/v1/articles/{article}/translations/es", headers=headers).get_json()
    return [block["html"] for block in got["blocks"]]


def test_an_imported_memory_is_used_for_exact_matches_at_once(
        client: FlaskClient, service: Service, runner: FlaskCliRunner,
        producer: dict[str, str], tmp_path: Path) -> None:
    store = tmx.tmxfile(sourcelanguage="en", targetlanguage="es")  # written by the toolkit
    store.addtranslation(SENTENCE, "en", SPANISH, "es")
    path = tmp_path / "newsroom.tmx"
    path.write_bytes(bytes(store))
    result = runner.invoke(args=["memory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "en>es: 1 segment(s)" in result.output
    article = _post(client, producer, "m-1", SENTENCE, "Nobody objected.")
    report = service.pipeline.translate_pending()
    assert report.memory_hits >= 1
    # The copy model echoes English; the memory's sentence is a person's Spanish.
    assert _spanish(client, producer, article) == [SPANISH, "Nobody objected."]


def test_the_memory_exports_per_pair_and_reads_back(
        client: FlaskClient, service: Service, runner: FlaskCliRunner,
        producer: dict[str, str], tmp_path: Path) -> None:
    _post(client, producer, "m-2", SENTENCE, "Work starts in <em>spring</em>.")
    service.pipeline.translate_pending()
    path = tmp_path / "es.tmx"
    result = runner.invoke(args=["memory", "export", "--from", "en", "--to", "es", str(path)])
    assert result.exit_code == 0, result.output
    store = tmx.tmxfile()
    store.parse(path.read_bytes())
    pairs = {u.source: u.target for u in store.units}
    assert pairs[SENTENCE] == SENTENCE  # the copy model's output, as it was remembered
    assert pairs["Work starts in {1}spring{2}."] == "Work starts in {1}spring{2}."
    assert all(u.getnotes().startswith("argos translate-en_es") for u in store.units)
    # imported back, it is a person's memory: what a person said wins over the machine
    edited = tmx.tmxfile(sourcelanguage="en", targetlanguage="es")
    edited.addtranslation(SENTENCE, "en", SPANISH, "es")
    path.write_bytes(bytes(edited))
    assert runner.invoke(args=["memory", "import", str(path)]).exit_code == 0
    again = tmp_path / "again.tmx"
    assert runner.invoke(args=["memory", "export", "--from", "en", "--to", "es",
                               str(again)]).exit_code == 0
    back = tmx.tmxfile()
    back.parse(again.read_bytes())
    assert {u.source: u.target for u in back.units}[SENTENCE] == SPANISH


HAND_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="Hand" creationtoolversion="1" segtype="sentence" o-tmf="none"
          adminlang="en-US" srclang="en-US" datatype="plaintext"/>
  <body>
    <tu tuid="1">
      <tuv xml:lang="en-US"><seg>Press <bpt i="1">&lt;b&gt;</bpt>Enter<ept i="1">&lt;/b&gt;</ept>
        now.</seg></tuv>
      <tuv xml:lang="es-ES"><seg>Pulse <bpt i="1">&lt;b&gt;</bpt>Intro<ept i="1">&lt;/b&gt;</ept>
        ahora.</seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Appuyez sur Entrée.</seg></tuv>
      <tuv xml:lang="ja"><seg>今すぐ押してください。</seg></tuv>
    </tu>
    <tu srclang="fr"><tuv xml:lang="fr"><seg>Bonjour.</seg></tuv>
      <tuv xml:lang="en"><seg>Hello.</seg></tuv></tu>
  </body>
</tmx>
"""


def test_a_hand_written_tmx_with_codes_regions_and_many_languages(
        client: FlaskClient, service: Service, runner: FlaskCliRunner,
        producer: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "hand.tmx"
    path.write_text(HAND_TMX, encoding="utf-8")
    result = runner.invoke(args=["memory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["en>es: 1 segment(s)", "en>fr: 1 segment(s)",
                                          "fr>en: 1 segment(s)"]  # ja is not served here
    article = _post(client, producer, "m-3", "Press Enter now.")
    service.pipeline.translate_pending()
    assert _spanish(client, producer, article) == ["Pulse Intro ahora."]


@pytest.mark.parametrize("body,message", [
    ('<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x "y">]><tmx version="1.4"/>',
     "internal subset"),
    ("<tmx version='1.4'><header srclang='en'/><body><tu><tuv xml:lang='ja'><seg>x</seg>"
     "</tuv></tu></body></tmx>", "no segments between this service's languages"),
    ("not xml at all", "not well-formed"),
    ("<html><body/></html>", "not a TMX document"),
])
def test_bad_memories_are_refused_with_a_message(runner: FlaskCliRunner, tmp_path: Path,
                                                 body: str, message: str) -> None:
    path = tmp_path / "bad.tmx"
    path.write_text(body, encoding="utf-8")
    result = runner.invoke(args=["memory", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.output


HAND_TBX = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>Newsroom terms</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>European Union</term></termSec></langSec>
      <langSec xml:lang="es"><termSec><term>Unión Europea</term></termSec></langSec>
      <langSec xml:lang="fr"><termSec><term>Union européenne</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c2">
      <langSec xml:lang="en"><termSec><term>Kursk</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c4">
      <langSec xml:lang="en"><termSec><term>Diet</term></termSec></langSec>
      <langSec xml:lang="ja"><termSec><term>国会</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c3">
      <langSec xml:lang="en-GB"><termSec><term>Downing Street</term></termSec></langSec>
      <langSec xml:lang="es"><termSec><term>Downing Street</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def _glossary(service: Service) -> glossary.Glossary:
    path = service.settings.translation.translations_dir / "glossary.toml"
    return glossary.parse(path.read_text(encoding="utf-8"))


def test_tbx_term_bases_fill_the_glossary_and_the_next_translation_uses_them(
        client: FlaskClient, service: Service, runner: FlaskCliRunner,
        producer: dict[str, str], tmp_path: Path) -> None:
    path = service.settings.translation.translations_dir / "glossary.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('keep = ["Vladimir Putin"]\n[terms."Red Cross"]\nes = "Cruz Roja"\n')
    hand = tmp_path / "terms.tbx"
    hand.write_text(HAND_TBX, encoding="utf-8")
    result = runner.invoke(args=["glossary", "import", str(hand)])
    assert result.exit_code == 0, result.output
    toolkit = tbx.tbxfile(sourcelanguage="en", targetlanguage="es")  # written by the toolkit
    unit = toolkit.addsourceunit("city council")  # type: ignore[no-untyped-call]
    unit.target = "ayuntamiento"
    (tmp_path / "toolkit.tbx").write_bytes(bytes(toolkit))
    assert runner.invoke(args=["glossary", "import", str(tmp_path / "toolkit.tbx")]
                         ).exit_code == 0
    merged = _glossary(service)
    assert merged.keep == ("Vladimir Putin", "Kursk", "Downing Street")
    assert merged.terms == {"Red Cross": {"es": "Cruz Roja"},
                            "European Union": {"es": "Unión Europea",
                                               "fr": "Union européenne"},
                            "city council": {"es": "ayuntamiento"}}
    article = _post(client, producer, "g-1", "The European Union met in Kursk.")
    service.pipeline.translate_pending()
    # the copy model echoes the sentence; the glossary's rendering is put in its place
    assert _spanish(client, producer, article) == ["The Unión Europea met in Kursk."]


def test_csv_glossaries_written_by_the_toolkit_and_by_hand(
        service: Service, runner: FlaskCliRunner, tmp_path: Path) -> None:
    store = csvl10n.csvfile()
    unit = store.addsourceunit("prime minister")
    unit.target = "primer ministro"
    store.addsourceunit("Kim Jong Un")  # no target: kept as written
    (tmp_path / "toolkit.csv").write_bytes(bytes(store))
    assert runner.invoke(args=["glossary", "import", str(tmp_path / "toolkit.csv"),
                               "--lang", "es"]).exit_code == 0
    (tmp_path / "hand.csv").write_text('source,target\n"mayor","maire"\n"NATO","OTAN"\n',
                                       encoding="utf-8")
    result = runner.invoke(args=["glossary", "import", str(tmp_path / "hand.csv"),
                                 "--lang", "fr"])
    assert result.exit_code == 0, result.output
    merged = _glossary(service)
    assert merged.keep == ("Kim Jong Un",)
    assert merged.terms == {"prime minister": {"es": "primer ministro"},
                            "mayor": {"fr": "maire"}, "NATO": {"fr": "OTAN"}}


@pytest.mark.parametrize("name,body,args,message,code", [
    ("terms.csv", "source,target\na,b\n", [], "give the target language", 1),
    ("terms.txt", "x", [], "give a .tbx or .csv file", 2),
    ("terms.tbx", '<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY a "b">]><martif/>', [],
     "internal subset", 1),
    ("terms.tbx", "<martif><text><body/></text></martif>", ["--from", "xx-nope"],
     "xx-nope", 2),
    ("terms.csv", "source,target\na,b\n", ["--lang", "it"], "not one of this service's", 1),
])
def test_bad_glossaries_are_refused_and_the_glossary_is_untouched(
        service: Service, runner: FlaskCliRunner, tmp_path: Path, name: str, body: str,
        args: list[str], message: str, code: int) -> None:
    path = service.settings.translation.translations_dir / "glossary.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('keep = ["Kursk"]\n')
    (tmp_path / name).write_text(body, encoding="utf-8")
    result = runner.invoke(args=["glossary", "import", str(tmp_path / name), *args])
    assert result.exit_code == code
    assert message in result.output
    assert path.read_text() == 'keep = ["Kursk"]\n'


