"""Languages syndicate knows: BCP 47 tags, their names, and their Argos codes.

This module is the one place where language codes are spelled: everything outside the Argos
adapter uses the BCP 47 tag (``zh-Hant``, ``pt-BR``); ``argos_code`` gives Argos's own code
(``zt``, ``pb``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A language the service can ingest, translate to and publish in."""

    tag: str
    name: str
    argos_code: str


_TABLE: tuple[tuple[str, str, str], ...] = (
    ("ar", "Arabic", "ar"), ("az", "Azerbaijani", "az"), ("bg", "Bulgarian", "bg"),
    ("bn", "Bengali", "bn"), ("ca", "Catalan", "ca"), ("cs", "Czech", "cs"),
    ("da", "Danish", "da"), ("de", "German", "de"), ("el", "Greek", "el"),
    ("en", "English", "en"), ("eo", "Esperanto", "eo"), ("es", "Spanish", "es"),
    ("et", "Estonian", "et"), ("eu", "Basque", "eu"), ("fa", "Persian", "fa"),
    ("fi", "Finnish", "fi"), ("fr", "French", "fr"), ("ga", "Irish", "ga"),
    ("gl", "Galician", "gl"), ("he", "Hebrew", "he"), ("hi", "Hindi", "hi"),
    ("hu", "Hungarian", "hu"), ("id", "Indonesian", "id"), ("it", "Italian", "it"),
    ("ja", "Japanese", "ja"), ("ko", "Korean", "ko"), ("ky", "Kyrgyz", "ky"),
    ("lt", "Lithuanian", "lt"), ("lv", "Latvian", "lv"), ("ms", "Malay", "ms"),
    ("nb", "Norwegian Bokmål", "nb"), ("nl", "Dutch", "nl"), ("pl", "Polish", "pl"),
    ("pt", "Portuguese", "pt"), ("pt-BR", "Portuguese (Brazil)", "pb"),
    ("ro", "Romanian", "ro"), ("ru", "Russian", "ru"), ("sk", "Slovak", "sk"),
    ("sl", "Slovenian", "sl"), ("sq", "Albanian", "sq"), ("sr", "Serbian", "sr"),
    ("sv", "Swedish", "sv"), ("th", "Thai", "th"), ("tl", "Tagalog", "tl"),
    ("tr", "Turkish", "tr"), ("uk", "Ukrainian", "uk"), ("ur", "Urdu", "ur"),
    ("vi", "Vietnamese", "vi"), ("zh-Hans", "Chinese (Simplified)", "zh"),
    ("zh-Hant", "Chinese (Traditional)", "zt"),
    # Languages Apertium serves and Argos has no package for (the Argos code is never matched).
    ("oc", "Occitan", "oc"), ("ast", "Asturian", "ast"), ("an", "Aragonese", "an"),
    ("sc", "Sardinian", "sc"), ("mk", "Macedonian", "mk"), ("is", "Icelandic", "is"),
    ("sh", "Serbo-Croatian", "sh"),
)

# Apertium names its modes with ISO 639-3 codes ("eng-spa"): the one place they are spelled.
_APERTIUM = {
    "en": "eng", "es": "spa", "ca": "cat", "fr": "fra", "pt": "por", "it": "ita", "oc": "oci",
    "ast": "ast", "an": "arg", "sc": "srd", "ru": "rus", "uk": "ukr", "mk": "mkd", "is": "isl",
    "sh": "hbs", "gl": "glg", "eu": "eus", "ro": "ron", "de": "deu", "nl": "nld", "da": "dan",
    "sv": "swe", "nb": "nob", "pl": "pol", "cs": "ces", "sk": "slk", "bg": "bul",
}
_BY_APERTIUM = {code: tag for tag, code in _APERTIUM.items()}


def apertium_code(tag: str) -> str | None:
    """Return the ISO 639-3 code Apertium uses for a known tag (None: it has none)."""
    return _APERTIUM.get(tag)


def from_apertium(code: str) -> str | None:
    """Return the BCP 47 tag of an Apertium language code, if syndicate knows it."""
    return _BY_APERTIUM.get(code)

KNOWN: dict[str, Language] = {tag: Language(tag, name, code) for tag, name, code in _TABLE}

# Other spellings of known languages that mean the same thing.
_ALIASES = {"zh": "zh-Hans", "zh-CN": "zh-Hans", "zh-SG": "zh-Hans", "zh-TW": "zh-Hant",
            "zh-HK": "zh-Hant", "no": "nb", "iw": "he", "in": "id"}

_BY_ARGOS = {lang.argos_code: lang for lang in KNOWN.values()}

# RFC 5646 langtag, without extensions and private use: language[-script][-region][-variant]*
_BCP47 = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*)$"
)


class UnknownLanguage(ValueError):
    """A tag that is not BCP 47, or not a language syndicate knows."""


def canonical(tag: str) -> str:
    """Return the canonical casing of a syntactically valid BCP 47 tag, or raise UnknownLanguage."""
    match = _BCP47.match(tag.strip())
    if match is None:
        raise UnknownLanguage(f"{tag!r} is not a BCP 47 language tag (e.g. 'en', 'pt-BR')")
    parts = [match["lang"].lower()]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    if match["variants"]:
        parts.extend(v.lower() for v in match["variants"].strip("-").split("-"))
    return "-".join(parts)


def resolve(tag: str) -> Language:
    """Return the known language for a BCP 47 tag (any casing, common aliases), or raise. A
    region or variant no package distinguishes falls back to the language ("en-GB" is "en",
    "es-ES" is "es"); one that a package does ("pt-BR", "zh-TW") keeps its own."""
    canon = canonical(tag)
    parts = canon.split("-")
    script = [p for p in parts[1:2] if len(p) == 4]
    for candidate in dict.fromkeys((canon, "-".join(parts[:1] + script), parts[0])):
        found = KNOWN.get(_ALIASES.get(candidate, candidate))
        if found is not None:
            return found
    raise UnknownLanguage(
            f"{tag!r} is not a language this service knows; known: {', '.join(sorted(KNOWN))}"
        )


def stated(tag: str) -> str | None:
    """Return a tag as it was stated, canonically cased ("en-gb" and "en_GB" are "en-GB"),
    when it names a language syndicate knows (a region it routes as the language too)."""
    try:
        tag = canonical(tag.strip().replace("_", "-"))
        resolve(tag)
    except UnknownLanguage:
        return None
    return tag


def loose(tag: str) -> Language | None:
    """Return the known language of a tag as feeds write it ("en-US", "fr_CA", "de"): the tag
    itself if known, else its primary subtag; None when neither is known."""
    for candidate in (tag.strip(), re.split(r"[-_]", tag.strip())[0]):
        try:
            return resolve(candidate)
        except UnknownLanguage:
            continue
    return None


def from_argos(code: str) -> Language:
    """Return the language for an Argos package code such as 'zt'."""
    try:
        return _BY_ARGOS[code]
    except KeyError:
        raise UnknownLanguage(f"Argos language code {code!r} is not known") from None
