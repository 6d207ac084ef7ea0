"""The interactive interview, driven with real keystrokes through prompt_toolkit's pipe input."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.formatted_text import to_plain_text
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from hipcheck.engine import decide
from hipcheck.screens import interview
from hipcheck.screens.interview import answer_text, run_interview

DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "


class Screen(DummyOutput):
    """A pretend terminal of a given width; it records what prompt_toolkit draws (without the
    cursor moves, so the questionary prompts run together, but the text is there)."""

    def __init__(self, columns: int = 80) -> None:
        self.columns, self.drawn = columns, io.StringIO()

    def write(self, data: str) -> None:
        self.drawn.write(data)

    def get_size(self) -> Size:
        return Size(rows=40, columns=self.columns)


def drive(kb, *keys: str, columns: int = 80, drawn: list | None = None, seen: list | None = None):
    """Run the interview with these keystrokes; return (answers, what the user saw): the lines the
    interview prints itself (echoes, question texts) and what rich draws, in order. `drawn`, if
    given, gets what questionary drew too; `seen` gets what the user saw even when the interview
    raises (Ctrl-C)."""
    screen, output = io.StringIO(), Screen(columns)

    def capture(text, **_kwargs) -> None:
        screen.write(to_plain_text(text) + "\n")

    try:
        with (
            create_pipe_input() as inp,
            create_app_session(input=inp, output=output),
            mock.patch.object(interview, "print_formatted_text", capture),
        ):
            inp.send_text("".join(keys))
            inp.close()  # once the keys run out, a prompt still waiting fails (EOFError), not hangs
            answers = run_interview(kb, Console(file=screen, width=columns, color_system=None))
    finally:
        if drawn is not None:
            drawn.append(output.drawn.getvalue())
        if seen is not None:
            seen.append(screen.getvalue())
    return answers, screen.getvalue()


def test_answers_are_collected_in_tree_order(mini):
    answers, seen = drive(
        mini,
        ENTER,  # flag: No
        UP * 2,
        SPACE,
        ENTER,  # where: Front (the cursor starts on "None", two below it)
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
        UP * 2,
        SPACE,
        ENTER,  # where: Front
        DOWN * 12,
        ENTER,  # pain: "Go back" (after 0-10 and Not sure)
        UP * 2,
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
        UP * 2 + SPACE,
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
        ENTER,  # "What next?": stop here (highlighted)
    )
    assert answers == {"flag": "yes"}
    assert "EMERGENCY" in seen and "Flag raised." in seen
    assert decide.assess(mini, answers).level.id.value == "emergency"


def test_an_emergency_answer_chosen_by_mistake_can_be_changed(mini):
    answers, seen = drive(
        mini,
        DOWN,
        ENTER,  # flag: Yes (by mistake) → emergency notice
        DOWN * 2,
        ENTER,  # "What next?": change that answer
        UP,
        ENTER,  # flag again, "Yes" highlighted (the answer taken back): No
        UP,
        SPACE,
        ENTER,  # where: Side
        ENTER,  # side_detail: Lying hurts
        ENTER,  # pain: 0
        ENTER,  # summary: show my result
    )
    assert answers == {"flag": "no", "where": ["side"], "side_detail": "lying", "pain": 0}
    assert "EMERGENCY" in seen


@pytest.mark.parametrize(("typed", "pain"), [("7", 7), ("0", 0), ("10", 10), ("55", 5), ("19", 9)])
def test_a_scale_takes_the_number_typed(mini, typed, pain):
    """On the 0-10 scale a digit highlights that number, and 1 then 0 highlights 10 (two digits that do
    not make a number on the scale: the second one alone); enter confirms, as everywhere else. The
    runner no longer presses the down arrow five times."""
    with spy_select() as select:
        answers, seen = drive(mini, ENTER, ENTER, *typed, ENTER, ENTER)  # flag No, where None, pain
    assert answers["pain"] == pain
    assert f"Pain: {pain} out of 10" in seen
    [call] = [c for c in select.call_args_list if c.args[0] == "Pain"]
    assert call.kwargs["instruction"] == "(type 0 to 10 or use the arrow keys, then enter)"


def test_a_number_typed_slowly_starts_again(mini):
    """1, a pause, then 0 is 0, not 10: only digits typed quickly make one number (the screen shows
    what is highlighted before enter takes it)."""
    clock = iter([0.0, 5.0])
    with mock.patch.object(interview, "_clock", lambda: next(clock)):
        answers, _ = drive(mini, ENTER, ENTER, "1", "0", ENTER, ENTER)
    assert answers["pain"] == 0


def test_a_typed_number_after_the_arrows_starts_again(mini):
    """1, the down arrow (to 2), then 0: the 0 is a number of its own, not "10"."""
    answers, _ = drive(mini, ENTER, ENTER, "1", DOWN, "0", ENTER, ENTER)
    assert answers["pain"] == 0


def test_the_question_mark_and_the_cursor_differ(mini):
    """ "?" marks a question (while asked and in the line that stays after it), "»" the highlighted
    choice only: the same mark for both made the cursor hard to find."""
    drawn: list[str] = []
    _, seen = drive(mini, ENTER, ENTER, ENTER, ENTER, drawn=drawn)
    assert f"{interview.QMARK_TEXT} Flag" in drawn[0] and f"{interview.POINTER} No" in drawn[0]
    assert "» Flag" not in drawn[0] and "» Is this right?" not in drawn[0]
    assert (interview.QMARK_TEXT, interview.POINTER) == ("?", "»")
    echoes = [line for line in seen.splitlines() if line.startswith(("?", "»"))]
    assert echoes == [
        "? Flag: No",
        "? Where: None",
        "? Pain: 0 out of 10",
        "? Is this right? Yes, show my result",
    ]


def test_ctrl_c_raises_keyboard_interrupt(mini):
    with pytest.raises(KeyboardInterrupt):
        drive(mini, ENTER, "\x03")


def test_interview_and_answers_file_give_the_same_result(mini):
    answers, _ = drive(mini, ENTER, UP * 2, SPACE, DOWN, SPACE, ENTER, ENTER, DOWN * 7, ENTER, ENTER)
    typed = decide.assess(mini, answers)
    from_file = decide.assess(mini, decide.validate_answers(mini, dict(answers)))
    assert typed == from_file


# --------------------------------------------------------------------------- on the real question bank

from hypothesis import HealthCheck, given, settings  # noqa: E402
from test_properties import KB, interviews  # noqa: E402

from hipcheck.knowledge.models import Level  # noqa: E402


def keys_for(kb, answers: dict) -> list[str]:
    """The keystrokes that give these answers in the interview, question by question, in tree order."""
    keys: list[str] = []
    given_so_far: dict = {}
    shown: set[str] = set()
    while (q := decide.next_question(kb, given_so_far)) is not None and q.id in answers:
        value = answers[q.id]
        if q.kind == "multi":
            ids = q.option_ids
            at = ids.index(q.none_option) if q.none_option else 0  # where the cursor starts
            for i in sorted(ids.index(v) for v in value):
                keys.append((DOWN * (i - at) if i >= at else UP * (at - i)) + SPACE)
                at = i
            keys.append(ENTER)
        elif q.kind == "scale":
            keys.append(DOWN * (11 if value == "not_sure" else value) + ENTER)
        else:
            keys.append(DOWN * q.option_ids.index(value) + ENTER)
        given_so_far[q.id] = value
        fired = decide.fired_rules(kb, given_so_far)
        shown &= {r.id for r in fired}
        if due := interview.notice_due(decide.settled_rules(kb, given_so_far), shown):
            level, rules = due
            shown |= {r.id for r in rules}
            if any(r.ends_interview for r in rules):
                return keys + [ENTER]  # "What next?": see the result (the interview ends here)
            # "What next?": carry on (highlighted below an emergency, the second choice at it)
            keys.append(DOWN + ENTER if level is Level.emergency else ENTER)
    return keys + [ENTER]  # summary: show my result


def all_offered(kb, answers: dict) -> bool:
    """Every answer is one the interview offers ("Not sure" is not offered for age and sex)."""
    return all(v != "not_sure" or kb.question_by_id[q].offer_not_sure for q, v in answers.items())


def not_sure_or_first(q):
    """How the tree is finished: "Not sure", or the last option where the interview does not offer it
    (50 or over; I'd rather not say)."""
    if not q.offer_not_sure:
        return q.options[-1].id
    return ["not_sure"] if q.kind == "multi" else "not_sure"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interviews().filter(lambda answers: all_offered(KB, answers)))
