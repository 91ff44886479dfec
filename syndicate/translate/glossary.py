"""The glossary: terms never translated, and fixed renderings per target language.

``translations/glossary.toml``::

    # Terms that come out exactly as written, in every language.
    keep = ["Kim Jong Un", "Vladimir Putin", "Kursk"]

    # Fixed renderings per target language (BCP 47 tags).
    [terms."European Union"]
    es = "Unión Europea"
    fr = "Union européenne"

Matching is case-sensitive, on whole words, longest term first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property

import tomli_w

from .. import languages
from ..errors import GlossaryError


@dataclass(frozen=True)
class Glossary:
    """Protected terms and their per-language renderings."""

    keep: tuple[str, ...] = ()
    terms: dict[str, dict[str, str]] = field(default_factory=dict)

    def renderings(self, target: str) -> dict[str, str]:
        """Return term -> output text for one target language."""
        out = {term: term for term in self.keep}
        for term, per_language in self.terms.items():
            if target in per_language:
                out[term] = per_language[target]
        return out

    def matcher(self, target: str) -> re.Pattern[str] | None:
        """Return a pattern matching every protected term for the target, longest first."""
        return self._matchers.get(target, self._keep_matcher)

    @cached_property
    def _keep_matcher(self) -> re.Pattern[str] | None:
        return _compile(self.keep)

    @cached_property
    def _matchers(self) -> dict[str, re.Pattern[str] | None]:
        targets = {t for per in self.terms.values() for t in per}
        return {t: _compile(list(self.renderings(t))) for t in targets}


def _compile(terms: list[str] | tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    ordered = sorted(set(terms), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in ordered) + r")(?!\w)")


def parse(text: str, source: str = "glossary") -> Glossary:
    """Parse glossary TOML; raise GlossaryError naming what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GlossaryError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - {"keep", "terms"}
    if unknown:
        raise GlossaryError(f"{source}: unknown keys {sorted(unknown)}; allowed: keep, terms")
    keep = data.get("keep", [])
    if not isinstance(keep, list) or not all(isinstance(t, str) and t.strip() for t in keep):
        raise GlossaryError(f"{source}: 'keep' must be a list of non-empty strings")
    terms: dict[str, dict[str, str]] = {}
    for term, per_language in data.get("terms", {}).items():
        if not isinstance(per_language, dict):
            raise GlossaryError(f"{source}: terms.{term!r} must be a table of language = text")
        rendered: dict[str, str] = {}
        for tag, value in per_language.items():
            try:
                lang = languages.resolve(tag).tag
            except languages.UnknownLanguage as exc:
                raise GlossaryError(f"{source}: terms.{term!r}: {exc}") from None
            if not isinstance(value, str) or not value.strip():
                raise GlossaryError(f"{source}: terms.{term!r}.{tag} must be a non-empty string")
            rendered[lang] = value
        terms[term] = rendered
    return Glossary(tuple(t.strip() for t in keep), terms)


def merged(base: Glossary, keep: list[str], terms: dict[str, dict[str, str]]) -> Glossary:
    """Return the glossary with more terms: kept ones added, renderings added or replaced."""
    joined = {term: dict(per) for term, per in base.terms.items()}
    for term, per_language in terms.items():
        joined.setdefault(term, {}).update(per_language)
    kept = tuple(dict.fromkeys([*base.keep, *keep]))
    return Glossary(kept, joined)


def to_toml(glossary: Glossary) -> str:
    """Return the glossary as the TOML ``parse`` reads."""
    header = ("# The glossary (see docs/translation.md): terms kept as written, and fixed\n"
              "# renderings per target language. Written by `syndicate glossary import`.\n\n")
    return header + tomli_w.dumps({"keep": list(glossary.keep), "terms": glossary.terms})
