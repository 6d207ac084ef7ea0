"""`hipcheck history --forget`: delete the whole history, after saying what goes and asking first.

sqlite3 (via .store) is imported inside the function, so importing this is cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from hipcheck.commands.common import Exit, fail
from hipcheck.commands.history_options import cannot_ask_why, interrupted


def forget_history(*, yes: bool, no_input: bool, stdin_is_tty: Callable[[], bool]) -> None:
    """Delete the history. Without `yes` it asks on the terminal, and fails when it cannot ask."""
    from hipcheck.history.store import StoreError, counts, db_path, forget, open_store
    from hipcheck.knowledge.text import escape

    path = db_path()
    shown = escape(str(path))
    if not any(p.exists() or p.is_symlink() for p in (path, path.with_name(path.name + "-wal"))):
        sys.stdout.write(f"Nothing to forget: there is no hipcheck history at {shown}.\n")
        return
    try:
        conn = open_store(create=False)
        try:
            n_checkins, n_results = counts(conn)
        finally:
            conn.close()
        what = f"{n_checkins} check-in(s) and {n_results} triage result(s)"
    except StoreError:
        what = "a history database hipcheck cannot read"
    if not yes:
        if no_input or not stdin_is_tty():
            fail(f"{cannot_ask_why(no_input)}; --forget deletes your whole history, so confirm it with --yes")
        try:
            ok = typer.confirm(f"Delete {what} at {shown}? This cannot be undone.", default=False, err=True)
        except (typer.Abort, KeyboardInterrupt, EOFError):
            raise interrupted("nothing deleted") from None
        if not ok:
            sys.stderr.write("Nothing deleted.\n")
            return
    try:
        forget()
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    sys.stdout.write(f"Deleted your hipcheck history: {what}.\n")