def test_interview_and_answers_file_agree_on_the_real_bank(answers):
    complete = dict(answers)
    while (q := decide.next_question(KB, complete)) is not None:  # finish the tree with "Not sure"
        complete[q.id] = not_sure_or_first(q)
    typed, _ = drive(KB, *keys_for(KB, complete))
    assert typed == decide.validate_answers(KB, complete)  # same answers, in canonical order
    assert decide.assess(KB, typed) == decide.assess(KB, decide.validate_answers(KB, complete))


def test_enter_alone_takes_the_highlighted_choice_in_a_multiple_choice(mini_with):
    _, kb = mini_with(
        questions="""
[[question]]
id = "when"
short = "When"
section = "pain"
kind = "multi"
text = "When?"
options = [{ id = "run", label = "Running" }, { id = "walk", label = "Walking" }]
"""
    )
    answers, seen = drive(
        kb,
        DOWN,
        ENTER,  # when (no "None of these"): nothing ticked, "Walking" highlighted: enter takes it
        ENTER,  # flag: No
        DOWN,
        ENTER,  # where: "Not sure" highlighted (below "None"), nothing ticked: enter takes it
        ENTER,  # pain: 0
        ENTER,  # summary
    )
    assert answers["when"] == ["walk"] and answers["where"] == ["not_sure"]
    assert "? Where: Not sure\n" in seen


