"""The Apertium engine: Debian's rule-based offline translator, behind the Translator seam.

Installed pairs are the modes ``apertium -l`` lists ("eng-spa"); ISO 639-3 codes are mapped to
BCP 47 in ``languages`` only. A batch of segments goes through one ``apertium`` process: the
segments are joined by blank lines, which Apertium keeps as they are, and the output is split
on them again; if the count ever differs, that batch is translated one segment per call (slow,
but never misaligned). ``-u`` drops the ``*`` Apertium puts before unknown words, so none can
reach a feed. Placeholders ({1}) pass through untouched, like the rest of the markup path.

Calls run in the process's translation pool (``cores``), so batches of different pairs run at
once. One ``apertium`` call is already a pipeline of several processes that keeps about two
cores busy (measured here: 0.21 s of CPU in 0.13 s), so a large batch is split into one part
per two workers, each at least ``MIN_PART_CHARS`` (a process costs about 0.13 s to start: the
sample article alone takes 0.14 s in all, sixteen copies of it 0.32 s). On 2 cores that is one
part: splitting 1,000 sentences over two processes there measured 0.89-0.98x one process.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence

from .. import languages
from ..errors import EngineFailure, PairUnavailable
from ..models import Route
from . import cores
from .engine import Scored, checked

log = logging.getLogger(__name__)
_GAPS = re.compile(r"(?<=\S) {2,}(?=\S)")
PIVOT = "en"
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_LISTING_SECONDS = 30.0  # how long the list of installed modes is trusted
MIN_PART_CHARS = 16_000  # a batch is split over the workers in parts at least this large
CORES_PER_CALL = 2  # what one apertium pipeline keeps busy


class ApertiumEngine:
    """Translator over the installed Apertium modes, pivoting through English when needed."""

    name = "apertium"

    def __init__(self, pool: cores.Pool | None = None, binary: str = "apertium",
                 timeout: float = 120) -> None:
        self.pool = pool or cores.Pool(cores.plan(1, 1))  # none given: one call at a time
        self.binary = binary
        self.timeout = timeout
        self._lock = threading.Lock()
        self._modes: tuple[float, frozenset[str]] | None = None

    def modes(self) -> frozenset[str]:
        """Return the installed modes ("eng-spa"), re-read every half minute."""
        with self._lock:
            if self._modes is None or time.monotonic() - self._modes[0] > _LISTING_SECONDS:
                self._modes = (time.monotonic(), self._list())
            return self._modes[1]

    def _list(self) -> frozenset[str]:
        if shutil.which(self.binary) is None:
            return frozenset()
        try:
            listed = subprocess.run([self.binary, "-l"], capture_output=True, text=True,
                                    timeout=30, check=True).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("cannot list Apertium modes: %s", exc)
            return frozenset()
        return frozenset(line.strip() for line in listed.splitlines() if line.strip())

    def pairs(self) -> list[tuple[str, str, str]]:
        """Return (source tag, target tag, mode) for every mode syndicate can use."""
        out = []
        for mode in sorted(self.modes()):
            source, _, target = mode.partition("-")
            tags = languages.from_apertium(source), languages.from_apertium(target)
            if tags[0] and tags[1]:
                out.append((tags[0], tags[1], mode))
        return out

    def fingerprint(self) -> str:
        """Return the installed modes, to notice when a pair is installed or removed."""
        return "|".join(sorted(self.modes()))

    def memory(self) -> dict[str, tuple[int, int]]:
        """Return nothing: Apertium's rules run in their own processes, one per batch."""
        return {}

    def route(self, source: str, target: str) -> Route:
        """Return the direct mode for the pair, else a pivot through English."""
        return Route(self.name, source, target, ">".join(self._hops(source, target)))

    def translate(self, route: Route, sentences: Sequence[str]) -> list[Scored]:
        """Translate sentences through each mode of the route, one process per batch."""
        hops = self._hops(route.source, route.target)
        if ">".join(hops) != route.model:
            raise EngineFailure(f"Apertium modes changed since {route.model} was chosen")
        texts = list(sentences)
        for mode in hops:
            texts = self.batch(mode, texts)
        return checked(route, sentences, [(text, None) for text in texts])  # rules: no score

    def batch(self, mode: str, texts: list[str]) -> list[str]:
        """Translate texts in as few calls as the workers allow, at once in the pool."""
        size = sum(len(t) for t in texts)
        parts = max(1, min(self.pool.plan.threads // CORES_PER_CALL, size // MIN_PART_CHARS))
        split = cores.chunks(texts, len(texts), parts)
        return [t for part in self.pool.map(lambda part: self._batch(mode, part), split)
                for t in part]

    def _batch(self, mode: str, texts: list[str]) -> list[str]:
        """Translate texts with one call; one call per text if the batch came back misaligned."""
        if not texts:
            return []
        out = _BLANK_LINES.split(self._call(mode, "\n\n".join(texts)).strip("\n"))
        if len(out) == len(texts):
            return [_tidy(t) for t in out]
        log.warning("Apertium %s returned %d segments for %d; translating one by one", mode,
                    len(out), len(texts))
        return [_tidy(self._call(mode, text)) for text in texts]

    def _call(self, mode: str, text: str) -> str:
        try:
            done = subprocess.run([self.binary, "-u", mode], input=text, capture_output=True,
                                  text=True, timeout=self.timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineFailure(f"apertium {mode}: {exc}") from exc
        if done.returncode != 0:
            raise EngineFailure(f"apertium {mode} failed ({done.returncode}): "
                                f"{done.stderr.strip()[:300]}")
        return done.stdout

    def _hops(self, source: str, target: str) -> list[str]:
        by_pair = {(s, t): mode for s, t, mode in self.pairs()}
        if (source, target) in by_pair:
            return [by_pair[(source, target)]]
        if (source, PIVOT) in by_pair and (PIVOT, target) in by_pair:
            return [by_pair[(source, PIVOT)], by_pair[(PIVOT, target)]]
        raise PairUnavailable(source, target)


def _tidy(text: str) -> str:
    """Return Apertium's output without the gap a word it drops leaves ("Russia's Kursk" comes
    back as "Rusia  Kursk": the genitive is gone, its space stays)."""
    return _GAPS.sub(" ", text.strip())
