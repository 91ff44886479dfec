"""The Argos Translate engine: installed packages run by CTranslate2 in large batches.

argostranslate is used for what it does well (reading installed packages and their metadata);
inference is ours: argostranslate's translate path runs a sentencizer that downloads a model on
first use and batches by 32 *tokens*. Here sentences arrive segmented, are sorted by length and
cut into batches of up to ``batch_size`` examples (and into at least one per worker, so one short
article uses every core); the batches run in the process's translation pool (``cores``), as
many at once as the model has ``inter_threads``. At most ``max_loaded`` models are loaded: a
pair whose model is not loaded waits for one to be free rather than load one more.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import languages
from ..errors import EngineFailure, PackageError, PairUnavailable
from ..models import Route
from . import cores
from .engine import Scored, checked

log = logging.getLogger(__name__)
PIVOT = "en"


@dataclass(frozen=True)
class InstalledPackage:
    """An installed Argos translate package."""

    source: str  # BCP 47
    target: str
    version: str
    path: Path
    target_prefix: str
    test_kind: str | None = None  # a syndicate test package (copy, pseudo, ...): not a model

    @property
    def model_id(self) -> str:
        """Return the package's identity for the translation memory."""
        return f"{self.path.name}@{self.version}"


def argos_package_module(packages_dir: Path) -> Any:
    """Import argostranslate.package, pointing it at our packages dir on first import."""
    # argostranslate reads ARGOS_PACKAGES_DIR once, at import; it must be set before that.
    os.environ.setdefault("ARGOS_PACKAGES_DIR", str(packages_dir.resolve()))
    import argostranslate.package

    return argostranslate.package


def installed_packages(packages_dir: Path) -> list[InstalledPackage]:
    """List the translate packages in packages_dir, through argostranslate's own reader."""
    if not packages_dir.is_dir():
        return []
    package = argos_package_module(packages_dir)
    try:
        found = package.get_installed_packages([packages_dir])
    except FileNotFoundError as exc:  # a folder without metadata.json breaks the whole listing
        raise PackageError(f"packages dir {packages_dir} holds a broken package: {exc}") from exc
    out: list[InstalledPackage] = []
    for pkg in found:
        if getattr(pkg, "type", "translate") != "translate":
            continue
        try:
            source = languages.from_argos(pkg.from_code).tag
            target = languages.from_argos(pkg.to_code).tag
        except languages.UnknownLanguage:
            log.warning("skipping package %s: unknown language code", pkg.package_path)
            continue
        out.append(InstalledPackage(source, target, str(pkg.package_version or "0"),
                                    Path(pkg.package_path), pkg.target_prefix or "",
                                    _test_kind(Path(pkg.package_path))))
    return out


LENGTH_PENALTY = 0.2


def per_token(score: float, length: int) -> float:
    """Return CTranslate2's hypothesis score as the mean log-probability per token: the
    score it returns is the sum divided by length ** length_penalty."""
    tokens = float(max(1, length))
    return float(score) * math.pow(tokens, LENGTH_PENALTY) / tokens


def _test_kind(path: Path) -> str | None:
    """Return the kind of a syndicate test package (from its metadata), else None."""
    try:
        marker = json.loads((path / "metadata.json").read_text(encoding="utf-8")).get(
            "syndicate_test_package")
    except (OSError, ValueError, AttributeError):
        return None
    return str(marker) if marker else None