def test_go_back_works_with_enter_alone_in_a_multiple_choice(mini):
    answers, _ = drive(
        mini,
        ENTER,  # flag: No
        DOWN * 2,
        ENTER,  # where: highlight "Go back" (two below "None") and press enter
        DOWN,
        ENTER,  # flag again: Yes this time
        ENTER,  # emergency notice: do not carry on
    )
    assert answers == {"flag": "yes"}


# --------------------------------------------------------------------------- echoes, go back, cancel


def test_echo_names_the_choice_that_enter_alone_recorded(mini):
    answers, seen = drive(
        mini,
        ENTER,  # flag: No
        ENTER,  # where: nothing ticked, "None" highlighted: enter records it
        ENTER,  # pain: 0
        ENTER,  # summary
    )
    assert answers["where"] == ["none"]
    assert "? Where: None\n" in seen
    assert "? Pain: 0 out of 10\n" in seen
    assert "done" not in seen


def test_esc_enter_never_records_an_empty_answer(mini):
    """prompt_toolkit's Esc+Enter (Alt+Enter) accepts the empty input line: it must do nothing, at a
    single choice, a multiple choice and the summary alike (it recorded '' or crashed before)."""
    alt_enter = "\x1b\r"
    answers, seen = drive(
        mini,
        alt_enter,
        ENTER,  # flag: No
        alt_enter,
        UP,
        SPACE,
        ENTER,  # where: Side
        ENTER,  # side_detail: Lying hurts
        alt_enter,
        ENTER,  # pain: 0
        alt_enter,
        ENTER,  # summary: show my result
    )
    assert answers == {"flag": "no", "where": ["side"], "side_detail": "lying", "pain": 0}
    echoes = [line for line in seen.splitlines() if line.startswith("?")]
    assert echoes and not any(line.rstrip().endswith(":") for line in echoes), echoes


