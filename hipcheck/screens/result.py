"""What a triage result looks like in the terminal: the urgency panel, the causes, the tips, the answers.

Two views of one result. `result_view` is the first screen, made to fit about 24 rows at 80 columns for
a typical result: the urgency panel first (label, symbol, time frame, the reasons, what to do), the
causes that are not ruled out, the top three causes one line each, what to do now (safety tips, then the
likely cause's own first steps when the engine allows them), and what to type for everything else.
`full_view` (`triage --full`, reports) adds every reason, the evidence for and against each cause, and
every tip with the answers that chose it.

Every function returns renderables or prints to a Console it is given; nothing here decides anything
(what may be shown comes from the engine: `decide.first_steps`). Meaning is never carried by colour
alone: each level is named in words and marked with a symbol.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hipcheck.engine.decide import describe, first_steps
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import AnswerValue, Level, Rule, TipResult, TriageResult
from hipcheck.screens.console import bullets

LEVEL_STYLE = {
    Level.emergency: ("bold white on red", "red", "!!!"),
    Level.same_day: ("bold white on dark_red", "dark_red", "!!!"),
    Level.urgent: ("bold black on dark_orange", "dark_orange", "!!"),
    Level.routine: ("bold black on yellow", "yellow", "!"),
    Level.self_care: ("bold black on green", "green", "ok"),
}
MAX_CAUSES = 5
FEW_ANSWERS = 8  # fewer answered questions than this: say the causes are rough
TIP_LIMITS = {"now": 4, "prevention": 3}
MIN_SHOWN_LIKELIHOOD = 0.02
# The first screen says how likely each cause is in words; the percentages are behind `--full` and in
# reports. The calibrated likelihoods are within 0.10 of how often they are right on three of the four
# case sets, but not on the published cases (README, "Measured accuracy"), so a bare number on the first
# screen would claim more than is known. (lowest likelihood, words), highest first.
LIKELIHOOD_WORDS = ((0.5, "most likely"), (0.15, "possible"), (0.0, "less likely"))


def _one_per_concern(reasons: list) -> tuple[list[str], int]:
    """The reasons' texts, one per set of causes pointed to (reasons about no cause all kept), and how
    many were left out."""
    seen: set[tuple[str, ...]] = set()
    texts: list[str] = []
    for r in reasons:
        key = tuple(sorted(r.points_to))
        if key and key in seen:
            continue
        seen.add(key)
        texts.append(r.text)
    return texts, len(reasons) - len(texts)


def level_panel(result: TriageResult, *, brief: bool = False) -> Panel:
    """The urgency: label and symbol in the title, then when, why and what to do.

    In full, every reason for the level, then the less urgent ones (worth telling whoever you see). In
    `brief` (the first screen), no blank lines, and several rules about the same causes (the bone-stress
    net has six) say one thing six ways: the first stands for them and the rest are counted; less urgent
    reasons are counted too, except any at urgent or above, which are always shown."""
    lv = result.level
    badge, border, mark = LEVEL_STYLE[lv.id]
    title = Text.assemble((f" {mark} {lv.label.upper()} ", badge))
    at_level = [r for r in lv.reasons if r.level is lv.id]
    below = [r for r in lv.reasons if r.level is not lv.id]
    if not brief:
        why, also = [r.text for r in at_level], [r.text for r in below]
        body = Group(
            Text.assemble(("When: ", "bold"), lv.time_frame),
            Text(""),
            Text("Why", style="bold"),
            bullets(why),
            *([Text(""), Text("Also noted", style="bold"), bullets(also)] if also else []),
            Text(""),
            Text("What to do", style="bold"),
            bullets(lv.advice),
        )
        return Panel(body, title=title, title_align="left", border_style=border, padding=(0, 1))
    # The first screen: the time frame goes in the title, as in the interview's notices ("!! URGENT:
    # WITHIN 1 TO 2 DAYS"; "Be seen today" says it already).
    when = "" if lv.time_frame.lower() in lv.label.lower() else f": {lv.time_frame}"
    title = Text.assemble((f" {mark} {(lv.label + when).upper()} ", badge))
    why, why_more = _one_per_concern(at_level)
    serious_below = [r for r in below if r.level.rank >= Level.urgent.rank]
    also, also_more = _one_per_concern(serious_below)
    same, less = why_more + also_more, len(below) - len(serious_below)
    rows: list[RenderableType] = []
    if len(why) == 1 and not also:
        rows.append(Text.assemble(("Why: ", "bold"), why[0]))
    else:
        rows += [Text("Why", style="bold"), bullets(why + also)]
    if same or less:
        rows.append(Text(_more_reasons(same, less), style="dim"))
    rows += [Text("What to do", style="bold"), bullets(lv.advice)]
    return Panel(Group(*rows), title=title, title_align="left", border_style=border, padding=(0, 1))


def _more_reasons(same: int, less: int) -> str:
    """The reasons the first screen leaves to the full result, counted."""
    point = f"{same} more of your answers point{'s' * (same == 1)} the same way"
    finding = f"{less} less urgent finding{'s' * (less > 1)}"
    if same and less:
        return f"{point}, and {finding}: all in the full result."
    return f"{point} (all in the full result)." if same else f"{finding} in the full result."


def level_line(result: TriageResult) -> str:
    """The level in one line of plain text, with its symbol and time frame, for when the panel has
    scrolled out of sight: 'Result: !! URGENT: WITHIN 1 TO 2 DAYS (scroll up for all of it)'."""
    lv = result.level
    mark = LEVEL_STYLE[lv.id][2]
    when = "" if lv.time_frame.lower() in lv.label.lower() else f": {lv.time_frame}"
    return f"Result: {mark} {(lv.label + when).upper()} (scroll up for all of it)"


def level_notice(kb: KnowledgeBase, rules: list[Rule], level: Level) -> Panel:
    """Shown during the interview the moment answers fire rules at `level` (urgent or above, or a rule
    that ends the interview): the level's label and time frame, the rules' reasons, then what to do.

    What to do is the level's advice, then the rules' own (each up to its `advice_max_level`). A rule
    that ends the interview says where to go instead, so its advice comes first, and replaces the
    level's when no other rule raised the level above its own."""
    info = kb.meta.levels[level]
    badge, border, mark = LEVEL_STYLE[level]
    stops = [r for r in rules if r.ends_interview]
    own = [a for r in stops + rules if level.rank <= r.advice_max_level.rank for a in r.advice]
    if not stops:
        advice = [*info.advice, *own]
    elif all(r.advice for r in stops) and level.rank <= max(r.level.rank for r in stops):
        advice = own
    else:
        advice = [*own, *info.advice]
    body = Group(
        bullets([r.reason for r in rules]), Text(""), bullets(list(dict.fromkeys(advice)), style="bold")
    )
    when = "" if info.time_frame.lower() in info.label.lower() else f": {info.time_frame}"  # "Be seen today"
    title = Text.assemble((f" {mark} {(info.label + when).upper()} ", badge))
    return Panel(body, title=title, title_align="left", border_style=border, padding=(0, 1))


