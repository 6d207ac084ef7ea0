"""The console every screen draws on, and small pieces they share."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text


def make_console(*, stderr: bool = False, no_color: bool = False, width: int | None = None) -> Console:
    """A console that honours NO_COLOR, TERM=dumb and pipes (Rich does) and --no-color."""
    return Console(stderr=stderr, no_color=no_color or None, width=width, highlight=False, emoji=False)


def bullets(items: list[str], style: str = "") -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(Text("•", style=style), Text(item, style=style))
    return grid
