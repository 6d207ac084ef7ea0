"""The back-to-running plan as pure functions of the content, a triage and the check-ins: which plan,
which of its steps are given, which exercises may be shown, and where the runner stands. No I/O.

How a plan is chosen (`select`):
- a triage at `same_day` or `emergency`: no plan, only the instruction to get seen;
- a cause the triage could not rule out that has no home plan (it is in `no_plan`): no plan;
- otherwise the plan for the most likely cause (or the cause asked for), except that a cause whose plan
  needs a clinician's clearance (a suspected bone stress injury) that the triage could not rule out
  takes its place: the most cautious plan wins;
- at `urgent`, or with no triage at all, only the first step is given; the rest waits for a clearance.
  A plan with `needs_clearance` gives each later step only once that step is cleared.

Which exercises are shown (`exercises_for`): none whose `never_with` names a cause still in play: the
plan's causes, the cause asked for, the triage's top causes and the causes it could not rule out.

Where the runner stands (`standing`): the check-ins and clearances since the plan began, replayed in
order (the rules are in content/plans.toml's header):
- a session is within the limits when the pain during it and the pain the next morning (the first
  `morning` logged after the session day, up to the next session) are both at or below the plan's
  limits; a session without a pain-during score, or never followed by a morning score, does not count;
- a check-in with a score over a limit counts against the step and wipes the run of good sessions;
  `step_back_after` of them send the runner back one step (a clearance for the step left must then
  be given again);
- after `advance_sessions` sessions within the limits (since the last check-in over a limit) and
  `advance_days` days on the step, the runner moves on, if the next step is open (cleared when it must
  be); otherwise they wait for the clearance;
- a check-in with pain at rest or at night (a warning sign) stops the plan: nothing counts after it
  until a new triage starts the plan again.
A check-in over a limit or with a warning sign therefore never moves the plan forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from hipcheck.knowledge.models import Level
from hipcheck.knowledge.text import short_date

if TYPE_CHECKING:
    from hipcheck.knowledge.loader import KnowledgeBase
    from hipcheck.knowledge.plans import (
        Exercise,
        PlanCheckIn,
        PlanContent,
        PlanPhase,
        PlanResult,
        PlanStanding,
        RehabPlan,
    )

NO_PLAN_LEVELS = frozenset({Level.same_day, Level.emergency})
FIRST_STEP_LEVELS = frozenset({Level.urgent})


@dataclass(frozen=True)
class SessionLog:
    """A check-in as the plan reads it."""

    id: int
    day: date
    recorded_at: str  # ISO 8601, for the order of check-ins on one day
    session: bool = False  # the plan's session was done that day
    during: int | None = None  # pain during it, 0-10
    morning: int | None = None  # pain on waking that morning, 0-10
    rest: bool = False
    night: bool = False


@dataclass(frozen=True)
class ClearanceLog:
    """A clinician's clearance for a step, as the runner recorded it."""

    id: int
    day: date
    recorded_at: str
    plan: str
    phase: str


@dataclass(frozen=True)
class TriageSummary:
    """What the plan needs from a triage."""

    id: int | None
    day: date
    recorded_at: str
    level: Level
    causes: tuple[str, ...]  # most likely first
    not_ruled_out: tuple[str, ...]
    # decide.still_possible for this triage (the same set that withholds its tips); empty: the top
    # causes and not_ruled_out (a saved triage whose answers no longer validate)
    possible: frozenset[str] = frozenset()
    # (day, recorded_at) of later triages with the same top cause at the same level: each clears a stop
    # and the plan goes on at the same step (day and recorded_at are the first of them)
    resumes: tuple[tuple[date, str], ...] = ()

    def still_possible(self, top_causes: int) -> frozenset[str]:
        return self.possible or frozenset(self.causes[:top_causes]) | frozenset(self.not_ruled_out)


@dataclass(frozen=True)
class Selection:
    status: str  # "plan", "get_seen" or "no_plan"; get_seen with a plan: held until seen
    cause: str | None
    plan: RehabPlan | None
    first_step_only: bool
    in_play: frozenset[str]  # causes whose never_with exercises are withheld
    notices: tuple[str, ...]