def _not_ruled_out(result: TriageResult) -> list[RenderableType]:
    """A serious cause the answers point to comes first, whatever its share: the level rests on it."""
    if not result.level.not_ruled_out:
        return []
    names = {c.id: c.name for c in result.causes}
    return [
        Text("Not ruled out", style="bold underline"),
        Text("Your answers fit these, so a doctor needs to check for them, whatever the ranking says:"),
        bullets([names.get(cid, cid) for cid in result.level.not_ruled_out], style="bold"),
        Text(""),
    ]


def _few_answers(result: TriageResult) -> list[RenderableType]:
    answered = sum(1 for v in result.answers.values() if v not in ("not_sure", ["not_sure"]))
    if answered >= FEW_ANSWERS:
        return []
    few = "none of the questions" if answered == 0 else f"only {answered} question{'s' * (answered > 1)}"
    return [Text(f"You answered {few} about the pain, so the causes are a rough guess.", style="bold")]


def _cause_line(i: int, name: str, share: str) -> Table:
    line = Table.grid()  # a long name wraps under itself, not under the number
    line.add_column(no_wrap=True)
    line.add_column()
    line.add_row(Text(f"{i}. ", style="bold"), Text.assemble((name, "bold"), "  ", (share, "cyan")))
    return line


def causes_table(result: TriageResult) -> RenderableType:
    """The top causes with their evidence; always three, more while they reach MIN_SHOWN_LIKELIHOOD."""
    shown = [
        c for i, c in enumerate(result.causes[:MAX_CAUSES]) if i < 3 or c.likelihood >= MIN_SHOWN_LIKELIHOOD
    ]
    rows: list[RenderableType] = _not_ruled_out(result)
    rows.append(Text("Likely causes", style="bold underline"))
    for i, cause in enumerate(shown, 1):
        rows.append(_cause_line(i, cause.name, _share(cause.likelihood)))
        details: list[RenderableType] = []
        if cause.supporting:
            details.append(_evidence_line("for", [e.text for e in cause.supporting[:3]], "green"))
        if cause.conflicting:
            details.append(_evidence_line("against", [e.text for e in cause.conflicting[:2]], "red"))
        if details:
            rows.append(Padding(Group(*details), (0, 0, 0, 3)))
    rows.append(Text("Percentages compare the causes hipcheck knows; they are not certainties.", style="dim"))
    return Group(*rows, *_few_answers(result))


