"""The interactive interview: the only module that imports questionary and prompt_toolkit.

It walks the engine's question tree, lets the user go back, tells the user the moment an answer
fires a rule at urgent or above (and stops when a rule says hipcheck cannot assess this person), and
ends with a summary the user can correct before seeing the result. Ctrl-C raises KeyboardInterrupt
with the answers so far attached (the CLI says what they already mean, then exits with code 130).
"""

from __future__ import annotations

import contextlib
import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.application import create_app_session, get_app_session
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.layout import ConditionalContainer
from prompt_toolkit.output import create_output
from prompt_toolkit.utils import get_cwidth
from questionary import Choice

from hipcheck.engine import decide
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import NOT_SURE, Level, Question, Rule

if TYPE_CHECKING:
    from rich.console import Console

BACK = "__back__"
BACK_LABEL = "← Go back to the previous question"
WENT_BACK = "(went back to the previous question)"
SEE_RESULT = "__result__"
CHANGE = "__change__"
KEEP = "__keep__"
STOP = "__stop__"
GO_ON = "__go_on__"
KEEP_LABEL = "Keep my answers (back to the summary)"
SECTION_TITLES = {
    "safety": "First, a few warning signs to rule out",
    "pain": "About the pain",
    "details": "A little more detail",
    "training": "Your training and health",
    "about_you": "About you",
}
# The echo of an answered question, in questionary's own colours.
QMARK, QUESTION, ANSWER = "fg:#5f819d", "bold", "fg:#FF9D00 bold"
# Two marks, never the same: "?" before every question (asked, and in its echo), "»" at the cursor.
QMARK_TEXT, POINTER = "?", "»"
DESCRIPTION = "  Description: "  # questionary's prefix for the highlighted option's help
NOTICE_LEVEL = Level.urgent  # answers that fire a rule at this level or above are told at once
ARROWS_HINT = "(Use arrow keys)"  # questionary's own hint, passed on so that it wraps (see _hint)
TYPING_SECONDS = 1.5  # on a scale, digits typed within this of each other make one number ("10")
_clock = time.monotonic


@contextlib.contextmanager
def terminal_session(no_color: bool = False) -> Iterator[None]:
    """Send prompts to stderr, so `hipcheck triage --json | jq` keeps stdout clean. `no_color` (the
    --no-color flag) works as NO_COLOR=1 does, which prompt_toolkit reads."""
    if no_color:
        os.environ["NO_COLOR"] = "1"
    with create_app_session(output=create_output(stdout=sys.stderr)):
        yield


def _width() -> int:
    """Columns of the screen the interview draws on."""
    try:
        return max(get_app_session().output.get_size().columns, 20)
    except (OSError, ValueError):
        return 80


def _wrap(fragments: list[tuple[str, str]], width: int, indent: str = "") -> FormattedText:
    """Word-wrap styled text to `width` columns (prompt_toolkit alone breaks lines mid-word).
    Continuation lines start with `indent`; a word longer than a whole line is cut."""
    out: list[tuple[str, str]] = []

    def put(style: str, text: str) -> None:  # runs of one style stay one piece of text
        if out and out[-1][0] == style:
            out[-1] = (style, out[-1][1] + text)
        else:
            out.append((style, text))

    col = 0  # 0: nothing on this line yet
    room = max(width - get_cwidth(indent), 10)
    for style, text in fragments:
        for word in text.split():
            while word:
                size = get_cwidth(word)
                if col and col + 1 + size <= width:
                    put(style if out[-1][0] == style else "", " ")
                    col += 1
                elif col:
                    put("", "\n" + indent)
                    col = get_cwidth(indent)
                    if col + size > width:  # longer than a line: cut it
                        put(style, word[:room])
                        word = word[room:]
                        col += room
                        continue
                put(style, word)
                col += size
                word = ""
    return FormattedText(out)


def _fit(message: str) -> str:
    """A message for questionary's error line, which does not wrap: break it at word boundaries."""
    return textwrap.fill(message, width=_width() - 1)


def _echo(short: str, answer: str, style: str = ANSWER) -> None:
    """What stays on screen after a question: '? Short: the answer', wrapped at word boundaries."""
    label = short if short.endswith("?") else f"{short}:"
    fragments = [(QMARK, QMARK_TEXT), (QUESTION, label), (style, answer)]
    print_formatted_text(_wrap(fragments, _width(), indent="  "))


