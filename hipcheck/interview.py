"""The interactive interview: the only module that imports questionary and prompt_toolkit.

It walks the engine's question tree, lets the user go back, shows emergency advice the moment an
emergency answer is given, and ends with a summary the user can correct before seeing the result.
Ctrl-C raises KeyboardInterrupt (the CLI turns it into exit code 130).
"""

from __future__ import annotations

import contextlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.application import create_app_session
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import create_output
from questionary import Choice

from . import engine
from .content import KnowledgeBase
from .models import NOT_SURE, Level, Question

if TYPE_CHECKING:
    from rich.console import Console

BACK = "__back__"
BACK_LABEL = "← Go back to the previous question"
SEE_RESULT = "__result__"
CHANGE = "__change__"
SECTION_TITLES = {
    "safety": "First, a few warning signs to rule out",
    "pain": "About the pain",
    "details": "A little more detail",
    "training": "Your training and health",
    "about_you": "Last, about you",
}


@contextlib.contextmanager
def terminal_session() -> Iterator[None]:
    """Send prompts to stderr, so `hipcheck triage --json | jq` keeps stdout clean."""
    with create_app_session(output=create_output(stdout=sys.stderr)):
        yield


def _progress(kb: KnowledgeBase, q: Question, answers: engine.Answers) -> str:
    """'(4 of ~17)': this question's place among those asked so far and those still to come."""
    planned = [p.id for p in engine.planned_questions(kb, {**answers, q.id: NOT_SURE})]
    position = planned.index(q.id) + 1 if q.id in planned else len(answers) + 1
    return f"({position} of ~{len(planned)})"


def _choices(q: Question, previous: object, can_go_back: bool) -> list[Choice]:
    if q.kind == "scale":
        choices = []
        for n in range(q.scale_min, q.scale_max + 1):
            label = q.scale_labels.get(str(n), "")
            choices.append(Choice(f"{n:>2}  {label}".rstrip(), value=n))
    else:
        choices = [Choice(o.label, value=o.id, description=o.help) for o in q.options]
    choices.append(Choice("Not sure", value=NOT_SURE))
    if q.kind == "multi":
        picked = previous if isinstance(previous, list) else []
        for c in choices:
            c.checked = c.value in picked
    if can_go_back:
        choices.append(Choice(BACK_LABEL, value=BACK))
    return choices


def _validate_multi(q: Question, pointed: Callable[[], object | None]):
    """Check a multiple choice. Enter with nothing ticked takes the highlighted choice, so "None of
    these", "Not sure" and "Go back" work with enter alone, as in a single choice."""
    exclusive = {NOT_SURE, BACK, q.none_option} - {None}

    def check(selected: list) -> bool | str:
        if not selected:
            value = pointed()
            if value is None:
                return "Tick at least one with space (or 'None of these' / 'Not sure'), then press enter."
            selected.append(value)  # questionary returns this very list as the answer
        if len(selected) > 1 and exclusive & set(selected):
            return "'None of these', 'Not sure' and 'Go back' cannot be combined with other choices."
        return True

    return check


def ask(q: Question, previous: object = None, can_go_back: bool = False) -> object:
    """Ask one question (its full text is already on screen); return the answer value, or BACK."""
    choices = _choices(q, previous, can_go_back)
    if q.kind == "multi":
        control: list = []

        def pointed() -> object | None:
            try:
                return control[0].get_pointed_at().value
            except (IndexError, AttributeError):
                return None

        question = questionary.checkbox(
            q.short,
            choices=choices,
            qmark="»",
            validate=_validate_multi(q, pointed),
            instruction="(space to tick, enter when done)",
        )
        control.extend(
            c for c in question.application.layout.find_all_controls() if hasattr(c, "get_pointed_at")
        )
        value = question.unsafe_ask()
        return BACK if value == [BACK] else value
    default = next((c for c in choices if c.value == previous), None)
    return questionary.select(q.short, choices=choices, qmark="»", default=default).unsafe_ask()


def _say(text: str, style: str = "") -> None:
    """A plain line on the interview's screen, word-wrapped (prompt_toolkit, so rich need not load
    before the first question)."""
    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        width = 80
    lines = [textwrap.fill(part, width=max(width, 20)) if part else "" for part in text.split("\n")]
    print_formatted_text(FormattedText([(style, "\n".join(lines))]))


def run_interview(kb: KnowledgeBase, console: Console | Callable[[], Console]) -> engine.Answers:
    """Ask questions until the tree ends and the user confirms the summary; return the answers.

    `console` (or a function making one) draws the summary table and any emergency notice; it is
    only needed then, so rich is not imported before the first question."""
    answers: engine.Answers = {}
    previous: dict[str, object] = {}  # answers taken back, offered again as the default
    shown_emergencies: set[str] = set()
    section = ""
    made: list[Console] = []

    def draw(renderable_of: Callable[..., object], *args: object) -> None:
        if not made:
            made.append(console() if callable(console) else console)
        made[0].print(renderable_of(*args))

    _say(
        "hipcheck asks about your hip pain, then shows how urgent it looks, the likely causes and what "
        "to do. It takes about 3 minutes. Arrow keys to move, enter to choose; Ctrl-C to stop."
    )
    _say(f"It is not for {'; '.join(kb.meta.not_for)}.", "italic")
    while True:
        q = engine.next_question(kb, answers)
        if q is None:
            from .render import answers_table

            draw(answers_table, kb, answers)
            action = questionary.select(
                "Is this right?",
                choices=[
                    Choice("Yes, show my result", value=SEE_RESULT),
                    Choice("Change an answer", value=CHANGE),
                ],
                qmark="»",
            ).unsafe_ask()
            if action == SEE_RESULT:
                return answers
            target = questionary.select(
                "Which answer?",
                choices=[Choice(p.short, value=p.id) for p in kb.questions if p.id in answers],
                qmark="»",
            ).unsafe_ask()
            previous[target] = answers.pop(target)
            continue

        if q.section != section:
            section = q.section
            _say(f"\n{SECTION_TITLES.get(section, section)}", "bold underline")
        _say(f"{_progress(kb, q, answers)} {q.text}", "bold")
        if q.help:
            _say(q.help.strip(), "italic")
        # "Go back" returns to the answered question just before this one in the interview's order.
        before = [p.id for p in kb.questions[: kb.questions.index(q)] if p.id in answers]
        value = ask(q, previous.get(q.id), can_go_back=bool(before))
        if value == BACK:
            previous[before[-1]] = answers.pop(before[-1])
            continue
        answers[q.id] = value  # type: ignore[assignment]
        previous.pop(q.id, None)
        # A changed answer can make later answers irrelevant: keep only what the tree still asks.
        answers = engine.effective_answers(kb, answers)

        new = [
            r
            for r in engine.fired_rules(kb, answers)
            if r.level is Level.emergency and r.id not in shown_emergencies
        ]
        if new:
            shown_emergencies.update(r.id for r in new)
            from .render import emergency_notice

            draw(emergency_notice, kb, new)
            go_on = questionary.confirm(
                "The advice above comes first. Carry on with the questions to see likely causes?",
                default=False,
                qmark="»",
            ).unsafe_ask()
            if not go_on:
                return answers