class _SaidThenCommand:
    """A heading or words, then a command to type: on one line when they fit, else the words on one line
    and the command on the next (after `lead`, capitalised: "More: hipcheck explain gtps"), so that a
    command is not broken in two at the end of a line when it need not be."""

    def __init__(self, words: Text, command: str | Text, lead: str = " ") -> None:
        self.words, self.command, self.lead = words, command, lead

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Text.assemble(self.words, (self.lead, "dim"), self.command)
        if line.cell_len <= options.max_width:
            yield line
            return
        yield self.words
        lead = self.lead.strip()
        yield Text.assemble((lead[:1].upper() + lead[1:] + " " if lead else "", "dim"), self.command)


def causes_brief(result: TriageResult) -> RenderableType:
    """The first screen's causes: those not ruled out (all of them), then the top three, a line each."""
    rows: list[RenderableType] = _not_ruled_out(result)
    note = Text("(compared with the causes hipcheck knows; not certainties)", style="dim")
    rows.append(_SaidThenCommand(Text("Likely causes", style="bold underline"), note, lead="  "))
    for i, cause in enumerate(result.causes[:3], 1):
        line = Table.grid()  # the name wraps under itself; the words stay whole, after it
        line.add_column(no_wrap=True)
        line.add_column()
        line.add_column(no_wrap=True)
        words = likelihood_words(cause.likelihood)
        line.add_row(Text(f"{i}. ", style="bold"), Text(cause.name, style="bold"), Text(f"  {words}", "cyan"))
        rows.append(line)
    return Group(*rows, *_few_answers(result))


def likelihood_words(p: float) -> str:
    """A likelihood as the first screen says it: "most likely", "possible" or "less likely"."""
    return next(words for floor, words in LIKELIHOOD_WORDS if p >= floor)


def _share(p: float) -> str:
    """A likelihood in words that never claims certainty."""
    if p > 0.99:
        return ">99%"
    return f"{p:.0%}" if p >= 0.005 else "<1%"


def _evidence_line(word: str, texts: list[str], style: str) -> Text:
    return Text.assemble((f"{'+' if word == 'for' else '-'} {word}: ", style), "; ".join(texts))


SAID, CAUSE = "you said: ", "possible cause: "


def because_text(tip: TipResult) -> str | None:
    """Why a tip was chosen, in one line: every answer test of the tip that held ("you said: A; B"), then
    every likely cause it was written for, as the engine lists them in `because`; None when there is
    nothing to say."""
    said = [b.removeprefix(SAID) for b in tip.because if b.startswith(SAID)]
    # A cause's name without its bracket ("Name (other name)"): the full name is in the causes above.
    causes = [b.removeprefix(CAUSE).split(" (")[0] for b in tip.because if b.startswith(CAUSE)]
    other = [b for b in tip.because if not b.startswith((SAID, CAUSE))]
    parts = ([SAID + "; ".join(said)] if said else []) + ([CAUSE + " or ".join(causes)] if causes else [])
    parts += other
    return "because " + "; ".join(parts) if parts else None


