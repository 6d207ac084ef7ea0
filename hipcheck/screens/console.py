"""The console every screen draws on, and small pieces they share."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

_PADDING = re.compile(r" +(?=\n)")


class _Console(Console):
    """Rich pads every table cell and every wrapped line with spaces to its full width; piped into a
    file, half the lines of a result ended in spaces. This console drops the spaces at the end of each
    line it writes, whatever the screens draw (tables, grids, panels, text). Only plain spaces right
    before a newline go: styled padding (a coloured background) ends in an escape code and stays.

    `_render_buffer` is where Rich turns a print into text; if a Rich release renamed it, the padding
    would simply come back, and tests/test_terminal.py::test_piped_text_output_has_no_trailing_spaces
    would fail."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return _PADDING.sub("", super()._render_buffer(buffer))

    def on_broken_pipe(self) -> None:
        """The reader of the output has gone (`hipcheck ... | head -1`). Rich's own handler exits 1;
        the BrokenPipeError goes on to the entry point instead, which ends quietly with 0 as the
        README promises (commands/help.py's group does the same for Typer's help)."""
        self.quiet = True
        raise BrokenPipeError


def make_console(*, stderr: bool = False, no_color: bool = False, width: int | None = None) -> Console:
    """A console that honours NO_COLOR, TERM=dumb and pipes (Rich does) and --no-color, and writes no
    spaces at the ends of lines."""
    return _Console(stderr=stderr, no_color=no_color or None, width=width, highlight=False, emoji=False)


def bullets(items: list[str], style: str = "") -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(Text("•", style=style), Text(item, style=style))
    return grid