def _progress(kb: KnowledgeBase, q: Question, answers: decide.Answers) -> str:
    """'(4 of ~17)': this question's place among those asked so far and those still to come."""
    planned = [p.id for p in decide.planned_questions(kb, {**answers, q.id: NOT_SURE})]
    position = planned.index(q.id) + 1 if q.id in planned else len(answers) + 1
    return f"({position} of ~{len(planned)})"


def _description(help_text: str | None, width: int) -> str | None:
    """An option's help, pre-wrapped under questionary's 'Description:' prefix (its window does
    not wrap, so a long help line was cut off at the screen edge)."""
    if not help_text:
        return None
    text = " ".join(help_text.split())
    room = width - len(DESCRIPTION) - 1
    if room < 20:  # too narrow to indent under the prefix: use whole lines below it
        return "\n" + textwrap.fill(
            text, width=max(width - 3, 10), initial_indent="  ", subsequent_indent="  "
        )
    # The first line follows the prefix on screen; later lines carry it as spaces (textwrap counts
    # them in its width, so theirs is the full width less one).
    first, *rest = textwrap.wrap(text, width=room) or [""]
    rest = (
        textwrap.wrap(
            " ".join(rest),
            width=width - 1,
            initial_indent=" " * len(DESCRIPTION),
            subsequent_indent=" " * len(DESCRIPTION),
        )
        if rest
        else []
    )
    return "\n".join([first, *rest])


def _title(label: str, indent: int, width: int) -> str:
    """A choice's label, word-wrapped to fit after the cursor (and a multiple choice's tick box),
    `indent` columns wide, with its later lines indented as far: questionary does not wrap a choice,
    so a long label was cut off at the screen edge. A plain string (not formatted text), so the
    highlighted and ticked choices keep questionary's colours."""
    lines = textwrap.wrap(label, width=max(width - indent - 1, 10)) or [label]
    return ("\n" + " " * indent).join(lines)


def _hint(message: str, hint: str) -> str:
    """A prompt's hint ('(Use arrow keys)'), broken at word boundaries so that it fits on the line
    after '? Message ' and the lines below it (prompt_toolkit breaks a long prompt line anywhere)."""
    width = _width() - 1
    col = get_cwidth(f"{QMARK_TEXT} {message} ")
    out = ""
    for word in hint.split():
        size = get_cwidth(word)
        if col and col + size > width:
            out, col = out.rstrip(" ") + "\n", 0
        out += word + " "
        col += size + 1
    return out.rstrip(" ")


def _wrap_titles(choices: list[Choice], multi: bool = False) -> list[Choice]:
    indent = 2 + get_cwidth(POINTER) + (2 if multi else 0)  # " » ", then "○ " in a multiple choice
    width = _width()
    for c in choices:
        c.title = _title(str(c.title), indent, width)
    return choices


def _choices(q: Question, previous: object, can_go_back: bool) -> list[Choice]:
    if q.kind == "scale":
        choices = []
        for n in range(q.scale_min, q.scale_max + 1):
            label = q.scale_labels.get(str(n), "")
            choices.append(Choice(f"{n:>2}  {label}".rstrip(), value=n))
    else:
        width = _width()
        choices = [Choice(o.label, value=o.id, description=_description(o.help, width)) for o in q.options]
    if q.offer_not_sure:
        choices.append(Choice("Not sure", value=NOT_SURE))
    if q.kind == "multi":
        picked = previous if isinstance(previous, list) else []
        for c in choices:
            c.checked = c.value in picked
    if can_go_back:
        choices.append(Choice(BACK_LABEL, value=BACK))
    return _wrap_titles(choices, multi=q.kind == "multi")


def answer_text(q: Question, value: object) -> str:
    """The answer in words, as in the summary: every ticked option's label, joined with '; '."""
    if value == BACK:
        return WENT_BACK
    if isinstance(value, list):
        return "; ".join(answer_text(q, v) for v in value)
    if isinstance(value, int):
        label = q.scale_labels.get(str(value), "")
        return f"{value} out of {q.scale_max}" + (f" ({label})" if label else "")
    return q.label_of(str(value))


