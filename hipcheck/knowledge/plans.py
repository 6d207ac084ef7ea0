"""The back-to-running plans: content/exercises.toml and content/plans.toml as validated records.

`PlanContent` holds both, and `cross_check` finds what the models alone cannot: unknown conditions and
exercises, a cause in two plans or in a plan and `no_plan`, an exercise in a plan it must never be
shown with. The whole-content rule (every condition has a plan or a `no_plan` reason) is in
maintenance/checks.py, beside the other whole-content checks.

Nothing here knows a medical fact: doses, limits, wording and sources live in content/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from hipcheck.knowledge.files import PLAN_BOOKS
from hipcheck.knowledge.models import Id, Level, Out, Record, RegionInfo, Source, Text
from hipcheck.knowledge.text import did_you_mean

EXERCISES_FILE, PLANS_FILE = PLAN_BOOKS


class Exercise(Record):
    """One exercise: how to do it, its dose, how to make it harder or easier, whom it is for."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Id
    name: Text
    how: Text
    sets: int = Field(ge=1, le=50, description="sets, or the number of holds for a hold")
    reps: int | None = Field(default=None, ge=1, le=100, description="repetitions a set; absent for a hold")
    hold_seconds: int = Field(default=0, ge=0, le=600, description="how long each hold lasts (0: no hold)")
    rest_seconds: int = Field(ge=0, le=600)
    per_week: int = Field(ge=1, le=14, description="sessions a week (7 = daily)")
    effort: Text
    progress: Text
    easier: Text
    for_causes: list[Id] = Field(alias="for", min_length=1, description="the causes it is meant for")
    never_with: list[Id] = Field(default=[], description="causes it must never be shown with")
    basis: Text
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _dose(self) -> Exercise:
        if self.reps is None and self.hold_seconds == 0:
            raise ValueError("no dose: give reps (for a movement) or hold_seconds (for a hold)")
        clash = sorted(set(self.for_causes) & set(self.never_with))
        if clash:
            raise ValueError(f"{', '.join(clash)} is in both `for` and `never_with`")
        return self


class ExerciseBook(Record):
    exercise: list[Exercise] = Field(min_length=1)


class PlanPhase(Record):
    """One step of a plan: who may start it, what to do, and when to move on."""

    id: Id
    name: Text
    goal: Text
    weeks: Text = Field(description="how long the step usually takes, in words")
    entry: list[Text] = Field(min_length=1, description="criteria to meet before starting this step")
    advance_sessions: int = Field(ge=1, le=100, description="sessions within the limits before moving on")
    advance_days: int = Field(ge=0, le=365, description="days at least on this step before moving on")
    avoid: list[Text] = []
    exercises: list[Id] = Field(min_length=1)
    running: Text
    run_minutes: int = Field(ge=0, le=600, description="running in one session, for the calendar")
    runs_per_week: int = Field(ge=0, le=14)
    run_minutes_weekly_add: int = Field(
        default=0, ge=0, le=60, description="minutes of running added each week from run_minutes"
    )
    run_minutes_max: int | None = Field(
        default=None, ge=0, le=600, description="the most running in one session the step builds to"
    )

    @model_validator(mode="after")
    def _build_up(self) -> PlanPhase:
        if self.run_minutes_max is not None and self.run_minutes_max < self.run_minutes:
            raise ValueError("run_minutes_max is below run_minutes")
        if self.run_minutes_weekly_add and self.run_minutes_max is None:
            raise ValueError("run_minutes_weekly_add needs run_minutes_max (how far the runs grow)")
        return self


class RehabPlan(Record):
    """A graded plan for a family of causes (see plans.toml's header for how it moves)."""

    id: Id
    name: Text
    causes: list[Id] = Field(min_length=1)
    needs_clearance: bool = Field(description="every step after the first waits for a clinician's clearance")
    pain_during_max: int = Field(ge=0, le=10)
    pain_morning_max: int = Field(ge=0, le=10)
    step_back_after: int = Field(ge=1, le=20, description="check-ins over a limit that send the runner back")
    summary: Text
    basis: Text
    sources: list[Source] = Field(min_length=1)
    phase: list[PlanPhase] = Field(min_length=1)


class HoldGroup(Record):
    """A group of causes (bone, growth plate, infection, ...) during whose possibility the plan gives no
    running, hopping or loading until a clinician has seen the runner."""

    id: Id
    words: Text = Field(description="the group in words, e.g. 'a bone injury'")
    causes: list[Id] = Field(min_length=1)


