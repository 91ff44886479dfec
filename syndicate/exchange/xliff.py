"""XLIFF 2.1 and 1.2 for translators' CAT tools (OmegaT, Trados, memoQ, Okapi). Pure.

One ``<file>`` per article, one unit per field (``title``, ``summary``, each block: unit ids
``title``, ``summary``, ``b0``, ``b1``…, the field in the unit's ``name`` / ``resname``), the
source and the current target with inline HTML as inline codes: XLIFF 2 ``<pc>`` / ``<ph>``
with the tags in ``<originalData>``, XLIFF 1.2 ``<g>`` / ``<x>`` with ``ctype``. Notes carry
the translation checks' findings. translate-toolkit builds and parses the documents; two of its
XLIFF habits are set right here: its 2.0 units put ``<notes>`` inside ``<segment>`` and
``xml:space`` on it, which OASIS's 2.x schema forbids (they go on the unit), and its 1.x files
are XLIFF 1.1 unless told otherwise. Reading them back is ``xliff_read``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree
from translate.storage import xliff as xliff1
from translate.storage import xliff2

from ..errors import ValidationError
from .inline import Code, Piece

V2 = "urn:oasis:names:tc:xliff:document:2.0"
V12 = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
STATES = ("initial", "translated", "reviewed", "final")
VERSIONS = ("2.1", "1.2")
_TYPES = {"a": ("link", None), "img": ("image", None), "br": ("fmt", "xlf:lb"),
          "b": ("fmt", "xlf:b"), "strong": ("fmt", "xlf:b"), "em": ("fmt", "xlf:i"),
          "i": ("fmt", "xlf:i"), "u": ("fmt", "xlf:u")}
_CTYPES = {"a": "link", "b": "bold", "strong": "bold", "em": "italic", "i": "italic",
           "u": "underlined", "br": "lb", "img": "image"}
# XLIFF 1.2 has no "reviewed"/"final" unit state of 2.x's kind: its target states say it
_STATE_12 = {"initial": "new", "translated": "translated", "reviewed": "signed-off",
             "final": "final"}


@dataclass(frozen=True)
class Unit:
    """One field of one article: its source, the current target, and the state of that."""

    field: str  # "title", "summary", "blocks[3]"
    source: tuple[Piece, ...]
    target: tuple[Piece, ...] | None
    state: str = "translated"
    notes: tuple[tuple[str, str], ...] = ()  # (category, text)


@dataclass(frozen=True)
class Document:
    """One article in a file: its id, source language, units and notes."""

    article_id: str
    source_language: str
    units: tuple[Unit, ...]
    notes: tuple[str, ...] = ()
    original: str | None = None  # the article's page


@dataclass(frozen=True)
class Parsed:
    """What an imported file holds."""

    version: str
    target_language: str
    documents: tuple[Document, ...]


def _q2(name: str) -> str:
    return f"{{{V2}}}{name}"


def _q12(name: str) -> str:
    return f"{{{V12}}}{name}"


def unit_id(field: str) -> str:
    """Return a field's unit id (an NMTOKEN): title, summary, b<n>."""
    return "b" + field[len("blocks["):-1] if field.startswith("blocks[") else field


def field_of(identifier: str) -> str:
    """Return the field a unit id stands for ("" when none)."""
    if identifier in ("title", "summary"):
        return identifier
    if identifier[:1] == "b" and identifier[1:].isdigit() and len(identifier) < 8:
        return f"blocks[{int(identifier[1:])}]"
    return ""


class Xliff2Unit(xliff2.Xliff2Unit):
    """translate-toolkit's XLIFF 2 unit, with notes and xml:space where the schema wants."""

    def _ensure_xml_space_preserve(self) -> None:
        return  # set on <source> and <target> instead: <segment> takes no xml:space

    def addnote(self, text: str, origin: str | None = None,
                position: Literal["append", "replace", "merge"] = "append") -> None:
        unit = self.getunitelement()
        notes = unit.find(_q2("notes"))
        if notes is None:
            notes = etree.Element(_q2("notes"))
            unit.insert(0, notes)
        note = etree.SubElement(notes, _q2("note"))
        note.text = text
        if origin:
            note.set("category", origin)


class Xliff2Store(xliff2.Xliff2File):
    """translate-toolkit's XLIFF 2 file, with the unit above."""

    UnitClass = Xliff2Unit


class Xliff12Unit(xliff1.xliffunit):
    """translate-toolkit's XLIFF 1.x unit, in the 1.2 namespace."""

    namespace = V12


class Xliff12Store(xliff1.xlifffile):  # type: ignore[type-arg]
    """translate-toolkit's XLIFF 1.x file, as XLIFF 1.2 (its default is 1.1)."""

    UnitClass = Xliff12Unit
    namespace = V12
    XMLskeleton = (f"<?xml version='1.0' ?>\n<xliff version='1.2' xmlns='{V12}'>"
                   "<file original='NoName' source-language='en' datatype='plaintext'/>"
                   "</xliff>")  # the toolkit adds the file's body


