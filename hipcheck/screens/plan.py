"""What `hipcheck plan` shows: a handout, as a physiotherapist would give it, on the terminal (Rich),
as Markdown and HTML, and the current step's sessions as calendar events (.ics, with `icalendar`).

Pure functions from a `PlanResult` to renderables, text or bytes: nothing here reads the history or
prints. Content text is always text: never Rich markup, and escaped in Markdown and HTML.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hipcheck.knowledge.text import escape, short_date
from hipcheck.screens.files import save_path_problem

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hipcheck.knowledge.plans import PlanResult, PlanStep

PLAN_TYPES = (".md", ".html", ".ics")

VERDICT_WORDS = {
    "start": "START",
    "stay": "STAY",
    "move_on": "MOVE ON",
    "step_back": "STEP BACK",
    "wait_for_clearance": "WAIT FOR CLEARANCE",
    "stop": "STOP",
    "complete": "COMPLETE",
}
VERDICT_STYLE = {
    "start": "bold",
    "stay": "bold",
    "move_on": "bold green",
    "step_back": "bold yellow",
    "wait_for_clearance": "bold yellow",
    "stop": "bold red",
    "complete": "bold green",
}
LOG_HINT = [
    "After each session: hipcheck log --pain N --during N (pain today, and during the session, 0-10)",
    "The next morning: hipcheck log --pain N --morning N (pain on waking)",
]


def plan_path_problem(path: Path, *, overwrite: bool = False) -> str | None:
    """Why `--save PATH` cannot be written, in one line, or None."""
    return save_path_problem(path, PLAN_TYPES, "plan file", overwrite=overwrite)


def limit_words(n: int) -> str:
    """A pain limit in words: "at most 3 out of 10", or "no pain at all" for a limit of 0."""
    return "no pain at all (0 out of 10)" if n == 0 else f"at most {n} out of 10"


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def current_step(result: PlanResult) -> PlanStep | None:
    if result.standing is None or not result.steps:
        return None
    return result.steps[result.standing.step - 1]


# --------------------------------------------------------------------------- the terminal


def plan_view(result: PlanResult) -> list[RenderableType]:
    """The handout, top to bottom: what it is for, where you stand, this step in full, the steps,
    how to log, and why (basis and sources)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def para(text: str, style: str = "") -> Text:
        return Text(escape(text), style=style)

    def bullets(items: list[str], mark: str = "•") -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in items:
            grid.add_row(Text(mark), Text(escape(item)))
        return grid

    def heading(text: str) -> Text:
        return Text("\n" + escape(text), style="bold")

    parts: list[RenderableType] = []
    if result.status == "get_seen":
        body = [para("There is no exercise plan while your triage says to get seen first.", "bold"), Text("")]
        body.append(bullets(result.get_seen))
        body.append(Text("\nOnce a clinician has seen you, run `hipcheck triage` again.", style=""))
        lvl = result.triage.level.value.replace("_", " ").upper() if result.triage else ""
        parts.append(
            Panel(Group(*body), title=f" !! {lvl}: NO PLAN ", title_align="left", border_style="red")
        )
        parts += [Text(""), para(result.disclaimer, "dim")]
        return parts
    if result.status == "no_plan":
        name = result.cause_name or result.cause or "this cause"
        parts.append(para(f"No home plan for {name}.", "bold"))
        if result.no_plan_reason:
            parts.append(para(result.no_plan_reason))
        parts.append(para("See a GP or physiotherapist about what to do instead.", ""))
        parts += [para(n) for n in result.notices]
        parts += [Text(""), para(result.disclaimer, "dim")]
        return parts

    assert result.standing is not None and result.limits is not None
    st = result.standing
    step = current_step(result)
    parts.append(Text(escape(result.plan_name or ""), style="bold"))
    for_line = f"For: {result.cause_name or result.cause}"
    if result.triage is not None and result.triage.id is not None:
        for_line += f" (from your triage of {short_date(result.triage.day)})"
    parts.append(para(for_line, "dim"))
    if result.notices:
        parts.append(Text(""))
        parts.append(bullets(result.notices, "!"))
    parts.append(Text(""))
    parts.append(para(result.summary or ""))

    parts.append(heading("Pain limits"))
    lim = result.limits
    parts.append(
        bullets(
            [
                f"During a session: {limit_words(lim.pain_during_max)} at the sore spot.",
                f"The next morning: {limit_words(lim.pain_morning_max)}.",
                f"Over a limit {times(lim.step_back_after)} on a step: go back one step.",
            ]
        )
    )

    verdict = Text()
    verdict.append("Where you stand: ", style="bold")
    verdict.append(VERDICT_WORDS[st.verdict], style=VERDICT_STYLE[st.verdict])
    verdict.append(f", step {st.step} of {len(result.steps)}")
    if st.verdict != "start":
        verdict.append(f" (since {short_date(st.since)})")
    parts.append(Text(""))
    parts.append(verdict)
    parts.append(bullets(st.reasons))

    if st.verdict != "stop" and step is not None:
        parts += step_view(step)

    parts.append(heading("The steps"))
    rows = Table.grid(padding=(0, 1))
    rows.add_column(justify="right", no_wrap=True)
    rows.add_column()
    for s in result.steps:
        mark = "done" if s.number < st.step else ("now" if s.number == st.step else "")
        if not s.given:
            mark = "waits for clearance" if s.needs_clearance else "not yet given"
        label = Text(f"{s.number}.")
        line = Text(escape(f"{s.name} ({s.weeks})"))
        if mark:
            line.append(f"  [{mark}]", style="bold" if mark == "now" else "dim")
        rows.add_row(label, line)
    parts.append(rows)

    parts.append(heading("Log your sessions"))
    parts.append(bullets(LOG_HINT, "$"))
    parts.append(para("Pain at rest or at night: stop, and run `hipcheck triage` again.", "dim"))

    parts.append(heading("Why this plan"))
    parts.append(para(result.basis or "", "dim"))
    parts.append(
        para(
            "Sources: "
            + "; ".join(f"{s.publisher} {s.year or ''}".strip() for s in result.sources)
            + ". Each exercise's basis and sources: --save plan.md or --json.",
            "dim",
        )
    )
    parts += [Text(""), para(result.disclaimer, "dim")]
    return parts


