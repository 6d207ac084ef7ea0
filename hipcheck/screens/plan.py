"""What `hipcheck plan` shows: a handout, as a physiotherapist would give it, on the terminal (Rich),
as Markdown and HTML, and the current step's sessions as calendar events (.ics, with `icalendar`).

Pure functions from a `PlanResult` to renderables, text or bytes: nothing here reads the history or
prints. Content text is always text: never Rich markup, and escaped in Markdown and HTML.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hipcheck.knowledge.text import escape, markdown_text, short_date
from hipcheck.screens import plan_doc as doc
from hipcheck.screens.files import save_path_problem
from hipcheck.screens.plan_doc import LOG_HINTS, VERDICT_WORDS, limit_words, times

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hipcheck.knowledge.plans import PlanResult, PlanStep

PLAN_TYPES = (".md", ".html", ".ics")

VERDICT_STYLE = {
    "start": "bold",
    "stay": "bold",
    "move_on": "bold green",
    "step_back": "bold yellow",
    "wait_for_clearance": "bold yellow",
    "stop": "bold red",
    "complete": "bold green",
}
LOG_HINT = [f"{when}: {cmd} ({what})" for when, cmd, what in LOG_HINTS]


def plan_path_problem(path: Path, *, overwrite: bool = False) -> str | None:
    """Why `--save PATH` cannot be written, in one line, or None."""
    return save_path_problem(path, PLAN_TYPES, "plan file", overwrite=overwrite)


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
        if result.get_seen:
            body.append(bullets(result.get_seen))
        if result.notices:  # a plan held until the runner is seen says how to go on
            body += [Text("")] + [para(n) for n in result.notices]
        else:
            body.append(Text("\nOnce a clinician has seen you, run `hipcheck triage` again.", style=""))
        lvl = result.triage.level.value.replace("_", " ").upper() + ": " if result.triage else ""
        parts.append(Panel(Group(*body), title=f" !! {lvl}NO PLAN ", title_align="left", border_style="red"))
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
    parts.append(para(doc.WARNING, "dim"))

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


# --------------------------------------------------------------------------- Markdown


md = markdown_text


def _md_source(s) -> str:
    """A source with its address (a doi as its https://doi.org address)."""
    where = s.link or s.ref
    return md(f"{s.text} {where}" if where else s.text)


def _md_step(step: doc.StepItem, *, sources: bool) -> list[str]:
    """A step in full, as Markdown lines (after its heading)."""
    if not step.given:
        return [doc.CLEARANCE if step.state == doc.WAITS else doc.NOT_GIVEN]
    lines = [md(step.goal), "", "**Start this step when**", ""]
    lines += [f"- {md(e)}" for e in step.entry]
    lines += ["", "**Running**", "", md(step.running)]
    if step.run_line:
        lines += ["", md(step.run_line)]
    lines += ["", "**Exercises**", ""]
    if not step.exercises:
        lines.append(md(doc.NO_EXERCISES))
    for i, ex in enumerate(step.exercises, 1):
        lines.append(f"{i}. **{md(ex.name)}**: {md(ex.dose)}")
        lines += [f"   - {label}: {md(text)}" for label, text in ex.rows]
        if sources:
            lines.append(f"   - Basis: {md(ex.basis)}")
            lines += [f"   - Source: {_md_source(s)}" for s in ex.sources]
    if step.withheld:
        lines += ["", f"Left out (a cause still possible rules them out): {md(', '.join(step.withheld))}"]
    if step.avoid:
        lines += ["", "**Avoid for now**", ""] + [f"- {md(a)}" for a in step.avoid]
    return [*lines, "", md(step.move_on)]


def _md_head(d: doc.PlanDoc, title: str) -> list[str]:
    lines = [f"# {md(title)}", ""]
    lines += [f"- **{md(k)}**: {md(v)}" for k, v in d.facts]
    lines.append("")
    if d.notices:
        lines += [f"> {md(n)}" for n in d.notices] + [""]
    return lines


def _md_no_plan(d: doc.PlanDoc) -> str:
    lines = _md_head(d, d.title) + [f"- {md(a)}" for a in d.no_plan]
    return "\n".join([*lines, "", f"*{md(d.disclaimer)}*", ""])


def plan_markdown(result: PlanResult) -> str:
    """The whole plan as Markdown: every step, the current one marked, each exercise with its basis and
    sources."""
    d = doc.build(result)
    if d.status != "plan":
        return _md_no_plan(d)
    lines = _md_head(d, d.title) + [md(d.summary), "", "## Pain limits", ""]
    lines += [f"- {md(x)}" for x in d.limits]
    lines += ["", f"## {md(d.standing_heading)}", ""] + [f"- {md(r)}" for r in d.reasons]
    if d.progress:
        lines += ["", md(d.progress)]
    for step in d.steps:
        mark = (
            " (you are here)"
            if step.state == doc.NOW
            else f" ({step.state})"
            if step.state == doc.DONE
            else ""
        )
        lines += ["", f"## {md(step.heading)} ({md(step.weeks)}){mark}", ""]
        lines += _md_step(step, sources=True)
    lines += ["", "## Log your sessions", ""]
    lines += [f"- `{cmd}`: {md(when)} ({md(what)})" for when, cmd, what in doc.LOG_HINTS]
    lines += ["", "## Why this plan", "", md(d.basis), "", "## Sources", ""]
    lines += [f"- {_md_source(s)}" for s in d.sources]
    lines += ["", f"*{md(d.disclaimer)}*", ""]
    return "\n".join(lines)


def handout_markdown(result: PlanResult) -> str:
    """The current step on one page: date, step, exercises with doses, limits, what moves you on."""
    d = doc.build(result)
    if d.status != "plan":
        return _md_no_plan(d)
    step = d.current
    title = f"Step {step.number} of {len(d.steps)}: {step.name}" if step else d.title
    lines = _md_head(d.with_fact("Plan", d.title) if step else d, title)
    lines += [f"## {md(d.standing_heading)}", ""] + [f"- {md(r)}" for r in d.reasons]
    if step is not None:
        lines += ["", f"## {md(step.heading)} ({md(step.weeks)})", ""] + _md_step(step, sources=False)
        if d.progress:
            lines += ["", md(d.progress)]
        if d.next_entry:
            lines += ["", "**The next step starts when**", ""] + [f"- {md(e)}" for e in d.next_entry]
    lines += ["", "## Pain limits", ""] + [f"- {md(x)}" for x in d.limits]
    lines += ["", "## Log your sessions", ""]
    lines += [f"- `{cmd}`: {md(when)} ({md(what)})" for when, cmd, what in doc.LOG_HINTS]
    lines += ["", f"*{md(d.disclaimer)}*", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML


def plan_html(result: PlanResult) -> str:
    """The whole plan as one standalone HTML page (plan_html.py)."""
    from hipcheck.screens.plan_html import html_plan

    return html_plan(doc.build(result))


def handout_html(result: PlanResult) -> str:
    """The current step as a one-page HTML handout (plan_html.py)."""
    from hipcheck.screens.plan_html import html_handout

    return html_handout(doc.build(result))


# --------------------------------------------------------------------------- calendar

REMINDER = timedelta(hours=8)  # an all-day event's reminder: 08:00 on the day


def plan_ics(result: PlanResult, start: date, stamp) -> bytes:
    """The current step's sessions from `start` as all-day calendar events, each with a reminder: a run
    on each run day (its minutes as the step builds them, week by week), and an exercise session on each
    day an exercise is due (its dose in the description). The step lasts at least its `advance_days`,
    rounded up to whole weeks (one week at least)."""
    import hashlib

    from icalendar import Alarm, Calendar, Event

    d = doc.build(result)
    cal = Calendar()
    cal.add("prodid", "-//hipcheck//plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"hipcheck: {d.title}")
    step = d.current
    if step is None:
        return cal.to_ical()
    run_days = set(doc.spread(step.runs_per_week)) if step.run_plan else set()

    def event(day: date, summary: str, description: str, kind: str) -> None:
        ev = Event()
        uid = hashlib.sha256(f"{d.plan_id}/{step.id}/{day}/{kind}".encode()).hexdigest()[:24]
        ev.add("uid", f"{uid}@hipcheck")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", summary)
        ev.add("description", description)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", REMINDER)
        ev.add_component(alarm)
        cal.add_component(ev)

    for n in range(step.calendar_weeks * 7):
        day = start + timedelta(days=n)
        if n % 7 in run_days:
            minutes = step.run_plan[n // 7]
            event(
                day,
                f"Run: {step.name} (about {minutes} min running)",
                f"{step.running}\n\nThis week: about {minutes} minutes of running."
                f"\n\nAfterwards: {doc.LOG_HINTS[0][1]}",
                "run",
            )
        due = [ex for ex in step.exercises if n % 7 in doc.spread(ex.per_week)]
        if due:
            event(
                day,
                f"Hip exercises: {', '.join(ex.name for ex in due)}",
                "\n\n".join(f"{ex.name}: {ex.dose}.\n{ex.rows[0][1]}" for ex in due),
                "exercises",
            )
    return cal.to_ical()
