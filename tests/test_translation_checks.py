"""The translation checks (a pure core) with the service's real language detector: what each
kind of bad translation looks like, and that a good one passes."""

from __future__ import annotations

import pytest

from syndicate.ingest.language import Langid
from syndicate.models import Severity
from syndicate.translate import checks

SOURCE = ("The city council approved a budget of 412 million euros on Tuesday. The plan adds "
          "forty bus drivers and extends night service on three routes. Opposition members "
          "said the increase was too small.")
SPANISH = ("El consejo municipal aprobó un presupuesto de 412 millones de euros el martes. El "
           "plan añade cuarenta conductores de autobús y amplía el servicio nocturno en tres "
           "rutas. Los miembros de la oposición dijeron que el aumento era demasiado pequeño.")
CATALAN = ("El consell municipal va aprovar un pressupost de 412 milions d'euros dimarts. El pla "
           "afegeix quaranta conductors d'autobús i amplia el servei nocturn en tres rutes. Els "
           "membres de l'oposició van dir que l'augment era massa petit.")
DETECTOR = Langid()
CONTEXT = checks.Context("en", "es", DETECTOR.ranked)


def errors(source: str, target: str, *, html: bool = False,
           context: checks.Context = CONTEXT) -> dict[str, str]:
    """Return check -> detail of the error findings."""
    found = checks.check_field(checks.Field("block", source, target, html=html, block=2),
                               context)
    assert all(f.field == "block" and f.block == 2 for f in found)
    return {f.check: f.detail for f in found if f.severity is Severity.ERROR}


def test_a_good_translation_passes() -> None:
    assert errors(SOURCE, SPANISH) == {}


def test_the_source_left_as_it_is_is_caught_twice() -> None:
    found = errors(SOURCE, SOURCE)
    assert "(the source language: left untranslated?)" in found["language"]
    assert found["untranslated"].startswith("100% of the source is kept verbatim")


def test_a_neighbouring_language_is_not_the_target() -> None:
    assert "not es" in errors(SOURCE, CATALAN)["language"]


def test_half_left_in_the_source_language() -> None:
    half = SPANISH.split(". ")[0] + ". " + ". ".join(SOURCE.split(". ")[1:])
    assert "language" in errors(SOURCE, half)


@pytest.mark.parametrize("target, check", [
    ("", "empty"),
    ("   ", "empty"),
    (SPANISH.replace("412", "421"), "numbers"),
    (SPANISH.rsplit(". ", 1)[0] + ".", "omission"),
    (SPANISH[: len(SPANISH) * 6 // 10].rsplit(" ", 1)[0], "truncated"),
    (SPANISH.replace("el martes.", "el martes el martes el martes el martes."), "repetition"),
])
def test_each_kind_of_damage_is_an_error(target: str, check: str) -> None:
    assert check in errors(SOURCE, target)


def test_numbers_urls_emails_and_links_must_survive() -> None:
    source = ("Read the report at https://example.org/report or write to press@example.org "
              "before 1,250 copies are gone.")
    target = ("Lea el informe en https://example.org/report o escriba a press@example.org "
              "antes de que se agoten las 1.250 copias.")
    assert errors(source, target) == {}  # 1,250 is 1.250 in Spanish
    found = errors(source, target.replace("/report", "/other").replace("press@", "info@"))
    assert {"urls", "emails"} <= set(found)
    linked = '<a href="https://example.org/a">The council</a> approved the budget on Tuesday.'
    moved = '<a href="https://evil.example/a">El consejo</a> aprobó el presupuesto el martes.'
    assert "https://evil.example/a" in errors(linked, moved, html=True)["links"]
    kept = '<a href="https://example.org/a">El consejo</a> aprobó el presupuesto el martes.'
    assert errors(linked, kept, html=True) == {}


@pytest.mark.parametrize("written", ["60,000", "60.000", "60 000", "60\u202f000", "60000"])
def test_a_grouped_number_is_compared_by_value_in_every_convention(written: str) -> None:
    source = "South Korea estimates that about 60,000 soldiers were sent to the front."
    target = f"Corea del Sur estima que unos {written} soldados fueron enviados al frente."
    assert "numbers" not in errors(source, target)
    changed = target.replace(written, "60007")  # what a real Apertium run did to 60,000
    assert errors(source, changed)["numbers"] == "60,000 is not in the translation"


def test_placeholders_must_survive() -> None:
    source = "Dear {name}, your order of %d items ships on Monday from the port."
    assert errors(source, "Estimado {name}, su pedido de %d artículos sale el lunes del "
                          "puerto.") == {}
    found = errors(source, "Estimado {nombre}, su pedido de artículos sale el lunes del puerto.")
    assert {"printf", "pythonbraceformat"} <= set(found)


def test_glossary_renderings_are_required() -> None:
    context = checks.Context("en", "es", DETECTOR.ranked, required={"city council": "ayuntamiento"})
    assert "'city council' as 'ayuntamiento'" in errors(SOURCE, SPANISH, context=context)[
        "glossary"]
    assert "glossary" not in errors(SOURCE, SPANISH.replace("consejo municipal", "ayuntamiento"),
                                    context=context)


def test_text_without_words_needs_no_translation() -> None:
    assert checks.check_field(checks.Field("title", "2026", ""), CONTEXT) == []


def test_norms_are_learned_from_the_pairs_memory() -> None:
    pairs = [("x" * 100, "y" * (120 + i % 5)) for i in range(30)]
    norms = checks.Norms.learn(pairs)
    assert 1.2 <= norms.length_ratio <= 1.25
    assert checks.Norms.learn(pairs[:5]) == checks.Norms()  # too few: the defaults
    long = SPANISH + " " + SPANISH  # twice the usual length for this pair
    assert "addition" in {f.check for f in checks.check_field(
        checks.Field("block", SOURCE, long), checks.Context("en", "es", DETECTOR.ranked,
                                                             checks.Norms(1.1, 0.2)))}
