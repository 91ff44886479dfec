"""Translation models: what is installed (Argos packages, Apertium pairs), which serves each of
the service's pairs, installing and removing packages; what a replaced or removed model made
is translated again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import Conflict, PairUnavailable
from ..translate import packages
from ..translate.apertium import ApertiumEngine
from ..translate.argos import InstalledPackage, installed_packages
from ..translate.router import Router
from .articles import Articles

Progress = Callable[[int, int | None], None]


class Models:
    """List, install and remove translation models."""

    def __init__(self, settings: Settings, translator: Router, apertium: ApertiumEngine,
                 articles: Articles) -> None:
        self.settings = settings
        self.translator = translator
        self.apertium = apertium
        self.articles = articles

    def installed(self) -> list[dict[str, Any]]:
        """Return every installed package and pair, and which of the service's pairs each
        serves (a pivot serves through two)."""
        settings = self.settings
        serving: dict[tuple[str, str], str] = {}
        for target in settings.translation.target_languages:
            found = self._route(settings.translation.source_language, target)
            if found is None:
                continue
            engine, model = found
            for hop in model.split(">"):
                serving[(engine, hop)] = f"{settings.translation.source_language}→{target}" + (
                    " (pivot)" if ">" in model else "")
        rows: list[dict[str, Any]] = []
        for p in sorted(installed_packages(settings.translation.packages_dir),
                        key=lambda p: (p.source, p.target)):
            rows.append({"pair": f"{p.source}→{p.target}", "engine": "argos",
                         "version": p.version,
                         "size_mb": round(packages.size_on_disk(p) / 1e6, 1),
                         "model": p.path.name, "serves": serving.get(("argos", p.model_id)),
                         "note": f"test package ({p.test_kind}): not a translation model"
                         if p.test_kind else None})
        modes = self.apertium.pairs() if "apertium" in settings.translation.engines else []
        for source, target, mode in modes:
            rows.append({"pair": f"{source}→{target}", "engine": "apertium", "version": None,
                         "size_mb": None, "model": mode,
                         "serves": serving.get(("apertium", mode)), "note": None})
        return rows

    def install(self, path: Path, *, force: bool = False
                ) -> tuple[InstalledPackage, str | None, int]:
        """Install an .argosmodel file; return it, the Argos model it replaced (if any) and
        how many translations that model made were queued again. Conflict, unless force,
        when it would take a pair over from an engine that serves it now."""
        info = packages.inspect(path)
        before = self._route(info.source, info.target)
        engines = self.settings.translation.engines
        if before is not None and before[0] != "argos" and not force and "argos" in engines \
                and engines.index("argos") < engines.index(before[0]):
            raise Conflict(
                f"{info.source}→{info.target} is served by {before[0]} ({before[1]}); this "
                "Argos package would take it over (SYNDICATE_ENGINES lists argos first): "
                "pass --force to install it")
        installed = packages.install(path, self.settings.translation.packages_dir)
        if before is not None and before[0] == "argos" and before[1] != installed.model_id:
            return installed, before[1], self.articles.requeue_made_by(*before)
        return installed, None, 0

    def install_from_index(self, source: str, target: str, progress: Progress
                           ) -> tuple[InstalledPackage, bool]:
        """Download and install a package from the Argos index; say whether it was verified
        (the index gave a sha256)."""
        settings = self.settings
        return packages.install_from_index(settings.translation.argos_index_url, source, target,
                                           settings.translation.packages_dir, progress,
                                           allow_loopback_http=settings.translation.argos_loopback_http)

    def remove(self, source: str, target: str) -> tuple[InstalledPackage, int]:
        """Remove the package for a pair; return it and how many of its translations were
        queued again."""
        removed = packages.remove(self.settings.translation.packages_dir, source, target)
        return removed, self.articles.requeue_made_by("argos", removed.model_id)

    def _route(self, source: str, target: str) -> tuple[str, str] | None:
        try:
            route = self.translator.route(source, target)
        except PairUnavailable:
            return None
        return route.engine, route.model
