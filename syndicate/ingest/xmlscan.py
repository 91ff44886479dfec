"""One cheap pass over an XML feed before feedparser reads it: refuse dangerous entity
declarations and cut the document after a number of entries.

Pure: bytes in, bytes out. expat reads the document as it will be parsed (UTF-8, after any
repair), expanding no entity and loading no external DTD; it builds nothing, so a document of
millions of ``<item/>`` costs a bounded scan, not gigabytes of entries that would be shaped,
sorted and then thrown away.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass

from ..errors import FeedInvalid

SIMPLE_ENTITIES = 256  # at most this many, each a short text such as nbsp -> "\xa0"
SIMPLE_ENTITY_LENGTH = 100
ENTRY_NAMES = frozenset({"item", "entry"})  # RSS 0.9x/1.0/2.0 items, Atom entries


class NotWellFormed(Exception):
    """expat could not read the document (feedparser's repair may still mend it)."""


class _Declared(Exception):
    """An entity declaration that could read a file or expand without bound."""


class _Enough(Exception):
    """The entry after the cap began: the rest of the document is not read."""


@dataclass(frozen=True)
class Scanned:
    """The document to parse: whole, or cut before the entry after the cap."""

    data: bytes
    cut: bool


def scan(data: bytes, cap: int) -> Scanned:
    """Check data's entity declarations and keep at most cap entries of it.

    Refuse (FeedInvalid) a DTD whose entities could read a file or the network (SYSTEM,
    PUBLIC, parameter entities: XXE) or expand without bound (entities built of entities,
    long ones: billion laughs, quadratic blowup). Short plain-text entities, as old feeds
    declare for &nbsp; or &copy;, are left to feedparser, which expands them safely. Raise
    NotWellFormed when expat cannot read the document up to the cap.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    declared_count = 0
    open_names: list[str] = []
    entries = 0
    cut_at: tuple[int, tuple[str, ...]] | None = None

    def declared(name: str, parameter: int, value: str | None, base: str | None,
                 system: str | None, public: str | None, notation: str | None) -> None:
        nonlocal declared_count
        declared_count += 1
        if parameter or system or public or notation or value is None or "&" in value \
                or "<" in value or len(value) > SIMPLE_ENTITY_LENGTH \
                or declared_count > SIMPLE_ENTITIES:
            raise _Declared(name)

    def unparsed(*_: object) -> None:
        raise _Declared("unparsed")

    def started(name: str, _attributes: object) -> None:
        nonlocal entries, cut_at
        if name.rpartition(":")[2] in ENTRY_NAMES and len(open_names) in (1, 2) \
                and not any(n.rpartition(":")[2] in ENTRY_NAMES for n in open_names):
            entries += 1
            if entries > cap:
                cut_at = (parser.CurrentByteIndex, tuple(open_names))
                raise _Enough
        open_names.append(name)

    def ended(_name: str) -> None:
        open_names.pop()

    parser.EntityDeclHandler = declared
    parser.UnparsedEntityDeclHandler = unparsed
    parser.StartElementHandler = started
    parser.EndElementHandler = ended
    try:
        parser.Parse(data, True)
    except _Declared as exc:
        raise FeedInvalid(f"the document's DTD declares an entity ({exc}) that could read a "
                          "file or the network or expand without bound; such feeds are "
                          "refused") from None
    except _Enough:
        assert cut_at is not None
        offset, still_open = cut_at
        closing = "".join(f"</{name}>" for name in reversed(still_open))
        return Scanned(data[:offset] + closing.encode("utf-8"), cut=True)
    except xml.parsers.expat.ExpatError as exc:
        raise NotWellFormed(f"at line {exc.lineno} column {exc.offset}: "
                            f"{xml.parsers.expat.ErrorString(exc.code)}") from None
    return Scanned(data, cut=False)