def step_view(step: PlanStep) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = []
    title = Text(f"\nStep {step.number}: ", style="bold")
    title.append(escape(step.name), style="bold")
    title.append(f" ({escape(step.weeks)})", style="dim")
    out.append(title)
    out.append(Text(escape(step.goal or "")))

    def block(name: str, items: list[str]) -> None:
        if not items:
            return
        out.append(Text(f"\n{name}", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in items:
            grid.add_row(Text("•"), Text(escape(item)))
        out.append(grid)

    block("Start this step when", step.entry)
    if step.running:
        out.append(Text("\nRunning", style="bold"))
        out.append(Text(escape(step.running)))
    out.append(Text("\nExercises", style="bold"))
    if not step.exercises:
        out.append(
            Text("None of this step's exercises suits every cause still possible: ask a physiotherapist.")
        )
    for i, ex in enumerate(step.exercises, 1):
        head = Text(f"{i}. ", style="bold")
        head.append(escape(ex.name), style="bold")
        out.append(head)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column()
        for label, text in (
            ("Dose", ex.dose),
            ("How", ex.how),
            ("Effort", ex.effort),
            ("Easier", ex.easier),
            ("Harder", ex.progress),
        ):
            grid.add_row(Text(label), Text(escape(text)))
        out.append(Padding(grid, (0, 0, 0, 3)))
    if step.withheld:
        out.append(
            Text(
                f"Left out, because a cause still possible rules them out: {', '.join(step.withheld)}.",
                style="dim",
            )
        )
    block("Avoid for now", step.avoid)
    out.append(
        Text(
            f"\nMove on after {step.advance_sessions} sessions within the limits and at least "
            f"{step.advance_days} days on this step, if you meet the next step's entry criteria.",
            style="dim",
        )
    )
    return out


# --------------------------------------------------------------------------- Markdown and HTML


def _md(text: str) -> str:
    """Text safe in Markdown: characters Markdown reads as formatting are escaped."""
    out = escape(text)
    for ch in "\\`*_{}[]<>#|!":
        out = out.replace(ch, "\\" + ch)
    return out


def _source_line(s) -> str:
    link = f"https://doi.org/{s.doi}" if s.doi else (s.url or "")
    year = f" ({s.year})" if s.year else ""
    return f"{s.title}. {s.publisher}{year}." + (f" {link}" if link else "")


def plan_markdown(result: PlanResult) -> str:
    lines: list[str] = []
    if result.status != "plan":
        lines.append("# No plan")
        lines += [f"- {_md(a)}" for a in result.get_seen]
        if result.no_plan_reason:
            lines.append(_md(result.no_plan_reason))
        lines += ["", f"*{_md(result.disclaimer)}*", ""]
        return "\n".join(lines)
    st = result.standing
    assert st is not None and result.limits is not None
    lines += [f"# {_md(result.plan_name or '')}", "", f"For: {_md(result.cause_name or '')}", ""]
    lines += [f"> {_md(n)}" for n in result.notices]
    lines += ["", _md(result.summary or ""), "", "## Pain limits", ""]
    lim = result.limits
    lines += [
        f"- During a session: {limit_words(lim.pain_during_max)}.",
        f"- The next morning: {limit_words(lim.pain_morning_max)}.",
        f"- Over a limit {times(lim.step_back_after)} on a step: go back one step.",
        "",
        f"## Where you stand: {VERDICT_WORDS[st.verdict]}, step {st.step} of {len(result.steps)}",
        "",
    ]
    lines += [f"- {_md(r)}" for r in st.reasons]
    for step in result.steps:
        lines += ["", f"## Step {step.number}: {_md(step.name)} ({_md(step.weeks)})", ""]
        if not step.given:
            lines.append("Waits for a clinician's clearance (`hipcheck plan --cleared`).")
            continue
        lines += [_md(step.goal or ""), "", "**Start this step when**", ""]
        lines += [f"- {_md(e)}" for e in step.entry]
        lines += ["", "**Running**", "", _md(step.running or ""), "", "**Exercises**", ""]
        for i, ex in enumerate(step.exercises, 1):
            lines += [
                f"{i}. **{_md(ex.name)}**: {_md(ex.dose)}",
                f"   - How: {_md(ex.how)}",
                f"   - Effort: {_md(ex.effort)}",
                f"   - Easier: {_md(ex.easier)}",
                f"   - Harder: {_md(ex.progress)}",
                f"   - Basis: {_md(ex.basis)}",
            ]
            lines += [f"   - Source: {_md(_source_line(s))}" for s in ex.sources]
        if step.withheld:
            lines += [
                "",
                f"Left out (a cause still possible rules them out): {_md(', '.join(step.withheld))}",
            ]
        if step.avoid:
            lines += ["", "**Avoid for now**", ""]
            lines += [f"- {_md(a)}" for a in step.avoid]
        lines += [
            "",
            f"Move on after {step.advance_sessions} sessions within the limits and at least "
            f"{step.advance_days} days on this step.",
        ]
    lines += ["", "## Log your sessions", ""]
    lines += [f"- `{h.split(': ', 1)[1].split(' (')[0]}`: {h.split(':', 1)[0]}" for h in LOG_HINT]
    lines += ["", "## Why this plan", "", _md(result.basis or ""), "", "## Sources", ""]
    lines += [f"- {_md(_source_line(s))}" for s in result.sources]
    lines += ["", f"*{_md(result.disclaimer)}*", ""]
    return "\n".join(lines)


def plan_html(result: PlanResult) -> str:
    """A standalone HTML page: the Markdown handout's content, every piece of text escaped."""
    import html

    def h(text: str) -> str:
        return html.escape(escape(text))

    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{h(result.plan_name or 'hipcheck plan')}</title>",
        "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.45}"
        "dt{font-weight:bold}.dim{color:#555}</style></head><body>",
    ]
    if result.status != "plan":
        out.append("<h1>No plan</h1><ul>")
        out += [f"<li>{h(a)}</li>" for a in result.get_seen]
        out.append("</ul>")
        if result.no_plan_reason:
            out.append(f"<p>{h(result.no_plan_reason)}</p>")
        out.append(f'<p class="dim">{h(result.disclaimer)}</p></body></html>')
        return "\n".join(out) + "\n"
    st = result.standing
    assert st is not None and result.limits is not None
    lim = result.limits
    out += [f"<h1>{h(result.plan_name or '')}</h1>", f'<p class="dim">For: {h(result.cause_name or "")}</p>']
    out += [f"<p><strong>{h(n)}</strong></p>" for n in result.notices]
    out += [f"<p>{h(result.summary or '')}</p>", "<h2>Pain limits</h2><ul>"]
    out += [
        f"<li>During a session: {limit_words(lim.pain_during_max)}.</li>",
        f"<li>The next morning: {limit_words(lim.pain_morning_max)}.</li>",
        f"<li>Over a limit {times(lim.step_back_after)} on a step: go back one step.</li></ul>",
        f"<h2>Where you stand: {VERDICT_WORDS[st.verdict]}, step {st.step} of {len(result.steps)}</h2><ul>",
    ]
    out += [f"<li>{h(r)}</li>" for r in st.reasons]
    out.append("</ul>")
    for step in result.steps:
        out.append(f"<h2>Step {step.number}: {h(step.name)} <span class='dim'>({h(step.weeks)})</span></h2>")
        if not step.given:
            out.append("<p>Waits for a clinician's clearance (<code>hipcheck plan --cleared</code>).</p>")
            continue
        out += [f"<p>{h(step.goal or '')}</p>", "<h3>Start this step when</h3><ul>"]
        out += [f"<li>{h(e)}</li>" for e in step.entry]
        out += ["</ul>", "<h3>Running</h3>", f"<p>{h(step.running or '')}</p>", "<h3>Exercises</h3><ol>"]
        for ex in step.exercises:
            out.append(f"<li><strong>{h(ex.name)}</strong>: {h(ex.dose)}<dl>")
            for label, text in (
                ("How", ex.how),
                ("Effort", ex.effort),
                ("Easier", ex.easier),
                ("Harder", ex.progress),
                ("Basis", ex.basis),
            ):
                out.append(f"<dt>{label}</dt><dd>{h(text)}</dd>")
            out += [f"<dd class='dim'>{h(_source_line(s))}</dd>" for s in ex.sources]
            out.append("</dl></li>")
        out.append("</ol>")
        if step.avoid:
            out.append("<h3>Avoid for now</h3><ul>")
            out += [f"<li>{h(a)}</li>" for a in step.avoid]
            out.append("</ul>")
    out += ["<h2>Why this plan</h2>", f"<p>{h(result.basis or '')}</p>", "<h2>Sources</h2><ul>"]
    out += [f"<li>{h(_source_line(s))}</li>" for s in result.sources]
    out += ["</ul>", f'<p class="dim">{h(result.disclaimer)}</p>', "</body></html>"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- calendar


def _spread(per_week: int) -> list[int]:
    """Days of the week (0-6) for `per_week` sessions, spread out: 3 → 0, 2, 4; 7 → every day."""
    n = max(1, min(7, per_week))
    return sorted({round(i * 7 / n) % 7 for i in range(n)})


def plan_ics(result: PlanResult, start: date, stamp) -> bytes:
    """The current step's sessions from `start` as all-day calendar events: a run on each run day, and
    an exercise session on each day an exercise is due (its dose in the description). The step lasts
    at least its `advance_days`, rounded up to whole weeks (one week at least)."""
    import hashlib

    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//hipcheck//plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"hipcheck: {result.plan_name or 'plan'}")
    step = current_step(result)
    if result.status != "plan" or step is None or not step.given or result.standing.verdict == "stop":  # type: ignore[union-attr]
        return cal.to_ical()
    weeks = max(1, -(-step.advance_days // 7))
    run_days = set(_spread(step.runs_per_week)) if step.runs_per_week else set()

    def event(day: date, summary: str, description: str, kind: str) -> None:
        ev = Event()
        uid = hashlib.sha256(f"{result.plan_id}/{step.id}/{day}/{kind}".encode()).hexdigest()[:24]
        ev.add("uid", f"{uid}@hipcheck")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", summary)
        ev.add("description", description)
        cal.add_component(ev)

    for d in range(weeks * 7):
        day = start + timedelta(days=d)
        if d % 7 in run_days:
            event(
                day,
                f"Run: {step.name} (about {step.run_minutes} min running)",
                f"{step.running}\n\nAfterwards: hipcheck log --pain N --during N",
                "run",
            )
        due = [ex for ex in step.exercises if d % 7 in _spread(ex.per_week)]
        if due:
            event(
                day,
                f"Hip exercises: {', '.join(ex.name for ex in due)}",
                "\n\n".join(f"{ex.name}: {ex.dose}.\n{ex.how}" for ex in due),
                "exercises",
            )
    return cal.to_ical()
