"""`hipcheck report`: a saved triage result again, in full, saved as a report, or as its stored JSON,
without doing the interview again (issue 14). In-process through typer's CliRunner, with HIPCHECK_HOME
in a temporary folder and today's date fixed."""

from __future__ import annotations

import contextlib
import html
import json
import os
import sqlite3
import stat
from datetime import UTC, date, datetime

import html5lib
import pytest
from conftest import ROOT, all_clear
from typer.testing import CliRunner

from hipcheck.commands import report as report_cli
from hipcheck.commands.app import app
from hipcheck.engine.decide import assess
from hipcheck.history import store

TODAY = date(2026, 6, 15)
OUTER_HIP = json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
URGENT = {"weight_bearing": "painful", "side": "left", "timing": ["walking", "night"], "severity": 6}


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv(store.ENV_VAR, str(h))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(report_cli, "_today", lambda: TODAY)
    return h


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def one_line_error(r, code: int) -> str:
    assert r.exit_code == code, (r.exit_code, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), r.stderr
    return lines[0]


def save(kb, answers: dict, day: date, hour: int = 9):
    result = assess(kb, answers)
    conn = store.open_store()
    try:
        store.save_result(conn, result, now=datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
    finally:
        conn.close()
    return result


def insert_raw(raw: object, day: str = "2026-06-14") -> None:
    store.open_store().close()
    with contextlib.closing(sqlite3.connect(store.db_path())) as c:
        c.execute(
            "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
            " VALUES (?, ?, 'routine', 'x', ?)",
            (day, f"{day}T08:00:00+00:00", raw),
        )
        c.commit()


@pytest.fixture
def three(kb):
    """#1 urgent on 10 Jun, #2 outer hip on 12 Jun, #3 outer hip with 'not sure' on 12 Jun, later."""
    a = save(kb, {**all_clear(kb), "location": ["lateral"], **URGENT}, date(2026, 6, 10))
    b = save(kb, OUTER_HIP, date(2026, 6, 12), hour=8)
    c = save(kb, {**OUTER_HIP, "trend": "not_sure"}, date(2026, 6, 12), hour=17)
    return a, b, c


# --------------------------------------------------------------------------- which result


def test_the_latest_result_in_full_with_every_tip(three):
    _, _, latest = three
    for args in ((), ("--last",), ("last",)):
        r = run("report", *args)
        assert r.exit_code == 0, r.stderr
        flat = " ".join(r.stdout.split())
        assert flat.startswith("Saved triage #3, 12 Jun 2026")
        for tip in latest.tips:  # every tip, not the first few
            assert " ".join(tip.text.split()) in flat
        assert "more tip" not in flat
        assert "Answers" in flat and "Likely causes" in flat and latest.disclaimer in flat
        assert "hipcheck report 3 --save report.html" in flat


@pytest.mark.parametrize("args", [("1",), ("#1",), ("--id", "1"), ("2026-06-10",)])
def test_an_earlier_result_by_number_or_date(three, args):
    urgent = three[0]
    r = run("report", *args)
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert flat.startswith("Saved triage #1, 10 Jun 2026")
    assert urgent.level.label.upper() in flat


def test_a_date_with_two_results_shows_the_later_and_says_so(three):
    r = run("report", "2026-06-12")
    assert r.exit_code == 0 and " ".join(r.stdout.split()).startswith("Saved triage #3, 12 Jun 2026")
    assert "2 results were saved on 12 Jun" in r.stderr and "#2" in r.stderr


def test_the_numbers_are_those_hipcheck_history_shows(three, monkeypatch):
    from hipcheck.commands import history as history_cli

    monkeypatch.setattr(history_cli, "_today", lambda: TODAY)
    flat = " ".join(run("history").stdout.split())
    assert "Triage #1:" in flat and "Triage #2:" in flat and "Triage #3:" in flat
    assert [r["id"] for r in json.loads(run("history", "--json").stdout)["results"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("9",), 2, "no saved result #9 in your history (it has #1 to #3)"),
        (("--id", "9"), 2, "no saved result #9"),
        (("9" * 30,), 2, "no saved result #"),
        (("2026-06-11",), 2, "no saved result on 2026-06-11"),
        (("2026-06-16",), 2, "is in the future"),
        (("yesterday",), 2, "no saved result on 2026-06-14"),
        (("abc",), 2, "'abc' is neither a result number nor a date"),
        (("\x1b[2J",), 2, "'\\x1b[2J' is neither"),
        (("３",), 2, "neither a result number nor a date"),
        (("--id", "x"), 2, "--id needs a result number"),
        (("1", "--id", "2"), 2, "give the result once"),
        (("1", "--last"), 2, "--last is the latest saved result"),
        (("--overwrite",), 2, "--overwrite only goes with --save"),
        (("--save", "r.pdf"), 2, "unknown report type '.pdf'"),
    ],
)
def test_bad_choices_are_one_line_errors(three, args, code, words):
    line = one_line_error(run("report", *args), code)
    assert words in line and "\x1b" not in line


