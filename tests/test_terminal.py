"""End to end in a real pseudo-terminal (pexpect): what a runner sees and what a script gets."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from hipcheck.knowledge.models import Level

DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "
TIMEOUT = 20
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LAST_CHOICE = "Go back to the previous question"  # drawn last: the whole prompt is up


def spawn(args: str, tmp_path: Path, cols: int = 100, rows: int = 50, **more_env: str) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "HIPCHECK_HOME": str(tmp_path / "home")}
    env.update(more_env)
    # This pty never answers prompt_toolkit's cursor-position request; without this, each question
    # waits for the answer before giving up (about a second), and the tests take minutes.
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    env.pop("HIPCHECK_CONTENT", None)
    child = pexpect.spawn(
        "/bin/bash",
        ["-c", f"{sys.executable} -m hipcheck {args}"],
        env=env,
        cwd=str(tmp_path),
        dimensions=(rows, cols),
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    return child


def pick(child: pexpect.spawn, prompt: str, downs: int = 0) -> None:
    child.expect_exact(prompt)
    child.send(DOWN * downs + ENTER)


def tick(child: pexpect.spawn, prompt: str, *positions: int, start: int = 0) -> None:
    """Tick the options at these 0-based positions in a checkbox, then confirm. The cursor starts at
    `start`: the "None of these" option's position, on a question that has one."""
    child.expect_exact(prompt)
    at = start
    for p in sorted(positions):
        child.send((DOWN * (p - at) if p >= at else UP * (at - p)) + SPACE)
        at = p
    child.send(ENTER)


def none(child: pexpect.spawn, prompt: str) -> None:
    """Answer "None of these": the cursor starts on it, so enter alone."""
    child.expect_exact(prompt)
    child.expect_exact(LAST_CHOICE)  # the prompt itself is up
    child.send(ENTER)


def about_you(child: pexpect.spawn, age: int = 3) -> None:
    pick(child, "How old", age)  # 35 to 49
    pick(child, "What sex", 0)  # female
    pick(child, "pregnant")  # no
    none(child, "apply to you")  # medical background


def safety_all_clear(child: pexpect.spawn) -> None:
    pick(child, "fall, a collision")  # No
    pick(child, "full weight")  # Yes, normally
    none(child, "any of these right now")
    none(child, "noticed any of these")  # nerve signs
    none(child, "any of these as well")  # signs from elsewhere in the body


def outer_hip_runner(child: pexpect.spawn) -> None:
    about_you(child)
    safety_all_clear(child)
    tick(child, "Where is the pain", 3)  # outside of the hip
    pick(child, "Which side", 1)
    pick(child, "How did it start", 2)  # gradually
    pick(child, "How long", 2)  # 2-6 weeks
    pick(child, "better or worse", 1)  # same
    tick(child, "When does it hurt", 1, 2)  # during, after
    pick(child, "at its worst", 5)
    tick(child, "on the outside", 0, 1, start=6)  # tender bone, lying on side
    none(child, "in the hip or leg")
    tick(child, "weeks before it started", 0, start=8)  # mileage jump
    none(child, "apply to you")  # health


WHAT_NEXT = "What next?"
MENU_LAST = "Done"  # drawn last: the whole question after the result is up


def done(child: pexpect.spawn) -> None:
    """The question after an interview's result: enter alone takes "Done", which is highlighted."""
    child.expect_exact(WHAT_NEXT)
    child.expect_exact(MENU_LAST)
    child.send(ENTER)