def test_echo_names_every_ticked_option(mini):
    _, seen = drive(mini, ENTER, UP * 2, SPACE, DOWN, SPACE, ENTER, ENTER, ENTER, ENTER)
    assert "? Where: Front; Side\n" in seen


def test_go_back_from_a_multiple_choice_drops_its_ticks(mini):
    answers, seen = drive(
        mini,
        ENTER,  # flag: No
        UP * 2,
        SPACE,
        DOWN * 4,
        ENTER,  # where: tick Front, then enter on "Go back"
        ENTER,  # flag again: No
        ENTER,  # where: Front is not ticked any more; enter records the highlighted None
        ENTER,  # pain
        ENTER,  # summary
    )
    assert answers["where"] == ["none"]
    assert "? Where: (went back to the previous question)\n" in seen


def test_space_on_go_back_ticks_nothing(mini):
    answers, _ = drive(
        mini,
        ENTER,  # flag: No
        UP * 2,
        SPACE,
        DOWN * 4,
        SPACE,  # where: tick Front, then space on "Go back": only a hint (see test_terminal)
        DOWN,
        ENTER,  # back on Front: enter records Front alone ("Go back" was not ticked)
        ENTER,  # pain
        ENTER,  # summary
    )
    assert answers["where"] == ["front"]


def test_none_and_not_sure_still_cannot_be_combined(mini):
    answers, _ = drive(
        mini,
        ENTER,  # flag: No
        UP * 2,
        SPACE,
        DOWN * 2,
        SPACE,
        ENTER,  # where: Front and None ticked: refused
        SPACE,
        ENTER,  # untick None: Front alone is fine
        ENTER,  # pain
        ENTER,  # summary
    )
    assert answers["where"] == ["front"]
    check = interview._validate_multi(mini.question_by_id["where"], lambda: None)
    assert check(["front", "none"]) == "'None' and 'Not sure' cannot be combined with other choices."
    assert isinstance(check(["not_sure", "front"]), str)
    assert check(["front", "side"]) is True


def test_which_answer_can_be_cancelled(mini):
    answers, seen = drive(
        mini,
        ENTER,
        UP * 2 + SPACE,
        ENTER,
        ENTER,  # flag No, where Front, pain 0
        DOWN,
        ENTER,  # summary: change an answer
        UP,
        ENTER,  # which: the last choice, "Keep my answers"
        ENTER,  # the summary again: show my result
    )
    assert answers == {"flag": "no", "where": ["front"], "pain": 0}
    assert "? Which answer? Keep my answers" in seen
    assert seen.count("Your answers") == 2


def test_echoes_wrap_at_word_boundaries_on_a_narrow_screen():
    complete = {
        "injury": "no",
        "weight_bearing": "normal",
        "warning_signs": ["none"],
        "nerve_signs": ["none"],
        "location": ["groin"],
        "side": "left",
        "onset": "gradual",
        "duration": "weeks_6",
        "trend": "worse_running",
    }
    while (q := decide.next_question(KB, complete)) is not None:
        complete[q.id] = not_sure_or_first(q)
    typed, seen = drive(KB, *keys_for(KB, complete), columns=40)
    assert typed == decide.validate_answers(KB, complete)
    lines = seen[: seen.index("Your answers")].splitlines()
    assert max(len(line) for line in lines) <= 40
    label = KB.question_by_id["trend"].label_of("worse_running")
    at = next(i for i, line in enumerate(lines) if line.startswith("? Getting better or worse:"))
    more = [line for line in lines[at + 1 : at + 4] if line.startswith("  ")]
    assert more, "the echo is longer than 40 columns: it wraps"
    echo = " ".join(line.strip() for line in [lines[at], *more])
    assert echo == f"? Getting better or worse: {label}"  # every word whole


