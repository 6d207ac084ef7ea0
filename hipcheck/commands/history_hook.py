"""The hook `triage` uses to read and save the history: `history_reasons_and_saver`.

Unlike the `log` and `history` commands it never fails: a problem with the history is one warning line
on stderr. sqlite3 (via .store) and the rules are imported inside the function, so importing this is cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hipcheck.knowledge.models import Reason, TriageResult


def _warn(message: str) -> None:
    from hipcheck.knowledge.text import escape

    sys.stderr.write(f"hipcheck: warning: {escape(message)}\n")


def history_reasons_and_saver(
    *, save: bool = True, content_dir: Path | None = None, today: date | None = None
) -> tuple[list[Reason], Callable[[TriageResult], bool]]:
    """What `triage` needs from the history: its escalation reasons, and a function saving the result.

    Never fails the triage: a damaged or unreadable history, or invalid history rules, print one
    `hipcheck: warning: ...` line on stderr and the triage goes on without them.

    With `save=False` (`--no-save`) the history is left out of the triage entirely: nothing is
    created, read or written. The history is personal, and `--no-save` is what the docs tell anyone
    running hipcheck for someone else to use, so that person's result must not be raised by the
    owner's (or an earlier client's) records. The saver returns True when the result was saved;
    Ctrl-C during the save leaves nothing half-written.
    """
    from hipcheck.commands.history_data import damaged_words
    from hipcheck.history.models import HistoryContentError, load_history_rules
    from hipcheck.history.store import (
        Damaged,
        StoreBusy,
        StoreError,
        load_checkins,
        load_results,
        open_store,
        save_result,
    )
    from hipcheck.history.trend import escalation_reasons

    usable = True
    reasons: list[Reason] = []
    if save:
        damaged: list[Damaged] = []
        try:
            conn = open_store(create=save)
            try:
                for message in conn.warnings:
                    _warn(message)
                checkins, results = load_checkins(conn, None, damaged), load_results(conn, None, damaged)
            finally:
                conn.close()
        except StoreBusy as exc:  # the lock may be gone by the time the result is saved
            _warn(f"your history was not used: {exc}")
        except StoreError as exc:
            _warn(f"your history was not used: {exc}")
            usable = False
        else:
            if damaged:
                _warn(damaged_words(damaged))
            try:
                rules = load_history_rules(content_dir)
            except HistoryContentError as exc:
                _warn(f"history rules are invalid, so your history was not used: {exc.problems[0]}")
            else:
                reasons = escalation_reasons(checkins, results, today or date.today(), rules)

    def saver(result: TriageResult) -> bool:
        if not (save and usable):
            return False
        try:
            conn = open_store()
            try:
                save_result(conn, result)
            finally:
                conn.close()
        except StoreError as exc:
            _warn(f"the result was not saved: {exc}")
            return False
        return True

    return reasons, saver