class _Model:
    """A loaded package: tokenizer and CTranslate2 translator."""

    def __init__(self, package: InstalledPackage, plan: cores.Plan, device: str) -> None:
        import ctranslate2
        import sentencepiece

        self.package = package
        sp_path = package.path / "sentencepiece.model"
        if sp_path.exists():
            self.sp: Any = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
            self.bpe: Any = None
        else:  # older packages tokenize with BPE; argostranslate's tokenizer handles them
            self.sp = None
            self.bpe = argos_package_module(package.path.parent).Package(package.path).tokenizer
        self.translator = ctranslate2.Translator(str(package.path / "model"), device=device,
                                                 inter_threads=plan.threads,
                                                 intra_threads=plan.intra)
        self.users = 0  # translations running on it now: it is not unloaded while in use
        # Its weights, loaded once and shared by every batch in flight (the process's growth
        # at load says less: freed memory is reused), then the most a batch on it added.
        self.loaded_bytes = sum(f.stat().st_size for f in (package.path / "model").iterdir()
                                if f.is_file())
        self.peak_bytes = self.loaded_bytes

    def encode(self, sentence: str) -> list[str]:
        if self.sp is not None:
            pieces: list[str] = self.sp.encode(sentence, out_type=str)
            return pieces
        tokens: list[str] = self.bpe.encode(sentence)
        return tokens

    def decode(self, tokens: list[str]) -> str:
        prefix = self.package.target_prefix
        if prefix and tokens and tokens[0] == prefix:
            tokens = tokens[1:]
        # sentencepiece's own decoder: argostranslate's also turns every "_" into a space.
        text: str = self.sp.decode_pieces(tokens) if self.sp is not None \
            else self.bpe.decode(tokens)
        return text.strip()