def test_red_flag_shows_emergency_advice_at_once(tmp_path):
    child = spawn("triage", tmp_path, HIPCHECK_REGION="US")  # the notice names the region's number
    about_you(child)
    pick(child, "fall, a collision", 2)  # hard fall: urgent on its own, told at once
    child.expect_exact("URGENT")
    pick(child, "Carry on with the questions")  # highlighted at urgent
    pick(child, "full weight", 2)  # cannot
    child.expect_exact("EMERGENCY")
    child.expect_exact("Call 911 for an ambulance")
    child.expect_exact("Stop here and see the result")
    child.send("\r")
    child.expect_exact("Likely causes")
    done(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ordinary_path_gives_a_result(tmp_path):
    child = spawn("triage", tmp_path)
    child.expect_exact("children under 10")  # who it is not for, before question 1
    outer_hip_runner(child)
    child.expect_exact("Your answers")
    pick(child, "Is this right")
    child.expect_exact("SEE A PROFESSIONAL")
    child.expect_exact("Gluteal tendinopathy")
    child.expect_exact("not a diagnosis")
    done(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_going_back_changes_an_answer(tmp_path):
    child = spawn("triage --json > out.json", tmp_path)
    about_you(child)
    safety_all_clear(child)
    tick(child, "Where is the pain", 3)
    child.expect_exact("Which side")
    child.send(DOWN * 4 + ENTER)  # "Go back" (after left, right, both, not sure)
    child.expect_exact("Where is the pain")
    child.send(DOWN * 3 + SPACE + UP * 3 + SPACE + ENTER)  # untick outside, tick groin
    pick(child, "Which side", 0)
    pick(child, "How did it start", 2)
    pick(child, "How long", 0)  # < 3 days: no trend question
    tick(child, "When does it hurt", 1)
    pick(child, "at its worst", 4)
    tick(child, "pain at the front", 0, start=6)
    none(child, "in the hip or leg")
    none(child, "weeks before it started")
    none(child, "apply to you")
    pick(child, "Is this right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["answers"]["location"] == ["groin"]
    assert "lateral_detail" not in result["answers"] and "groin_detail" in result["answers"]


def test_json_piped_keeps_prompts_on_screen_and_json_clean(tmp_path):
    child = spawn("triage --json | cat > out.json", tmp_path)
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads((tmp_path / "out.json").read_text())  # nothing but JSON went into the pipe
    assert data["causes"][0]["id"] == "gtps"
    assert data["level"]["id"] == "routine"


def test_ctrl_c_exits_130_without_traceback(tmp_path):
    child = spawn("triage", tmp_path)
    about_you(child)
    pick(child, "fall, a collision")
    child.expect_exact("walking feels normal")  # the prompt itself is up, not just its question text
    child.sendintr()
    child.expect_exact("Interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


def test_ctrl_c_after_a_warning_sign_says_it_once_more_on_stderr(tmp_path, notices):
    content, kb = notices
    child = spawn(f"--content {content} triage > out.txt", tmp_path)  # stdout to a file: the pty is stderr
    child.logfile_read = seen = io.StringIO()
    pick(child, "How old")  # 18 or over
    child.expect_exact("enter when done")
    child.send(UP * 2 + SPACE + ENTER)  # signs: "Aching at night" → an urgent rule
    child.expect_exact("Stop here and see the result")
    child.send(ENTER)  # "What next?": carry on, highlighted at urgent
    child.expect_exact("Red flag?")
    child.expect_exact("Go back to the previous question")  # the prompt itself is up
    child.send(DOWN)  # highlight "Yes", then stop there
    child.expect_exact("Yes")
    mark = len(seen.getvalue())
    child.sendintr()
    child.expect_exact("Interrupted: no result, nothing saved.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    # The last frame of the cut-short question: not erased (it was replaced by one line before), but
    # drawn once more as it stood, cursor on "Yes", above the parting words.
    after = " ".join(ANSI.sub("", seen.getvalue()[mark:]).split())
    assert after.startswith("? Flag (Use arrow keys) No » Yes Not sure ← Go back to the previous question")
    info = kb.meta.levels[Level.urgent]
    assert after.endswith(
        f'Before you go: your answers so far put this at "{info.label}" ({info.time_frame}). '
        f"Aching at night needs a doctor soon. {info.advice[0]} Interrupted: no result, nothing saved."
    )
    assert (tmp_path / "out.txt").read_text() == ""  # all of it on stderr


def test_ctrl_c_with_no_warning_sign_says_only_interrupted(tmp_path, notices):
    content, _ = notices
    child = spawn(f"--content {content} triage", tmp_path)
    child.logfile_read = seen = io.StringIO()
    pick(child, "How old")
    none(child, "Do you have any of these?")
    child.expect_exact("Red flag?")
    child.expect_exact("Yes")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Interrupted" in seen.getvalue() and "Before you go" not in seen.getvalue()


def test_the_pain_scale_takes_a_typed_number(tmp_path):
    """In a real terminal: the scale's hint says to type a number, and 1 then 0 picks 10."""
    child = spawn("triage --json > out.json", tmp_path)
    child.logfile_read = seen = io.StringIO()
    about_you(child)
    safety_all_clear(child)
    tick(child, "Where is the pain", 3)  # outside of the hip
    pick(child, "Which side", 1)
    pick(child, "How did it start", 2)  # gradually
    pick(child, "How long", 2)  # 2-6 weeks
    pick(child, "better or worse", 1)  # same
    tick(child, "When does it hurt", 1, 2)  # during, after
    child.expect_exact("(type 0 to 10 or use the arrow keys, then enter)")
    child.expect_exact("worst imaginable")  # the whole list is up
    child.send("1")
    child.send("0")
    child.send(ENTER)
    child.expect_exact("on the outside")  # the next question
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert echo_lines(seen.getvalue(), "? Pain at its worst:")[0].endswith("10 out of 10 (worst imaginable)")


def test_ctrl_c_on_a_narrow_terminal_breaks_no_word(tmp_path, notices):
    """At 30 columns "Interrupted: no result, nothing saved." ran past the edge and the terminal
    broke it as "nothin" / "g saved."; the parting words were wrapped already."""
    content, _ = notices
    child = spawn(f"--content {content} triage", tmp_path, cols=30)
    child.logfile_read = seen = io.StringIO()
    pick(child, "How old")
    child.expect_exact("enter when done")
    child.send(UP * 2 + SPACE + ENTER)  # signs: "Aching at night" → an urgent rule
    child.expect_exact("Stop here and")
    child.send(ENTER)  # carry on
    child.expect_exact("Red flag?")
    mark = len(seen.getvalue())
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    text = ANSI.sub("", seen.getvalue()[mark:]).replace("\r", "")
    lines = text[text.index("Before you go") :].splitlines()
    assert max(len(line) for line in lines) < 30, lines
    assert lines[-2:] == ["Interrupted: no result,", "nothing saved."]


def test_save_writes_a_report(tmp_path):
    child = spawn("triage --save visit.md", tmp_path)
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact("Report saved to visit.md")
    done(child)
    child.expect(pexpect.EOF)
    child.close()
    report = (tmp_path / "visit.md").read_text()
    assert "## Answers" in report and "Outside of the hip" in report
    assert "## Urgency: See a professional" in report


@pytest.mark.parametrize("cols", [60])
def test_narrow_terminal_still_reads(tmp_path, cols):
    child = spawn("triage", tmp_path, cols=cols)
    outer_hip_runner(child)
    pick(child, "Is this right")
    done(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def echo_lines(text: str, start: str) -> list[str]:
    """The echo beginning with `start` in a terminal stream: its first line and the indented lines
    that continue it."""
    plain = ANSI.sub("", text).replace("\r", "")
    first, *more = plain[plain.index(start) :].split("\n")
    end = next((i for i, line in enumerate(more) if not line.startswith("  ")), len(more))
    return [first, *more[:end]]


def test_narrow_terminal_wraps_echoes_and_help_at_word_boundaries(tmp_path):
    child = spawn("triage", tmp_path, cols=60)
    child.logfile_read = seen = io.StringIO()
    about_you(child)
    safety_all_clear(child)
    tick(child, "Where is the pain", 0)  # groin
    pick(child, "Which side", 0)
    pick(child, "How did it start", 2)
    pick(child, "How long", 2)
    pick(child, "better or worse", 2)  # "Getting worse, and I am still running on it": 70 columns
    tick(child, "When does it hurt", 1)
    child.expect_exact("at its worst")
    echo = echo_lines(seen.getvalue(), "? Getting better or worse:")
    assert len(echo) > 1 and max(len(line) for line in echo) <= 60
    assert " ".join(" ".join(echo).split()) == (
        "? Getting better or worse: Getting worse, and I am still running on it"
    )
    child.send(DOWN * 4 + ENTER)
    child.expect_exact("pain at the front")
    child.send(UP * 5)  # from "None of these", highlight "Worse lifting the leg": its long help shows
    child.expect_exact("climbing stairs.")  # the help's last words, on a line of their own
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_go_back_from_a_multiple_choice_drops_its_ticks(tmp_path):
    child = spawn("triage", tmp_path, cols=60)
    about_you(child)
    safety_all_clear(child)
    child.expect_exact("Where is the pain")
    child.send(DOWN * 3 + SPACE)  # tick "Outside of the hip"
    child.send(DOWN * 9 + SPACE)  # space on "Go back" (after 11 places and Not sure): no tick
    child.send(ENTER)  # go back, whatever is ticked
    child.expect_exact("Where it hurts:")
    child.expect_exact("(went back to the previous question)")
    child.expect_exact("any of these as well")  # the question before, asked again
    child.expect_exact(LAST_CHOICE)
    child.send(ENTER)  # its earlier answer, "None of these", is ticked already
    child.expect_exact("None of these")  # its echo (the list above was read up to "Go back")
    child.expect_exact("Where is the pain")
    child.expect_exact(LAST_CHOICE)
    child.send(ENTER)  # nothing ticked (the tick was dropped): enter takes the first place
    child.expect_exact("Where it hurts:")
    child.expect_exact("Front of the hip or groin")
    child.expect_exact("Which side")
    child.expect_exact(LAST_CHOICE)  # the prompt is drawn, so the terminal is in raw mode: a Ctrl-C
    child.sendintr()  # sent earlier can be flushed by the switch to raw mode (seen on a loaded machine)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


@pytest.mark.parametrize("cols", [40, 60])
def test_stderr_wraps_at_word_boundaries_to_its_own_terminal_when_stdout_is_piped(tmp_path, cols):
    """stdout to a file, stderr on a narrow terminal: a note was wrapped to the width of stdout (not a
    terminal, so 100 columns), and the terminal then broke it in the middle of a word ("thi" / "s").
    It is wrapped to stderr's terminal, at word boundaries."""
    child = spawn("explain bursitus > page.txt", tmp_path, cols=cols)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = ANSI.sub("", child.before).replace("\r", "").strip("\n").split("\n")
    assert len(lines) > 1 and max(len(line) for line in lines) < cols, lines
    assert " ".join(lines) == (
        "Showing gtps (Gluteal tendinopathy / trochanteric bursitis), the closest match to 'bursitus'."
    )
    assert "Gluteal tendinopathy" in (tmp_path / "page.txt").read_text()


@pytest.mark.parametrize(
    "args",
    [
        "triage --answers docs/examples/outer-hip.json",
        "explain bursitis",
        "list",
        "questions",
        "history",
    ],
)
def test_piped_text_output_has_no_trailing_spaces(tmp_path, args):
    """Rich pads table cells and wrapped lines to their width: piped into a file, half the lines of a
    result ended in spaces. Every console hipcheck draws on drops them (whatever the screen draws)."""
    import subprocess

    from conftest import ROOT

    env = {**os.environ, "HIPCHECK_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    run = [sys.executable, "-m", "hipcheck"]
    subprocess.run([*run, "log", "--pain", "4", "--note", "tight after hills "], env=env, check=True)
    r = subprocess.run([*run, *args.split()], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) > 5
    padded = [line for line in lines if line.endswith(" ")]
    assert not padded, f"{len(padded)} of {len(lines)} lines end with a space: {padded[:3]}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("explain", "Missing argument"),
        ("explain bursitis --bogus", "No such option: --bogus"),
        ("trage", "Did you mean 'triage'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(tmp_path, args, message):
    """The installed entry point (not the in-process runner) turns Typer's usage errors into one line."""
    import subprocess

    env = {**os.environ, "HIPCHECK_HOME": str(tmp_path / "home")}
    r = subprocess.run(
        [sys.executable, "-m", "hipcheck", *args.split()], capture_output=True, text=True, env=env
    )
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("hipcheck: error: ") and r.stderr.count("\n") == 1
    assert message in r.stderr


# --------------------------------------------------------------------------- the result screen (issue 14)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "outer-hip.json"


def screen_lines(text: str) -> list[str]:
    """What a terminal shows, line by line, of a program's output (escape codes and CRs gone)."""
    return ANSI.sub("", text).replace("\r", "").split("\n")


def test_the_readme_result_fits_a_24_row_terminal(tmp_path):
    """The README's example in an 80x24 terminal: the urgency panel is the first thing on the first
    screen, and the whole first screen is about a screenful (it was about 90 lines)."""
    child = spawn(f"triage --answers {EXAMPLE}", tmp_path, cols=80, rows=24)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = screen_lines(child.before).copy()
    while lines and not lines[-1].strip():
        lines.pop()
    title = next(i for i, line in enumerate(lines) if "SELF-CARE" in line)
    assert title == 0 and lines[0].startswith("╭") and "MANAGE AT HOME FOR NOW" in lines[0]
    assert len(lines) <= 26, "\n".join(lines)
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "not a diagnosis" in " ".join(lines[-3:])


def test_a_result_taller_than_the_terminal_ends_with_its_level(tmp_path):
    """An urgent result is longer than a 24-row terminal, so its panel scrolls off the top: the last
    line says the level again. (Piped, when it fits, or below urgent, there is no such line: the README's
    self-care example is checked at 80x24 above.)"""
    answers = json.loads(EXAMPLE.read_text())
    answers.pop("lateral_detail")
    answers.update(
        location=["groin"], groin_detail=["lift_leg"], training=["mileage_jump"], duration="weeks_6"
    )
    path = tmp_path / "urgent.json"
    path.write_text(json.dumps(answers))
    child = spawn(f"triage --no-save --answers {path}", tmp_path, cols=80, rows=24)
    child.expect(pexpect.EOF)
    child.close()
    lines = [line for line in screen_lines(child.before) if line.strip()]
    assert len(lines) > 24
    assert lines[-1].startswith("Result: !! URGENT: WITHIN 1 TO 2 DAYS")
    fits = spawn(f"triage --no-save --answers {EXAMPLE}", tmp_path, cols=120, rows=50)
    fits.expect(pexpect.EOF)
    fits.close()
    assert "scroll up" not in fits.before


def history_results(tmp_path: Path) -> list:
    import subprocess

    env = {**os.environ, "HIPCHECK_HOME": str(tmp_path / "home")}
    r = subprocess.run(
        [sys.executable, "-m", "hipcheck", "history", "--json"], capture_output=True, text=True, env=env
    )
    return json.loads(r.stdout)["results"]


def test_after_the_result_done_is_highlighted_and_the_result_is_kept(tmp_path):
    child = spawn("triage", tmp_path)
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact("SEE A PROFESSIONAL")
    child.expect_exact("Saved to your private history")
    child.expect_exact(WHAT_NEXT)
    child.expect_exact("Show everything (all causes and tips)")
    child.expect_exact("Save a report")
    child.expect_exact(MENU_LAST)
    child.send(ENTER)
    child.expect_exact("Done")  # the echo: the choice that was taken
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [r["level"] for r in history_results(tmp_path)] == ["routine"]


def test_the_level_is_said_again_above_the_question_when_the_result_has_scrolled_away(tmp_path):
    """On a 24-row terminal the question after the result pushes the top of the first screen (the
    level) off the screen: the level comes again, in one line, just above the question."""
    child = spawn("triage", tmp_path, cols=80, rows=24)
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact("Result: ! SEE A PROFESSIONAL: WITHIN 1 TO 2 WEEKS (scroll up for all of it)")
    done(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    tall = spawn("triage", tmp_path, rows=50)  # room for all of it: no need to say it again
    tall.logfile_read = seen = io.StringIO()
    outer_hip_runner(tall)
    pick(tall, "Is this right")
    done(tall)
    tall.expect(pexpect.EOF)
    tall.close()
    assert "scroll up" not in seen.getvalue()


def test_ctrl_c_after_the_result_keeps_it(tmp_path):
    child = spawn("triage", tmp_path)
    child.logfile_read = seen = io.StringIO()
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact(WHAT_NEXT)
    child.expect_exact(MENU_LAST)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0  # the result was given: leaving the question is not a failure
    assert "Interrupted" not in seen.getvalue() and "Traceback" not in seen.getvalue()
    assert [r["level"] for r in history_results(tmp_path)] == ["routine"]


def test_save_a_report_after_the_result(tmp_path):
    (tmp_path / "taken.md").write_text("keep me")
    child = spawn("triage", tmp_path)
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact(MENU_LAST)
    child.send(UP + ENTER)  # "Save a report…"
    child.expect_exact("Report file")
    child.send("\x15" + "taken.md" + ENTER)  # ctrl-U clears the suggested name
    child.expect_exact("already exists; choose another name")
    child.send("\x15" + "visit.html" + ENTER)
    child.expect_exact("Report saved to visit.html")
    done(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "taken.md").read_text() == "keep me"
    assert "Gluteal tendinopathy" in (tmp_path / "visit.html").read_text()


def test_show_everything_after_the_result(tmp_path):
    child = spawn("triage", tmp_path, PAGER="cat")
    child.logfile_read = seen = io.StringIO()
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact(MENU_LAST)
    child.send(UP * 3 + ENTER)  # "Show everything" (then the plan, Save a report, Done)
    child.expect_exact("To stop it coming back")
    child.expect_exact(WHAT_NEXT)  # asked again, without "Show everything"
    child.expect_exact(MENU_LAST)
    child.send(ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    after = ANSI.sub("", seen.getvalue()).split("? What next? Show everything")[-1]
    assert "+ for:" in after and "Show everything (all causes and tips)" not in after


def test_the_plan_is_offered_after_the_result_when_the_level_allows(tmp_path):
    """Issue 11: the back-to-running plan is offered at the end of an interactive triage (a routine
    level with a cause that has a plan), shown once, then the question comes back without it."""
    child = spawn("triage", tmp_path, PAGER="cat")
    child.logfile_read = seen = io.StringIO()
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect_exact("Your back-to-running plan")
    child.expect_exact(MENU_LAST)
    child.send(UP * 2 + ENTER)  # the plan (above Save a report, Done)
    child.expect_exact("Where you stand")
    child.expect_exact(WHAT_NEXT)  # asked again, without the plan
    child.expect_exact(MENU_LAST)
    child.send(ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    after = ANSI.sub("", seen.getvalue()).split("Where you stand")[-1]
    assert "Your back-to-running plan" not in after


def test_no_question_after_the_result_when_stdout_is_not_a_terminal(tmp_path):
    child = spawn("triage > out.txt", tmp_path)
    child.logfile_read = seen = io.StringIO()
    outer_hip_runner(child)
    pick(child, "Is this right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert WHAT_NEXT not in seen.getvalue()
    assert "SEE A PROFESSIONAL" in (tmp_path / "out.txt").read_text()


@pytest.mark.skipif(shutil.which("less") is None, reason="no less on this machine")
def test_full_goes_through_a_pager_on_a_terminal(tmp_path):
    """`--full` on a 24-row terminal: less (as git and gh page), starting at the urgency panel; q quits."""
    env = {"PAGER": "", "HIPCHECK_PAGER": "less"}
    child = spawn(f"triage --answers {EXAMPLE} --full", tmp_path, cols=80, rows=24, **env)
    child.logfile_read = seen = io.StringIO()
    child.expect_exact("SELF-CARE")
    child.expect(r"\r?\n:\s*")  # less's prompt: the rest is still to come
    first = screen_lines(seen.getvalue())
    assert not any("not a diagnosis" in line for line in first)
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("args", ["", "content"])
def test_a_group_alone_shows_its_help_and_exits_0(tmp_path, args):
    """`hipcheck` alone (and `hipcheck content`) shows the help on stdout and exits 0, as git and gh
    do: asking what there is is not a usage error."""
    import subprocess

    env = {**os.environ, "HIPCHECK_HOME": str(tmp_path / "home")}
    r = subprocess.run(
        [sys.executable, "-m", "hipcheck", *args.split()], capture_output=True, text=True, env=env
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert f"Usage: hipcheck {args} [OPTIONS] COMMAND".replace("  ", " ") in r.stdout
    assert "check" in r.stdout if args else "triage" in r.stdout