@pytest.mark.parametrize("columns", [40, 60, 100])
def test_option_help_wraps_to_the_screen(columns):
    q = KB.question_by_id["groin_detail"]
    with create_app_session(output=Screen(columns)):
        choices = interview._choices(q, None, can_go_back=True)
    for option, choice in zip(q.options, choices, strict=False):
        if option.help:
            lines = ("  Description: " + choice.description).splitlines()
            assert max(len(line) for line in lines) <= columns
            assert " ".join(" ".join(lines).split()[1:]) == " ".join(option.help.split())


def test_age_and_sex_offer_no_not_sure():
    """You cannot be unsure of your age, and for sex "I'd rather not say" already sits there: the
    interview offers "Not sure" for neither (an answers file may still give it, and the engine reads it
    as before). Every other question still offers it."""
    with create_app_session(output=Screen(80)):
        for q in KB.questions:
            titles = [str(c.title) for c in interview._choices(q, None, can_go_back=True)]
            assert ("Not sure" in titles) is (q.id not in {"age", "sex"}), q.id
    assert "I'd rather not say" in [o.label for o in KB.question_by_id["sex"].options]
    assert decide.validate_answers(KB, {"age": "not_sure", "sex": "not_sure"}) == {
        "age": "not_sure",
        "sex": "not_sure",
    }


@pytest.mark.parametrize("columns", [30, 60])
@pytest.mark.parametrize("qid", ["background", "injury", "severity", "groin_detail"])
def test_option_labels_wrap_to_the_screen(columns, qid):
    """At 30 columns "Inflammatory arthritis, e.g. rheumatoid arthritis" showed as "Inflammatory
    arthritis, e": every label wraps at word boundaries, its later lines indented under its first (past
    the cursor and, in a multiple choice, the tick box)."""
    q = KB.question_by_id[qid]
    with create_app_session(output=Screen(columns)):
        choices = interview._choices(q, None, can_go_back=True)
    indent = 3 + (2 if q.kind == "multi" else 0)  # " » " and "○ "
    labels = [*(answer_text(q, o) for o in q.option_ids if q.offer_not_sure or o != "not_sure")]
    labels.append(interview.BACK_LABEL)
    if q.kind == "scale":
        labels = [f"{n:>2}  {q.scale_labels.get(str(n), '')}".rstrip() for n in range(11)]
        labels += ["Not sure", interview.BACK_LABEL]
    for label, choice in zip(labels, choices, strict=True):
        lines = str(choice.title).split("\n")
        assert max([indent + len(lines[0]), *map(len, lines[1:])]) < columns, lines
        assert all(line.startswith(" " * indent) for line in lines[1:]), lines
        assert " ".join(" ".join(lines).split()) == " ".join(label.split())
    if columns == 30 and qid == "background":
        assert any("\n" in str(c.title) for c in choices)


@pytest.mark.parametrize("columns", [30, 60, 100])
def test_prompt_hints_wrap_at_word_boundaries(columns):
    """The hint after a question ('(type 0 to 10 or use the arrow keys, then enter)') breaks between
    words where the line is full; prompt_toolkit would break it anywhere."""
    hint = "(type 0 to 10 or use the arrow keys, then enter)"
    with create_app_session(output=Screen(columns)):
        wrapped = interview._hint("Pain at its worst", hint)
    lines = f"? Pain at its worst {wrapped}".split("\n")
    assert max(len(line) for line in lines) < columns, lines
    assert " ".join(" ".join(lines).split()) == f"? Pain at its worst {hint}"
    assert (len(lines) > 1) is (columns < 70)


def test_a_narrow_screen_shows_whole_labels(mini_with):
    """Drawn at 30 columns, a long label is on screen to its last word, and the echo names it whole."""
    _, kb = mini_with(
        questions="""
[[question]]
id = "sport"
short = "Sport"
section = "pain"
kind = "single"
text = "Which sport?"
options = [
  { id = "long", label = "Inflammatory arthritis, e.g. rheumatoid arthritis" },
  { id = "b", label = "B" },
]
"""
    )
    drawn: list[str] = []
    answers, seen = drive(kb, ENTER, ENTER, ENTER, ENTER, ENTER, columns=30, drawn=drawn)
    assert answers["sport"] == "long"
    assert "rheumatoid arthritis" in drawn[0]
    assert "? Sport: Inflammatory\n  arthritis, e.g. rheumatoid\n  arthritis\n" in seen