def _validate_multi(q: Question, pointed: Callable[[], object | None]):
    """Check a multiple choice. Enter with nothing ticked takes the highlighted choice, so "None of
    these" and "Not sure" work with enter alone, as in a single choice ("Go back" is handled by its
    own key binding, whatever is ticked). On a question with a "None of these" option (every
    red-flag question), enter alone never records any other option: that would record a warning
    sign the user only moved past; it asks for a tick instead."""
    exclusive = {NOT_SURE, q.none_option} - {None}
    names = " and ".join(
        f"'{n}'" for n in [answer_text(q, q.none_option) if q.none_option else None, "Not sure"] if n
    )

    def check(selected: list) -> bool | str:
        if not selected:
            value = pointed()
            if value is None:
                return _fit(
                    "Tick at least one with space (or 'None of these' / 'Not sure'), then press enter."
                )
            if q.none_option and value not in exclusive:
                return _fit(
                    f"Nothing is ticked. Press space to tick '{answer_text(q, value)}' if it applies, "
                    f"then enter; if none apply, choose '{answer_text(q, q.none_option)}'."
                )
            selected.append(value)  # questionary returns this very list as the answer
        if len(selected) > 1 and exclusive & set(selected):
            return _fit(f"{names} cannot be combined with other choices.")
        return True

    return check


def _erase_when_done(question: questionary.Question) -> questionary.Question:
    """Let the prompt vanish when answered, so the interview prints its own word-wrapped echo; and
    switch off prompt_toolkit's Esc+Enter (Alt+Enter), which would accept the prompt's empty input
    line and return '' instead of a choice.

    Ctrl-C is different: the half-asked question stays on screen as it was, its choices, the cursor
    and any ticks included (greyed, as prompt_toolkit shows an aborted prompt), and the parting words
    and "Interrupted" follow below it. questionary hides the choices of a finished prompt, so here
    they stay visible once the prompt is stopped."""
    app = question.application
    app.erase_when_done = True
    stopped = {"now": False}

    def keep_on_screen(event) -> None:
        stopped["now"] = True
        event.app.erase_when_done = False
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    keys = KeyBindings()
    keys.add("c-c", eager=True)(keep_on_screen)
    was_stopped = Condition(lambda: stopped["now"])
    for container in app.layout.walk():
        if isinstance(container, ConditionalContainer) and any(
            hasattr(getattr(c, "content", None), "get_pointed_at") for c in container.get_children()
        ):
            container.filter = container.filter | was_stopped  # the choices: shown when stopped too
    app.key_bindings = merge_key_bindings([app.key_bindings, _NO_ALT_ENTER, keys])  # later bindings win
    return question


_NO_ALT_ENTER = KeyBindings()


@_NO_ALT_ENTER.add("escape", "enter", eager=True)
def _ignore_alt_enter(_event) -> None:
    """Esc+Enter does nothing: the user must choose."""


def _ask(question: questionary.Question, short: str | None = None) -> object:
    """Ask; on Ctrl-C the question stays on screen as it was (see `_erase_when_done`) and
    KeyboardInterrupt goes on to the CLI. `short`, the question's short name, was for a '(stopped here)'
    echo that the question on screen now makes needless; callers may still pass it."""
    return question.unsafe_ask()


def _select(message: str, choices: list[Choice], default: Choice | None = None) -> object:
    """A single choice, echoed as '? Message: the chosen label'."""
    choices = _wrap_titles(choices)
    question = questionary.select(
        message,
        choices=choices,
        qmark=QMARK_TEXT,
        pointer=POINTER,
        default=default,
        instruction=_hint(message, ARROWS_HINT),
    )
    value = _ask(_erase_when_done(question), message)
    _echo(message, next(str(c.title) for c in choices if c.value == value))
    return value


