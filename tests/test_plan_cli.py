"""`hipcheck plan` through the CLI: a runner's whole course (triage, plan, weeks of check-ins, moving
on and stepping back), the safety limits, clearance, the saved files and the JSON schema."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import ROOT, all_clear

from hipcheck.commands import history as history_cmd
from hipcheck.commands import plan as plan_cmd

EXAMPLE = str(ROOT / "docs" / "examples" / "outer-hip.json")


@pytest.fixture
def clock(monkeypatch):
    """A settable today for log, history and plan; the triage is saved on the real day, so the clock
    starts there."""
    now = {"day": date.today()}
    monkeypatch.setattr(history_cmd, "_today", lambda: now["day"])
    monkeypatch.setattr(plan_cmd, "_today", lambda: now["day"])
    return now


def _plan(cli):
    r = cli("plan", "--json")
    assert r.exit_code == 0, r.stderr
    return r.json()


def _log(cli, clock, *args):
    r = cli("log", *args)
    assert r.exit_code == 0, r.stderr


def test_a_runners_whole_course(cli, clock):
    """Outer-hip pain, self-care: gluteal tendon plan. A week of good sessions moves them on; two bad
    check-ins on step 2 send them back to step 1; a night-pain check-in stops the plan."""
    assert cli("plan").exit_code == 2  # nothing to plan from yet
    t = cli("triage", "--answers", EXAMPLE, "--history")
    assert t.exit_code == 0
    start = clock["day"]
    first = _plan(cli)
    assert first["status"] == "plan" and first["plan_id"] == "gluteal_tendon"
    assert first["standing"]["verdict"] == "start" and first["standing"]["step"] == 1

    # Week 1: a session every day, pain during 2, the next morning 1.
    for d in range(0, 8):
        clock["day"] = start + timedelta(days=d)
        args = ["--pain", "2", "--during", "2"]
        if d:
            args += ["--morning", "1"]
        _log(cli, clock, *args)
        if d == 3:
            mid = _plan(cli)
            assert mid["standing"]["verdict"] == "stay"
            assert len(mid["standing"]["sessions_within"]) == 3
    clock["day"] = start + timedelta(days=8)
    _log(cli, clock, "--pain", "1", "--morning", "1", "--no-session")
    moved = _plan(cli)
    assert moved["standing"]["verdict"] == "move_on" and moved["standing"]["step"] == 2
    assert "Move on to step 2" in moved["standing"]["reasons"][0]
    text = cli("plan").stdout
    assert "MOVE ON" in text and "Step 2: Strengthen and start walk-run" in text

    # Step 2: one run over the limit (stay), then a bad morning (two over: step back).
    clock["day"] = start + timedelta(days=9)
    _log(cli, clock, "--pain", "3", "--during", "5")
    stay = _plan(cli)
    assert stay["standing"]["verdict"] == "stay" and stay["standing"]["step"] == 2
    assert stay["standing"]["over_limits"][0]["during"] == 5
    assert any("1 more check-in over the limits" in r for r in stay["standing"]["reasons"])
    clock["day"] = start + timedelta(days=10)
    _log(cli, clock, "--pain", "4", "--morning", "5")
    back = _plan(cli)
    assert back["standing"]["verdict"] == "step_back" and back["standing"]["step"] == 1
    assert [e["kind"] for e in back["standing"]["events"]] == ["start", "move_on", "step_back"]

    # The history shows the plan's steps as marked rows.
    history = cli("history").stdout
    assert "Plan: moved on to step 2" in history and "Plan: back to step 1" in history

    # Pain at night: the plan stops and sends the runner back to triage.
    clock["day"] = start + timedelta(days=11)
    _log(cli, clock, "--pain", "4", "--night")
    stopped = _plan(cli)
    assert stopped["standing"]["verdict"] == "stop"
    assert "hipcheck triage" in stopped["standing"]["reasons"][0]
    assert "STOP" in cli("plan").stdout


def _answers(kb, **extra):
    return {**all_clear(kb), "age": "age_35_49", "sex": "male", "background": ["none"], **extra}


def test_same_day_and_emergency_triage_give_no_plan_only_the_instruction_to_get_seen(cli, kb, tmp_path):
    answers = json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
    answers["body_signs"] = (
        ["fever"] if "fever" in kb.question_by_id["body_signs"].option_ids else answers.get("body_signs")
    )
    path = tmp_path / "a.json"
    for option in kb.question_by_id["warning_signs"].option_ids:
        answers["warning_signs"] = [option]
        path.write_text(json.dumps(answers))
        r = cli("plan", "--answers", str(path), "--json")
        if r.exit_code != 0:
            continue
        data = r.json()
        if data["triage"]["level"] in ("same_day", "emergency"):
            assert data["status"] == "get_seen" and data["steps"] == [] and data["get_seen"]
            text = cli("plan", "--answers", str(path)).stdout
            assert "NO PLAN" in text
            return
    pytest.fail("no warning sign gave a same-day or emergency level")


def test_urgent_gives_the_first_step_and_cleared_records_each_bone_step(cli, clock):
    """Pain that stops the run: urgent, a bone stress injury not ruled out. Nothing until the runner
    records being seen (--seen); then the bone plan's first step only; each --cleared opens one more
    step, and is kept in the history."""
    answers = json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
    answers["timing"] = ["stops_running"]
    assert cli("triage", "--answers", "-", "--history", input=json.dumps(answers)).exit_code == 0
    held = _plan(cli)
    assert held["status"] == "get_seen" and held["plan_id"] == "bone_stress" and held["steps"] == []
    assert "plan --seen" in cli("plan").stdout
    r = cli("plan", "--seen")
    assert r.exit_code == 0 and "Recorded" in r.stderr
    data = _plan(cli)
    assert data["triage"]["level"] == "urgent" and data["plan_id"] == "bone_stress"
    assert [s["given"] for s in data["steps"]] == [True, False, False, False, False]
    assert all(s["exercises"] == [] and s["running"] is None for s in data["steps"][1:])
    clearance_notices = [n for n in data["notices"] if "--cleared" in n]
    assert len(clearance_notices) == 1, clearance_notices  # urgent and a bone plan: said once, not twice
    r = cli("plan", "--cleared")
    assert r.exit_code == 0 and "Recorded" in r.stderr
    again = _plan(cli)
    assert [s["given"] for s in again["steps"]] == [True, True, False, False, False]
    assert again["standing"]["step"] == 1  # cleared, but the step's sessions and days still count
    assert len(cli("history", "--json").json()["clearances"]) == 2  # seen, and cleared for step 2
    # a GP reading the history or the progress report must not take being seen for being cleared
    shown = " ".join(cli("history").stdout.split())
    assert "seen by a clinician (recorded with plan --seen)" in shown
    assert "a clinician's clearance for step 2 recorded" in shown
    progress = " ".join(cli("report", "--progress").stdout.split())
    assert "Seen by a clinician" in progress and "Cleared for step 2" in progress


def test_a_cause_not_ruled_out_without_a_home_plan_gives_no_plan(cli):
    answers = json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
    answers["injury"] = "major"
    r = cli("plan", "--answers", "-", "--json", input=json.dumps(answers))
    assert r.exit_code == 0 and r.json()["status"] in ("no_plan", "get_seen") and r.json()["steps"] == []


def test_cause_and_errors(cli):
    r = cli("plan", "--cause", "IT band", "--json")
    assert r.exit_code == 0 and r.json()["plan_id"] == "it_band"
    assert any("No triage of yours" in n for n in r.json()["notices"])
    assert [s["given"] for s in r.json()["steps"]] == [True, False, False, False]
    r = cli("plan", "--cause", "appendicitis")
    assert r.exit_code == 0 and "No home plan" in r.stdout
    assert cli("plan", "--cause", "nonsense-condition").exit_code == 2
    assert cli("plan", "--answers", EXAMPLE, "--cleared").exit_code == 2
    assert cli("plan", "--answers", "missing.json").exit_code == 2
    assert cli("plan", "--answers", EXAMPLE, "--save", "plan.pdf").exit_code == 2
    assert cli("plan", "--cleared", "--cause", "gtps").exit_code == 2


def test_saved_files_md_html_and_an_ics_that_parses_back(cli, tmp_path):
    from icalendar import Calendar

    for name in ("plan.md", "plan.html", "plan.ics"):
        r = cli("plan", "--answers", EXAMPLE, "--save", str(tmp_path / name))
        assert r.exit_code == 0, r.stderr
    md = (tmp_path / "plan.md").read_text()
    assert md.startswith("# Tendon pain") and "Source:" in md and "doi.org" in md
    html = (tmp_path / "plan.html").read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html
    cal = Calendar.from_ical((tmp_path / "plan.ics").read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert events and all(e.get("uid") and e.get("dtstart") for e in events)
    summaries = [str(e.get("summary")) for e in events]
    assert any(s.startswith("Hip exercises:") for s in summaries)
    # Step 1 of this plan has no running; daily exercises give an event every day for at least a week.
    assert not any(s.startswith("Run:") for s in summaries) and len(events) >= 7
    assert cli("plan", "--answers", EXAMPLE, "--save", str(tmp_path / "plan.md")).exit_code == 2
    assert (
        cli("plan", "--answers", EXAMPLE, "--save", str(tmp_path / "plan.md"), "--overwrite").exit_code == 0
    )


def test_an_ics_for_a_step_with_running_has_run_events(cli, tmp_path):
    from icalendar import Calendar

    r = cli("plan", "--cause", "doms", "--save", str(tmp_path / "p.ics"))
    assert r.exit_code == 0
    cal = Calendar.from_ical((tmp_path / "p.ics").read_bytes())
    runs = [e for e in cal.walk("VEVENT") if str(e.get("summary")).startswith("Run:")]
    assert len(runs) == 2  # 2 runs a week, one week


def test_the_plan_json_matches_its_schema(cli):
    schema = cli("schema", "plan")
    assert schema.exit_code == 0
    props = json.loads(schema.stdout)["properties"]
    data = cli("plan", "--answers", EXAMPLE, "--json").json()
    assert set(data) == set(props)
    assert data["schema_version"] == "1.1"
    assert data["region"]["code"] == "GB"  # HIPCHECK_REGION, conftest.py
    for step in data["steps"]:
        for ex in step["exercises"]:
            assert ex["dose"] and ex["sources"]


@pytest.mark.parametrize("width", [60, 100])
def test_the_handout_fits_the_terminal(cli, width):
    r = cli("plan", "--answers", EXAMPLE, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert r.exit_code == 0
    assert max(len(line.rstrip()) for line in r.stdout.splitlines()) <= width
    assert "\\n" not in r.stdout


def test_the_plan_offered_after_an_interview_follows_the_level(kb):
    """The end-of-interview offer (`plan_after_triage`): a plan for the README's routine example, none
    for any warning sign that makes the level same-day or emergency."""
    from hipcheck.engine.decide import assess, validate_answers
    from hipcheck.knowledge.models import Level

    answers = json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
    offered = plan_cmd.plan_after_triage(kb, assess(kb, validate_answers(kb, answers)))
    assert offered is not None and offered.status == "plan" and offered.steps
    seen_urgent_plus = 0
    for option in kb.question_by_id["warning_signs"].option_ids:
        result = assess(kb, validate_answers(kb, {**answers, "warning_signs": [option]}))
        if result.level.id in (Level.same_day, Level.emergency):
            seen_urgent_plus += 1
            assert plan_cmd.plan_after_triage(kb, result) is None, option
    assert seen_urgent_plus


def test_a_zero_pain_limit_reads_as_no_pain_at_all(cli):
    """The bone plan allows no pain at the injured bone: 'at most 0 out of 10' read like a typo."""
    text = cli("plan", "--cause", "femoral_neck_stress_fracture", "--seen").stdout
    assert "at most 0 out of 10" not in text
    assert "no pain at all (0 out of 10)" in text


def test_a_saved_plan_is_private_and_kept_unless_overwrite(cli, tmp_path):
    """A plan holds health data: a new file is 0600 like a report (it was written with the umask's mode),
    and an existing one is replaced only with --overwrite."""
    import stat

    path = tmp_path / "plan.md"
    assert cli("plan", "--cause", "gtps", "--save", str(path)).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = cli("plan", "--cause", "gtps", "--save", str(path))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert cli("plan", "--cause", "gtps", "--save", str(path), "--overwrite").exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_plan_answers_files_get_the_same_errors_as_triage(cli, tmp_path):
    """`plan --answers` reads the file with triage's reader: an empty file and bad UTF-8 are named as
    triage names them (its own copy said neither)."""
    empty = tmp_path / "empty.json"
    empty.write_text("")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"injury":\n "n\xffo"}')
    for path, words in ((empty, "is empty"), (bad, "is not valid UTF-8 (line 2, byte")):
        plan, triage = cli("plan", "--answers", str(path)), cli("triage", "--answers", str(path))
        assert plan.exit_code == triage.exit_code == 2
        assert words in plan.stderr and plan.stderr == triage.stderr
