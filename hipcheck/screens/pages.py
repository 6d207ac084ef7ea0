"""What `explain`, `list` and `questions` draw: a condition page, the conditions, the question bank."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from hipcheck.knowledge.models import Condition, ConditionList, Level, QuestionList
from hipcheck.screens.console import bullets


def condition_view(cond: Condition) -> RenderableType:
    parts: list[RenderableType] = [
        Text(cond.name, style="bold"),
        Text(f"Also called: {', '.join(cond.aliases)}", style="dim") if cond.aliases else Text(""),
        Text(""),
        Text(cond.summary),
    ]
    sections = [
        ("Typical symptoms", cond.symptoms),
        ("Why runners get it", cond.why_runners),
        ("What you can do", cond.self_care),
        ("Prevention", cond.prevention),
        ("See a professional if", cond.see_professional),
    ]
    for title, items in sections:
        if items:
            parts += [Text(""), Text(title, style="bold underline"), bullets(items)]
    parts += [Text(""), Text("Sources", style="bold underline")]
    for s in cond.sources:
        where = f"doi:{s.doi}" if s.doi else (s.url or "")
        year = f" ({s.year})" if s.year else ""
        parts.append(Text(f"• {s.title}. {s.publisher}{year}. {where}".rstrip(". "), style="dim"))
    return Group(*parts)


def condition_list_view(listing: ConditionList) -> Group:
    """Common causes, then the serious ones, each group by name under its own heading."""
    parts: list = []
    for category, title in (("common", "Common causes"), ("serious", "Serious causes: these need a doctor")):
        table = Table(show_header=False, expand=False, box=None, pad_edge=False)
        table.add_column("id", no_wrap=True, style="cyan")
        table.add_column("condition", ratio=1)
        for c in listing.conditions:
            if c.category == category:
                name = Text(c.name)
                if category == "common" and c.min_level.rank >= Level.urgent.rank:
                    name.append("  (needs a doctor)", style="bold")
                table.add_row(Text(c.id), name)
        if table.row_count:
            parts += [Text(""), Text(title, style="bold underline"), table]
    return Group(*parts[1:])


def question_list_view(listing: QuestionList) -> Table:
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("id", no_wrap=True)
    table.add_column("question", ratio=2)
    table.add_column("answers", ratio=2, overflow="fold")
    table.add_column("asked when", ratio=1, overflow="fold")
    for q in listing.questions:
        opts = (
            f"{q.scale['min']}-{q.scale['max']} or not_sure"
            if q.scale
            else ", ".join(o.id for o in q.options)
        )
        kind = {"single": "one of", "multi": "any of", "scale": "a number"}[q.kind]
        text = q.text + (" [red flag]" if q.red_flag else "")
        w = q.asked_when
        when = " and ".join(
            [
                *w.when_all,
                *(["(" + " or ".join(w.when_any) + ")"] if w.when_any else []),
                *(f"not {u}" for u in w.unless),
            ]
        )
        table.add_row(q.id, Text(text), Text(f"{kind}: {opts}"), Text(when or "always"))  # never markup
    return table