# --------------------------------------------------------------------------- no history, none saved, damaged


@pytest.mark.parametrize("args", [(), ("1",), ("--json",), ("--save", "r.md")])
def test_no_history_is_a_clear_error_and_none_is_created(home, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    line = one_line_error(run("report", *args), 1)
    assert "no saved triage results" in line and str(home) in line
    assert not home.exists() and not (tmp_path / "r.md").exists()


def test_a_history_with_only_check_ins_has_no_result_to_show():
    assert run("log", "--pain", "3", "--no-input").exit_code == 0
    line = one_line_error(run("report"), 1)
    assert "no saved triage results in your history yet" in line


def test_a_damaged_history_file_is_a_clear_error(home):
    home.mkdir(mode=0o700)
    store.db_path().write_bytes(b"definitely not a database" * 100)
    before = store.db_path().read_bytes()
    line = one_line_error(run("report"), 1)
    assert str(store.db_path()) in line and "--repair" in line
    assert store.db_path().read_bytes() == before


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("[]", "not a JSON object"),
        ("{not json", "not valid JSON"),
        ('{"schema_version": "9"}', "Field required"),
    ],
)
def test_a_damaged_saved_result_asked_for_is_a_clear_error(kb, raw, words):
    save(kb, OUTER_HIP, date(2026, 6, 12))
    insert_raw(raw)  # #2
    line = one_line_error(run("report", "2"), 1)
    assert "saved result #2 cannot be" in line and words in line


def test_the_latest_readable_result_is_shown_when_a_later_one_is_damaged(kb):
    save(kb, OUTER_HIP, date(2026, 6, 12))
    insert_raw("[]", day="2026-06-14")  # #2, later, unreadable
    r = run("report")
    assert r.exit_code == 0 and " ".join(r.stdout.split()).startswith("Saved triage #1, 12 Jun 2026")
    assert r.stderr.count("\n") == 1 and "#2 is later but cannot be read; showing #1" in r.stderr