class PlanWords(Record):
    """The sentences the plan engine says, with {placeholders} (see plans.toml's [words])."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    held_no_plan: Text
    held_until_seen: Text
    held_plan_instead: Text
    not_ruled_out_no_plan: Text
    not_ruled_out_plan_instead: Text
    first_step_no_triage: Text
    first_step_urgent: Text
    each_step_cleared: Text
    rest_after_clearance: Text
    seen_recorded: Text
    carry_advice: Text
    carry_levels: list[Level] = Field(description="triage levels whose advice the plan repeats until seen")
    checkin_within: Text
    checkin_over: Text
    checkin_warning: Text
    checkin_waiting: Text
    announce_move_on: Text
    announce_step_back: Text
    announce_stop: Text
    announce_resume: Text
    announce_stay: Text
    progress: Text
    session_is: Text


class PlanBook(Record):
    no_plan: dict[Id, Text] = Field(default={}, description="condition id → why it has no home plan")
    hold: list[HoldGroup] = Field(default=[], description="no loading while one of these is possible")
    words: PlanWords
    plan: list[RehabPlan] = Field(min_length=1)


@dataclass(frozen=True)
class PlanContent:
    """The plans and exercises of a content folder (empty when it has neither file)."""

    exercises: dict[str, Exercise] = field(default_factory=dict)
    plans: tuple[RehabPlan, ...] = ()
    no_plan: dict[str, str] = field(default_factory=dict)
    hold: tuple[HoldGroup, ...] = ()
    words: PlanWords | None = None

    def held_group(self, cause: str) -> HoldGroup | None:
        """The hold group of `cause`, if it is in one."""
        return next((g for g in self.hold if cause in g.causes), None)

    def plan_for(self, cause: str) -> RehabPlan | None:
        return next((p for p in self.plans if cause in p.causes), None)


def cross_check(content: PlanContent, conditions: Iterable[str], rootname: str, problems: list[str]) -> None:
    """References between exercises, plans and conditions; a close match is named (`did_you_mean`)."""
    known = set(conditions)
    ex_where = f"{rootname}/{EXERCISES_FILE}"
    plan_where = f"{rootname}/{PLANS_FILE}"
    for e in content.exercises.values():
        for what, ids in (("for", e.for_causes), ("never_with", e.never_with)):
            for cid in ids:
                if cid not in known:
                    problems.append(
                        f"{ex_where} → exercise (id={e.id}) → {what}: unknown condition '{cid}'"
                        f"{did_you_mean(cid, known)}"
                    )
    owner: dict[str, str] = {}
    for p in content.plans:
        where = f"{plan_where} → plan (id={p.id})"
        phase_ids: set[str] = set()
        for cid in p.causes:
            if cid not in known:
                problems.append(f"{where} → causes: unknown condition '{cid}'{did_you_mean(cid, known)}")
            if cid in owner:
                problems.append(f"{where} → causes: '{cid}' is already in plan '{owner[cid]}'")
            if cid in content.no_plan:
                problems.append(f"{where} → causes: '{cid}' is also listed in no_plan")
            owner.setdefault(cid, p.id)
        for ph in p.phase:
            at = f"{where} → phase (id={ph.id})"
            if ph.id in phase_ids:
                problems.append(f"{at}: duplicate phase id '{ph.id}'")
            phase_ids.add(ph.id)
            for xid in ph.exercises:
                ex = content.exercises.get(xid)
                if ex is None:
                    problems.append(
                        f"{at} → exercises: unknown exercise '{xid}'{did_you_mean(xid, content.exercises)}"
                    )
                    continue
                clash = sorted(set(ex.never_with) & set(p.causes))
                if clash:
                    problems.append(
                        f"{at} → exercises: '{xid}' must never be shown with {', '.join(clash)}, "
                        "a cause of this plan"
                    )
    for g in content.hold:
        for cid in g.causes:
            if cid not in known:
                problems.append(
                    f"{plan_where} → hold (id={g.id}) → causes: unknown condition '{cid}'"
                    f"{did_you_mean(cid, known)}"
                )
                continue
            p = content.plan_for(cid)
            if p is not None and not p.needs_clearance:
                problems.append(
                    f"{plan_where} → hold (id={g.id}) → causes: '{cid}' is in plan '{p.id}', which does not "
                    "need a clearance; a held cause has no plan or a plan with needs_clearance = true"
                )
    for cid in content.no_plan:
        if cid not in known:
            problems.append(f"{plan_where} → no_plan: unknown condition '{cid}'{did_you_mean(cid, known)}")


def coverage_problems(content: PlanContent, conditions: Iterable[str], rootname: str) -> list[str]:
    """Every condition is in a plan's `causes` or has a reason in `no_plan`."""
    covered = {c for p in content.plans for c in p.causes} | set(content.no_plan)
    return [
        f"{rootname}/{PLANS_FILE}: condition '{cid}' is in no plan and not in no_plan; give it a plan or "
        "a reason in no_plan"
        for cid in conditions
        if cid not in covered
    ]


