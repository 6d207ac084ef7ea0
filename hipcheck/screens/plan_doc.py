"""A plan as a document: what the runner (and their physio) reads, worked out once from a `PlanResult`,
then written as Markdown, HTML and a calendar (plan.py), in full or as the one-page handout of the
current step. As report_doc.py does for reports: every format says the same things in the same order.

The text here is raw: content text as given. Each writer escapes it for its format. Plain data and the
standard library only (no Rich). Built from the public plan objects (`hipcheck plan --json`), so a new
field of the plan is one more attribute here and one more line in each writer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hipcheck.knowledge.text import short_date
from hipcheck.screens.report_doc import SourceItem, source_item

if TYPE_CHECKING:
    from hipcheck.knowledge.plans import PlanExercise, PlanResult, PlanStep

TITLE = "hipcheck plan"
VERDICT_WORDS = {
    "start": "START",
    "stay": "STAY",
    "move_on": "MOVE ON",
    "step_back": "STEP BACK",
    "wait_for_clearance": "WAIT FOR CLEARANCE",
    "stop": "STOP",
    "complete": "COMPLETE",
}
# (when, the command, what it records)
LOG_HINTS = (
    ("After each session", "hipcheck log --pain N --during N", "pain today, and during the session, 0-10"),
    ("The next morning", "hipcheck log --pain N --morning N", "pain on waking"),
)
WARNING = "Pain at rest or at night: stop, and run `hipcheck triage` again."
CLEARANCE = "Waits for a clinician's clearance (`hipcheck plan --cleared`)."
HARDER_ELSEWHERE = (
    "The harder version of each exercise: on screen, or in the whole plan (`hipcheck plan --save plan.html`)."
)
NOT_GIVEN = "Given once the step before it is done."
NO_EXERCISES = "None of this step's exercises suits every cause still possible: ask a physiotherapist."
# The state of a step as the documents mark it.
DONE, NOW, LATER, WAITS = "done", "now", "later", "waits for clearance"


def limit_words(n: int) -> str:
    """A pain limit in words: "at most 3 out of 10", or "no pain at all" for a limit of 0."""
    return "no pain at all (0 out of 10)" if n == 0 else f"at most {n} out of 10"


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def long_date(d: dt.date) -> str:
    """`7 Dec 2026` (fixed English month names)."""
    return f"{short_date(d)} {d.year}"


def run_minutes_in_week(step: PlanStep, week: int) -> int:
    """Minutes of running in one session in week `week` (0 is the first) of the step, as the content
    builds it: `run_minutes`, plus `run_minutes_weekly_add` each week, up to `run_minutes_max`."""
    if not step.run_minutes_weekly_add:
        return step.run_minutes
    grown = step.run_minutes + week * step.run_minutes_weekly_add
    return min(grown, step.run_minutes_max if step.run_minutes_max is not None else grown)


def step_weeks(step: PlanStep) -> int:
    """Whole weeks the step lasts at least (its `advance_days`, rounded up; one week at least)."""
    return max(1, -(-step.advance_days // 7))


def spread(per_week: int) -> list[int]:
    """Days of the week (0-6) for `per_week` sessions, spread out: 3 → 0, 2, 4; 7 → every day."""
    n = max(1, min(7, per_week))
    return sorted({round(i * 7 / n) % 7 for i in range(n)})


@dataclass(frozen=True)
class ExerciseItem:
    name: str
    dose: str
    rows: tuple[tuple[str, str], ...]  # ("How", ...), ("Effort", ...), ("Easier", ...), ("Harder", ...)
    basis: str
    sources: tuple[SourceItem, ...]
    per_week: int


@dataclass(frozen=True)
class StepItem:
    number: int
    id: str
    name: str
    weeks: str
    state: str  # DONE, NOW, LATER or WAITS
    given: bool
    goal: str
    entry: tuple[str, ...]
    running: str
    runs_per_week: int
    calendar_weeks: int  # weeks the step lasts at least, for the calendar
    run_plan: tuple[int, ...]  # minutes of running in one session, week by week; empty without running
    exercises: tuple[ExerciseItem, ...]
    withheld: tuple[str, ...]
    avoid: tuple[str, ...]
    move_on: str

    @property
    def heading(self) -> str:
        return f"Step {self.number}: {self.name}"

    @property
    def run_line(self) -> str:
        """The runs week by week: "3 runs a week: about 20 min running in week 1, 25 in week 2 ..."."""
        if not self.run_plan or not self.runs_per_week:
            return ""
        head = f"{self.runs_per_week} run{'s' * (self.runs_per_week != 1)} a week"
        if len(set(self.run_plan)) == 1:
            return f"{head}, about {self.run_plan[0]} min running each."
        weeks = ", ".join(f"{m} in week {i}" for i, m in enumerate(self.run_plan, 1))
        return f"{head}; minutes of running in each: about {weeks}."


@dataclass
class PlanDoc:
    status: str  # "plan", "get_seen" or "no_plan"
    made_on: dt.date
    title: str
    facts: list[tuple[str, str]]
    notices: list[str]
    summary: str
    limits: list[str]
    verdict: str  # the verdict's id, or "" without a plan
    standing_heading: str
    reasons: list[str]
    progress: str  # how far the runner is on the current step, in one sentence
    steps: list[StepItem]
    current: StepItem | None  # None when there is no plan, or it is stopped
    next_entry: tuple[str, ...]  # the next step's entry criteria, when it is given
    basis: str
    sources: list[SourceItem]
    disclaimer: str
    no_plan: list[str] = field(default_factory=list)  # the advice, or why there is no plan
    plan_id: str = ""

    def with_fact(self, key: str, value: str) -> PlanDoc:
        """The document with one more fact, after the date."""
        from dataclasses import replace

        return replace(self, facts=[self.facts[0], (key, value), *self.facts[1:]])

    @property
    def stopped(self) -> bool:
        return self.verdict == "stop"


def _exercise(ex: PlanExercise) -> ExerciseItem:
    return ExerciseItem(
        name=ex.name,
        dose=ex.dose,
        rows=(("How", ex.how), ("Effort", ex.effort), ("Easier", ex.easier), ("Harder", ex.progress)),
        basis=ex.basis,
        sources=tuple(source_item(s) for s in ex.sources),
        per_week=ex.per_week,
    )


def _step(s: PlanStep, current: int) -> StepItem:
    state = DONE if s.number < current else NOW if s.number == current else LATER
    if not s.given:
        state = WAITS if s.needs_clearance else LATER
    runs = s.given and s.runs_per_week > 0 and s.run_minutes > 0
    return StepItem(
        number=s.number,
        id=s.id,
        name=s.name,
        weeks=s.weeks,
        state=state,
        given=s.given,
        goal=s.goal or "",
        entry=tuple(s.entry),
        running=s.running or "",
        runs_per_week=s.runs_per_week,
        calendar_weeks=step_weeks(s),
        run_plan=tuple(run_minutes_in_week(s, w) for w in range(step_weeks(s))) if runs else (),
        exercises=tuple(_exercise(e) for e in s.exercises),
        withheld=tuple(s.withheld),
        avoid=tuple(s.avoid),
        move_on=(
            f"Move on after {s.advance_sessions} sessions within the limits and at least "
            f"{s.advance_days} days on this step, if you also meet the next step's entry criteria."
        ),
    )


def build(result: PlanResult) -> PlanDoc:
    """The document of `result`, made on `result.today`."""
    made = result.today
    facts = [("Date", long_date(made))]
    if result.cause_name or result.cause:
        facts.append(("For", result.cause_name or result.cause or ""))
    if result.triage is not None:
        level = result.triage.level.value.replace("_", " ")
        source = "your saved triage" if result.triage.id is not None else "your answers"
        facts.append(("Triage", f"{long_date(result.triage.day)}, {level} ({source})"))
    base = {
        "made_on": made,
        "facts": facts,
        "notices": list(result.notices),
        "disclaimer": result.disclaimer,
        "summary": result.summary or "",
        "basis": result.basis or "",
        "sources": [source_item(s) for s in result.sources],
    }
    if result.status != "plan" or result.standing is None or result.limits is None:
        name = result.cause_name or result.cause or "this cause"
        if result.status == "get_seen":
            title, why = "No plan: get seen first", list(result.get_seen)
            why.append("Once a clinician has seen you, run `hipcheck triage` again.")
        else:
            title = f"No home plan for {name}"
            why = [result.no_plan_reason] if result.no_plan_reason else []
            why.append("See a GP or physiotherapist about what to do instead.")
        return PlanDoc(
            status=result.status,
            title=title,
            limits=[],
            verdict="",
            standing_heading="",
            reasons=[],
            progress="",
            steps=[],
            current=None,
            next_entry=(),
            no_plan=why,
            **base,  # type: ignore[arg-type]
        )
    st, lim = result.standing, result.limits
    steps = [_step(s, st.step) for s in result.steps]
    current = steps[st.step - 1] if st.verdict != "stop" and steps[st.step - 1].given else None
    following = steps[st.step] if st.step < len(steps) else None
    phase = result.steps[st.step - 1]
    progress = (
        f"So far on step {st.step}: {len(st.sessions_within)} of {phase.advance_sessions} sessions within "
        f"the limits, {st.days_on_step} of {phase.advance_days} days (since {long_date(st.since)})."
    )
    return PlanDoc(
        status="plan",
        title=result.plan_name or TITLE,
        limits=[
            f"During a session: {limit_words(lim.pain_during_max)} at the sore spot.",
            f"The next morning: {limit_words(lim.pain_morning_max)}.",
            f"Over a limit {times(lim.step_back_after)} on a step: go back one step.",
            WARNING,
        ],
        verdict=st.verdict,
        standing_heading=f"Where you stand: {VERDICT_WORDS[st.verdict]}, step {st.step} of {len(steps)}",
        reasons=list(st.reasons),
        progress=progress if st.verdict not in ("stop", "complete") else "",
        steps=steps,
        current=current,
        next_entry=following.entry if following is not None and following.given else (),
        plan_id=result.plan_id or "",
        **base,  # type: ignore[arg-type]
    )
