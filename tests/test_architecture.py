"""The rules the package writes down, checked: a pure core, Flask only at the web edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "syndicate"
PURE = ["ingest", "translate/segment.py", "translate/markup.py", "translate/article.py",
        "translate/glossary.py", "translate/checks.py", "publish/entries.py", "publish/render.py",
        "models.py",
        "languages.py", "errors.py"]
FORBIDDEN_IN_PURE = ("flask", "sqlalchemy", "syndicate.store", "os", "pathlib", "urllib.request",
                     "urllib.error", "socket", "ctranslate2", "argostranslate")
FLASK_ALLOWED = {"__init__.py", "cli.py", "wsgi.py"}


def _modules(entry: str) -> list[Path]:
    path = PACKAGE / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # resolve relative imports against the module's package
                parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
                base = ".".join(parts[: len(parts) - node.level] + ([base] if base else []))
            names.add(base)
    return names


@pytest.mark.parametrize("entry", PURE)
def test_pure_modules_touch_no_database_disk_network_or_flask(entry: str) -> None:
    for module in _modules(entry):
        found = {name for name in _imports(module)
                 if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_PURE)}
        assert not found, f"{module.relative_to(PACKAGE)} imports {sorted(found)}"
        source = module.read_text(encoding="utf-8")
        assert "datetime.now" not in source and "time.time(" not in source, \
            f"{module.relative_to(PACKAGE)} reads the clock"


def test_only_the_web_edge_imports_flask() -> None:
    for module in PACKAGE.rglob("*.py"):
        relative = module.relative_to(PACKAGE)
        if relative.parts[0] == "web" or str(relative) in FLASK_ALLOWED:
            continue
        flask = {n for n in _imports(module) if n == "flask" or n.startswith("flask.")}
        assert not flask, f"{relative} imports Flask"