def write(documents: Sequence[Document], target_language: str, version: str = "2.1") -> bytes:
    """Return an XLIFF document (2.1 or 1.2) of these articles into target_language."""
    if version == "1.2":
        return _write_12(documents, target_language)
    languages = {d.source_language for d in documents}
    if len(languages) > 1:
        raise ValidationError.single("from", "XLIFF 2 holds one source language; these "
                                     f"articles are in {', '.join(sorted(languages))}: "
                                     "export one source language at a time (from)")
    store = Xliff2Store(sourcelanguage=next(iter(languages), "en"), targetlanguage=target_language)
    root = store.document.getroot()
    root.set("version", "2.1")
    for child in list(root):
        root.remove(child)  # the toolkit's empty default file
    for document in documents:
        filenode = etree.SubElement(root, _q2("file"), id=_file_id(document))
        if document.original:
            filenode.set("original", document.original)
        if document.notes:
            notes = etree.SubElement(filenode, _q2("notes"))
            for text in document.notes:
                etree.SubElement(notes, _q2("note")).text = text
        store.body = filenode
        for unit in document.units:
            _add_2(store, unit)
    return bytes(store)


def _add_2(store: Xliff2Store, unit: Unit) -> None:
    made = Xliff2Unit("")
    store.addunit(made)
    made.setid(unit_id(unit.field))
    element = made.getunitelement()
    element.set("name", unit.field)
    for category, text in unit.notes:
        made.addnote(text, origin=category)
    codes = [p for p in unit.source if isinstance(p, Code)]
    if codes:
        data = etree.Element(_q2("originalData"))
        for code in codes:
            etree.SubElement(data, _q2("data"),
                             id=f"d{code.id}{code.kind[0]}").text = code.raw
        element.insert(len(element) - 1, data)  # before the segment
    segment = made.xmlelement
    segment.set("state", unit.state)
    source = segment.find(_q2("source"))
    assert source is not None
    _fill_2(source, unit.source, store.namespaced)
    if unit.target is not None:
        _fill_2(etree.SubElement(segment, _q2("target")), unit.target,
                store.namespaced)


def _fill_2(element: etree._Element, pieces: Sequence[Piece], ns: Any) -> None:
    element.set(XML_SPACE, "preserve")

    def code(parent: etree._Element, piece: Code) -> etree._Element:
        kind, sub = _TYPES.get(piece.tag, ("fmt", None))
        if piece.kind == "empty":
            made = etree.SubElement(parent, ns("ph"), id=str(piece.id),
                                    dataRef=f"d{piece.id}e", type=kind)
        else:
            made = etree.SubElement(parent, ns("pc"), id=str(piece.id),
                                    dataRefStart=f"d{piece.id}o", dataRefEnd=f"d{piece.id}c",
                                    type=kind)
        if sub:
            made.set("subType", sub)
        return made

    _fill(element, pieces, code)


def _fill(element: etree._Element, pieces: Sequence[Piece],
          code: Callable[[etree._Element, Code], etree._Element]) -> None:
    """Write text and codes into element: an open code's element holds what follows it up to
    its close; text after an element is its tail."""
    stack = [element]
    last: etree._Element | None = None  # the element whose tail takes the next text
    for piece in pieces:
        if isinstance(piece, str):
            if last is None:
                stack[-1].text = (stack[-1].text or "") + piece
            else:
                last.tail = (last.tail or "") + piece
        elif piece.kind == "close":
            last = stack.pop() if len(stack) > 1 else last
        elif piece.kind == "empty":
            last = code(stack[-1], piece)
        else:
            stack.append(code(stack[-1], piece))
            last = None


def _write_12(documents: Sequence[Document], target_language: str) -> bytes:
    store = Xliff12Store(sourcelanguage="en", targetlanguage=target_language)
    root = store.document.getroot()
    for child in list(root):
        root.remove(child)
    for document in documents:
        filenode = etree.SubElement(root, _q12("file"), original=_file_id(document),
                                    datatype="html")
        filenode.set("source-language", document.source_language)
        filenode.set("target-language", target_language)
        if document.notes:
            header = etree.SubElement(filenode, _q12("header"))
            for text in document.notes:
                etree.SubElement(header, _q12("note")).text = text
        store.body = etree.SubElement(filenode, _q12("body"))
        for unit in document.units:
            made = store.UnitClass("")
            store.body.append(made.xmlelement)
            made.setid(unit_id(unit.field))
            made.xmlelement.set("resname", unit.field)
            source = made.xmlelement.find(_q12("source"))
            assert source is not None
            _fill_12(source, unit.source, store.namespaced)
            if unit.target is not None:
                target = etree.SubElement(made.xmlelement, _q12("target"),
                                          state=_STATE_12[unit.state])
                _fill_12(target, unit.target, store.namespaced)
                if unit.state in ("reviewed", "final"):
                    made.xmlelement.set("approved", "yes")
            for category, text in unit.notes:
                note = etree.SubElement(made.xmlelement, _q12("note"))
                note.text = text
                if category:
                    note.set("from", category)
    return bytes(store)


def _fill_12(element: etree._Element, pieces: Sequence[Piece], ns: Any) -> None:
    def code(parent: etree._Element, piece: Code) -> etree._Element:
        ctype = _CTYPES.get(piece.tag, f"x-html-{piece.tag}")
        return etree.SubElement(parent, ns("x" if piece.kind == "empty" else "g"),
                                id=str(piece.id), ctype=ctype)

    _fill(element, pieces, code)


def _file_id(document: Document) -> str:
    return "a-" + document.article_id
