"""XLIFF 2.1 and 1.2 for translators' CAT tools (OmegaT, Trados, memoQ, Okapi). Pure.

One ``<file>`` per article, one unit per field (``title``, ``summary``, each block: unit ids
``title``, ``summary``, ``b0``, ``b1``…, the field in the unit's ``name`` / ``resname``), the
source and the current target with inline HTML as inline codes: XLIFF 2 ``<pc>`` / ``<ph>``
with the tags in ``<originalData>``, XLIFF 1.2 ``<g>`` / ``<x>`` with ``ctype``. Notes carry
the translation checks' findings. translate-toolkit builds and parses the documents; two of its
XLIFF habits are set right here: its 2.0 units put ``<notes>`` inside ``<segment>`` and
``xml:space`` on it, which OASIS's 2.x schema forbids (they go on the unit), and its 1.x files
are XLIFF 1.1 unless told otherwise. Reading, a unit's segments are joined in order, so a tool
that split a block into sentences gives it back whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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
_STATE_FROM_12 = {"new": "initial", "needs-translation": "initial", "translated": "translated",
                  "signed-off": "reviewed", "final": "final"}


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


class _Unit2(xliff2.Xliff2Unit):
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


class _File2(xliff2.Xliff2File):
    UnitClass = _Unit2


class _Unit12(xliff1.xliffunit):
    namespace = V12


class _File12(xliff1.xlifffile):  # type: ignore[type-arg]
    UnitClass = _Unit12
    namespace = V12
    XMLskeleton = (f"<?xml version='1.0' ?>\n<xliff version='1.2' xmlns='{V12}'>\n"
                   "<file original='NoName' source-language='en' datatype='plaintext'>\n"
                   "<body>\n</body>\n</file>\n</xliff>")


def write(documents: Sequence[Document], target_language: str, version: str = "2.1") -> bytes:
    """Return an XLIFF document (2.1 or 1.2) of these articles into target_language."""
    if version == "1.2":
        return _write_12(documents, target_language)
    languages = {d.source_language for d in documents}
    if len(languages) > 1:
        raise ValidationError.single("from", "XLIFF 2 holds one source language; these "
                                     f"articles are in {', '.join(sorted(languages))}: "
                                     "export them one source language at a time")
    store = _File2(sourcelanguage=next(iter(languages), "en"), targetlanguage=target_language)
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


def _add_2(store: _File2, unit: Unit) -> None:
    made = _Unit2("")
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
    store = _File12(sourcelanguage="en", targetlanguage=target_language)
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


def read(data: bytes) -> Parsed:
    """Parse an XLIFF 2.x or 1.2 file; raise ValidationError naming what is wrong."""
    tag = _root(data).tag
    try:
        if tag == f"{{{V2}}}xliff":
            store = _File2()
            store.parse(data)
            return _read_2(store)
        if tag in (f"{{{V12}}}xliff", "{urn:oasis:names:tc:xliff:document:1.1}xliff"):
            store12 = _File12()
            store12.parse(data)
            return _read_12(store12)
    except (ValueError, AssertionError) as exc:
        raise ValidationError.single("file", f"not a readable XLIFF file: {exc}") from None
    raise ValidationError.single("file", "not an XLIFF 2.x or 1.2 document")


def _read_2(store: _File2) -> Parsed:
    root = store.document.getroot()
    documents = [Document(_article(f.get("id", "")), store.getsourcelanguage(),
                          tuple(_units_2(f))) for f in root.iterchildren(f"{{{V2}}}file")]
    return Parsed(root.get("version", "2.0"), store.gettargetlanguage() or "",
                  tuple(documents))


def _read_12(store: _File12) -> Parsed:
    root = store.document.getroot()
    ns = etree.QName(root).namespace or V12
    files = list(root.iterchildren(f"{{{ns}}}file"))
    targets = {f.get("target-language", "") for f in files}
    if len(targets) != 1:
        raise ValidationError.single("target-language", "give the same target language in "
                                     "every <file>")
    documents = [Document(_article(f.get("original", "")), f.get("source-language", ""),
                          tuple(_units_12(f, ns))) for f in files]
    return Parsed(root.get("version", "1.2"), targets.pop(), tuple(documents))


def _root(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError.single("file", f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None:  # entities live there
        raise ValidationError.single("file", "a DOCTYPE is not allowed in XLIFF")
    return root


def _article(file_id: str) -> str:
    if not file_id.startswith("a-") or len(file_id) < 3:
        raise ValidationError.single("file", f"<file> {file_id!r} is not one syndicate "
                                     "exported (ids are a-<article id>)")
    return file_id[2:]


def _units_2(filenode: etree._Element) -> Iterator[Unit]:
    for unit in filenode.iter(f"{{{V2}}}unit"):
        field = field_of(unit.get("id", ""))
        if not field:
            raise ValidationError.single("unit", f"unit {unit.get('id')!r} is not one "
                                         "syndicate exported")
        source: list[Piece] = []
        target: list[Piece] = []
        has_target = False
        states = []
        for part in unit:
            if part.tag not in (f"{{{V2}}}segment", f"{{{V2}}}ignorable"):
                continue
            states.append(part.get("state", "initial"))
            src = part.find(f"{{{V2}}}source")
            tgt = part.find(f"{{{V2}}}target")
            source += _pieces(src, V2) if src is not None else []
            if tgt is not None:
                has_target = True
                target += _pieces(tgt, V2)
            elif part.tag.endswith("ignorable") and src is not None:
                target += _pieces(src, V2)  # white space between segments stays
        state = min(states, key=STATES.index) if states and set(states) <= set(STATES) \
            else "initial"
        yield Unit(field, tuple(_merge(source)), tuple(_merge(target)) if has_target else None,
                   state)


def _units_12(filenode: etree._Element, ns: str) -> Iterator[Unit]:
    for unit in filenode.iter(f"{{{ns}}}trans-unit"):
        field = field_of(unit.get("id", ""))
        if not field:
            raise ValidationError.single("unit", f"trans-unit {unit.get('id')!r} is not one "
                                         "syndicate exported")
        src = unit.find(f"{{{ns}}}source")
        tgt = unit.find(f"{{{ns}}}target")
        state = _STATE_FROM_12.get(tgt.get("state", "translated"), "translated") \
            if tgt is not None else "initial"
        if unit.get("approved") == "yes" and state == "translated":
            state = "reviewed"
        yield Unit(field, tuple(_merge(_pieces(src, ns))) if src is not None else (),
                   tuple(_merge(_pieces(tgt, ns))) if tgt is not None else None, state)


def _pieces(element: etree._Element, ns: str) -> list[Piece]:
    """Return an element's text and inline codes (XLIFF 2 pc/ph/sc/ec, 1.2 g/x/bx/ex/ph),
    with annotations (mrk, sm/em) read through."""
    out: list[Piece] = [element.text] if element.text else []
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        number = _number(child.get("startRef") if name in ("ec",) and child.get("startRef")
                         else child.get("rid") if name == "ex" else child.get("id"))
        if name in ("pc", "g"):
            out += [Code(number, "open"), *_pieces(child, ns), Code(number, "close")]
        elif name in ("ph", "x"):
            out.append(Code(number, "empty"))
        elif name in ("sc", "bx"):
            out.append(Code(number, "open"))
        elif name in ("ec", "ex"):
            out.append(Code(number, "close"))
        elif name == "mrk":
            out += _pieces(child, ns)
        elif name == "cp":
            out.append(chr(int(child.get("hex", "20"), 16)))
        elif name not in ("sm", "em"):
            raise ValidationError.single("unit", f"unexpected element <{name}> in a segment")
        if child.tail:
            out.append(child.tail)
    return out


def _number(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 6:
        raise ValidationError.single("unit", f"inline code id {value!r} is not one syndicate "
                                     "exported")
    return int(value)


def _merge(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        elif piece != "":
            out.append(piece)
    return out