def _checkbox(q: Question, choices: list[Choice]) -> list:
    """A multiple choice. Enter on "Go back" goes back whatever is ticked (the ticks are dropped);
    space there, and the select-all / invert keys, tick nothing."""
    control: list = []

    def pointed() -> object | None:
        try:
            return control[0].get_pointed_at().value
        except (IndexError, AttributeError):
            return None

    question = _erase_when_done(
        questionary.checkbox(
            q.short,
            choices=choices,
            qmark=QMARK_TEXT,
            pointer=POINTER,
            validate=_validate_multi(q, pointed),
            instruction=_hint(q.short, "(space to tick, enter when done)"),
            initial_choice=q.none_option,  # enter alone then records "None of these", nothing worse
        )
    )
    app = question.application
    control.extend(c for c in app.layout.find_all_controls() if hasattr(c, "get_pointed_at"))
    on_back = Condition(lambda: pointed() == BACK)
    keys = KeyBindings()

    @keys.add("enter", filter=on_back, eager=True)
    def _go_back(event) -> None:
        event.app.exit(result=[BACK])

    @keys.add(" ", filter=on_back, eager=True)
    def _explain_back(_event) -> None:
        hint = _fit("Press enter to go back to the previous question (your ticks here are dropped).")
        control[0].error_message = FormattedText([("class:validation-toolbar", hint)])

    @keys.add("a", eager=True)
    @keys.add("i", eager=True)
    def _no_select_all(_event) -> None:
        """questionary's tick-all and invert would tick "None of these", "Not sure" and "Go back"."""

    app.key_bindings = merge_key_bindings([app.key_bindings, keys])  # later bindings win
    return _ask(question, q.short)


def _scale_hint(q: Question) -> str:
    return f"(type {q.scale_min} to {q.scale_max} or use the arrow keys, then enter)"


def _type_numbers(question: questionary.Question) -> questionary.Question:
    """On a scale, a digit highlights that number, as the arrow keys would; enter still confirms. Digits
    typed quickly one after another make one number when it is on the scale (1 then 0: 10); otherwise,
    or after a pause or an arrow key, a digit starts a new number."""
    app = question.application
    control = next(c for c in app.layout.find_all_controls() if hasattr(c, "get_pointed_at"))
    place = {c.value: i for i, c in enumerate(control.choices) if isinstance(c.value, int)}
    typed = {"text": "", "at": 0.0}
    keys = KeyBindings()

    def highlight(event) -> None:
        now = _clock()
        longer = typed["text"] + event.data
        quick = now - typed["at"] <= TYPING_SECONDS
        still = typed["text"] and control.get_pointed_at().value == int(typed["text"])  # not moved since
        text = longer if still and quick and int(longer) in place else event.data
        typed["text"], typed["at"] = text, now
        if int(text) in place:
            control.pointed_at = place[int(text)]

    for digit in "0123456789":
        keys.add(digit, eager=True)(highlight)
    app.key_bindings = merge_key_bindings([app.key_bindings, keys])  # later bindings win
    return question


def ask(q: Question, previous: object = None, can_go_back: bool = False) -> object:
    """Ask one question (its full text is already on screen); return the answer value, or BACK.
    Afterwards the screen shows '? Short: answer', naming everything recorded (or that the user
    went back)."""
    choices = _choices(q, previous, can_go_back)
    if q.kind == "multi":
        value = _checkbox(q, choices)
        value = BACK if BACK in value else value
        _echo(q.short, answer_text(q, value))
        return value
    default = next((c for c in choices if c.value == previous), None)
    hint = _hint(q.short, _scale_hint(q) if q.kind == "scale" else ARROWS_HINT)
    question = questionary.select(
        q.short, choices=choices, qmark=QMARK_TEXT, pointer=POINTER, default=default, instruction=hint
    )
    value = _ask(_erase_when_done(_type_numbers(question) if q.kind == "scale" else question), q.short)
    _echo(q.short, answer_text(q, value))
    return value


def _say(text: str, style: str = "") -> None:
    """A plain line on the interview's screen, word-wrapped (prompt_toolkit, so rich need not load
    before the first question)."""
    width = _width()
    lines = [
        textwrap.fill(part, width=width, subsequent_indent="  " if part.startswith("- ") else "")
        for part in text.split("\n")
    ]
    print_formatted_text(FormattedText([(style, "\n".join(lines))]))