def select(
    content: PlanContent,
    triage: TriageSummary | None,
    *,
    cause: str | None = None,
    top_causes: int = 3,
    names: dict[str, str] | None = None,
    seen: frozenset[str] = frozenset(),
) -> Selection:
    """Which plan, if any, for this triage (or this cause), and how much of it may be given. `seen`: the
    plans for which the runner has recorded being seen by a clinician since the triage."""
    names = names or {}
    notices: list[str] = []
    words = content.words
    if triage is not None and triage.level in NO_PLAN_LEVELS:
        return Selection(
            "get_seen", cause or (triage.causes[0] if triage.causes else None), None, True, frozenset(), ()
        )
    target = cause or (triage.causes[0] if triage is not None and triage.causes else None)
    if target is None:
        return Selection("no_plan", None, None, True, frozenset(), ())
    in_play = {target}
    if triage is not None:
        in_play |= triage.still_possible(top_causes)
    # No running, hopping or loading while a held cause (content's [[hold]]) is still possible, until the
    # runner records being seen for the plan they follow.
    target_plan = content.plan_for(target)
    target_seen = target_plan is not None and target_plan.id in seen
    if not target_seen:
        rank = {c: i for i, c in enumerate(triage.causes)} if triage is not None else {}
        held = sorted(
            (c for c in in_play if content.held_group(c) is not None),
            key=lambda c: (rank.get(c, len(rank)), c),
        )
        homeless = next((c for c in held if content.plan_for(c) is None), None)
        if homeless is not None and words is not None:
            group = content.held_group(homeless)
            assert group is not None
            notices.append(words.held_no_plan.format(cause=names.get(homeless, homeless), group=group.words))
            return Selection("no_plan", homeless, None, True, frozenset(in_play), tuple(notices))
        if held and words is not None:
            cautious_plan = content.plan_for(held[0])
            if cautious_plan is not None and cautious_plan.id not in seen:
                group = content.held_group(held[0])
                assert group is not None
                feared = names.get(held[0], held[0])
                notices.append(words.held_until_seen.format(cause=feared, group=group.words))
                return Selection("get_seen", held[0], cautious_plan, True, frozenset(in_play), tuple(notices))
            if held[0] != target and (target_plan is None or not target_plan.needs_clearance):
                feared, likely = names.get(held[0], held[0]), names.get(target, target)
                notices.append(words.held_plan_instead.format(cause=feared, likely=likely))
            target = held[0]
    if triage is not None and not target_seen:
        # A cause the triage could not rule out that has no home plan (a broken hip, a slipped growth
        # plate, new leg weakness): no plan at all until a clinician has seen the runner.
        unsafe = next((c for c in triage.not_ruled_out if content.plan_for(c) is None), None)
        if unsafe is not None:
            if words is not None:
                notices.append(words.not_ruled_out_no_plan.format(cause=names.get(unsafe, unsafe)))
            return Selection("no_plan", unsafe, None, True, frozenset(in_play), tuple(notices))
        cautious = next(
            (c for c in triage.not_ruled_out if (p := content.plan_for(c)) is not None and p.needs_clearance),
            None,
        )
        if cautious is not None and cautious != target:
            plan = content.plan_for(target)
            if plan is None or not plan.needs_clearance:
                feared, likely = names.get(cautious, cautious), names.get(target, target)
                if words is not None:
                    notices.append(words.not_ruled_out_plan_instead.format(cause=feared, likely=likely))
                target = cautious
    plan = content.plan_for(target)
    if plan is None:
        return Selection("no_plan", target, None, True, frozenset(in_play), tuple(notices))
    in_play |= set(plan.causes)
    first_only = triage is None or triage.level in FIRST_STEP_LEVELS
    # One notice from two facts: why only the first step is given, and what opens the rest.
    why = (
        None
        if words is None
        else words.first_step_no_triage
        if triage is None
        else words.first_step_urgent
        if first_only
        else None
    )
    opens = (
        None
        if words is None
        else words.each_step_cleared
        if plan.needs_clearance
        else words.rest_after_clearance
        if why is not None and triage is not None
        else None
    )
    if why or opens:
        notices.append(" ".join(part for part in (why, opens) if part))
    return Selection("plan", target, plan, first_only, frozenset(in_play), tuple(notices))