# --------------------------------------------------------------------------- told early: urgent and up


def offered(select: mock.Mock, message: str) -> list[str]:
    """The titles of the choices offered at each single-choice prompt with this message (a spy on
    questionary.select; what questionary draws is not reliable when keys are typed ahead)."""
    return [
        [str(c.title) for c in call.kwargs["choices"]]
        for call in select.call_args_list
        if call.args[0] == message
    ]


def spy_select():
    return mock.patch.object(interview.questionary, "select", wraps=interview.questionary.select)


def test_an_urgent_answer_is_told_at_once_and_carrying_on_is_highlighted(notices):
    _, kb = notices
    with spy_select() as select:
        answers, seen = drive(
            kb,
            ENTER,  # age: 18 or over
            UP * 2,
            SPACE,
            ENTER,  # signs: Aching at night → urgent rule
            ENTER,  # "What next?": carry on, the highlighted choice at urgent
            ENTER,  # flag: No
            ENTER,  # where: None
            ENTER,  # pain: 0
            ENTER,  # summary: show my result
        )
    assert answers == {"age": "adult", "signs": ["ache"], "flag": "no", "where": ["none"], "pain": 0}
    notice = seen[seen.index("? Warning signs: Aching at night") : seen.index("? What next?")]
    info = kb.meta.levels[Level.urgent]
    assert f"{info.label.upper()}: {info.time_frame.upper()}" in notice
    assert "Aching at night needs a doctor soon." in notice
    assert info.advice[0] in " ".join(notice.replace("│", " ").split())
    assert "Ask about an X-ray." in notice  # the rule's own advice too
    assert "? What next? Carry on with the questions" in seen
    [choices] = offered(select, "What next?")
    assert choices[0] == "Stop here and see the result"  # still offered, just not highlighted


def test_an_urgent_notice_still_lets_the_user_stop(notices):
    _, kb = notices
    answers, _ = drive(kb, ENTER, UP * 2 + SPACE + ENTER, UP + ENTER)  # "What next?": stop
    assert answers == {"age": "adult", "signs": ["ache"]}


def test_a_same_day_answer_is_told_at_once_and_carrying_on_is_highlighted(notices):
    """Below an emergency, Enter carries on: a later warning sign can still make it one (the trial's
    sore testicle, an emergency only once "it came on suddenly" is answered)."""
    _, kb = notices
    answers, seen = drive(
        kb,
        ENTER,  # age: 18 or over
        UP,
        SPACE,
        ENTER,  # signs: A hot, swollen hip → same-day rule
        UP + ENTER,  # "What next?": Stop, one up from the highlighted "Carry on"
    )
    assert answers == {"age": "adult", "signs": ["hot"]}
    info = kb.meta.levels[Level.same_day]
    assert f"!!! {info.label.upper()} " in seen  # "Be seen today", not "Be seen today: today"
    assert info.time_frame.lower() in info.label.lower() and f": {info.time_frame.upper()}" not in seen
    assert "A hot, swollen hip needs a doctor today." in seen
    assert "? What next? Stop here and see the result" in seen
    carried_on, _ = drive(kb, ENTER, UP, SPACE, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)
    assert "flag" in carried_on  # Enter alone went on to the next question


def test_no_lower_notice_after_a_higher_one(notices):
    _, kb = notices
    answers, seen = drive(
        kb,
        ENTER,  # age
        UP + SPACE + ENTER,  # signs: hot hip → same day
        ENTER,  # "What next?": carry on (highlighted below an emergency)
        ENTER,  # flag: No
        ENTER,  # where: None
        DOWN * 9 + ENTER,  # pain: 9 → an urgent rule, below the same-day notice already shown
        ENTER,  # summary: no "What next?" came between: show my result
    )
    assert answers["pain"] == 9
    assert "very_severe" in {r.id for r in decide.fired_rules(kb, answers)}
    assert seen.count("? What next?") == 1 and "Very severe pain." not in seen


