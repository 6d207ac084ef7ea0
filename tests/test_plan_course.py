"""A scripted six-week course (issue 20, done-when): a runner with outer-hip pain follows the gluteal
tendon plan for 42 days on a fake clock, logging each session and each next morning. The course moves
on, stays, steps back, moves on twice more and stops; what `hipcheck log` says at each check-in is
checked, and the whole transcript is printed (`pytest -s tests/test_plan_course.py` shows it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ROOT

from hipcheck.commands import history as history_cmd
from hipcheck.commands import plan as plan_cmd

EXAMPLE = str(ROOT / "docs" / "examples" / "outer-hip.json")


@pytest.fixture
def clock(monkeypatch):
    now = {"day": date.today()}
    monkeypatch.setattr(history_cmd, "_today", lambda: now["day"])
    monkeypatch.setattr(plan_cmd, "_today", lambda: now["day"])
    return now


def _course() -> dict[int, list[str]]:
    """Day → the `log` options of that day's check-ins."""
    days: dict[int, list[list[str]]] = {}

    def add(d, *args):
        days.setdefault(d, []).append(list(args))

    for d in range(0, 8):  # step 1: a session a day, 2/10 during, 1/10 the next morning
        add(d, "--pain", "2", "--during", "2", *(["--morning", "1"] if d else []))
    add(8, "--pain", "1", "--morning", "1", "--no-session")
    add(9, "--pain", "2", "--during", "2")
    add(10, "--pain", "2", "--morning", "1", "--during", "2")
    add(11, "--pain", "2", "--morning", "2", "--during", "5")  # over the limit: stay
    add(12, "--pain", "4", "--morning", "5")  # over again: step back to step 1
    for d in range(13, 21):
        add(d, "--pain", "1", "--during", "1", *(["--morning", "1"] if d > 13 else []))
    add(21, "--pain", "1", "--morning", "1", "--no-session")
    for d in range(22, 36):
        add(d, "--pain", "1", "--during", "2", "--morning", "1")  # 14 days on step 2: step 3 on day 34
    for d in range(36, 41):
        add(d, "--pain", "1", "--during", "2", "--morning", "1")
    add(41, "--pain", "3", "--night")  # pain at night: stop
    return days


def test_a_six_week_course_moves_on_stays_steps_back_and_stops(cli, clock):
    assert cli("triage", "--answers", EXAMPLE, "--history").exit_code == 0
    start = clock["day"]
    said: dict[int, str] = {}
    for d, logs in sorted(_course().items()):
        clock["day"] = start + timedelta(days=d)
        for args in logs:
            r = cli("log", *args)
            assert r.exit_code == 0, r.stderr
            said[d] = said.get(d, "") + r.stdout
    transcript = "\n".join(f"day {d:2d}: " + " | ".join(said[d].splitlines()[:4]) for d in sorted(said))
    print(transcript)

    assert "is within the limits" in said[3]
    assert (
        "Stay on step 1: sessions within the limits: 3 (7 needed); days on the step: 3 (7 needed)" in said[3]
    )
    assert "Move on to step 2" in said[7]  # the 7th session counts with day 7's morning: 7 sessions, 7 days
    assert "The session counts once you log the next morning's pain" in said[9]
    assert "over the limits: pain during the session 5/10, above 3" in said[11]
    assert "Stay on step 2" in said[11]
    assert "Step back to step 1" in said[12]
    assert "Move on to step 2" in said[20]
    assert "Move on to step 3" in said[34]
    assert "Stay on step 3" in said[38]
    assert "pain at night, a warning sign" in said[41] and "STOP the plan" in said[41]
    plan = cli("plan", "--json").json()
    kinds = [e["kind"] for e in plan["standing"]["events"]]
    assert kinds == ["start", "move_on", "step_back", "move_on", "move_on", "stop"], kinds
    # history --csv carries the kind of each check-in and the plan step it was logged on
    import csv
    import io

    rows = [r for r in csv.DictReader(io.StringIO(cli("history", "--csv").stdout)) if r["kind"] == "checkin"]
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[1]["checkin_kind"] == "session" and by_id[1]["plan_step"] == "1"
    assert by_id[9]["checkin_kind"] == "morning" and by_id[9]["plan_step"] == "2"
    assert by_id[13]["plan_step"] == "2"  # the check-in that sent the runner back was logged on step 2
    assert by_id[14]["plan_step"] == "1" and by_id[14]["checkin_kind"] == "session"
    assert by_id[42]["checkin_kind"] == "warning" and by_id[42]["plan_step"] == "3"
    assert {r["checkin_kind"] for r in rows} >= {"session", "morning", "session_and_morning", "warning"}