class ArgosEngine:
    """Translator over installed Argos packages, pivoting through English when needed."""

    name = "argos"

    def __init__(self, packages_dir: Path, *, beam_size: int, max_loaded: int,
                 pool: cores.Pool | None = None, batch_size: int = 64,
                 device: str = "cpu") -> None:
        self.packages_dir = packages_dir
        self.device = device
        self.beam_size = beam_size
        self.max_loaded = max_loaded
        self.pool = pool or cores.Pool(cores.plan(1, 1))  # none given: one batch at a time
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._free = threading.Condition(self._lock)  # a model was given back
        self._loaded: OrderedDict[str, _Model] = OrderedDict()
        self._memory: dict[str, tuple[int, int]] = {}  # model id -> (loaded, peak) bytes
        self._listing: tuple[float, list[InstalledPackage]] | None = None

    def packages(self) -> list[InstalledPackage]:
        """Return installed packages, re-read whenever the packages dir changes."""
        stamp = self.packages_dir.stat().st_mtime if self.packages_dir.is_dir() else 0.0
        with self._lock:
            if self._listing is None or self._listing[0] != stamp:
                self._listing = (stamp, installed_packages(self.packages_dir))
            return self._listing[1]

    def fingerprint(self) -> str:
        """Return a cheap summary of what is installed; it changes when packages do."""
        return "|".join(sorted(p.model_id for p in self.packages()))

    def route(self, source: str, target: str) -> Route:
        """Return the direct package for the pair, else a pivot through English."""
        hops = self._hops(source, target)
        return Route(self.name, source, target, ">".join(p.model_id for p in hops))

    def translate(self, route: Route, sentences: Sequence[str]) -> list[Scored]:
        """Translate sentences through each hop of the route in large batches; a pivot's
        score is its weaker hop's."""
        hops = self._hops(route.source, route.target)
        if ">".join(p.model_id for p in hops) != route.model:
            raise EngineFailure(f"packages changed since {route.model} was chosen; retrying")
        scored: list[Scored] = [(s, 0.0) for s in sentences]
        for package in hops:
            hop = self._run(package, [text for text, _ in scored])
            scored = [(text, min(score, before) if before is not None else score)
                      for (text, score), (_, before) in zip(hop, scored, strict=True)]
        return checked(route, sentences, scored)

    def loaded(self) -> list[str]:
        """Return the model ids loaded now, least recently used first."""
        with self._lock:
            return list(self._loaded)

    def _hops(self, source: str, target: str) -> list[InstalledPackage]:
        by_pair = {(p.source, p.target): p for p in self.packages()}
        if (source, target) in by_pair:
            return [by_pair[(source, target)]]
        if (source, PIVOT) in by_pair and (PIVOT, target) in by_pair:
            return [by_pair[(source, PIVOT)], by_pair[(PIVOT, target)]]
        raise PairUnavailable(source, target)

    def memory(self) -> dict[str, tuple[int, int]]:
        """Return, per model loaded since the process started: the bytes of its weights, and
        that plus the most the process grew by during one of its batches (its peak)."""
        with self._lock:
            return dict(self._memory)

    @contextmanager
    def _model(self, package: InstalledPackage) -> Iterator[_Model]:
        """Lend a loaded model; least recently used idle models are unloaded to make room, and
        with ``max_loaded`` models all in use a new one waits until one is given back."""
        with self._free:
            while (package.model_id not in self._loaded and len(self._loaded) >= self.max_loaded
                   and all(m.users for m in self._loaded.values())):
                self._free.wait()
            model = self._loaded.pop(package.model_id, None)
            if model is None:
                self._evict(room_for=1)
                log.info("loading model %s (%d batches at once, %d threads each)",
                         package.model_id, self.pool.plan.threads, self.pool.plan.intra)
                try:
                    model = _Model(package, self.pool.plan, self.device)
                except (RuntimeError, ValueError, OSError) as exc:
                    self._free.notify_all()
                    raise EngineFailure(f"{package.model_id} cannot be loaded: {exc}") from exc
            self._loaded[package.model_id] = model
            model.users += 1
        try:
            yield model
        finally:
            with self._free:
                model.users -= 1
                before = self._memory.get(package.model_id, (0, 0))[1]  # an earlier load's
                self._memory[package.model_id] = (model.loaded_bytes,
                                                  max(before, model.peak_bytes))
                self._free.notify_all()

    def _evict(self, room_for: int = 0) -> None:
        idle = [k for k, m in self._loaded.items() if m.users == 0]
        while len(self._loaded) + room_for > self.max_loaded and idle:
            evicted = idle.pop(0)
            self._loaded.pop(evicted).translator.unload_model()
            log.info("unloaded model %s (at most %d loaded)", evicted, self.max_loaded)

    def _run(self, package: InstalledPackage, texts: list[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        with self._model(package) as model:
            return self._batch(package, model, texts)

    def _batch(self, package: InstalledPackage, model: _Model, texts: list[str]
               ) -> list[tuple[str, float]]:
        try:
            tokens = [model.encode(t) for t in texts]
        except (RuntimeError, ValueError) as exc:
            raise EngineFailure(f"{package.model_id}: {exc}") from exc
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        parts = cores.chunks(order, self.batch_size, self.pool.plan.threads)
        before = resident_bytes()
        done = self.pool.map(lambda part: self._translate(package, model,
                                                          [tokens[i] for i in part]), parts)
        model.peak_bytes = max(model.peak_bytes,
                               model.loaded_bytes + max(0, resident_bytes() - before))
        out: list[tuple[str, float]] = [("", 0.0)] * len(texts)
        for part, results in zip(parts, done, strict=True):
            for position, (hypothesis, score) in zip(part, results, strict=True):
                out[position] = (model.decode(hypothesis), per_token(score, len(hypothesis)))
        return out

    def _translate(self, package: InstalledPackage, model: _Model, tokens: list[list[str]]
                   ) -> list[tuple[list[str], float]]:
        """Translate one batch (sentences of similar length) on one of the model's workers."""
        prefix = [[package.target_prefix]] * len(tokens) if package.target_prefix else None
        try:
            results = model.translator.translate_batch(
                tokens, target_prefix=prefix, beam_size=self.beam_size,
                max_batch_size=len(tokens), batch_type="examples", replace_unknowns=True,
                length_penalty=LENGTH_PENALTY, max_decoding_length=512, return_scores=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineFailure(f"{package.model_id}: {exc}") from exc
        return [(r.hypotheses[0], r.scores[0]) for r in results]


def resident_bytes() -> int:
    """Return the process's resident memory (0 where /proc is not there)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