def exercises_for(
    content: PlanContent, phase: PlanPhase, in_play: frozenset[str] | set[str]
) -> tuple[list[Exercise], list[str]]:
    """(the exercises of the step that may be shown, the ids withheld because a cause in play is among
    their `never_with`)."""
    shown: list[Exercise] = []
    withheld: list[str] = []
    for xid in phase.exercises:
        ex = content.exercises[xid]
        if set(ex.never_with) & set(in_play):
            withheld.append(xid)
        else:
            shown.append(ex)
    return shown, withheld


def dose_words(ex: Exercise) -> str:
    """`3 sets of 10, 3 times a week` or `10 holds of 10 seconds, every day`."""
    if ex.reps is not None:
        amount = f"{ex.sets} set{'s' if ex.sets != 1 else ''} of {ex.reps}"
        if ex.hold_seconds:
            amount += f", holding {ex.hold_seconds} s"
    else:
        amount = f"{ex.sets} hold{'s' if ex.sets != 1 else ''} of {ex.hold_seconds} seconds"
    if ex.rest_seconds:
        amount += f", {ex.rest_seconds} s rest between"
    often = (
        "every day"
        if ex.per_week >= 7
        else ("once a week" if ex.per_week == 1 else f"{ex.per_week} times a week")
    )
    return f"{amount}, {often}"


# --------------------------------------------------------------------------- where the runner stands


@dataclass
class _State:
    step: int
    since: date
    good: list[SessionLog]
    over: list[tuple[SessionLog, list[str]]]
    pending: SessionLog | None
    cleared: set[int]
    any_clearance: bool


def gate_open(
    plan: RehabPlan, index: int, first_step_only: bool, cleared: set[int], any_clearance: bool
) -> bool:
    """May the runner start step `index` (0 is the first)?"""
    if index == 0:
        return True
    if plan.needs_clearance:
        return index in cleared
    if first_step_only:
        return any_clearance
    return True


def over_limits(plan: RehabPlan, c: SessionLog) -> list[str]:
    out = []
    if c.during is not None and c.during > plan.pain_during_max:
        out.append(f"pain during the session {c.during}/10, above {plan.pain_during_max}")
    if c.morning is not None and c.morning > plan.pain_morning_max:
        out.append(f"pain the next morning {c.morning}/10, above {plan.pain_morning_max}")
    return out


@dataclass(frozen=True)
class Replay:
    step: int
    since: date
    good: tuple[SessionLog, ...]
    over: tuple[tuple[SessionLog, tuple[str, ...]], ...]
    pending: SessionLog | None
    cleared: frozenset[int]
    any_clearance: bool
    stopped_by: SessionLog | None
    events: tuple[
        tuple[str, date, int, tuple[int, ...]], ...
    ]  # (kind, day, step index after, or cleared, ids)
    last_checkin: date | None
    ready: bool
    complete: bool
    waiting_clearance: bool
    backed_from: int | None = None  # the step index the last step back left


