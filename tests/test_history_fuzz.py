"""Fuzzing `log` and `history` with note text, dates and pain scores (issue 12): every run ends with
exit code 0, 1 or 2 and never a traceback; a check-in that was accepted is never lost; nothing a
terminal or a spreadsheet would act on reaches the screen or the CSV.

Deterministic like the rest of the suite (conftest's hypothesis profile): each run tries the same
examples. The strategies lean on the cases that broke before: markup, escape sequences, formulas,
bytes that are not UTF-8, dates at the edge of the calendar, numbers in other scripts."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hipcheck.commands import history as history_cli
from hipcheck.commands.app import app
from hipcheck.history import store

TODAY = date(2026, 6, 15)
# What no output may carry raw: C0 controls but the newline, DEL, C1 controls, bidi overrides.
FORBIDDEN = {chr(c) for c in range(32) if c != 10} | {chr(c) for c in range(0x7F, 0xA0)} | set("\u202e\u2066")

NOTES = st.one_of(
    st.text(max_size=520),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        [
            "[/]",
            "[easy] 5k",
            "[link=https://example.com]x[/link]",
            "[blink]b",
            "\x1b[2J\x1b]0;title\x07",
            '=HYPERLINK("http://x")',
            "+1",
            "-1",
            "@A1",
            "a\nhipcheck: error: fake",
            "\x00",
            "\udcff",
            "\u202eevil",
            " ",
            "x" * 500,
            "x" * 501,
        ]
    ),
)
DAYS = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(
        [
            "today",
            "yesterday",
            "0001-01-01",
            "1899-12-31",
            "1900-01-01",
            "9999-12-31",
            "2026-06-16",
            "2026-02-30",
            "２０２６-01-01",
            "14d",
            "999999999w",
            "",
            "\x1b[2J",
        ]
    ),
    st.text(max_size=12),
)
SINCE = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n}d"),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n}w"),
    DAYS,
)
PAINS = st.one_of(
    st.integers(min_value=-2, max_value=12).map(str), st.sampled_from(["²", "٣", "１０", "3.0", " 4 "])
)


def _run(home: Path, *args: str):
    r = CliRunner().invoke(app, list(args), env={store.ENV_VAR: str(home)}, catch_exceptions=False)
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.stderr)
    if r.exit_code:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), (args, r.stderr)
    assert not FORBIDDEN & set(r.stdout), (args, r.stdout)
    assert not FORBIDDEN & set(r.stderr), (args, r.stderr)
    return r


def _rows(home: Path) -> list[tuple[int, str | None]]:
    db = home / store.DB_NAME
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as c:
        return c.execute("SELECT pain, note FROM checkin ORDER BY id").fetchall()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(history_cli, "_today", lambda: TODAY)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=NOTES, day=DAYS, pain=PAINS, since=SINCE)
@example(note="[/]", day="0001-01-01", pain="3", since="999999999w")
@example(note="\x1b[2J", day="today", pain="²", since=None)
@example(note='=HYPERLINK("x")', day="1900-01-01", pain="10", since="1899-12-31")
def test_log_and_history_never_crash_and_never_lose_a_check_in(note, day, pain, since):
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        assert _run(home, "log", "--pain=2", "--note=before").exit_code == 0
        r = _run(home, "log", f"--pain={pain}", f"--note={note}", f"--date={day}")
        accepted = r.exit_code == 0
        assert r.exit_code in (0, 2), r.stderr  # bad input, never a runtime failure
        rows = _rows(home)
        assert rows[0] == (2, "before") and len(rows) == 1 + accepted  # nothing lost, nothing twice
        if accepted:
            assert rows[1] == (int(pain), note.strip() or None)

        assert _run(home, "history").exit_code == 0
        data = json.loads(_run(home, "history", "--json").stdout)
        assert sorted(str(c["note"]) for c in data["checkins"]) == sorted(str(n) for _, n in rows)
        for row in csv.DictReader(io.StringIO(_run(home, "history", "--csv").stdout)):
            assert not row["note"].startswith(("=", "+", "-", "@", "\t", "\r"))
        if since is not None:
            assert _run(home, "history", f"--since={since}").exit_code in (0, 2)
        assert _rows(home) == rows
