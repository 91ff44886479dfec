"""RFC 4287's own grammar (Appendix B, RELAX NG Compact) as a check on every Atom document.

The compact syntax is converted with rnc2rng; its output declares the grammar's
``namespace local = ""`` as an empty prefix binding, which XML namespaces forbid, and which
nothing in the output uses (the empty namespace is written ``ns=""``), so that one
declaration is dropped before lxml compiles the grammar.
"""

from __future__ import annotations

import functools
from pathlib import Path

import rnc2rng
from lxml import etree

RNC = Path(__file__).with_name("data") / "rfc4287" / "atom.rnc"


@functools.cache
def grammar() -> etree.RelaxNG:
    """Return RFC 4287's grammar, compiled once."""
    xml = rnc2rng.dumps(rnc2rng.loads(RNC.read_text(encoding="utf-8")))
    assert xml.count('xmlns:local=""') == 1 and "local:" not in xml.replace('xmlns:local', '')
    return etree.RelaxNG(etree.fromstring(xml.replace('xmlns:local=""', "").encode()))


def check_atom(data: bytes) -> None:
    """Raise AssertionError naming the first violations unless data fits RFC 4287's grammar."""
    document = etree.fromstring(data)
    schema = grammar()
    if not schema.validate(document):
        raise AssertionError(f"not valid by RFC 4287 Appendix B: {schema.error_log}")
