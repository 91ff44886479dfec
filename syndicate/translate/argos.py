"""The Argos Translate engine: installed packages run by CTranslate2 in large batches.

argostranslate is used for what it does well (reading installed packages and their metadata);
inference is ours: argostranslate's translate path runs a sentencizer that downloads a model on
first use and batches by 32 *tokens*. Here sentences arrive segmented, are sorted by length and
go to ``translate_batch`` in batches of many examples, one thread per call (measured fastest on
this hardware), with a bounded number of models loaded at once.
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

    def __init__(self, package: InstalledPackage, intra_threads: int, device: str) -> None:
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
                                                 inter_threads=1, intra_threads=intra_threads)
        self.users = 0  # translations running on it now: it is not unloaded while in use

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
                 intra_threads: int = 1, batch_size: int = 64, device: str = "cpu") -> None:
        self.packages_dir = packages_dir
        self.device = device
        self.beam_size = beam_size
        self.max_loaded = max_loaded
        self.intra_threads = intra_threads
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._loaded: OrderedDict[str, _Model] = OrderedDict()
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

    @contextmanager
    def _model(self, package: InstalledPackage) -> Iterator[_Model]:
        """Lend a loaded model; least recently used models are unloaded, never one in use."""
        with self._lock:
            model = self._loaded.pop(package.model_id, None)
            if model is None:
                log.info("loading model %s", package.model_id)
                try:
                    model = _Model(package, self.intra_threads, self.device)
                except (RuntimeError, ValueError, OSError) as exc:
                    raise EngineFailure(f"{package.model_id} cannot be loaded: {exc}") from exc
            self._loaded[package.model_id] = model
            model.users += 1
            self._evict()
        try:
            yield model
        finally:
            with self._lock:
                model.users -= 1
                self._evict()

    def _evict(self) -> None:
        idle = [k for k, m in self._loaded.items() if m.users == 0]
        while len(self._loaded) > self.max_loaded and idle:
            evicted = idle.pop(0)
            self._loaded.pop(evicted).translator.unload_model()
            log.info("unloaded model %s (more than %d loaded)", evicted, self.max_loaded)

    def _run(self, package: InstalledPackage, texts: list[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        with self._model(package) as model:
            return self._batch(package, model, texts)

    def _batch(self, package: InstalledPackage, model: _Model, texts: list[str]
               ) -> list[tuple[str, float]]:
        try:
            tokens = [model.encode(t) for t in texts]
            order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
            prefix = [[package.target_prefix]] * len(order) if package.target_prefix else None
            results = model.translator.translate_batch(
                [tokens[i] for i in order], target_prefix=prefix, beam_size=self.beam_size,
                max_batch_size=self.batch_size, batch_type="examples", replace_unknowns=True,
                length_penalty=LENGTH_PENALTY, max_decoding_length=512, return_scores=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineFailure(f"{package.model_id}: {exc}") from exc
        out: list[tuple[str, float]] = [("", 0.0)] * len(texts)
        for position, result in zip(order, results, strict=True):
            tokens = result.hypotheses[0]
            out[position] = (model.decode(tokens), per_token(result.scores[0], len(tokens)))
        return out