def test_a_higher_notice_follows_a_lower_one(notices):
    _, kb = notices
    answers, seen = drive(
        kb,
        ENTER,  # age
        UP * 2 + SPACE + ENTER,  # signs: ache → urgent
        ENTER,  # carry on
        DOWN + ENTER,  # flag: Yes → emergency
        ENTER,  # "What next?": stop (highlighted)
    )
    assert answers == {"age": "adult", "signs": ["ache"], "flag": "yes"}
    assert seen.count("? What next?") == 2
    assert "EMERGENCY: NOW" in seen[seen.index("? Flag: Yes") :]


def test_a_rule_that_ends_the_interview_stops_it_with_its_advice(notices):
    _, kb = notices
    with spy_select() as select:
        answers, seen = drive(kb, DOWN + ENTER, ENTER)  # age: Under 10; "See the result"
    assert answers == {"age": "child"}
    assert "hipcheck is not built for children." in seen
    assert "Take them to their doctor, today if they cannot walk." in seen
    assert "questions stop here" in seen
    assert "? What next? See the result" in seen
    assert offered(select, "What next?") == [["See the result", "Change my last answer (picked by mistake)"]]
    assert "Your answers" not in seen  # no summary: straight to the result


def test_an_age_picked_by_mistake_can_be_changed_after_the_stop(notices):
    _, kb = notices
    answers, _ = drive(
        kb,
        DOWN + ENTER,  # age: Under 10 (by mistake) → the interview would stop
        DOWN + ENTER,  # "What next?": change my last answer
        UP + ENTER,  # age again: 18 or over
        ENTER,  # signs: None
        ENTER,  # flag: No
        ENTER,  # where: None
        ENTER,  # pain: 0
        ENTER,  # summary
    )
    assert answers == {"age": "adult", "signs": ["none"], "flag": "no", "where": ["none"], "pain": 0}


def test_a_notice_waits_for_the_answer_that_could_cancel_it(kb):
    """The cold review: a rule told at once was later switched off by its `unless`. A fired rule whose
    exemption is still to be asked is not told yet."""
    base = {"age": "age_35_49", "sex": "male", "background": ["none"], "injury": "no"}
    answers = {**base, "weight_bearing": "painful", "warning_signs": ["none"], "nerve_signs": ["none"]}
    answers |= {"body_signs": ["none"], "location": ["groin"]}
    fired = {r.id for r in decide.fired_rules(kb, answers)}
    settled = {r.id for r in decide.settled_rules(kb, answers)}
    assert "bone_stress_weight_bearing" in fired - settled  # side (both) and onset (sudden) still to come
    later = {**answers, "side": "left", "onset": "gradual"}
    assert "bone_stress_weight_bearing" in {r.id for r in decide.settled_rules(kb, later)}


