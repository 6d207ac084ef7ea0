"""`hipcheck log` and `hipcheck history` end to end in-process, and the hook `triage` uses.

Every test points HIPCHECK_HOME at a temporary folder and fixes today's date."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from conftest import ROOT, all_clear
from typer.testing import CliRunner

from hipcheck.commands import history as history_cli
from hipcheck.commands.app import app
from hipcheck.engine.decide import assess
from hipcheck.history import store
from hipcheck.knowledge.models import Level
from hipcheck.screens import history as history_view

TODAY = date(2026, 6, 15)

if not any(c.name == "history" for c in app.registered_commands):
    history_cli.register(app)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv(store.ENV_VAR, str(h))
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr(history_cli, "_today", lambda: TODAY)
    return h


def run(*args: str, input: str | None = None):
    r = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return r


def one_line_error(r, code: int = 2) -> str:
    assert r.exit_code == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), r.stderr
    return lines[0]


def log_days(*points: tuple[int, int], **kw) -> None:
    for days_ago, pain in points:
        day = (TODAY - timedelta(days=days_ago)).isoformat()
        r = run("log", "--pain", str(pain), "--date", day, *[f"--{k}" for k, v in kw.items() if v])
        assert r.exit_code == 0, r.stderr


def history_json() -> dict:
    r = run("history", "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# --------------------------------------------------------------------------- log


def test_log_records_a_check_in():
    r = run("log", "--pain", "4", "--ran", "8.5", "--note", "tight after hills", "--side", "left")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Logged 15 Jun: pain 4/10, ran 8.5 km, left side.")
    [c] = history_json()["checkins"]
    assert (c["day"], c["pain"], c["km"], c["side"], c["note"]) == (
        "2026-06-15",
        4,
        8.5,
        "left",
        "tight after hills",
    )


def test_log_yesterday_and_flags():
    assert run("log", "-p", "3", "--date", "yesterday", "--night", "--rest").exit_code == 0
    [c] = history_json()["checkins"]
    assert c["day"] == "2026-06-14" and c["night"] and c["rest"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--pain", "11"], "--pain must be a whole number from 0 to 10"),
        (["--pain", "-1"], "--pain"),
        (["--pain", "four"], "--pain"),
        (["--pain", "3.5"], "--pain"),
        (["--pain", "3", "--ran", "-3"], "--ran cannot be negative"),
        (["--pain", "3", "--ran", "far"], "--ran must be a distance"),
        (["--pain", "3", "--ran", "inf"], "--ran must be a distance"),
        (["--pain", "3", "--date", "2026-06-16"], "in the future"),
        (["--pain", "3", "--date", "16/06/2026"], "is not a date"),
        (["--pain", "3", "--side", "middle"], "--side must be one of left, right, both"),
        # Issue 12 #6: sensible dates only, ASCII digits only.
        (["--pain", "3", "--date", "0001-01-01"], "before 1900"),
        (["--pain", "3", "--date", "1899-12-31"], "before 1900"),
        (["--pain", "3", "--date", "２０２６-06-01"], "is not a date"),
        (["--pain", "3", "--date", "2026-6-1"], "is not a date"),
        (["--pain", "²"], "--pain must be a whole number"),
        (["--pain", "٣"], "--pain must be a whole number"),
        (["--pain", "１０"], "--pain must be a whole number"),
        (["--pain", "1" * 5000], "--pain must be a whole number"),
        (["--pain", "3", "--ran", "١٠"], "--ran must be a distance"),
        (["--pain", "3", "--ran", "1_0"], "--ran must be a distance"),
        (["--pain", "\x1b[2J"], "'\\x1b[2J'"),
    ],
)
def test_log_bad_input_exit_2_one_line_nothing_written(args, words, home):
    line = one_line_error(run("log", *args))
    assert words in line
    assert not home.exists(), "bad input must not create or write anything"


def test_log_without_pain_off_a_terminal_says_which_flag():
    line = one_line_error(run("log", "--ran", "5"))
    assert "--pain" in line and "not a terminal" in line


DOWN, ENTER = "\x1b[B", "\r"


def typed_log(keys: list[str], *args: str):
    """`hipcheck log ARGS` on a (fake) terminal, answering the prompts with these keystrokes."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        for k in keys:
            inp.send_text(k)
        return run("log", *args)


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(history_cli, "_stdin_is_tty", lambda: True)


