"""Detect the language of an article whose producer or feed named none (pure but for loading
the model, which ships inside the py3langid wheel: nothing is downloaded).

py3langid was chosen over lingua-language-detector after measuring both (``bench/sources.py``
prints the table; the README keeps it): equally accurate on our short news paragraphs, faster,
a 4.6 MB wheel instead of 96 MB, and less resident memory. Below the confidence threshold the
article keeps its declared fallback (the source's language, else the service's) or is held
for an operator (SYNDICATE_DETECT_UNSURE=hold); either way the decision says so, and is logged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from .. import languages
from ..errors import ValidationError
from ..models import ArticleInput
from ..sanitize import text_of

SAMPLE = 2000  # characters of title and body the detector reads


@dataclass(frozen=True)
class Guess:
    """A detector's answer: a language the service knows (None: one it does not), and its
    confidence from 0 to 1."""

    language: str | None
    confidence: float
    code: str  # the detector's own label


class Detector(Protocol):
    """Guesses the language of a text."""

    def guess(self, text: str) -> Guess:
        """Return the most likely language of text."""
        ...

    def ranked(self, text: str) -> dict[str, float]:
        """Return every language the detector knows (its codes) with its probability."""
        ...


class Langid:
    """py3langid, loaded once on first use. It ranks all its 97 languages (so an Italian
    entry is not called Spanish); when the best is a configured language, its confidence is
    its share among the configured ones (short texts spread probability over close relatives
    such as ca and oc, which the service does not publish); otherwise its own probability."""

    def __init__(self, configured: Sequence[str] = ()) -> None:
        self.configured = {tag.split("-")[0].lower(): tag for tag in configured}
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE,
                                                                      norm_probs=True)
            return self._identifier

    def ranked(self, text: str) -> dict[str, float]:
        """Return every language the detector knows (its codes) with its probability."""
        return {str(code): float(p) for code, p in self._loaded().rank(text)}

    def guess(self, text: str) -> Guess:
        """Return the most likely language of text."""
        ranked = self.ranked(text)
        code = max(ranked, key=lambda c: ranked[c])
        if code in self.configured:
            share = sum(ranked.get(c, 0.0) for c in self.configured)
            return Guess(self.configured[code], ranked[code] / share if share else 0.0, code)
        try:
            tag: str | None = languages.resolve(code).tag
        except languages.UnknownLanguage:
            tag = None
        return Guess(tag, ranked[code], code)


@dataclass(frozen=True)
class Decision:
    """The language an article gets, and how it was reached."""

    article: ArticleInput
    how: str  # stated, detected, fallback
    note: str | None = None


def sample(data: ArticleInput) -> str:
    """Return the text a detector reads: the title and the start of the body."""
    parts = [data.title]
    size = len(data.title)
    for block in data.blocks:
        if size >= SAMPLE:
            break
        text = text_of(block.html)
        parts.append(text)
        size += len(text)
    return "\n".join(parts)[:SAMPLE]


def decide(data: ArticleInput, detector: Detector, *, threshold: float,
           unsure: str) -> Decision:
    """Give an article with no stated language the detected one; below threshold keep its
    fallback (``unsure="fallback"``) or raise ValidationError naming ``language`` ("hold")."""
    if data.language_stated:
        return Decision(data, "stated")
    guess = detector.guess(sample(data))
    if guess.language is not None and guess.confidence >= threshold:
        return Decision(replace(data, language=guess.language, language_stated=True),
                        "detected")
    known = guess.language or f"{guess.code!r} (not a language this service knows)"
    doubt = f"detected {known} with confidence {guess.confidence:.2f}, below {threshold:g}"
    if unsure == "hold":
        raise ValidationError.single("language", f"cannot be detected with confidence "
                                     f"({doubt}); state the language")
    return Decision(replace(data, language_stated=True), "fallback",
                    f"{doubt}; kept the declared {data.language}")
