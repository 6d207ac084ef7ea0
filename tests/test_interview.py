"""The interactive interview, driven with real keystrokes through prompt_toolkit's pipe input."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from hipcheck import engine
from hipcheck.interview import run_interview

DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "


def drive(kb, *keys: str):
    """Run the interview with these keystrokes; return (answers, what the user saw)."""
    screen = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        inp.send_text("".join(keys))
        answers = run_interview(kb, Console(file=screen, width=80, color_system=None))
    return answers, screen.getvalue()


def test_answers_are_collected_in_tree_order(mini):
    answers, seen = drive(
        mini,
        ENTER,  # flag: No
        SPACE,
        ENTER,  # where: Front
        DOWN * 3,
        ENTER,  # pain: 3
        ENTER,  # summary: yes, show my result
    )
    assert answers == {"flag": "no", "where": ["front"], "pain": 3}
    assert "Your answers" in seen


def test_going_back_changes_an_answer_and_the_branch(mini):
    answers, _ = drive(
        mini,
        ENTER,  # flag: No
        SPACE,
        ENTER,  # where: Front
        DOWN * 12,
        ENTER,  # pain: "Go back" (after 0-10 and Not sure)
        SPACE,
        DOWN,
        SPACE,
        ENTER,  # where: untick Front, tick Side
        ENTER,  # side_detail (new branch): Lying hurts
        ENTER,  # pain: 0
        ENTER,  # summary: show result
    )
    assert answers == {"flag": "no", "where": ["side"], "side_detail": "lying", "pain": 0}


def test_summary_lets_the_user_change_an_answer(mini):
    answers, _ = drive(
        mini,
        ENTER,
        SPACE,
        ENTER,
        ENTER,  # flag No, where Front, pain 0
        DOWN,
        ENTER,  # summary: change an answer
        DOWN * 2,
        ENTER,  # which: pain
        DOWN * 5,
        ENTER,  # pain: 5
        ENTER,  # summary: show result
    )
    assert answers["pain"] == 5


def test_emergency_advice_is_shown_at_once_and_can_end_the_interview(mini):
    answers, seen = drive(
        mini,
        DOWN,
        ENTER,  # flag: Yes → emergency rule fires
        ENTER,  # "carry on?" default No
    )
    assert answers == {"flag": "yes"}
    assert "EMERGENCY" in seen and "Flag raised." in seen
    assert engine.assess(mini, answers).level.id.value == "emergency"


def test_ctrl_c_raises_keyboard_interrupt(mini):
    with pytest.raises(KeyboardInterrupt):
        drive(mini, ENTER, "\x03")


def test_interview_and_answers_file_give_the_same_result(mini):
    answers, _ = drive(mini, ENTER, SPACE, DOWN, SPACE, ENTER, ENTER, DOWN * 7, ENTER, ENTER)
    typed = engine.assess(mini, answers)
    from_file = engine.assess(mini, engine.validate_answers(mini, dict(answers)))
    assert typed == from_file


# --------------------------------------------------------------------------- on the real question bank

from hypothesis import HealthCheck, given, settings  # noqa: E402
from test_properties import KB, interviews  # noqa: E402

from hipcheck.models import Level  # noqa: E402


def keys_for(kb, answers: dict) -> list[str]:
    """The keystrokes that give these answers in the interview, question by question, in tree order."""
    keys: list[str] = []
    given_so_far: dict = {}
    shown: set[str] = set()
    while (q := engine.next_question(kb, given_so_far)) is not None and q.id in answers:
        value = answers[q.id]
        if q.kind == "multi":
            ids = q.option_ids
            at = 0
            for i in sorted(ids.index(v) for v in value):
                keys.append(DOWN * (i - at) + SPACE)
                at = i
            keys.append(ENTER)
        elif q.kind == "scale":
            keys.append(DOWN * (11 if value == "not_sure" else value) + ENTER)
        else:
            keys.append(DOWN * q.option_ids.index(value) + ENTER)
        given_so_far[q.id] = value
        new = {r.id for r in engine.fired_rules(kb, given_so_far) if r.level is Level.emergency} - shown
        if new:
            shown |= new
            keys.append("y")  # carry on after the emergency advice
    return keys + [ENTER]  # summary: show my result


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interviews())
def test_interview_and_answers_file_agree_on_the_real_bank(answers):
    complete = dict(answers)
    while (q := engine.next_question(KB, complete)) is not None:  # finish the tree with "Not sure"
        complete[q.id] = ["not_sure"] if q.kind == "multi" else "not_sure"
    typed, _ = drive(KB, *keys_for(KB, complete))
    assert typed == engine.validate_answers(KB, complete)  # same answers, in canonical order
    assert engine.assess(KB, typed) == engine.assess(KB, engine.validate_answers(KB, complete))


def test_enter_alone_takes_the_highlighted_choice_in_a_multiple_choice(mini):
    answers, _ = drive(
        mini,
        ENTER,  # flag: No
        DOWN * 2,
        ENTER,  # where: "None" highlighted, nothing ticked: enter takes it
        ENTER,  # pain: 0
        ENTER,  # summary
    )
    assert answers["where"] == ["none"]


def test_go_back_works_with_enter_alone_in_a_multiple_choice(mini):
    answers, _ = drive(
        mini,
        ENTER,  # flag: No
        DOWN * 4,
        ENTER,  # where: highlight "Go back" (after front, side, none, not sure) and press enter
        DOWN,
        ENTER,  # flag again: Yes this time
        ENTER,  # emergency notice: do not carry on
    )
    assert answers == {"flag": "yes"}