def replay(
    plan: RehabPlan,
    start: date,
    checkins: Sequence[SessionLog],
    clearances: Sequence[ClearanceLog],
    today: date,
    *,
    first_step_only: bool = False,
    start_at: str = "",
    resumes: Sequence[tuple[date, str]] = (),
) -> Replay:
    """Replay the check-ins and clearances from `start` to `today` (see the module's docstring).
    `start_at`: when the triage was recorded on its day (check-ins before it belong to the time before);
    `resumes`: later triages that found the same: each clears a stop, and the plan goes on at the same
    step."""
    phase_index = {ph.id: i for i, ph in enumerate(plan.phase)}
    items: list[tuple[date, str, int, int, SessionLog | ClearanceLog | None]] = [
        (c.day, c.recorded_at, 0, c.id, c)
        for c in checkins
        if start <= c.day <= today and (c.day, c.recorded_at) >= (start, start_at)
    ]
    items += [(d, at, 2, 0, None) for d, at in resumes if start <= d <= today]
    items += [
        (c.day, c.recorded_at, 1, c.id, c)
        for c in clearances
        if start <= c.day <= today and c.plan == plan.id and c.phase in phase_index
    ]
    items.sort(key=lambda t: t[:4])
    s = _State(0, start, [], [], None, set(), False)
    events: list[tuple[str, date, int, tuple[int, ...]]] = [("start", start, 0, ())]
    stopped: SessionLog | None = None
    last_checkin: date | None = None
    backed_from: int | None = None
    last = len(plan.phase) - 1

    def ready(day: date) -> bool:
        ph = plan.phase[s.step]
        return len(s.good) >= ph.advance_sessions and (day - s.since).days >= ph.advance_days

    def try_advance(day: date) -> bool:
        if (
            s.step < last
            and ready(day)
            and gate_open(plan, s.step + 1, first_step_only, s.cleared, s.any_clearance)
        ):
            ids = tuple(g.id for g in s.good)
            s.step, s.since, s.good, s.over, s.pending = s.step + 1, day, [], [], None
            events.append(("move_on", day, s.step, ids))
            return True
        return False

    for day, _, kind, _, item in items:
        if kind == 2:  # a new triage that found the same cause at the same level
            if stopped is not None:
                stopped = None
                s.since, s.good, s.over, s.pending = day, [], [], None
                events.append(("resume", day, s.step, ()))
            continue
        if stopped is not None:
            continue  # nothing counts after a stop until a new triage
        if kind == 1:
            cleared = phase_index[item.phase]  # type: ignore[union-attr]
            s.cleared.add(cleared)
            s.any_clearance = True
            events.append(("cleared", day, cleared, ()))  # the step cleared (the first: `plan --seen`)
            try_advance(day)
            continue
        c: SessionLog = item  # type: ignore[assignment]
        last_checkin = day
        if c.rest or c.night:
            stopped = c
            events.append(("stop", day, s.step, (c.id,)))
            continue
        over = over_limits(plan, c)
        if over:
            s.over.append((c, over))
            s.good, s.pending = [], None
            if len(s.over) >= plan.step_back_after:
                left = s.step
                ids = tuple(o.id for o, _ in s.over)
                backed_from = left
                s.step, s.since, s.over = max(0, s.step - 1), day, []
                s.cleared = {i for i in s.cleared if i < left}  # going back needs a new clearance
                events.append(("step_back", day, s.step, ids))
            continue
        advanced = False
        if c.morning is not None and s.pending is not None and s.pending.day < c.day:
            if s.pending.during is not None:
                s.good.append(s.pending)
            s.pending = None
            advanced = try_advance(day)
        # A session logged on the day of a move was the old step's: it does not count on the new one.
        if (c.session or c.during is not None) and not advanced:
            s.pending = c
    if stopped is None:
        try_advance(today)
    is_ready = stopped is None and ready(today)
    return Replay(
        step=s.step,
        since=s.since,
        good=tuple(s.good),
        over=tuple((c, tuple(o)) for c, o in s.over),
        pending=s.pending,
        cleared=frozenset(s.cleared),
        any_clearance=s.any_clearance,
        stopped_by=stopped,
        events=tuple(events),
        last_checkin=last_checkin,
        ready=is_ready,
        complete=is_ready and s.step == last,
        waiting_clearance=is_ready
        and s.step < last
        and not gate_open(plan, s.step + 1, first_step_only, s.cleared, s.any_clearance),
        backed_from=backed_from,
    )


def _cited(plan: RehabPlan, c: SessionLog, morning: int | None = None) -> PlanCheckIn:
    from hipcheck.knowledge.plans import PlanCheckIn

    return PlanCheckIn(
        id=c.id,
        day=c.day,
        during=c.during,
        morning=c.morning if morning is None else morning,
        over=over_limits(plan, c),
    )