def test_notice_due():
    from hipcheck.knowledge.models import Rule

    def rule(rid: str, level: str, **kw) -> Rule:
        return Rule(
            id=rid, level=level, reason=rid, sources=[{"title": "T", "publisher": "P", "kind": "study"}], **kw
        )

    routine, urgent, same_day = rule("r", "routine"), rule("u", "urgent"), rule("s", "same_day")
    stop = rule("stop", "routine", ends_interview=True)
    assert interview.notice_due([routine], set()) is None
    assert interview.notice_due([urgent, same_day], set()) == (Level.same_day, [same_day, urgent])
    assert interview.notice_due([urgent, same_day], {"s"}) is None  # urgent is below same day, told
    assert interview.notice_due([urgent], {"s"}) == (Level.urgent, [urgent])  # "s" no longer fires
    assert interview.notice_due([routine, stop], set()) == (Level.routine, [stop])
    assert interview.notice_due([urgent, stop], {"u"}) == (Level.urgent, [stop])
    urgent_too = rule("u2", "urgent")  # a second rule at a level already told: no second notice
    assert interview.notice_due([urgent, urgent_too], {"u"}) is None
    assert interview.notice_due([urgent, urgent_too, same_day], {"u"}) == (Level.same_day, [same_day])


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_leaves_the_answers_so_far_and_a_word_on_them(notices):
    _, kb = notices
    seen: list[str] = []
    with pytest.raises(KeyboardInterrupt) as caught:
        drive(kb, ENTER, UP * 2 + SPACE + ENTER, ENTER, "\x03", seen=seen)  # Ctrl-C at the flag
    assert caught.value.answers == {"age": "adult", "signs": ["ache"]}
    words = interview.parting_words(kb, caught.value.answers, width=1000)
    info = kb.meta.levels[Level.urgent]
    assert words == (
        f'Before you go: your answers so far put this at "{info.label}" '
        f"({info.time_frame}). Aching at night needs a doctor soon. {info.advice[0]}"
    )
    assert interview.parting_words(kb, {"age": "adult", "signs": ["none"]}) is None


@pytest.mark.parametrize("ticked", [False, True])
def test_ctrl_c_keeps_the_half_asked_question_on_screen(mini, ticked):
    """Ctrl-C used to erase the prompt and print '» Flag: (stopped here)' instead: the question, its
    choices, the cursor and the ticks vanished before "Interrupted". Now the prompt is not erased, and
    its last frame (drawn as done) still holds the choices."""
    from prompt_toolkit.application.current import set_app
    from prompt_toolkit.layout import ConditionalContainer

    made: list = []
    real = interview._erase_when_done
    keys = [ENTER, UP * 2, SPACE, "\x03"] if ticked else [DOWN, "\x03"]  # Where: Front ticked; Flag
    seen: list[str] = []
    with (
        mock.patch.object(interview, "_erase_when_done", lambda q: made.append(q) or real(q)),
        pytest.raises(KeyboardInterrupt),
    ):
        drive(mini, *keys, seen=seen)
    app = made[-1].application
    assert app.erase_when_done is False and app.exit_style == "class:aborting"
    done = mock.patch.object(type(app), "is_done", new_callable=mock.PropertyMock, return_value=True)
    with set_app(app), done:
        choices = [
            c
            for c in app.layout.walk()
            if isinstance(c, ConditionalContainer)
            and any(hasattr(getattr(w, "content", None), "get_pointed_at") for w in c.get_children())
        ]
        assert choices and all(c.filter() for c in choices)  # drawn in the done frame too
    assert "stopped here" not in seen[0]


# --------------------------------------------------------------------------- red flags never by accident


def test_enter_alone_on_a_red_flag_question_records_none_of_these(notices):
    _, kb = notices
    answers, seen = drive(kb, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)  # enter alone, all the way
    assert answers == {"age": "adult", "signs": ["none"], "flag": "no", "where": ["none"], "pain": 0}
    assert "? Warning signs: None of these\n" in seen


def test_enter_on_a_warning_sign_with_nothing_ticked_records_nothing(notices):
    _, kb = notices
    answers, seen = drive(
        kb,
        ENTER,  # age
        UP,
        ENTER,  # signs: "A hot, swollen hip" highlighted, nothing ticked: refused
        UP,
        ENTER,  # "Aching at night": refused too
        DOWN * 2,
        ENTER,  # "None of these": taken
        ENTER,  # flag
        ENTER,  # where
        ENTER,  # pain
        ENTER,  # summary
    )
    assert answers["signs"] == ["none"]
    assert "What next?" not in seen
    q = kb.question_by_id["signs"]
    refused = interview._validate_multi(q, lambda: "hot")([])
    assert isinstance(refused, str) and "tick 'A hot, swollen hip'" in " ".join(refused.split())
    for pointed in ("none", "not_sure"):
        selected: list = []
        assert interview._validate_multi(q, lambda p=pointed: p)(selected) is True
        assert selected == [pointed]
