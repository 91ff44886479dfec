"""What the import contracts (pyproject.toml, checked by lint-imports in `make test`) cannot
say: pure cores read no clock, no room grows past 400 lines, templates hold the HTML."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "syndicate"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["importlinter"]["contracts"]
PURE = next(c for c in CONTRACTS if c["name"].startswith("Pure cores"))["source_modules"]


def _files(module: str) -> list[Path]:
    path = ROOT / module.replace(".", "/")
    return sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


@pytest.mark.parametrize("module", PURE)
def test_pure_cores_never_read_the_clock(module: str) -> None:
    for path in _files(module):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"datetime\.now|time\.time\(|time\.monotonic\(|date\.today", source), \
            f"{path.relative_to(ROOT)} reads the clock: take a moment or a Clock instead"


def test_no_source_file_passes_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"a room this large is two rooms: {long}"


def test_html_lives_in_templates_not_in_python_strings() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "testing" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"<(html|body|form|table)\b", source), \
            f"{path.relative_to(ROOT)} builds a page in Python"
