"""What a triage result looks like in the terminal: the urgency panel, the causes, the tips, the answers.

Every function returns renderables or prints to a Console it is given; nothing here decides anything.
Meaning is never carried by colour alone: each level is named in words and marked with a symbol.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hipcheck.engine.decide import describe
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import AnswerValue, Level, Rule, TriageResult
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


def level_panel(result: TriageResult) -> Panel:
    lv = result.level
    badge, border, mark = LEVEL_STYLE[lv.id]
    title = Text.assemble((f" {mark} {lv.label.upper()} ", badge))
    # The reasons that set this level, then the less urgent ones (worth telling whoever you see). Several
    # rules about the same causes (the bone-stress net has six) would say one thing six ways: the first
    # stands for them, and the rest are counted (all are in the report and --json).
    why, why_more = _one_per_concern([r for r in lv.reasons if r.level is lv.id])
    also, also_more = _one_per_concern([r for r in lv.reasons if r.level is not lv.id])

    def more(n: int) -> list[RenderableType]:
        words = f"{n} more of your answers point the same way (all in --save report.md and --json)."
        return [Text(words, style="dim")] if n else []

    body = Group(
        Text.assemble(("When: ", "bold"), lv.time_frame),
        Text(""),
        Text("Why", style="bold"),
        bullets(why),
        *more(why_more),
        *([Text(""), Text("Also noted", style="bold"), bullets(also), *more(also_more)] if also else []),
        Text(""),
        Text("What to do", style="bold"),
        bullets(lv.advice),
    )
    return Panel(body, title=title, title_align="left", border_style=border, padding=(0, 1))


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


def causes_table(result: TriageResult) -> RenderableType:
    """The top causes with their evidence; always three, more while they reach MIN_SHOWN_LIKELIHOOD."""
    shown = [
        c for i, c in enumerate(result.causes[:MAX_CAUSES]) if i < 3 or c.likelihood >= MIN_SHOWN_LIKELIHOOD
    ]
    rows: list[RenderableType] = []
    if result.level.not_ruled_out:
        # A serious cause the answers point to comes first, whatever its share: the level rests on it.
        names = {c.id: c.name for c in result.causes}
        rows += [
            Text("Not ruled out", style="bold underline"),
            Text("Your answers fit these, so a doctor needs to check for them, whatever the ranking says:"),
            bullets([names.get(cid, cid) for cid in result.level.not_ruled_out], style="bold"),
            Text(""),
        ]
    rows.append(Text("Likely causes", style="bold underline"))
    for i, cause in enumerate(shown, 1):
        share = _share(cause.likelihood)
        line = Table.grid()  # a long name wraps under itself, not under the number
        line.add_column(no_wrap=True)
        line.add_column()
        line.add_row(Text(f"{i}. ", style="bold"), Text.assemble((cause.name, "bold"), "  ", (share, "cyan")))
        rows.append(line)
        details: list[RenderableType] = []
        if cause.supporting:
            details.append(_evidence_line("for", [e.text for e in cause.supporting[:3]], "green"))
        if cause.conflicting:
            details.append(_evidence_line("against", [e.text for e in cause.conflicting[:2]], "red"))
        if details:
            rows.append(Padding(Group(*details), (0, 0, 0, 3)))
    rows.append(Text("Percentages compare the causes hipcheck knows; they are not certainties.", style="dim"))
    answered = sum(1 for v in result.answers.values() if v not in ("not_sure", ["not_sure"]))
    if answered < FEW_ANSWERS:
        few = "none of the questions" if answered == 0 else f"only {answered} question{'s' * (answered > 1)}"
        rows.append(
            Text(f"You answered {few} about the pain, so the causes are a rough guess.", style="bold")
        )
    return Group(*rows)


def _share(p: float) -> str:
    """A likelihood in words that never claims certainty."""
    if p > 0.99:
        return ">99%"
    return f"{p:.0%}" if p >= 0.005 else "<1%"


def _evidence_line(word: str, texts: list[str], style: str) -> Text:
    return Text.assemble((f"{'+' if word == 'for' else '-'} {word}: ", style), "; ".join(texts))


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
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for t in shown:
            grid.add_row("•", Group(Text(t.text), Text(f"because {t.because[0]}", style="dim italic")))
        parts.append(grid)
        parts.append(Text(""))
    if hidden:
        more = f"{hidden} more tip{'s' * (hidden > 1)}"
        parts.append(Text(f"{more} in a saved report (run with --save report.md) or in --json.", style="dim"))
        parts.append(Text(""))
    return Group(*parts)


def result_view(result: TriageResult) -> RenderableType:
    """The whole result, in the order that matters: urgency first, then causes, advice, disclaimer."""
    return Group(
        level_panel(result),
        Text(""),
        causes_table(result),
        Text(""),
        tips_block(result),
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