def test_a_stored_result_the_model_cannot_read_still_prints_as_json(kb):
    data = json.loads(assess(kb, OUTER_HIP).model_dump_json())
    del data["level"]
    insert_raw(json.dumps(data))
    r = run("report", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["causes"]  # the data, as stored
    assert "saved result #1 cannot be shown by this version of hipcheck (level: Field required)" in r.stderr
    line = one_line_error(run("report"), 1)
    assert "hipcheck report 1 --json" in line and "content version 2026" in line


# --------------------------------------------------------------------------- older content


def test_a_result_saved_with_older_content_still_shows_and_saves(kb, tmp_path):
    data = json.loads(assess(kb, OUTER_HIP).model_dump_json())
    data["content_version"] = "2025.01.0"
    data["answers"]["retired_question"] = "some_option"
    data["tips"].append({"id": "retired_tip", "kind": "now", "text": "An old tip.", "because": []})
    data["future_field"] = {"from": "a newer hipcheck"}
    insert_raw(json.dumps(data))
    r = run("report")
    assert r.exit_code == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "content version 2025.01.0" in flat and "An old tip." in flat
    out = tmp_path / "old.html"
    assert run("report", "--save", str(out)).exit_code == 0
    page = " ".join("".join(html5lib.parse(out.read_text()).itertext()).split())
    assert "2025.01.0" in page and "retired_question some_option" in page
    assert json.loads(run("report", "--json").stdout)["future_field"] == {"from": "a newer hipcheck"}


# --------------------------------------------------------------------------- --json


def test_json_prints_the_result_as_triage_json_did(kb, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(OUTER_HIP))
    t = CliRunner().invoke(app, ["triage", "--answers", str(answers), "--json", "--history"])
    assert t.exit_code == 0, t.stderr
    r = run("report", "--json")
    assert r.exit_code == 0 and r.stdout == t.stdout


def test_json_shows_control_characters_escaped_and_stays_valid(kb):
    data = json.loads(assess(kb, OUTER_HIP).model_dump_json())
    data["causes"][0]["name"] = "evil\x1b[2J\u202e\x9bname"
    insert_raw(json.dumps(data, ensure_ascii=False))
    r = run("report", "--json")
    assert r.exit_code == 0 and not set(r.stdout) & set("\x1b\u202e\x9b")
    assert json.loads(r.stdout)["causes"][0]["name"] == "evil\x1b[2J\u202e\x9bname"
    shown = run("report")
    assert shown.exit_code == 0 and "evil\\x1b[2J\\u202e\\x9bname" in "".join(shown.stdout.split())
    assert not set(shown.stdout) & set("\x1b\u202e\x9b")


# --------------------------------------------------------------------------- --save


@pytest.mark.parametrize("suffix", [".md", ".txt", ".html", ".svg"])
def test_save_writes_each_report_type_for_the_chosen_result(three, tmp_path, suffix):
    out = tmp_path / f"visit{suffix}"
    r = run("report", "1", "--save", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "" and f"saved result #1 (2026-06-10) saved to {out}" in r.stderr
    text = html.unescape(out.read_text()).replace("\xa0", " ")
    assert "hipcheck report, 2026-06-10" in text
    if suffix != ".svg":
        assert "saved result #1" in text.replace("\\#", "#") and "2026-06-15" in text  # made today
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_save_follows_the_overwrite_rules_of_triage(three, tmp_path):
    out = tmp_path / "visit.md"
    out.write_text("my notes")
    line = one_line_error(run("report", "--save", str(out)), 2)
    assert "already exists" in line and "--overwrite" in line and out.read_text() == "my notes"
    assert run("report", "--save", str(out), "--overwrite").exit_code == 0
    assert out.read_text().startswith("# hipcheck report, 2026-06-12")
    missing = tmp_path / "nope" / "r.md"
    assert "does not exist" in one_line_error(run("report", "--save", str(missing)), 2)


def test_save_checks_the_path_before_reading_the_history(home, tmp_path):
    """A bad --save path is reported first, even with no history: the same order as triage."""
    line = one_line_error(run("report", "--save", str(tmp_path / "nope" / "r.md")), 2)
    assert "does not exist" in line and not home.exists()


def test_a_report_that_cannot_be_written_is_a_runtime_error(three, tmp_path, monkeypatch):
    from hipcheck.screens import report as report_screen

    def broken(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(report_screen, "save_report", broken)
    line = one_line_error(run("report", "--save", str(tmp_path / "r.md")), 1)
    assert "could not save the report" in line and "Permission denied" in line


def test_reading_never_changes_the_history(three):
    before = store.db_path().read_bytes()
    for args in ((), ("1",), ("--json",), ("9",)):
        run("report", *args)
    assert store.db_path().read_bytes() == before
    conn = store.open_store(create=False)
    assert store.counts(conn) == (0, 3)
    conn.close()


def test_triage_points_to_hipcheck_report(kb, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(OUTER_HIP))
    r = CliRunner().invoke(app, ["triage", "--answers", str(answers), "--history"])
    assert r.exit_code == 0 and "hipcheck report" in " ".join(r.stderr.split())


def test_json_imports_no_rich_and_no_prompts(kb, home, tmp_path):
    """`report --json` is for scripts: like the other --json commands it draws nothing."""
    import subprocess
    import sys

    save(kb, OUTER_HIP, date(2026, 6, 12))
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['hipcheck', 'report', '--json']\n"
        "try:\n    runpy.run_module('hipcheck', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "tops = {m.split('.')[0] for m in sys.modules}\n"
        "sys.stderr.write('PROBE ' + repr(sorted(tops & {'rich', 'questionary', 'prompt_toolkit'})))\n"
    )
    env = {**os.environ, "HIPCHECK_HOME": str(home), "HIPCHECK_CACHE": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert "PROBE []" in r.stderr, r.stderr
    assert json.loads(r.stdout)["content_version"]
