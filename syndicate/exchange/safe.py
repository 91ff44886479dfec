"""The first look at an uploaded XML file: well-formed, and no internal DTD (no entities)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..errors import ValidationError

MAX_DEPTH = 256  # a translator's file is shallow; a deeper one is an attack on the parser


def root(data: bytes, field: str = "file") -> etree._Element:
    """Return the root of an XML document, or raise ValidationError naming ``field``: not
    well-formed, or a DTD with an internal subset (where entities live). An external DOCTYPE
    (TMX, TBX name theirs) is allowed and never loaded."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        element = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError.single(field, f"not well-formed XML: {exc}") from None
    dtd: Any = element.getroottree().docinfo.internalDTD  # lxml-stubs lack DTD.entities()
    if dtd is not None and (list(dtd.entities()) or list(dtd.elements())):
        raise ValidationError.single(field, "a DOCTYPE with an internal subset (entities) is "
                                     "not allowed")
    return element


def text(element: etree._Element, skip: frozenset[str]) -> str:
    """Return an element's text, leaving out the content of child elements named in skip
    (inline codes' native markup) but keeping the text after them."""
    out = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name not in skip:
            out.append(text(child, skip))
        out.append(child.tail or "")
    return "".join(out)


def load(store: Any, data: bytes, kind: str) -> etree._Element:
    """Parse data into a translate-toolkit store (after ``root`` looked at it) and return its
    root; a file the toolkit cannot read is a ValidationError naming the kind of file."""
    try:
        store.parse(data)
    except (ValueError, AssertionError, etree.XMLSyntaxError) as exc:
        raise ValidationError.single("file", f"not a readable {kind} file: {exc}") from None
    root: etree._Element = store.document.getroot()
    return root
