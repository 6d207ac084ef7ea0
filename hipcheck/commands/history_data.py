"""Reading the history and its rules for the `log` and `history` commands: any problem is a one-line
error that ends the command (the triage hook, which must never fail, has its own in history_hook.py).

sqlite3 (via .store) and the rules are imported inside the functions, so importing this is cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from hipcheck.commands.common import Exit, fail

if TYPE_CHECKING:
    from hipcheck.history.models import CheckIn, HistoryRules, PastResult
    from hipcheck.history.store import Damaged


def warn(message: str) -> None:
    from hipcheck.knowledge.text import escape

    sys.stderr.write(f"hipcheck: warning: {escape(message)}\n")


def damaged_words(damaged: Sequence[Damaged]) -> str:
    """One line naming the records that could not be read (at most three of them)."""
    n = len(damaged)
    named = "; ".join(str(d) for d in damaged[:3]) + (f"; and {n - 3} more" if n > 3 else "")
    return (
        f"{n} record{'s' if n != 1 else ''} in your history could not be read and "
        f"{'are' if n != 1 else 'is'} left out: {named}; nothing was deleted"
    )


def rules(content_dir: Path | None) -> HistoryRules:
    from hipcheck.history.models import HistoryContentError, load_history_rules

    try:
        return load_history_rules(content_dir)
    except HistoryContentError as exc:
        fail(f"history rules are invalid: {exc.problems[0]}", Exit.ERROR)


def open_history(create: bool):  # -> HistoryConnection
    from hipcheck.history.store import StoreError, open_store

    try:
        conn = open_store(create=create)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    for message in conn.warnings:
        warn(message)
    return conn


def load_all(conn, since: date | None = None, quiet: bool = False) -> tuple[list[CheckIn], list[PastResult]]:
    """Every readable record; a damaged one is left out with a warning (unless `quiet`), never fatal."""
    from hipcheck.history.store import StoreError, load_checkins, load_results

    damaged: list[Damaged] = []
    try:
        loaded = load_checkins(conn, since, damaged), load_results(conn, since, damaged)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    if damaged and not quiet:
        warn(damaged_words(damaged))
    return loaded


def load_existing(quiet: bool = False) -> tuple[list[CheckIn], list[PastResult]]:
    """Every record of an existing history, or none when there is no history: reading never creates one."""
    from hipcheck.history.store import exists

    if not exists():
        return [], []
    conn = open_history(create=False)
    try:
        return load_all(conn, quiet=quiet)
    finally:
        conn.close()


def last_side(content_dir: Path | None) -> str | None:
    """The side of the latest record that has one (check-in or triage), to offer as the default.
    Opens an existing history only: asking must not create it. A damaged one fails here, before asking."""
    from hipcheck.history.trend import result_side

    checkins, results = load_existing(quiet=True)  # `log` reports damaged records once, after saving
    if not checkins and not results:
        return None
    history_rules = rules(content_dir)
    dated: list[tuple[str, str]] = [(c.recorded_at.isoformat(), c.side) for c in checkins if c.side]
    dated += [(r.recorded_at.isoformat(), s) for r in results if (s := result_side(r, history_rules))]
    return max(dated)[1] if dated else None