def _tip_grid(tips: list[TipResult]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for t in tips:
        why = because_text(t)
        grid.add_row("•", Group(Text(t.text), *([Text(why, style="dim italic")] if why else [])))
    return grid


def tips_block(result: TriageResult, limits: Mapping[str, int] = TIP_LIMITS) -> RenderableType:
    """The most relevant tips of each kind (the engine orders them); the rest are in --json and --save."""
    parts: list[RenderableType] = []
    hidden = 0
    for kind, title in (("now", "What you can do now"), ("prevention", "To stop it coming back")):
        tips = [t for t in result.tips if t.kind == kind]
        if not tips:
            continue
        shown = tips[: limits.get(kind, len(tips))]
        hidden += len(tips) - len(shown)
        parts += [Text(title, style="bold underline"), _tip_grid(shown), Text("")]
    if hidden:
        more = f"{hidden} more tip{'s' * (hidden > 1)}"
        parts.append(Text(f"{more} in a saved report (run with --save report.md) or in --json.", style="dim"))
        parts.append(Text(""))
    return Group(*parts)


def _short_name(name: str) -> str:
    """'Gluteal tendinopathy' of 'Gluteal tendinopathy / trochanteric bursitis (greater ...)', inside a
    sentence: the full name is in the list of causes just above."""
    short = name.split(" (")[0].split(" / ")[0]
    return short[0].lower() + short[1:] if short[1:2].islower() else short  # an acronym keeps its capitals


def _first_steps_block(
    kb: KnowledgeBase | None, result: TriageResult, limit: int | None = None
) -> list[RenderableType]:
    """The likely cause's own first steps (at most `limit`), when the engine allows them, with where to
    read more; when it does not, only the page of the first cause not ruled out (whose self-care is safe
    to read: a stress fracture's page says to stop running)."""
    steps = first_steps(kb, result) if kb is not None else None
    if steps is not None:
        title = Text(f"First steps for {_short_name(steps.name)}", style="bold underline")
        return [
            _SaidThenCommand(title, f"hipcheck explain {steps.cause}", lead="  more: "),
            bullets(steps.steps[:limit]),
        ]
    if result.level.not_ruled_out:
        command = f"hipcheck explain {result.level.not_ruled_out[0]}"
        return [_SaidThenCommand(Text("More:", style="dim"), command)]
    return []


def _safety_tips(kb: KnowledgeBase | None, result: TriageResult) -> list[TipResult]:
    """The tips the engine puts first because they keep someone safe (`priority`): never left off."""
    if kb is None:
        return []
    priority = {t.id: t.priority for t in kb.tips}
    return [t for t in result.tips if t.kind == "now" and priority.get(t.id, 0) > 0]


def _everything(result: TriageResult, in_history: bool) -> _SaidThenCommand:
    """What to type for the full result: `hipcheck report --last` when the result is in the history,
    else --full; --save for a file."""
    n = len(result.tips)
    what = f"The full result ({n} tip{'s' * (n != 1)}):" if n else "The full result:"
    how = "hipcheck report --last (or --full, --save report.md)"
    if not in_history:
        how = "run again with --full (or --save report.md)"
    return _SaidThenCommand(Text(what, style="dim"), how)


FIRST_SCREEN_ROWS = 24  # what the first screen aims to fit in, at the width it is drawn


class FirstScreen:
    """The first screen of a result (`result_view`), laid out at the width it is drawn: as many of the
    likely cause's first steps as keep it within FIRST_SCREEN_ROWS (at least one; the rest are in the
    full result). Nothing else depends on the width: the urgency, every reason at urgent or above, the
    causes not ruled out, the top three causes and the safety tips are always there."""

    def __init__(self, result: TriageResult, kb: KnowledgeBase | None, in_history: bool) -> None:
        self.result, self.kb, self.in_history = result, kb, in_history

    def view(self, steps: int | None) -> Group:
        result, kb = self.result, self.kb
        actions: list[RenderableType] = []
        safety = _safety_tips(kb, result)
        allowed = kb is not None and first_steps(kb, result) is not None
        if not safety and not allowed and result.level.id.rank <= Level.routine.rank:
            safety = [t for t in result.tips if t.kind == "now"][:1]  # the engine's most relevant tip
        if safety:
            actions += [Text("What you can do now", style="bold underline"), _tip_grid(safety)]
        more = _first_steps_block(kb, result, steps)
        if more:
            actions += [*([Text("")] if actions else []), *more]
        return Group(
            level_panel(result, brief=True),
            causes_brief(result),
            Text(""),
            *([*actions, Text("")] if actions else []),
            _everything(result, self.in_history),
            Text(result.disclaimer, style="italic"),
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        found = first_steps(self.kb, self.result) if self.kb is not None else None
        steps = len(found.steps) if found else 0
        view = self.view(steps)
        while steps > 1 and len(console.render_lines(view, options, pad=False)) > FIRST_SCREEN_ROWS:
            steps -= 1
            view = self.view(steps)
        yield view


def result_view(
    result: TriageResult, kb: KnowledgeBase | None = None, *, in_history: bool = False
) -> RenderableType:
    """The first screen, in the order that matters: the urgency panel (label, symbol, time frame, the
    reasons, what to do), the causes not ruled out and the top three, what to do now (the safety tips,
    then the likely cause's first steps when the engine allows them, else the most relevant tip), what
    to type for everything else, the disclaimer. `kb` gives the first steps and which tips are safety
    tips (without it the first "now" tip stands in); `in_history` says `hipcheck report --last` will
    show this result in full."""
    return FirstScreen(result, kb, in_history)


def full_view(result: TriageResult, kb: KnowledgeBase | None = None) -> RenderableType:
    """Everything (`triage --full`): every reason, the evidence for and against each cause, the likely
    cause's first steps when allowed, every tip with the answers that chose it, the disclaimer."""
    steps = _first_steps_block(kb, result)
    return Group(
        level_panel(result),
        Text(""),
        causes_table(result),
        Text(""),
        *([*steps, Text("")] if steps else []),
        tips_block(result, limits={}),
        Text(result.disclaimer, style="italic"),
    )


def answers_table(
    kb: KnowledgeBase, answers: Mapping[str, AnswerValue], title: str = "Your answers"
) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, expand=False, pad_edge=False)
    table.add_column("question", style="bold", no_wrap=False, ratio=1)
    table.add_column("answer", ratio=2)
    for q in kb.questions:
        if q.id in answers:
            # content text: Text, never Rich markup
            table.add_row(Text(q.short), Text(describe(kb, q.id, answers[q.id]).split(": ", 1)[1]))
    return table