def standing_of(plan: RehabPlan, r: Replay, today: date) -> PlanStanding:
    """The replay as the runner reads it: a verdict and why."""
    from hipcheck.knowledge.plans import PlanEvent, PlanStanding

    phase = plan.phase[r.step]
    number = r.step + 1
    total = len(plan.phase)
    days = (today - r.since).days
    reasons: list[str] = []
    moves = [e for e in r.events if e[0] in ("move_on", "step_back")]
    if r.stopped_by is not None:
        verdict = "stop"
        by = r.stopped_by
        when = " and ".join(w for w, on in (("at rest", by.rest), ("at night", by.night)) if on)
        reasons.append(
            f"On {short_date(by.day)} (check-in #{by.id}) you logged pain {when}: a warning sign. "
            "Stop the plan and run `hipcheck triage` again: a new triage that finds the same cause at the "
            "same level goes on at this step; one that finds something else starts again."
        )
    elif r.complete:
        verdict = "complete"
        reasons.append(
            f"You have done {len(r.good)} sessions within the limits over {days} days on the last step: "
            "the plan is complete."
        )
    elif r.waiting_clearance:
        verdict = "wait_for_clearance"
        reasons.append(
            f"You have done {len(r.good)} sessions within the limits over {days} days on step {number}. "
            f"Step {number + 1} waits for a clinician's clearance: once you have it, run "
            "`hipcheck plan --cleared`."
        )
    elif moves and not r.good and not r.over:  # no session rated on the new step yet
        kind, day, _, ids = moves[-1]
        verdict = kind
        if kind == "move_on":
            cited = ", ".join(f"#{i}" for i in ids)
            reasons.append(
                f"Move on to step {number}: on {short_date(day)} you reached {len(ids)} sessions within the "
                f"limits (check-ins {cited}) and the days the step needs. Start it only if you also meet its "
                "entry criteria below; if not, keep to the previous step's sessions."
            )
        else:
            cited = ", ".join(f"#{i}" for i in ids)
            reasons.append(
                f"Step back to step {number}: check-ins {cited} went over the limits. "
                + (
                    "You are on the first step already: keep to it, with the easier version of each exercise."
                    if r.backed_from == 0
                    else "Go back to this step's sessions until they stay within the limits again."
                )
            )
    else:
        verdict = "start" if r.last_checkin is None and not r.good else "stay"
        need_s = max(0, phase.advance_sessions - len(r.good))
        need_d = max(0, phase.advance_days - days)
        if verdict == "start":
            reasons.append(
                f"Start with step {number} below and log each session. Move on after "
                f"{phase.advance_sessions} sessions within the limits and at least {phase.advance_days} days "
                "on this step."
            )
        elif r.step == total - 1:
            reasons.append(
                f"Stay on the last step: sessions within the limits: {len(r.good)} "
                f"({phase.advance_sessions} needed); days on the step: {days} ({phase.advance_days} needed)."
            )
        else:
            reasons.append(
                f"Stay on step {number}: sessions within the limits: {len(r.good)} "
                f"({phase.advance_sessions} needed); days on the step: {days} ({phase.advance_days} needed)"
                + (f"; {need_s} more session{'s' if need_s != 1 else ''}" if need_s else "")
                + (
                    f"{' and' if need_s else ';'} {need_d} more day{'s' if need_d != 1 else ''}"
                    if need_d
                    else ""
                )
                + " before you can move on."
            )
    if verdict in ("stay", "start", "move_on") and r.over:
        left = plan.step_back_after - len(r.over)
        for c, over in r.over:
            reasons.append(f"Over the limits on {short_date(c.day)} (check-in #{c.id}): {'; '.join(over)}.")
        if left > 0:
            more = f"{left} more check-in{'s' if left != 1 else ''}"
            reasons.append(f"{more} over the limits on this step sends you back a step.")
    if r.pending is not None and verdict not in ("stop",):
        reasons.append(
            f"The session on {short_date(r.pending.day)} counts once you log the next morning's pain: "
            "`hipcheck log --pain N --morning N`."
        )
    return PlanStanding(
        verdict=verdict,  # type: ignore[arg-type]
        step=number,
        since=r.since,
        days_on_step=days,
        sessions_within=[_cited(plan, c) for c in r.good],
        over_limits=[_cited(plan, c) for c, _ in r.over],
        waiting=_cited(plan, r.pending) if r.pending is not None else None,
        stopped_by=_cited(plan, r.stopped_by) if r.stopped_by is not None else None,
        reasons=reasons,
        events=[PlanEvent(kind=k, day=d, step=i + 1, checkins=list(ids)) for k, d, i, ids in r.events],  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- the whole result


def seen_plans(
    triage: TriageSummary | None, clearances: Sequence[ClearanceLog], today: date
) -> frozenset[str]:
    """The plans for which a clinician's clearance (or `plan --seen`, a clearance for the first step) is
    recorded since the triage: the runner has been seen for them."""
    start = triage.day if triage is not None else date.min
    return frozenset(c.plan for c in clearances if start <= c.day <= today)


def build(
    kb: KnowledgeBase,
    content: PlanContent,
    triage: TriageSummary | None,
    *,
    today: date,
    cause: str | None = None,
    checkins: Sequence[SessionLog] = (),
    clearances: Sequence[ClearanceLog] = (),
) -> PlanResult:
    """`hipcheck plan`: the plan for this triage (or cause), and where the runner stands."""
    from hipcheck.knowledge.plans import PlanExercise, PlanLimits, PlanResult, PlanStep, PlanTriage

    names = {c.id: c.name for c in kb.conditions}
    seen = seen_plans(triage, clearances, today)
    sel = select(content, triage, cause=cause, top_causes=kb.meta.top_causes, names=names, seen=seen)
    base = {
        "content_version": kb.meta.content_version,
        "region": kb.region.info() if kb.region is not None else None,
        "today": today,
        "triage": None
        if triage is None
        else PlanTriage(
            id=triage.id,
            day=triage.day,
            level=triage.level,
            top_cause=triage.causes[0] if triage.causes else None,
        ),
        "cause": sel.cause,
        "cause_name": names.get(sel.cause) if sel.cause else None,
        "disclaimer": kb.meta.disclaimer,
        "notices": list(sel.notices),
        "no_plan_reason": None,
        "get_seen": [],
        "plan_id": None,
        "plan_name": None,
        "summary": None,
        "limits": None,
        "steps": [],
        "standing": None,
        "basis": None,
        "sources": [],
    }
    if sel.status == "get_seen":
        advice = [*kb.meta.levels[triage.level].advice] if triage is not None else []
        held = {"plan_id": sel.plan.id, "plan_name": sel.plan.name} if sel.plan is not None else {}
        return PlanResult(status="get_seen", **{**base, **held, "get_seen": advice})  # type: ignore[arg-type]
    if sel.plan is None:
        reason = content.no_plan.get(sel.cause or "") if sel.cause else None
        return PlanResult(status="no_plan", **{**base, "no_plan_reason": reason})  # type: ignore[arg-type]
    plan = sel.plan
    words = content.words
    if (
        triage is not None
        and words is not None
        and triage.level in words.carry_levels
        and plan.id not in seen
        and (advice := kb.meta.levels[triage.level].advice)
    ):
        base["notices"] = [*base["notices"], words.carry_advice.format(advice=" ".join(advice))]
    # Without a triage the plan starts on the day the runner first recorded being seen for it (or today).
    own = [c.day for c in clearances if c.plan == plan.id and c.day <= today]
    start = triage.day if triage is not None else min(own, default=today)
    r = replay(
        plan,
        start,
        checkins,
        clearances,
        today,
        first_step_only=sel.first_step_only,
        start_at=triage.recorded_at if triage is not None else "",
        resumes=triage.resumes if triage is not None else (),
    )
    standing = standing_of(plan, r, today)
    steps = []
    for i, ph in enumerate(plan.phase):
        gated = i > 0 and (plan.needs_clearance or sel.first_step_only)
        given = i <= r.step or gate_open(plan, i, sel.first_step_only, set(r.cleared), r.any_clearance)
        shown, withheld = exercises_for(content, ph, sel.in_play) if given else ([], [])
        steps.append(
            PlanStep(
                number=i + 1,
                id=ph.id,
                name=ph.name,
                weeks=ph.weeks,
                given=given,
                needs_clearance=gated,
                cleared=i in r.cleared or (gated and not plan.needs_clearance and r.any_clearance),
                goal=ph.goal if given else None,
                entry=list(ph.entry) if given else [],
                advance_sessions=ph.advance_sessions,
                advance_days=ph.advance_days,
                avoid=list(ph.avoid) if given else [],
                exercises=[
                    PlanExercise(
                        id=e.id,
                        name=e.name,
                        dose=dose_words(e),
                        sets=e.sets,
                        reps=e.reps,
                        hold_seconds=e.hold_seconds,
                        rest_seconds=e.rest_seconds,
                        per_week=e.per_week,
                        how=e.how,
                        effort=e.effort,
                        progress=e.progress,
                        easier=e.easier,
                        basis=e.basis,
                        sources=list(e.sources),
                    )
                    for e in shown
                ],
                withheld=withheld,
                running=ph.running if given else None,
                run_minutes=ph.run_minutes,
                runs_per_week=ph.runs_per_week,
                run_minutes_weekly_add=ph.run_minutes_weekly_add,
                run_minutes_max=ph.run_minutes_max,
            )
        )
    return PlanResult(
        status="plan",
        **{
            **base,
            "plan_id": plan.id,
            "plan_name": plan.name,
            "summary": plan.summary,
            "limits": PlanLimits(
                pain_during_max=plan.pain_during_max,
                pain_morning_max=plan.pain_morning_max,
                step_back_after=plan.step_back_after,
            ),
            "steps": steps,
            "standing": standing,
            "basis": plan.basis,
            "sources": list(plan.sources),
        },  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- what a check-in means


def progress_words(content: PlanContent, result: PlanResult) -> str:
    """'3 sessions within the limits (7 needed), 4 days on the step (7 needed)' for the current step."""
    st = result.standing
    assert st is not None and content.words is not None
    step = result.steps[st.step - 1]
    return content.words.progress.format(
        sessions=len(st.sessions_within),
        needed=step.advance_sessions,
        days=st.days_on_step,
        days_needed=step.advance_days,
    )


def checkin_feedback(
    content: PlanContent,
    before: PlanResult,
    after: PlanResult,
    checkin: SessionLog,
    first_of_day: bool = True,
) -> list[str]:
    """What `hipcheck log` says a new check-in means for the plan: within the limits or over which, and
    what the plan now says (move on, step back, stop, go on after a new triage, or stay, with the
    progress). A move that today's date alone brought (the step's days done) is announced by the day's
    first check-in. Empty when there is no plan to follow."""
    words = content.words
    if words is None or after.status != "plan" or after.standing is None or after.limits is None:
        return []
    plan = next((p for p in content.plans if p.id == after.plan_id), None)
    if plan is None:
        return []
    out: list[str] = []
    if checkin.rest or checkin.night:
        when = " and ".join(w for w, on in (("at rest", checkin.rest), ("at night", checkin.night)) if on)
        out.append(words.checkin_warning.format(id=checkin.id, when=when))
    elif checkin.during is not None or checkin.morning is not None:
        over = over_limits(plan, checkin)
        if over:
            out.append(words.checkin_over.format(id=checkin.id, over="; ".join(over)))
        else:
            out.append(
                words.checkin_within.format(
                    id=checkin.id, during_max=plan.pain_during_max, morning_max=plan.pain_morning_max
                )
            )
        st = after.standing
        if st.waiting is not None and st.waiting.id == checkin.id:
            out.append(words.checkin_waiting)
    # the events this check-in brought: those of `after` not in `before` (a check-in dated in the past,
    # or after a clearance recorded the same day, changes events before the last one, not only at the end)
    unmatched = list(before.standing.events) if before.standing is not None else []
    new = []
    for e in after.standing.events:
        if e in unmatched:
            unmatched.remove(e)
        else:
            new.append(e)
    if first_of_day and not new:
        new = [e for e in after.standing.events if e.day == checkin.day and e.kind != "start"]
    names = {s.number: s.name for s in after.steps}
    templates = {
        "move_on": words.announce_move_on,
        "step_back": words.announce_step_back,
        "stop": words.announce_stop,
        "resume": words.announce_resume,
    }
    announced = [
        templates[e.kind].format(step=e.step, name=names.get(e.step, "")) for e in new if e.kind in templates
    ]
    if announced:
        out += announced
    elif after.standing.verdict not in ("stop",):
        out.append(
            words.announce_stay.format(step=after.standing.step, progress=progress_words(content, after))
        )
    return out
