"""Reading XLIFF 2.x and 1.2 back from a translator's tool. Pure.

translate-toolkit parses the file (safely, after ``safe.root`` refused entities); the units'
segments are joined in order, so a tool that split a block into sentences gives it back whole,
and inline codes are read by number: XLIFF 2 ``pc``/``ph``/``sc``/``ec``, 1.2
``g``/``x``/``bx``/``ex``, with annotations (``mrk``, ``sm``/``em``) read through.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from ..errors import ValidationError
from . import safe
from .inline import Code, Piece
from .xliff import STATES, V2, V12, Document, Parsed, Unit, Xliff2Store, Xliff12Store, field_of

_STATE_FROM_12 = {"new": "initial", "needs-translation": "initial", "translated": "translated",
                  "signed-off": "reviewed", "final": "final"}


def read(data: bytes) -> Parsed:
    """Parse an XLIFF 2.x or 1.2 file; raise ValidationError naming what is wrong."""
    tag = safe.root(data).tag
    if tag == f"{{{V2}}}xliff":
        store = Xliff2Store()
        safe.load(store, data, "XLIFF")
        return _read_2(store)
    if tag in (f"{{{V12}}}xliff", "{urn:oasis:names:tc:xliff:document:1.1}xliff"):
        store12 = Xliff12Store()
        safe.load(store12, data, "XLIFF")
        return _read_12(store12)
    raise ValidationError.single("file", "not an XLIFF 2.x or 1.2 document")


def _read_2(store: Xliff2Store) -> Parsed:
    root = store.document.getroot()
    documents = [Document(_article(f.get("id", "")), store.getsourcelanguage(),
                          tuple(_units_2(f))) for f in root.iterchildren(f"{{{V2}}}file")]
    return Parsed(root.get("version", "2.0"), store.gettargetlanguage() or "",
                  tuple(documents))


def _read_12(store: Xliff12Store) -> Parsed:
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