# ----------------------------------------------------------------- what `hipcheck plan --json` prints

PLAN_SCHEMA_VERSION = "1.1"

Verdict = Literal["start", "stay", "move_on", "step_back", "wait_for_clearance", "stop", "complete"]


class PlanExercise(Out):
    id: str
    name: str
    dose: str = Field(description="the dose in words, e.g. '3 sets of 10, 3 times a week'")
    sets: int
    reps: int | None = Field(description="null for a hold")
    hold_seconds: int = Field(description="0 for a movement")
    rest_seconds: int
    per_week: int = Field(description="sessions a week (7 = daily)")
    how: str
    effort: str
    progress: str
    easier: str
    basis: str
    sources: list[Source]


class PlanStep(Out):
    number: int = Field(description="1 for the first step")
    id: str
    name: str
    weeks: str
    given: bool = Field(
        description="false while the step waits for a clinician's clearance (or a triage): then only its "
        "name is given, and goal, entry, exercises and running are empty"
    )
    needs_clearance: bool = Field(description="the step waits for a clinician's clearance")
    cleared: bool = Field(description="a clearance for this step is recorded in the history")
    goal: str | None
    entry: list[str] = Field(description="criteria to meet before starting the step")
    advance_sessions: int
    advance_days: int
    avoid: list[str]
    exercises: list[PlanExercise]
    withheld: list[str] = Field(
        description="ids of the step's exercises left out because a possible cause is among their never_with"
    )
    running: str | None
    run_minutes: int = Field(description="running in one session (in the first week, if it grows)")
    runs_per_week: int
    run_minutes_weekly_add: int = Field(default=0, description="minutes added to each run every week")
    run_minutes_max: int | None = Field(default=None, description="the longest run the step builds to")


class PlanCheckIn(Out):
    """A check-in the standing cites."""

    id: int
    day: date
    during: int | None
    morning: int | None
    over: list[str] = Field(description="the limits it went over, in words; empty when within them")


class PlanEvent(Out):
    kind: Literal["start", "move_on", "step_back", "cleared", "stop", "resume"] = Field(
        description="resume: a new triage found the same cause at the same level after a stop"
    )
    day: date
    step: int = Field(description="the step number after the event")
    checkins: list[int] = Field(description="ids of the check-ins that caused it")


class PlanStanding(Out):
    verdict: Verdict = Field(
        description="start: no session logged yet; stay: keep going; move_on: start the next step; "
        "step_back: go back one step; wait_for_clearance: ready, but the next step needs a clinician's "
        "clearance (`hipcheck plan --cleared`); stop: a warning sign was logged, run `hipcheck triage`; "
        "complete: the last step is done"
    )
    step: int = Field(description="the current step number")
    since: date = Field(description="when the current step began")
    days_on_step: int
    sessions_within: list[PlanCheckIn] = Field(
        description="sessions within the limits that count on this step"
    )
    over_limits: list[PlanCheckIn] = Field(description="check-ins over a limit on this step")
    waiting: PlanCheckIn | None = Field(description="a session still waiting for its next-morning check-in")
    stopped_by: PlanCheckIn | None = Field(
        description="the check-in with a warning sign that stopped the plan"
    )
    reasons: list[str] = Field(description="why, in words")
    events: list[PlanEvent]


class PlanLimits(Out):
    pain_during_max: int
    pain_morning_max: int
    step_back_after: int


class PlanTriage(Out):
    id: int | None = Field(description="the saved triage's id; null for --answers")
    day: date
    level: Level
    top_cause: str | None


class PlanResult(Out):
    """`hipcheck plan --json`."""

    schema_version: str = PLAN_SCHEMA_VERSION
    content_version: str
    region: RegionInfo | None = Field(
        default=None, description="the region whose services the plan's advice names (added in 1.1)"
    )
    today: date
    status: Literal["plan", "get_seen", "no_plan"] = Field(
        description="plan: a plan follows; get_seen: the triage calls for a doctor first (same_day or "
        "emergency), so there is no plan; no_plan: the cause has no home plan (see no_plan_reason)"
    )
    triage: PlanTriage | None = Field(
        description="the triage the plan follows; null with --cause and no triage"
    )
    cause: str | None = Field(description="id of the cause the plan is for")
    cause_name: str | None
    notices: list[str] = Field(description="what limits the plan, and why, in words")
    no_plan_reason: str | None
    get_seen: list[str] = Field(description="with status get_seen: the level's advice")
    plan_id: str | None
    plan_name: str | None
    summary: str | None
    limits: PlanLimits | None
    steps: list[PlanStep]
    standing: PlanStanding | None
    basis: str | None
    sources: list[Source]
    disclaimer: str