def test_log_asks_everything_the_rules_read_on_a_terminal(terminal):
    r = typed_log(
        [
            "12\r",  # refused: out of range, then backspaced
            "\x7f\x7f5\r",  # pain
            "6.5\r",  # km
            DOWN * 2 + ENTER,  # side: the pointer starts on Skip (no side known); wraps to Left, Right
            "y",  # at rest (y answers at once)
            "y",  # at night
            "woke at 3am\r",  # note
        ]
    )
    assert r.exit_code == 0, r.stderr
    [c] = history_json()["checkins"]
    assert (c["pain"], c["km"], c["side"], c["rest"], c["night"], c["note"]) == (
        5,
        6.5,
        "right",
        True,
        True,
        "woke at 3am",
    )
    assert "history_rest_night" in [f["id"] for f in history_json()["trend"]["findings"]]
    assert r.stdout.startswith("Logged 15 Jun: pain 5/10, ran 6.5 km, right side, at rest, at night.")


def test_log_prompts_default_on_enter_and_remember_the_side(terminal):
    r = typed_log(["3\r", ENTER, ENTER, ENTER, ENTER, ENTER])
    assert r.exit_code == 0, r.stderr
    r = typed_log(["4\r", ENTER, DOWN * 3 + ENTER, ENTER, ENTER, ENTER])  # Skip → Left, Right, Both
    assert r.exit_code == 0, r.stderr
    r = typed_log(["2\r", ENTER, ENTER, ENTER, ENTER, ENTER])  # Enter keeps last time's side
    assert r.exit_code == 0, r.stderr
    got = [
        (c["pain"], c["km"], c["side"], c["rest"], c["night"], c["note"]) for c in history_json()["checkins"]
    ]
    assert got == [
        (3, None, None, False, False, None),
        (4, None, "both", False, False, None),
        (2, None, "both", False, False, None),
    ]


def test_log_asks_only_what_the_flags_did_not_give(terminal, monkeypatch):
    seen = {}

    def fake_ask(**kw):
        seen.update(kw)
        return {"pain": 4}

    monkeypatch.setattr(history_cli, "_ask_checkin", fake_ask)
    r = run("log", "--ran", "5", "--side", "left", "--night", "--note", "hills", "--date", "yesterday")
    assert r.exit_code == 0, r.stderr
    assert seen["day_words"] == "on 14 Jun"
    assert (seen["ask_km"], seen["ask_side"], seen["ask_night"], seen["ask_note"]) == (False,) * 4
    assert seen["ask_rest"] is True
    [c] = history_json()["checkins"]
    assert (c["pain"], c["km"], c["side"], c["rest"], c["night"], c["note"]) == (
        4,
        5,
        "left",
        False,
        True,
        "hills",
    )


