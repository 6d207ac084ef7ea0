"""Long output on a terminal goes through a pager, as git and gh page theirs (`hipcheck triage --full`).

Only when both stdin and stdout are a terminal that is not `TERM=dumb`, and the output is taller than
the screen: a pipe, a file, a test runner or a short text is printed as usual, so scripts and tests
never meet a pager. The pager is `$HIPCHECK_PAGER`, else `$PAGER`, else `less`; set either to `cat` or
to nothing to turn paging off. `less` gets `LESS=FRX` unless `LESS` is set (as git does): it quits at
once when the text fits, shows the colours, and leaves the text on the screen when it quits. If the
pager cannot be started, the text is printed as usual. Colours follow the console: with `NO_COLOR` or
`--no-color` the pager gets none.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

DEFAULT_PAGER = "less"


def pager_command() -> list[str] | None:
    """The pager to run, as an argument list, or None when paging is turned off."""
    for name in ("HIPCHECK_PAGER", "PAGER"):
        if name in os.environ:
            command = os.environ[name]
            break
    else:
        command = DEFAULT_PAGER
    try:
        argv = shlex.split(command)
    except ValueError:  # an unbalanced quote: not a command we can run
        return None
    return argv if argv and argv != ["cat"] else None


def page(console: Console, renderable: RenderableType) -> None:
    """Print `renderable` on `console`: through the pager when on a terminal and taller than it."""
    argv = pager_command()
    if (
        argv is None
        or not console.is_terminal
        or console.is_dumb_terminal
        or console.file is not sys.stdout
        or not sys.stdin.isatty()
    ):
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    text = captured.get()
    if text.count("\n") < console.size.height:  # it fits: no pager needed
        console.file.write(text)
        console.file.flush()
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, env=env, encoding=console.encoding or "utf-8", errors="replace"
        )
    except OSError:  # not installed, not executable: print instead
        console.file.write(text)
        console.file.flush()
        return
    assert proc.stdin is not None
    try:
        proc.stdin.write(text)
    except (OSError, KeyboardInterrupt):  # the reader quit the pager before the end (a broken pipe)
        pass
    try:
        proc.stdin.close()
    except OSError:
        pass
    while True:  # Ctrl-C goes to the pager (less uses it); wait until it has given the screen back
        try:
            proc.wait()
            break
        except KeyboardInterrupt:
            continue