def notice_due(fired: list[Rule], shown: set[str]) -> tuple[Level, list[Rule]] | None:
    """The notice the answers so far call for, as (its level, the rules it tells of, most urgent
    first), or None. `fired` are the rules the answers fire, `shown` the ids of those already told.

    Rules at NOTICE_LEVEL or above are told as soon as they fire, and a rule that ends the interview
    always is; after that, only a higher level than one already told whose rule still fires (the
    bone-stress net has six urgent rules: one notice says it)."""
    told = [r.level.rank for r in fired if r.id in shown]
    floor = max(told) + 1 if told else NOTICE_LEVEL.rank
    new = [r for r in fired if r.id not in shown and (r.level.rank >= floor or r.ends_interview)]
    if not new:
        return None
    new.sort(key=lambda r: -r.level.rank)  # stable: content order within a level
    if any(r.ends_interview for r in new):  # the level the result will have
        return max((r.level for r in fired), key=lambda lv: lv.rank), new
    return new[0].level, new


def parting_words(kb: KnowledgeBase, answers: decide.Answers, width: int | None = None) -> str | None:
    """For an interview cut short (Ctrl-C): when the answers given so far already fire a rule at
    NOTICE_LEVEL or above, one paragraph with the level, its time frame, the reasons and the first
    piece of advice, so no one leaves without it; wrapped to `width` (the width of the terminal
    stderr goes to). None otherwise."""
    fired = [
        r for r in decide.fired_rules(kb, answers) if r.level.rank >= NOTICE_LEVEL.rank or r.ends_interview
    ]
    if not fired:
        return None
    level = max((r.level for r in fired), key=lambda lv: lv.rank)
    info = kb.meta.levels[level]
    reasons = " ".join(r.reason for r in fired if r.level is level)
    when = "" if info.time_frame.lower() in info.label.lower() else f" ({info.time_frame})"
    text = f'Before you go: your answers so far put this at "{info.label}"{when}. {reasons} {info.advice[0]}'
    if width is None:
        try:
            width = os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError):
            width = 80
    return textwrap.fill(text, width=max(width - 1, 20))


def _tell(kb: KnowledgeBase, draw: Callable[..., None], level: Level, rules: list[Rule]) -> object:
    """Show a notice for these newly fired rules and ask what next: STOP, GO_ON or CHANGE.

    After a rule that ends the interview there is no carrying on. Otherwise stopping is the
    highlighted choice for an emergency; below it carrying on is, as a later warning sign can still
    raise the level, and the rest of the answers shape the causes and advice. An answer picked by
    mistake (enter pressed too soon) can be changed rather than ending the interview on a warning sign
    it does not have."""
    from hipcheck.screens.result import level_notice

    draw(level_notice, kb, rules, level)
    change = Choice("Change my last answer (picked by mistake)", value=CHANGE)
    if any(r.ends_interview for r in rules):
        _say("hipcheck cannot assess this, so the questions stop here.", "bold")
        return _select("What next?", [Choice("See the result", value=STOP), change])
    stop = Choice("Stop here and see the result", value=STOP)
    go_on = Choice("Carry on with the questions", value=GO_ON)
    if level is Level.emergency:
        _say("The advice above comes first.", "bold")
        return _select("What next?", [stop, go_on, change])
    # Below an emergency the rest of the questions still matter: a later warning sign can make it one
    # (a sore testicle that came on suddenly), and the causes and advice depend on them.
    _say(
        "Act on the advice above. Carrying on adds the likely causes, and a later answer may make it "
        "more urgent.",
        "bold",
    )
    return _select("What next?", [stop, go_on, change], default=go_on)


def run_interview(kb: KnowledgeBase, console: Console | Callable[[], Console]) -> decide.Answers:
    """Ask questions until the tree ends and the user confirms the summary; return the answers.

    `console` (or a function making one) draws the summary table and any notice; it is only needed
    then, so rich is not imported before the first question. Ctrl-C (KeyboardInterrupt) and the end
    of input (EOFError) propagate with the answers given so far attached as `.answers`, for
    `parting_words`."""
    answers: decide.Answers = {}
    try:
        return _run(kb, console, answers)
    except (KeyboardInterrupt, EOFError) as exc:
        exc.answers = dict(answers)  # type: ignore[attr-defined]
        raise