def test_log_asks_about_the_plan_session_once_a_triage_is_saved(terminal, tmp_path):
    """Issue 11: on a terminal, `log` asks about today's plan session and this morning's pain, but only
    when there is a saved triage for a plan to follow (a quick check-in stays quick otherwise)."""
    quick = typed_log(["2\r", "\r", ENTER, "n", "n", "\r"])  # no triage saved: no plan question
    assert quick.exit_code == 0, quick.stderr
    answers = tmp_path / "a.json"
    answers.write_text((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
    assert run("triage", "--answers", str(answers), "--history", "--json").exit_code == 0
    r = typed_log(
        [
            "3\r",  # pain
            "\r",  # km: skip
            ENTER,  # side
            "n",  # rest
            "n",  # night
            DOWN + ENTER,  # plan: "I did today's session"
            "2\r",  # pain during it
            "1\r",  # pain on waking
            "\r",  # note
        ]
    )
    assert r.exit_code == 0, r.stderr
    first, second = history_json()["checkins"]
    assert (first["session"], first["during"], first["morning"]) == (None, None, None)
    assert (second["pain"], second["session"], second["during"], second["morning"]) == (3, True, 2, 1)


def test_prompts_go_to_stderr_and_no_rest_flags_work(terminal):
    assert run("log", "--pain", "3", "--no-rest", "--no-night").exit_code == 0
    [c] = history_json()["checkins"]
    assert (c["rest"], c["night"]) == (False, False)
    source = (ROOT / "hipcheck" / "commands" / "history.py").read_text()
    assert "with terminal_session():" in source  # questionary output goes to stderr


def test_log_no_input_never_asks(monkeypatch):
    monkeypatch.setattr(history_cli, "_stdin_is_tty", lambda: True)
    assert "--no-input" in one_line_error(run("log", "--no-input"))


def test_ctrl_c_at_the_prompt_exits_130_and_saves_nothing(monkeypatch, home):
    monkeypatch.setattr(history_cli, "_stdin_is_tty", lambda: True)

    def interrupted(**kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(history_cli, "_ask_checkin", interrupted)
    r = run("log")
    assert r.exit_code == 130 and "nothing saved" in r.stderr
    assert not home.exists()


def test_log_reports_a_new_escalation():
    log_days((6, 2), (4, 3), (2, 4))
    r = run("log", "--pain", "6")
    assert "! Your saved history shows the pain rising" in r.stdout and "next `hipcheck triage`" in r.stdout


# --------------------------------------------------------------------------- history


def test_empty_history_creates_nothing(home):
    r = run("history")
    assert r.exit_code == 0 and "No history yet" in r.stdout and "hipcheck log" in r.stdout
    data = history_json()
    assert data["checkins"] == [] and data["results"] == [] and data["trend"]["direction"] == "unknown"
    assert not home.exists()


def test_history_shows_chart_table_and_escalation_within_60_columns():
    log_days((20, 4), (16, 5), (12, 4), (8, 5), (4, 4), (0, 5))
    r = run("history")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "\x1b[" not in out, "no colour codes when stdout is not a terminal"
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "Next triage: at least SEE A PROFESSIONAL" in out and "Last triage" not in out
    assert "hip pain for 21 days" in out
    assert "┤" in out and "●" in out  # the plotext chart
    assert "26 May" in out and "15 Jun" in out  # first and last rows of the table
    assert "history --forget" in out
    flat = " ".join(out.split())
    assert "This history is personal" in flat
    assert "hipcheck triage --no-save" in flat and "HIPCHECK_HOME" in flat


def test_history_json_is_data_only():
    log_days((3, 2), (0, 4))
    data = history_json()
    assert data["schema_version"] and data["today"] == "2026-06-15"
    assert [c["pain"] for c in data["checkins"]] == [2, 4]
    assert set(data["trend"]) >= {"direction", "change", "findings", "days_with_data"}


def test_history_since_filters_listing_not_findings():
    log_days((20, 4), (16, 5), (12, 4), (8, 5), (4, 4), (0, 5))
    r = run("history", "--json", "--since", "5d")
    data = json.loads(r.stdout)
    assert data["since"] == "2026-06-10" and [c["day"] for c in data["checkins"]] == [
        "2026-06-11",
        "2026-06-15",
    ]
    assert [f["id"] for f in data["trend"]["findings"]] == ["history_persisting"]
    assert len(json.loads(run("history", "--json", "--since", "2026-06-01").stdout)["checkins"]) == 4
    assert "in the future" in one_line_error(run("history", "--since", "2026-07-01"))
    assert "is not a date" in one_line_error(run("history", "--since", "last week"))


def test_history_csv(kb):
    log_days((1, 3))
    reasons, save = history_cli.history_reasons_and_saver(today=TODAY)
    save(assess(kb, {**all_clear(kb), "location": ["lateral"], "severity": 6}, extra_reasons=reasons))
    r = run("history", "--csv")
    assert r.exit_code == 0 and r.stderr == ""
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["kind"] for row in rows] == ["checkin", "triage"]
    assert (
        rows[0]["pain"] == "3" and rows[1]["pain"] == "6" and rows[1]["level"] in {lv.value for lv in Level}
    )


def test_json_and_csv_together_is_a_usage_error():
    assert "one of --json and --csv" in one_line_error(run("history", "--json", "--csv"))


# --------------------------------------------------------------------------- forget


def test_forget_with_yes_deletes_everything(home):
    log_days((1, 3), (0, 4))
    r = run("history", "--forget", "--yes")
    assert r.exit_code == 0 and "2 check-in(s)" in r.stdout
    assert not store.db_path().exists() and not home.exists()
    assert run("history", "--forget", "--yes").stdout.startswith("Nothing to forget")


def test_forget_off_a_terminal_needs_yes():
    log_days((0, 3))
    assert "--yes" in one_line_error(run("history", "--forget"))
    assert store.db_path().exists()


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_forget_asks_first_on_a_terminal(monkeypatch, answer, deleted):
    monkeypatch.setattr(history_cli, "_stdin_is_tty", lambda: True)
    log_days((0, 3))
    r = run("history", "--forget", input=answer)
    assert r.exit_code == 0 and "cannot be undone" in r.stderr
    assert store.db_path().exists() is not deleted


def test_forget_ctrl_c_exits_130_and_keeps_the_history(monkeypatch):
    monkeypatch.setattr(history_cli, "_stdin_is_tty", lambda: True)
    log_days((0, 3))

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("typer.confirm", interrupted)
    r = run("history", "--forget")
    assert r.exit_code == 130 and store.db_path().exists()


# --------------------------------------------------------------------------- damaged database


@pytest.fixture
def corrupt(home):
    home.mkdir(mode=0o700)
    store.db_path().write_bytes(b"definitely not a database" * 100)


@pytest.mark.parametrize("args", [["history"], ["history", "--json"], ["log", "--pain", "3"]])
def test_a_corrupted_database_is_a_clear_runtime_error(corrupt, args):
    line = one_line_error(run(*args), code=1)
    assert str(store.db_path()) in line and "--repair" in line and "--forget" not in line


def test_forget_works_on_a_corrupted_database(corrupt):
    r = run("history", "--forget", "--yes")
    assert r.exit_code == 0 and "cannot read" in r.stdout
    assert not store.db_path().exists()


def test_triage_still_works_when_the_database_is_corrupted(corrupt, kb, capsys):
    reasons, save = history_cli.history_reasons_and_saver(today=TODAY)
    result = assess(kb, {**all_clear(kb), "location": ["lateral"]}, extra_reasons=reasons)
    assert reasons == [] and save(result) is False
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hipcheck: warning: your history was not used")


# --------------------------------------------------------------------------- the triage hook


def test_triage_hook_escalates_and_saves(kb):
    log_days((6, 2), (4, 3), (2, 4), (0, 6))
    reasons, save = history_cli.history_reasons_and_saver(today=TODAY)
    answers = {
        **all_clear(kb),
        "location": ["lateral"],
        "onset": "gradual",
        "duration": "days",
        "severity": 3,
        "timing": ["during"],
    }
    assert assess(kb, answers).level.id is Level.self_care
    result = assess(kb, answers, extra_reasons=reasons)
    assert result.level.id is Level.routine
    assert any(r.source == "history" and r.id == "history_rising" for r in result.level.reasons)
    assert save(result) is True
    [past] = history_json()["results"]
    assert past["level"] == "routine" and "history_rising" in past["reasons"]


def test_triage_hook_no_save_creates_nothing(home, kb):
    reasons, save = history_cli.history_reasons_and_saver(save=False, today=TODAY)
    assert reasons == []
    assert save(assess(kb, {**all_clear(kb), "location": ["lateral"]})) is False
    assert not home.exists()


def test_triage_hook_no_save_leaves_the_history_out_entirely(kb):
    """--no-save is how to triage someone else: the owner's records must not raise their result."""
    log_days((3, 3), night=True)
    assert "history_rest_night" in [r.id for r in history_cli.history_reasons_and_saver(today=TODAY)[0]]
    reasons, save = history_cli.history_reasons_and_saver(save=False, today=TODAY)
    assert reasons == []
    assert save(assess(kb, {**all_clear(kb), "location": ["lateral"]}, extra_reasons=reasons)) is False
    assert history_json()["results"] == []


def test_an_escalation_reason_names_the_saved_history_the_date_and_the_record(kb):
    save_triage(kb, 12, {"timing": ["during", "night"], "severity": 5})
    [reason] = history_cli.history_reasons_and_saver(today=TODAY)[0]
    assert reason.source == "history"
    assert reason.text.startswith(
        "Your saved history has pain at night recorded in a triage, most recently on 15 Jun."
    )


def test_triage_hook_uses_a_content_dir_without_history_toml(kb, tmp_path):
    from conftest import MINI

    log_days((3, 3), night=True)
    reasons, _ = history_cli.history_reasons_and_saver(content_dir=MINI, today=TODAY)
    assert "history_rest_night" in [r.id for r in reasons]


# --------------------------------------------------------------------------- start-up cost


def test_importing_the_commands_loads_no_heavy_module():
    code = (
        "import sys, hipcheck.commands.history, hipcheck.history.trend\n"
        "heavy = {'rich', 'plotext', 'sqlite3', 'platformdirs', 'questionary', 'prompt_toolkit'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- saved triages in the history


def save_triage(kb, hour: int, answers: dict, day: date = TODAY) -> None:
    """Save a triage result for these answers (on top of an all-clear screen) at `hour` UTC."""
    from datetime import UTC, datetime

    result = assess(kb, {**all_clear(kb), "location": ["lateral"], **answers})
    conn = store.open_store()
    try:
        store.save_result(conn, result, now=datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
    finally:
        conn.close()


EMERGENCY = {"warning_signs": ["breathless"], "side": "left", "timing": ["during", "night"], "severity": 7}
URGENT = {"weight_bearing": "painful", "side": "left", "timing": ["walking", "night"], "severity": 6}


def test_the_reported_day_last_triage_and_a_higher_one_come_before_the_floor(kb):
    """Issue: an Emergency and an Urgent triage on one day, and the screen led with the routine floor."""
    save_triage(kb, 10, EMERGENCY)
    save_triage(kb, 11, URGENT)
    r = run("history")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert max(len(line) for line in out.splitlines()) <= 60
    flat = " ".join(out.split())
    assert "Your history says" not in flat
    last = flat.index("Last triage, 15 Jun: URGENT (within 1 to 2 days)")
    higher = flat.index("Highest in the last 7 days, 15 Jun: EMERGENCY (now)")
    follow = flat.index("Follow the higher triage's advice.")
    floor = flat.index("Next triage: at least SEE A PROFESSIONAL (within 1 to 2 weeks)")
    assert last < higher < follow < floor
    assert "it never lowers a result" in flat
    assert history_json()["trend"]["next_triage_at_least"] == "routine"


def test_an_emergency_last_triage_without_findings_is_still_shown(kb):
    save_triage(kb, 10, {"warning_signs": ["breathless"], "timing": ["during"], "severity": 6})
    flat = " ".join(run("history").stdout.split())
    assert "Last triage, 15 Jun: EMERGENCY (now)" in flat and "Follow that triage's advice." in flat
    assert "Next triage: nothing in your saved history raises it." in flat
    assert "Nothing in your history says you need to see someone" not in flat
    assert history_json()["trend"]["next_triage_at_least"] is None


def test_an_old_triage_is_dated_but_not_called_current(kb):
    save_triage(kb, 10, URGENT, day=TODAY - timedelta(days=30))
    flat = " ".join(run("history").stdout.split())
    assert "Last triage, 16 May: URGENT" in flat
    assert "Follow" not in flat and "Highest in the last" not in flat


def test_triage_rows_carry_side_rest_and_night_in_csv_json_and_table(kb):
    log_days((0, 3), rest=True)
    save_triage(kb, 10, EMERGENCY)  # left, night
    save_triage(kb, 11, {"side": "right", "timing": ["rest"], "severity": 4})
    save_triage(kb, 12, {"side": "not_sure", "timing": "not_sure", "severity": 2})
    save_triage(kb, 13, {"severity": 1})  # side and timing never answered

    rows = [r for r in csv.DictReader(io.StringIO(run("history", "--csv").stdout)) if r["kind"] == "triage"]
    got_csv = [(r["side"], r["rest"], r["night"]) for r in rows]
    assert got_csv == [("left", "0", "1"), ("right", "1", "0"), ("", "", ""), ("", "", "")]

    results = history_json()["results"]
    got_json = [(r["side"], r["rest"], r["night"]) for r in results]
    assert got_json == [("left", False, True), ("right", True, False), (None, None, None), (None, None, None)]

    flat = " ".join(run("history").stdout.split())
    assert "Triage #1: Emergency; left side, at night;" in flat
    assert "right side, at rest;" in flat
    assert ": Self-care;" not in flat or "Self-care; likeliest" in flat


# --------------------------------------------------------------------------- the chart


def test_every_record_with_a_pain_score_is_a_chart_point_even_on_one_day(kb):
    """Issue: check-ins logged on the day of two triages vanished under the triages' x marks."""
    from hipcheck.history.models import load_history_rules

    log_days((0, 4), (0, 3), (2, 5))
    save_triage(kb, 10, EMERGENCY)
    save_triage(kb, 11, URGENT)
    save_triage(kb, 12, {})  # no pain score: nothing to plot
    data = history_json()
    from hipcheck.history.models import CheckIn, PastResult

    cs = [CheckIn.model_validate(c) for c in data["checkins"]]
    rs = [PastResult.model_validate(r) for r in data["results"]]
    checkin_pts, triage_pts = history_view.chart_points(cs, rs, load_history_rules())
    assert sorted(p for _, p in checkin_pts) == [3, 4, 5]
    assert sorted(p for _, p in triage_pts) == [6, 7]
    xs = [x for x, _ in checkin_pts + triage_pts]
    assert len(set(xs)) == len(xs), "no two records share a point"
    assert all(x.date() == TODAY for x, p in checkin_pts + triage_pts if p != 5)
    # spread across the day in the order they were written
    written = sorted(
        [(c.recorded_at, c.pain) for c in cs if c.day == TODAY]
        + [(r.recorded_at, r.answers["severity"]) for r in rs if "severity" in r.answers]
    )
    today_pts = sorted(pt for pt in checkin_pts + triage_pts if pt[0].date() == TODAY)
    assert [p for _, p in today_pts] == [p for _, p in written]

    chart = history_view.pain_chart(checkin_pts, triage_pts, width=58)
    assert chart.count("●") == 3 and chart.count("x") == 2


def test_a_single_record_is_plotted_on_its_day():
    log_days((0, 4))
    out = run("history").stdout
    assert out.count("●") == 2  # the point and the legend
    assert "15 Jun" in out


# --------------------------------------------------------------------------- issue 12: dates, text, files


def _insert_checkin(day: str, pain: int = 3, note: str | None = None) -> None:
    """A check-in written straight into the file, as an older hipcheck could have."""
    import contextlib
    import sqlite3

    store.open_store().close()
    with contextlib.closing(sqlite3.connect(store.db_path())) as c:
        c.execute(
            "INSERT INTO checkin (day, recorded_at, pain, note) VALUES (?, ?, ?, ?)",
            (day, "2026-06-01T08:00:00+00:00", pain, note),
        )
        c.commit()


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "9999-12-31"])
def test_a_stored_record_at_the_edge_of_the_calendar_never_breaks_the_history(day):
    """Issue 12 #6: a check-in on 0001-01-01 (accepted before) made every `history` an OverflowError."""
    _insert_checkin(day)
    log_days((0, 4))
    for args in (["history"], ["history", "--json"], ["history", "--csv"], ["history", "--since", "3w"]):
        r = run(*args)
        assert r.exit_code == 0, (args, r.stderr)


@pytest.mark.parametrize(
    ("since", "words"),
    [("999999999w", "before 1900"), ("99999999999999999999d", "before 1900"), ("1899-12-31", "before 1900")],
)
def test_history_since_far_back_is_a_usage_error(since, words):
    log_days((0, 4))
    assert words in one_line_error(run("history", "--since", since))


def test_history_since_many_weeks_back_but_after_1900_works():
    log_days((0, 4))
    assert run("history", "--since", "1000w").exit_code == 0


MARKUP_NOTES = [
    "[/]",
    "[easy] 5k",
    "[link=https://example.com]click[/link]",
    "[blink]b[/blink]",
    "[bold red]",
]


def test_notes_are_shown_as_typed_never_as_markup():
    """Issue 12 #11: `[/]` crashed every `history`; `[easy] 5k` lost its first word."""
    for i, note in enumerate(MARKUP_NOTES):
        assert run("log", "--pain", "3", "--date", f"2026-06-{10 + i}", "--note", note).exit_code == 0
    r = run("history")
    assert r.exit_code == 0, r.stderr
    flat = "".join(r.stdout.split())
    for note in MARKUP_NOTES:
        assert "".join(note.split()) in flat


def test_the_history_screen_has_no_hyperlink_or_blink_on_a_colour_terminal(kb):
    """Rendered as a real terminal would get it: no OSC 8 hyperlink, no blink, the text itself."""
    from rich.console import Console

    from hipcheck.history.models import load_history_rules
    from hipcheck.history.trend import summarize

    for i, note in enumerate(MARKUP_NOTES):
        run("log", "--pain", "3", "--date", f"2026-06-{10 + i}", "--note", note)
    conn = store.open_store()
    checkins, results = store.load_checkins(conn), store.load_results(conn)
    conn.close()
    rules = load_history_rules()
    out = io.StringIO()
    con = Console(file=out, force_terminal=True, color_system="truecolor", width=200)
    summary = summarize(checkins, results, TODAY, rules)
    parts = history_view.history_view(checkins, results, summary, rules, None, TODAY, 200, store.db_path())
    for part in parts:
        con.print(part)
    text = out.getvalue()
    assert "\x1b]8;" not in text and "\x1b[5m" not in text
    assert "[link=https://example.com]click[/link]" in text and "[blink]b[/blink]" in text


def test_finding_and_advice_text_is_never_markup():
    """Content text (a finding's wording) goes through `bullets` as text too."""
    from rich.console import Console

    out = io.StringIO()
    items = [("!", "[/] closing [bold]x"), ("-", "[link=x]y")]
    Console(file=out, width=80).print(history_view.bullets(items))
    assert "[/] closing [bold]x" in out.getvalue() and "[link=x]y" in out.getvalue()


def test_a_hipcheck_home_with_markup_or_escapes_in_its_name_is_shown_as_it_is(tmp_path, monkeypatch):
    home = tmp_path / "odd[/]\x1b[2J[bold]"
    monkeypatch.setenv(store.ENV_VAR, str(home))
    r = run("history")
    assert r.exit_code == 0, r.stderr
    assert "odd[/]\\x1b[2J[bold]" in "".join(r.stdout.split()) and "\x1b" not in r.stdout
    assert run("log", "--pain", "3").exit_code == 0
    r = run("history")
    assert r.exit_code == 0 and "\x1b" not in r.stdout


ESCAPES = "a\x1b[2J\x1b]0;title\x07b\nc\rd\te\u202ef\x9bg\x00h"


def test_control_characters_in_a_note_are_shown_escaped_in_history_and_csv():
    """Issue 12 #12: a note with ESC cleared the screen from `history` and `--csv`."""
    assert run("log", "--pain", "3", "--note", ESCAPES).exit_code == 0
    shown = "a\\x1b[2J\\x1b]0;title\\x07b\\nc\\rd\\te\\u202ef\\x9bg\\x00h"
    r = run("history")
    assert r.exit_code == 0
    assert not set(r.stdout) & set("\x1b\x07\r\t\u202e\x9b\x00")
    assert shown in "".join(r.stdout.split())
    csv_out = run("history", "--csv").stdout
    assert not set(csv_out) & set("\x1b\x07\r\t\u202e\x9b\x00") and csv_out.count("\n") == 2
    [row] = list(csv.DictReader(io.StringIO(csv_out)))
    assert row["note"] == shown
    assert history_json()["checkins"][0]["note"] == ESCAPES  # the data itself is kept as typed


@pytest.mark.parametrize(
    ("note", "cell"),
    [
        ('=HYPERLINK("http://example.com","x")', '\'=HYPERLINK("http://example.com","x")'),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("tight =1", "tight =1"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(note, cell):
    """Issue 12 #13: `=HYPERLINK(...)` in a note was exported as a formula."""
    assert run("log", "--pain", "3", "--note", note).exit_code == 0
    [row] = list(csv.DictReader(io.StringIO(run("history", "--csv").stdout)))
    assert row["note"] == cell
    assert not row["note"].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert history_json()["checkins"][0]["note"] == note.strip()


def test_csv_cell_leaves_numbers_and_plain_text_alone():
    # A note is stripped when saved; a cell starting with a tab or CR is still never a formula.
    assert history_view.csv_cell("\t=1") == "\\t=1" and history_view.csv_cell("\r=1") == "\\r=1"
    assert history_view.csv_cell(-1) == -1 and history_view.csv_cell(2.5) == 2.5
    assert history_view.csv_cell("2026-06-15") == "2026-06-15" and history_view.csv_cell("") == ""


# --------------------------------------------------------------------------- issue 12 #5: a damaged record


def _insert_bad_result(raw: str = "[]") -> None:
    import contextlib
    import sqlite3

    store.open_store().close()
    with contextlib.closing(sqlite3.connect(store.db_path())) as c:
        c.execute(
            "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
            " VALUES ('2026-06-14', '2026-06-14T08:00:00+00:00', 'routine', 'x', ?)",
            (raw,),
        )
        c.commit()


def _one_warning(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: warning: "), r.stderr
    return lines[0]


def test_a_damaged_saved_result_is_skipped_and_reported_by_every_view(kb):
    """`[]` as a saved result was an AttributeError in log, history, --json and triage --history."""
    log_days((2, 3))
    _insert_bad_result("[]")
    save_triage(kb, 9, {"severity": 5})
    for args in (["history"], ["history", "--json"], ["history", "--csv"]):
        r = run(*args)
        assert r.exit_code == 0, (args, r.stderr)
        line = _one_warning(r)
        assert "saved result 1" in line and "not a JSON object" in line and "nothing was deleted" in line
    data = history_json()
    assert [x["id"] for x in data["results"]] == [2] and len(data["checkins"]) == 1


def test_log_with_a_damaged_record_saves_once_and_succeeds():
    """`log` saved the check-in, then failed: each retry added another row."""
    _insert_bad_result("[]")
    r = run("log", "--pain", "4")
    assert r.exit_code == 0 and r.stdout.startswith("Logged 15 Jun: pain 4/10.")
    assert "saved result 1" in _one_warning(r)
    conn = store.open_store()
    assert store.counts(conn) == (1, 1)
    conn.close()


def test_triage_with_history_and_a_damaged_record_works(kb, tmp_path):
    _insert_bad_result("[]")
    log_days((0, 3), night=True)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({**all_clear(kb), "location": ["lateral"]}))
    r = run("triage", "--answers", str(answers), "--json", "--history")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["level"]["id"]
    assert "saved result 1" in r.stderr
    conn = store.open_store()
    assert store.counts(conn) == (1, 2)
    conn.close()


# --------------------------------------------------------------------------- issue 12 #4: a lock, a full disk


@pytest.fixture
def locked(monkeypatch):
    """The history held by another process's write transaction for longer than the (short) timeout."""
    import contextlib
    import sqlite3

    log_days((1, 2))
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(store.db_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield
    with contextlib.suppress(sqlite3.Error):
        holder.execute("ROLLBACK")
    holder.close()


def test_log_on_a_locked_history_is_a_one_line_lock_error_without_recovery_advice(locked):
    line = one_line_error(run("log", "--pain", "5", "--note", "blocked"), code=1)
    assert "stayed locked by another program" in line and "try again" in line
    assert "--forget" not in line and "--repair" not in line and "damaged" not in line


def test_a_lock_loses_nothing(locked):
    run("log", "--pain", "5")
    conn = store.open_store()
    assert store.counts(conn) == (1, 0)
    conn.close()


def test_triage_on_a_locked_history_warns_and_gives_its_result(locked, kb, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({**all_clear(kb), "location": ["lateral"]}))
    r = run("triage", "--answers", str(answers), "--json", "--history")
    assert r.exit_code == 0 and json.loads(r.stdout)["level"]["id"]
    assert "hipcheck: warning: the result was not saved" in r.stderr and "stayed locked" in r.stderr


def test_log_on_a_full_disk_is_a_one_line_error_and_loses_nothing(monkeypatch):
    log_days((3, 2), (2, 3))
    real_open = store.open_store

    def full_disk(**kw):
        conn = real_open(**kw)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(store, "open_store", full_disk)
    for _ in range(20):  # fill what is left of the last page, then the disk is full
        r = run("log", "--pain", "4", "--note", "x" * 500)
        if r.exit_code:
            break
    line = one_line_error(r, code=1)
    assert "is full (" in line and "--forget" not in line and "--repair" not in line
    monkeypatch.setattr(store, "open_store", real_open)
    conn = store.open_store()
    n = store.counts(conn)[0]
    assert [c.pain for c in store.load_checkins(conn)][:2] == [2, 3] and n >= 2
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert run("log", "--pain", "1").exit_code == 0


# ----------------------------------------------------------------------- issue 12 #4: repair, never delete


def test_history_repair_keeps_a_copy_of_a_damaged_file(corrupt, home):
    damaged = store.db_path().read_bytes()
    r = run("history", "--repair")
    assert r.exit_code == 0, r.stderr
    [backup] = [p for p in home.iterdir() if p.name.startswith(store.DB_NAME + ".damaged-")]
    assert backup.read_bytes() == damaged and str(backup) in r.stdout
    assert "Rebuilt" in r.stdout and "0 check-in(s)" in r.stdout
    assert run("log", "--pain", "3").exit_code == 0 and len(history_json()["checkins"]) == 1


def test_history_repair_on_a_healthy_or_missing_history_changes_nothing(home):
    assert run("history", "--repair").stdout.startswith("Nothing to repair")
    assert not home.exists()
    log_days((0, 3))
    r = run("history", "--repair")
    assert r.exit_code == 0 and "not damaged" in r.stdout
    side = ("-wal", "-shm", ".lock")
    assert sorted(p.name for p in home.iterdir() if not p.name.endswith(side)) == [store.DB_NAME]


@pytest.mark.parametrize("extra", [["--json"], ["--forget"], ["--since", "3d"], ["--yes"]])
def test_history_repair_goes_alone(extra):
    assert "--repair cannot be combined" in one_line_error(run("history", "--repair", *extra))


# --------------------------------------------------------------------------- issue 12 #15: links and modes


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and modes")
def test_log_refuses_a_symlinked_database_and_leaves_its_target_alone(home, tmp_path):
    import stat

    target = tmp_path / "notes.txt"
    target.write_text("mine")
    target.chmod(0o644)
    home.mkdir(mode=0o700)
    store.db_path().symlink_to(target)
    for args in (["log", "--pain", "3"], ["history"], ["history", "--json"]):
        line = one_line_error(run(*args), code=1)
        assert "symbolic link" in line
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 and target.read_text() == "mine"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and modes")
def test_log_in_an_existing_open_folder_warns_and_leaves_its_mode(home):
    import stat

    home.mkdir()
    home.chmod(0o755)
    r = run("log", "--pain", "3")
    assert r.exit_code == 0
    assert "can be read by other users" in _one_warning(r) and "chmod 700" in r.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o755
    assert stat.S_IMODE(store.db_path().stat().st_mode) == 0o600
