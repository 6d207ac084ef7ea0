"""The progress report as a document (`hipcheck report --progress`): one page a GP or physiotherapist can
read in a minute. Worked out once from the plan (`PlanResult`, with its standing and step events), the
check-ins and the saved triages, then written as Markdown (progress.py) or HTML (progress_html.py).

In order: the latest triage (date, level, likeliest cause), the plan and the step the runner is on, each
step change with its reason, adherence (sessions done against sessions planned, step by step), pain
during sessions and the next morning over time (a chart, and the same numbers week by week as a table),
and every warning sign ever reported, in check-ins and triages.

The text here is raw; each writer escapes it. Plain data and the standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hipcheck.screens.plan_doc import long_date, spread

if TYPE_CHECKING:
    from hipcheck.history.models import CheckIn, PastResult
    from hipcheck.knowledge.loader import KnowledgeBase
    from hipcheck.knowledge.plans import PlanResult, PlanStep

TITLE = "hipcheck progress report"
TRIAGE, PLAN, CHANGES, ADHERENCE, PAIN, WARNINGS = (
    "Triage",
    "Plan",
    "Step changes",
    "Adherence",
    "Pain during sessions and the next morning",
    "Warning signs reported",
)
NO_WARNINGS = "None reported in any check-in or triage."
ADHERENCE_NOTE = (
    "A session is planned on each day the step has a run or an exercise due (as the calendar sets them); "
    "done is a day with a check-in saying the session was done."
)
URGENT_LEVELS = ("urgent", "same_day", "emergency")


@dataclass(frozen=True)
class Change:
    day: dt.date
    what: str  # "Started at step 1", "Moved on to step 2", ...
    why: str


@dataclass(frozen=True)
class StepAdherence:
    step: int
    name: str
    start: dt.date
    end: dt.date  # the last day counted
    planned: int
    done: int


@dataclass(frozen=True)
class PainPoint:
    day: dt.date
    during: int | None
    morning: int | None


@dataclass(frozen=True)
class WeekRow:
    start: dt.date
    sessions: int
    during_max: int | None
    morning_max: int | None


@dataclass
class ProgressDoc:
    made_on: dt.date
    facts: list[tuple[str, str]]  # the triage: date, level, cause
    plan_facts: list[tuple[str, str]]  # the plan, the step, where the runner stands
    notes: list[str]  # why a part is empty (no plan, no check-ins)
    changes: list[Change]
    adherence: list[StepAdherence]
    points: list[PainPoint]
    weeks: list[WeekRow]
    limits: tuple[int, int] | None  # (pain during, next morning) limits of the plan
    step_days: list[tuple[dt.date, int]]  # (day, step) at each step change, for the chart
    warnings: list[str]
    disclaimer: str
    start: dt.date | None  # the plan's first day

    @property
    def title(self) -> str:
        return f"{TITLE}, {self.made_on.isoformat()}"

    @property
    def done(self) -> int:
        return sum(a.done for a in self.adherence)

    @property
    def planned(self) -> int:
        return sum(a.planned for a in self.adherence)

    @property
    def adherence_line(self) -> str:
        if not self.planned:
            return "No session planned yet."
        share = round(100 * self.done / self.planned)
        return f"{self.done} of {self.planned} planned sessions done ({share}%)."


def _session_days(step: PlanStep) -> set[int]:
    days = set(spread(step.runs_per_week)) if step.runs_per_week and step.run_minutes else set()
    for ex in step.exercises:
        days |= set(spread(ex.per_week))
    return days


def _planned(step: PlanStep, start: dt.date, end: dt.date) -> int:
    """Sessions the step plans from `start` to `end` (both counted), week days as the calendar sets them
    (the step's first day is day 0 of its week)."""
    if end < start:
        return 0
    days = _session_days(step)
    return sum(1 for n in range((end - start).days + 1) if n % 7 in days)


def _did_session(c: CheckIn) -> bool:
    return bool(c.session) or c.during is not None


def _change(
    kind: str, day: dt.date, step: int, name: str, ids: Sequence[int], by_id: dict[int, CheckIn]
) -> Change | None:
    """A step event in words: what happened and why (citing the check-ins and their scores)."""
    cited = ", ".join(f"#{i}" for i in ids)
    if kind == "start":
        return Change(day, f"Started at step {step} ({name})", "after the triage")
    if kind == "move_on":
        return Change(
            day,
            f"Moved on to step {step} ({name})",
            f"{len(ids)} sessions within the pain limits (check-ins {cited}) and the days the step needs",
        )
    if kind == "step_back":
        over = [c for i in ids if (c := by_id.get(i)) is not None]
        scores = "; ".join(
            f"#{c.id}: "
            + ", ".join(x for x in (_score("during", c.during), _score("morning", c.morning)) if x)
            for c in over
        )
        return Change(day, f"Back to step {step} ({name})", f"over the pain limits ({scores or cited})")
    if kind == "cleared" and step == 1:  # how `plan --seen` is stored: seen, not cleared
        return Change(day, "Seen by a clinician", "the runner recorded being seen (plan --seen)")
    if kind == "cleared":
        return Change(day, f"Cleared for step {step} ({name})", "the runner recorded a clinician's clearance")
    if kind == "stop":
        return Change(day, f"Stopped on step {step}", f"a warning sign was logged (check-in {cited})")
    return None


def _score(what: str, value: int | None) -> str:
    return f"{what} {value}/10" if value is not None else ""


def _warnings(checkins: Sequence[CheckIn], results: Sequence[PastResult], kb: KnowledgeBase) -> list[str]:
    out = []
    for c in sorted(checkins, key=lambda c: (c.day, c.recorded_at)):
        signs = [w for w, on in (("pain at rest", c.rest), ("pain at night", c.night)) if on]
        if signs:
            out.append(f"{long_date(c.day)}: {' and '.join(signs)} (check-in #{c.id}).")
    rules = {r.id: r.reason for r in kb.rules}
    for r in sorted(results, key=lambda r: (r.day, r.recorded_at)):
        signs = [w for w, on in (("pain at rest", r.rest), ("pain at night", r.night)) if on]
        if r.level.value in URGENT_LEVELS:
            signs += [rules[x] for x in r.reasons if x in rules]
        if signs:
            level = f", level {r.level_label}" if r.level.value in URGENT_LEVELS else ""
            out.append(f"{long_date(r.day)}, triage #{r.id}{level}: {'; '.join(dict.fromkeys(signs))}.")
    return out


def build(
    kb: KnowledgeBase,
    plan: PlanResult | None,
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    today: dt.date,
) -> ProgressDoc:
    """The progress report made on `today`. `plan` is the plan of the latest triage (None without one)."""
    latest = max(results, key=lambda r: (r.day, r.recorded_at, r.id)) if results else None
    names = {c.id: c.name for c in kb.conditions}
    facts: list[tuple[str, str]] = []
    notes: list[str] = []
    if latest is not None:
        cause = names.get(latest.top_cause or "", latest.top_cause or "none given")
        facts = [
            ("Latest triage", f"{long_date(latest.day)} (saved result #{latest.id})"),
            ("Level", latest.level_label),
            ("Likeliest cause", cause),
        ]
        if len(results) > 1:
            facts.append(("Triages saved", str(len(results))))
    else:
        notes.append("No saved triage: run `hipcheck triage` first.")
    base = {
        "made_on": today,
        "facts": facts,
        "warnings": _warnings(checkins, results, kb),
        "disclaimer": kb.meta.disclaimer,
    }
    if plan is None or plan.status != "plan" or plan.standing is None or plan.limits is None:
        if plan is not None and plan.status == "get_seen":
            notes.append("No plan: the latest triage calls for a doctor first.")
        elif latest is not None:
            notes.append("No home plan for the latest triage's cause.")
        return ProgressDoc(
            plan_facts=[],
            notes=notes,
            changes=[],
            adherence=[],
            points=[],
            weeks=[],
            limits=None,
            step_days=[],
            start=None,
            **base,  # type: ignore[arg-type]
        )
    st = plan.standing
    start = st.events[0].day if st.events else today
    steps = {s.number: s for s in plan.steps}
    by_id = {c.id: c for c in checkins}
    plan_facts = [
        ("Plan", plan.plan_name or ""),
        ("Started", long_date(start)),
        ("Now", f"step {st.step} of {len(plan.steps)}, {steps[st.step].name}, since {long_date(st.since)}"),
        ("Standing", st.reasons[0] if st.reasons else st.verdict),
    ]
    changes = []
    step_days = []
    for e in st.events:
        c = _change(e.kind, e.day, e.step, steps[e.step].name if e.step in steps else "", e.checkins, by_id)
        if c is not None:
            changes.append(c)
        if e.kind in ("start", "move_on", "step_back"):
            step_days.append((e.day, e.step))
    # Adherence, step period by step period; a day a step changes counts for the step it moves to.
    inplan = [c for c in checkins if start <= c.day <= today]
    adherence = []
    for i, (day, number) in enumerate(step_days):
        end = step_days[i + 1][0] - dt.timedelta(days=1) if i + 1 < len(step_days) else today
        if st.stopped_by is not None and i + 1 == len(step_days):
            end = min(end, st.stopped_by.day)
        done = len({c.day for c in inplan if day <= c.day <= end and _did_session(c)})
        step = steps[number]
        adherence.append(StepAdherence(number, step.name, day, end, _planned(step, day, end), done))
    points = [
        PainPoint(c.day, c.during, c.morning)
        for c in sorted(inplan, key=lambda c: (c.day, c.recorded_at))
        if c.during is not None or c.morning is not None
    ]
    weeks = []
    w = start
    while w <= today:
        end = w + dt.timedelta(days=6)
        week = [c for c in inplan if w <= c.day <= end]
        during = [c.during for c in week if c.during is not None]
        morning = [c.morning for c in week if c.morning is not None]
        weeks.append(
            WeekRow(
                w,
                len({c.day for c in week if _did_session(c)}),
                max(during) if during else None,
                max(morning) if morning else None,
            )
        )
        w = end + dt.timedelta(days=1)
    if not points:
        notes.append("No pain scores logged since the plan started.")
    return ProgressDoc(
        plan_facts=plan_facts,
        notes=notes,
        changes=changes,
        adherence=adherence,
        points=points,
        weeks=weeks,
        limits=(plan.limits.pain_during_max, plan.limits.pain_morning_max),
        step_days=step_days,
        start=start,
        **base,  # type: ignore[arg-type]
    )
