"""Reading the history and its rules for the `log` and `history` commands: any problem is a one-line
error that ends the command (the triage hook, which must never fail, has its own in history_hook.py).

sqlite3 (via .store) and the rules are imported inside the functions, so importing this is cheap.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .history_models import CheckIn, HistoryRules, PastResult


def rules(content_dir: Path | None) -> HistoryRules:
    from .cli import Exit, fail
    from .history_models import HistoryContentError, load_history_rules

    try:
        return load_history_rules(content_dir)
    except HistoryContentError as exc:
        fail(f"history rules are invalid: {exc.problems[0]}", Exit.ERROR)


def open_history(create: bool):  # -> HistoryConnection
    from .cli import Exit, fail
    from .store import StoreError, open_store

    try:
        return open_store(create=create)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)


def load_all(conn, since: date | None = None) -> tuple[list[CheckIn], list[PastResult]]:
    from .cli import Exit, fail
    from .store import StoreError, load_checkins, load_results

    try:
        return load_checkins(conn, since), load_results(conn, since)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)


def load_existing() -> tuple[list[CheckIn], list[PastResult]]:
    """Every record of an existing history, or none when there is no history: reading never creates one."""
    from .store import exists

    if not exists():
        return [], []
    conn = open_history(create=False)
    try:
        return load_all(conn)
    finally:
        conn.close()


def last_side(content_dir: Path | None) -> str | None:
    """The side of the latest record that has one (check-in or triage), to offer as the default.
    Opens an existing history only: asking must not create it. A damaged one fails here, before asking."""
    from .trend import result_side

    checkins, results = load_existing()
    if not checkins and not results:
        return None
    history_rules = rules(content_dir)
    dated: list[tuple[str, str]] = [(c.recorded_at.isoformat(), c.side) for c in checkins if c.side]
    dated += [(r.recorded_at.isoformat(), s) for r in results if (s := result_side(r, history_rules))]
    return max(dated)[1] if dated else None