def _run(
    kb: KnowledgeBase, console: Console | Callable[[], Console], answers: decide.Answers
) -> decide.Answers:
    """The interview loop; `answers` is updated in place, so the caller always has what was given."""
    previous: dict[str, object] = {}  # answers taken back, offered again as the default
    shown: set[str] = set()  # rules the user has been told about (in a notice) and that still fire
    section = ""
    made: list[Console] = []

    def draw(renderable_of: Callable[..., object], *args: object) -> None:
        if not made:
            made.append(console() if callable(console) else console)
        made[0].print(renderable_of(*args))

    def keep_only(kept: decide.Answers) -> None:
        answers.clear()
        answers.update(kept)

    _say(
        "hipcheck asks about your hip pain, then shows how urgent it looks, the likely causes and what "
        "to do. It takes about 3 minutes. Arrow keys to move, enter to choose; Ctrl-C to stop."
    )
    _say("It is not meant for:\n" + "\n".join(f"- {who}" for who in kb.meta.not_for), "italic")
    while True:
        q = decide.next_question(kb, answers)
        if q is None:
            from hipcheck.screens.result import answers_table

            draw(answers_table, kb, answers)
            action = _select(
                "Is this right?",
                [
                    Choice("Yes, show my result", value=SEE_RESULT),
                    Choice("Change an answer", value=CHANGE),
                ],
            )
            if action == SEE_RESULT:
                return answers
            target = _select(
                "Which answer?",
                [Choice(p.short, value=p.id) for p in kb.questions if p.id in answers]
                + [Choice(KEEP_LABEL, value=KEEP)],
            )
            if target == KEEP:
                continue  # the summary again, unchanged
            previous[target] = answers.pop(target)
            continue

        if q.section != section:
            section = q.section
            _say(f"\n{SECTION_TITLES.get(section, section)}", "bold underline")
        _say(f"{_progress(kb, q, answers)} {q.text}", "bold")
        if q.help:
            _say(q.help.strip(), "italic")
        # "Go back" returns to the answered question just before this one in the interview's order.
        before = [p.id for p in kb.questions[: [p.id for p in kb.questions].index(q.id)] if p.id in answers]
        value = ask(q, previous.get(q.id), can_go_back=bool(before))
        if value == BACK:
            previous[before[-1]] = answers.pop(before[-1])
            continue
        answers[q.id] = value  # type: ignore[assignment]
        previous.pop(q.id, None)
        # A changed answer can make later answers irrelevant: keep only what the tree still asks.
        keep_only(decide.effective_answers(kb, answers))

        fired = decide.fired_rules(kb, answers)
        shown.intersection_update(r.id for r in fired)  # an answer taken back can be told again
        due = notice_due(decide.settled_rules(kb, answers), shown)  # not one a later answer can cancel
        if due is None:
            continue
        level, rules = due
        shown.update(r.id for r in rules)
        after = _tell(kb, draw, level, rules)
        if after == CHANGE:
            previous[q.id] = answers.pop(q.id)
            shown.difference_update(r.id for r in rules)
        elif after == STOP:
            return answers


# --------------------------------------------------------------------------- after the result

EVERYTHING = "__everything__"
PLAN = "__plan__"
SAVE_REPORT = "__save_report__"
DONE = "__done__"


def what_next(*, everything: bool = True, plan: bool = False, reminder: str | None = None) -> str:
    """After an interview's result, on a terminal: EVERYTHING (all causes and tips), PLAN (the
    back-to-running plan, offered when the level allows one), SAVE_REPORT or DONE. Done is highlighted,
    so enter alone ends. `reminder` (the level in a line) is said first."""
    if reminder:
        _say(reminder, "bold")
    choices = [Choice("Show everything (all causes and tips)", value=EVERYTHING)] if everything else []
    choices += [Choice("Your back-to-running plan", value=PLAN)] if plan else []
    choices += [Choice("Save a report…", value=SAVE_REPORT), Choice("Done", value=DONE)]
    return str(_select("What next?", choices, default=choices[-1]))


def ask_report_name(suggested: str, problem: Callable[[str], str | None]) -> str | None:
    """A file name for the report, checked before it is accepted (`problem` says what is wrong with a
    name, or None); None when the user leaves it empty to go back."""

    def check(text: str) -> bool | str:
        if not text.strip():
            return True
        found = problem(text.strip())
        return _fit(found) if found else True

    short = "Save the report as"
    question = questionary.text(
        "Report file (.md .html .txt .svg; empty to go back):",
        default=suggested,
        qmark=QMARK_TEXT,
        validate=check,
    )
    name = str(_ask(_erase_when_done(question), short)).strip()
    _echo(short, name or "(not saved)", style=ANSWER if name else "italic")
    return name or None
