"""Who made an entry's text, in the vocabularies partners read. Pure: no I/O.

A machine translation is declared with IPTC's digital source type codes
(http://cv.iptc.org/newscodes/digitalsourcetype/), the same codes schema.org mirrors in
IPTCDigitalSourceEnumeration: a neural engine's output is *trained algorithmic media*, a
rule-based engine's is *algorithmic media*, and a translation a person reviewed or post-edited
is a composite of the two. An original (not translated) is the producer's and declares nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .entries import FeedEntry

IPTC_CV = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SCHEMA_ORG = "https://schema.org/"
ENGINE_NAMES = {"argos": "Argos Translate", "apertium": "Apertium"}
NEURAL = frozenset({"argos"})


@dataclass(frozen=True)
class Source:
    """One digital source type: its IPTC code, schema.org member and a name."""

    code: str
    name: str

    @property
    def iptc_uri(self) -> str:
        """Return the code's IPTC URI."""
        return IPTC_CV + self.code

    @property
    def schema_org(self) -> str:
        """Return the schema.org IPTCDigitalSourceEnumeration member."""
        return SCHEMA_ORG + self.code[0].upper() + self.code[1:] + "DigitalSource"


TRAINED = Source("trainedAlgorithmicMedia", "Created by a trained algorithmic model")
ALGORITHMIC = Source("algorithmicMedia", "Created purely by an algorithm")
TRAINED_REVIEWED = Source("compositeWithTrainedAlgorithmicMedia",
                          "Machine translation by a trained model, reviewed by a person")
COMPOSITE = Source("compositeSynthetic", "Rule-based machine translation, reviewed by a person")


def source_type(entry: FeedEntry) -> Source | None:
    """Return how the entry's text came to be (None: the producer's own text)."""
    if entry.translated_from is None:
        return None
    neural = entry.engine in NEURAL or entry.engine is None
    if entry.reviewed:
        return TRAINED_REVIEWED if neural else COMPOSITE
    return TRAINED if neural else ALGORITHMIC


def engine_name(engine: str | None) -> str:
    """Return the engine's name as people know it."""
    return ENGINE_NAMES.get(engine or "", engine or "machine translation")


def statement(entry: FeedEntry) -> str | None:
    """Return one English line for editors: who translated the entry, and its review state."""
    if entry.translated_from is None:
        return None
    by = engine_name(entry.engine) + (f" ({entry.model})" if entry.model else "")
    review = (f"reviewed by {entry.reviewer}" if entry.reviewer else "reviewed by a person") \
        if entry.reviewed else "not reviewed by a person"
    return f"Machine-translated from {entry.translated_from} by {by}; {review}."
