"""Listings as people and scripts read them: aligned columns under a header, or JSON lines."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class Column:
    """One column: the row key it shows and its header (the key in capitals by default)."""

    key: str
    header: str = ""

    @property
    def title(self) -> str:
        """Return the header text."""
        return self.header or self.key.upper().replace("_", " ")


def show(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *,
         as_json: bool = False, empty: str = "") -> None:
    """Print rows as a table with a header (the last column unpadded), or one JSON object
    per line; say ``empty`` on stderr when there are none."""
    if as_json:
        for row in rows:
            click.echo(json.dumps(dict(row), default=str))
        return
    if not rows:
        if empty:
            click.echo(empty, err=True)
        return
    cells = [[c.title for c in columns]] + [[_cell(row.get(c.key)) for c in columns]
                                             for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        padded = [text.ljust(widths[i]) for i, text in enumerate(line[:-1])] + [line[-1]]
        click.echo("  ".join(padded).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value).replace("\t", " ").replace("\n", " ")
