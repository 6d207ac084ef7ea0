"""`hipcheck plan`: the back-to-running plan for the latest triage (or a cause, or an answers file),
where the runner stands from their check-ins, and the clinician's clearance (`--cleared`).

The decisions are in engine/plan.py; the handout, Markdown, HTML and calendar in screens/plan.py.
Heavy modules are imported inside the function, so other commands start as fast as before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hipcheck.commands.common import (
    Exit,
    console,
    content_invalid,
    emit_json,
    fail,
    knowledge,
    note,
    read_answers,
    state,
)
from hipcheck.commands.help import examples
from hipcheck.commands.history_options import AfterContent, AfterNoColor, AfterRegion
from hipcheck.knowledge.text import echo, escape

if TYPE_CHECKING:
    from hipcheck.engine.plan import TriageSummary
    from hipcheck.knowledge.loader import KnowledgeBase
    from hipcheck.knowledge.models import TriageResult
    from hipcheck.knowledge.plans import PlanResult


def _today() -> date:
    """Today's local date (tests replace this)."""
    return date.today()


def _summary_of(
    kb: KnowledgeBase, result, rid: int | None, day: date, recorded_at: str, level=None
) -> TriageSummary:
    from hipcheck.engine.decide import possible_causes
    from hipcheck.engine.plan import TriageSummary

    return TriageSummary(
        id=rid,
        day=day,
        recorded_at=recorded_at,
        level=level or result.level.id,
        causes=tuple(c.id for c in result.causes),
        not_ruled_out=tuple(result.level.not_ruled_out),
        possible=possible_causes(kb, result),
    )


def _from_answers(kb: KnowledgeBase, source: str) -> TriageSummary:
    """Triage an answers file (as `hipcheck triage --answers FILE` does, without the history)."""
    from hipcheck.engine.answer_input import open_source
    from hipcheck.engine.decide import AnswerError, assess, validate_answers

    try:
        stream = open_source(source)
    except FileNotFoundError:
        fail(f"answers file not found: {source}")
    except OSError as exc:
        fail(f"cannot read answers file {source}: {exc.strerror or exc}")
    try:
        given = validate_answers(kb, read_answers(source, [], stream))
    except AnswerError as exc:
        fail(f"answers in {source}: {exc}")
    return _summary_of(kb, assess(kb, given), None, _today(), "")


def _from_history(kb: KnowledgeBase, results) -> TriageSummary | None:
    """The latest saved triage, ranked again with the current content; its level is the higher of
    the saved one and the new one (a plan never follows a lower level than the triage gave)."""
    from hipcheck.engine.decide import AnswerError, assess, validate_answers
    from hipcheck.engine.plan import TriageSummary
    from hipcheck.knowledge.models import Level

    past = sorted((r for r in results if r.day <= _today()), key=lambda r: (r.day, r.recorded_at, r.id))
    if not past:
        return None
    last = past[-1]
    # The run of latest triages that found the same top cause at the same level: the plan began at the
    # first of them, and each later one clears a stop and keeps the step (issue 20).
    first = len(past) - 1
    while first > 0 and (past[first - 1].top_cause, past[first - 1].level) == (last.top_cause, last.level):
        first -= 1
    chain = past[first:]
    resumes = tuple((r.day, r.recorded_at.isoformat()) for r in chain[1:])
    try:
        again = assess(kb, validate_answers(kb, dict(last.answers)))
    except (AnswerError, ValueError):
        causes = (last.top_cause,) if last.top_cause else ()
        return TriageSummary(
            last.id, chain[0].day, chain[0].recorded_at.isoformat(), last.level, causes, (), resumes=resumes
        )
    level = max(Level(last.level), again.level.id, key=lambda lv: lv.rank)
    summary = _summary_of(kb, again, last.id, chain[0].day, chain[0].recorded_at.isoformat(), level)
    return replace(summary, resumes=resumes)


def plan_after_triage(kb: KnowledgeBase, result: TriageResult) -> PlanResult | None:
    """The plan to offer at the end of an interactive triage, for the result just given (a new triage
    starts the plan at step 1), or None when there is none to give: a same-day or emergency level, a
    cause with no plan, or plans that do not validate (then `hipcheck plan` says why)."""
    from hipcheck.engine import plan as engine
    from hipcheck.knowledge.loader import ContentError, plan_content

    try:
        content_plans = plan_content(kb)
    except ContentError:
        return None
    today = _today()
    built = engine.build(kb, content_plans, _summary_of(kb, result, None, today, ""), today=today)
    return built if built.status == "plan" else None


def plan(
    cause: Annotated[
        str | None,
        typer.Option(
            "--cause", metavar="NAME", help="The plan for this cause (an id, name or alias, as for explain)."
        ),
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers", "-a", metavar="FILE", help="Triage this answers file and plan in one step."
        ),
    ] = None,
    cleared: Annotated[
        bool,
        typer.Option("--cleared", help="Record that a clinician has cleared you for the plan's next step."),
    ] = False,
    seen: Annotated[
        bool,
        typer.Option(
            "--seen",
            help="Record that a clinician has seen you, for the plan shown (with --cause, the plan they "
            "advise): the triage's advice is no longer repeated, and a plan held until you were seen "
            "is given.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON on stdout.")] = False,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save", metavar="FILE", help="Also save the plan: .md, .html, or .ics (this step's sessions)."
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With --save: replace FILE if it exists.")
    ] = False,
    step_only: Annotated[
        bool,
        typer.Option(
            "--step-only",
            help="With --save: only the current step, as a one-page handout (.md or .html) to print or "
            "keep on a phone.",
        ),
    ] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
    region: AfterRegion = None,
) -> None:
    """Your back-to-running plan: steps with entry criteria, exercises with their doses, and running
    that comes back in stages within pain limits.

    It follows your latest saved triage (run `hipcheck triage` first), and your check-ins since: log
    each session's pain with `hipcheck log --during N`, and the next morning's with --morning N, and
    the plan says whether to stay, move on or step back, and why. A same-day or emergency triage gives
    no plan, only the instruction to get seen; an urgent one, or a suspected bone stress injury, gives
    the first step only until a clinician clears you (--cleared). Pain at rest or at night stops the
    plan: triage again."""
    from hipcheck.commands.history_data import load_existing, rules
    from hipcheck.engine import plan as engine
    from hipcheck.knowledge.loader import ContentError, find_condition, plan_content
    from hipcheck.screens import plan as view

    if save is not None:
        if problem := view.plan_path_problem(save, overwrite=overwrite):
            fail(problem)
    elif overwrite:
        fail("--overwrite only goes with --save FILE")
    if step_only and save is None:
        fail("--step-only only goes with --save FILE (a .md or .html handout of the current step)")
    if (cleared or seen) and answers is not None:
        flag = "--cleared" if cleared else "--seen"
        fail(
            f"{flag} is recorded in your history, for the plan of your saved triage; "
            "it cannot go with --answers"
        )
    kb = knowledge()
    try:
        content_plans = plan_content(kb)
    except ContentError as exc:
        content_invalid(exc)
    if not content_plans.plans:
        fail("this content folder has no plans (no plans.toml)", Exit.ERROR)
    cause_id = None
    if cause is not None:
        found, suggestions = find_condition(kb, cause)
        if found is None:
            hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
            fail(f"no condition called '{echo(cause)}'.{hint} See `hipcheck list`.")
        cause_id = found.id

    today = _today()
    checkins, clearances, findings = [], [], []
    if answers is not None:
        triage = _from_answers(kb, answers)
    else:
        from hipcheck.history.store import exists

        all_checkins, results = load_existing()
        triage = _from_history(kb, results)
        if exists():
            clearances = _clearances()
        if triage is not None:
            checkins = [_session(c) for c in all_checkins]
            from hipcheck.history.trend import escalation_reasons

            findings = escalation_reasons(all_checkins, results, today, rules(state.content_dir))
    if triage is None and cause_id is None:
        fail(
            "no saved triage to plan from: run `hipcheck triage` first, "
            "or give --cause NAME or --answers FILE"
        )

    result = engine.build(
        kb, content_plans, triage, today=today, cause=cause_id, checkins=checkins, clearances=clearances
    )

    if seen:
        result, clearances = _record_seen(
            kb, content_plans, triage, result, cause_id, checkins, clearances, today
        )
    if cleared:
        result = _record_clearance(kb, content_plans, triage, result, cause_id, checkins, clearances, today)
    if findings and result.status == "plan":
        result = result.model_copy(
            update={"notices": [*result.notices, *(f"Your history: {r.text}" for r in findings)]}
        )

    if as_json:
        emit_json(result)
    else:
        con = console()
        for part in view.plan_view(result):
            con.print(part)
    if save is not None:
        _save(view, result, save, today, overwrite, step_only=step_only)


def _session(c):
    from hipcheck.engine.plan import SessionLog

    return SessionLog(
        id=c.id,
        day=c.day,
        recorded_at=c.recorded_at.isoformat(),
        session=bool(c.session) or c.during is not None,
        during=c.during,
        morning=c.morning,
        rest=c.rest,
        night=c.night,
    )


def _clearances():
    from hipcheck.commands.history_data import open_history
    from hipcheck.engine.plan import ClearanceLog
    from hipcheck.history.store import StoreError, load_clearances

    conn = open_history(create=False)
    try:
        return [
            ClearanceLog(
                id=c.id, day=c.day, recorded_at=c.recorded_at.isoformat(), plan=c.plan, phase=c.phase
            )
            for c in load_clearances(conn)
        ]
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    finally:
        conn.close()


def _record_seen(kb, content_plans, triage, result, cause_id, checkins, clearances, today):
    """`--seen`: record that a clinician has seen the runner, for the plan shown (a clearance for its first
    step), then plan again; (the new plan, the clearances with the new one)."""
    from hipcheck.commands.history_data import open_history
    from hipcheck.engine import plan as engine
    from hipcheck.history.store import StoreError, add_clearance

    if result.plan_id is None:
        fail(
            "there is no plan to record being seen for; for the plan your clinician advises, give "
            "`hipcheck plan --cause NAME --seen`"
        )
    if result.plan_id in engine.seen_plans(triage, clearances, today):
        note(
            "That a clinician has seen you is already recorded for this plan "
            f"({escape(result.plan_name or '')})."
        )
        return result, clearances
    first = next(p for p in content_plans.plans if p.id == result.plan_id).phase[0].id
    conn = open_history(create=True)
    try:
        rec = add_clearance(conn, plan=result.plan_id, phase=first, day=today)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    finally:
        conn.close()
    words = content_plans.words
    note(f"{escape(words.seen_recorded if words else 'Recorded.')} ({today.isoformat()})")
    from hipcheck.engine.plan import ClearanceLog

    clearances = [
        *clearances,
        ClearanceLog(rec.id, rec.day, rec.recorded_at.isoformat(), rec.plan, rec.phase),
    ]
    built = engine.build(
        kb, content_plans, triage, today=today, cause=cause_id, checkins=checkins, clearances=clearances
    )
    return built, clearances


def _record_clearance(kb, content_plans, triage, result, cause_id, checkins, clearances, today):
    """`--cleared`: record the clearance for the step after the current one, then plan again."""
    from hipcheck.commands.history_data import open_history
    from hipcheck.engine import plan as engine
    from hipcheck.history.store import StoreError, add_clearance

    if triage is None or triage.id is None:
        fail("a clearance belongs to the plan of a saved triage: run `hipcheck triage` first")
    if result.status != "plan" or result.standing is None:
        fail("there is no plan to clear you for: follow your triage's advice")
    steps = result.steps
    current = result.standing.step  # 1-based: the next step's index is `current`
    if current >= len(steps):
        fail("you are on the plan's last step: there is no next step to clear")
    nxt = steps[current]
    if not nxt.needs_clearance:
        fail(f"step {nxt.number} of this plan does not wait for a clearance; nothing recorded")
    if nxt.cleared:
        note(f"A clearance for step {nxt.number} ({nxt.name}) is already recorded.")
        return result
    conn = open_history(create=True)
    try:
        rec = add_clearance(conn, plan=result.plan_id, phase=nxt.id, day=today)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    finally:
        conn.close()
    note(
        f"Recorded: a clinician cleared you for step {nxt.number} ({escape(nxt.name)}) "
        f"on {today.isoformat()}."
    )
    from hipcheck.engine.plan import ClearanceLog

    clearances = [
        *clearances,
        ClearanceLog(rec.id, rec.day, rec.recorded_at.isoformat(), rec.plan, rec.phase),
    ]
    return engine.build(
        kb, content_plans, triage, today=today, cause=cause_id, checkins=checkins, clearances=clearances
    )


def _save(view, result, path: Path, today: date, overwrite: bool, *, step_only: bool = False) -> None:
    """Write the plan: the whole plan, or with `step_only` the current step's one-page handout (the
    calendar is always the current step's)."""
    from datetime import UTC, datetime

    from hipcheck.screens.files import write_private

    suffix = path.suffix.lower()
    if suffix == ".ics":
        data = view.plan_ics(result, today, datetime.now(UTC))
    elif suffix == ".html":
        data = (view.handout_html if step_only else view.plan_html)(result).encode("utf-8")
    else:
        data = (view.handout_markdown if step_only else view.plan_markdown)(result).encode("utf-8")
    try:
        write_private(path, data, overwrite=overwrite)
    except OSError as exc:
        fail(f"could not save the plan to {escape(str(path))}: {exc.strerror or exc}", Exit.ERROR)
    note(f"Plan saved to {escape(str(path))}")


def history_rows(all_checkins, all_results, steps_only: bool = False) -> list:
    """The plan's steps as rows for `hipcheck history`: (day, recorded_at, text) for the start, each
    move on, step back, clearance and stop; with `steps_only`, (day, recorded_at, step number) for each
    change of step, for `history --csv`. Empty when there is no plan (or the content has none, or
    is invalid: the history must show whatever the plans say)."""
    saved = _saved_plan(all_results)
    if saved is None:
        return []
    build, _, triage = saved
    result = build([_session(c) for c in all_checkins])
    if result.standing is None:
        return []
    if steps_only:
        return [
            (e.day, triage.recorded_at if e.kind == "start" else "~", e.step)
            for e in result.standing.events
            if e.kind in ("start", "move_on", "step_back", "resume")
        ]
    words = {
        "start": "started at step {n}",
        "move_on": "moved on to step {n}",
        "step_back": "back to step {n}",
        # a clearance for the first step is how `plan --seen` is stored: being seen, not being cleared
        "cleared": "a clinician's clearance for step {n} recorded",
        "seen": "seen by a clinician (recorded with plan --seen)",
        "stop": "stopped by a warning sign: triage again",
        "resume": "a new triage found the same: going on at step {n}",
    }
    names = {s.number: s.name for s in result.steps}
    rows = []
    for e in result.standing.events:
        kind = "seen" if e.kind == "cleared" and e.step == 1 else e.kind
        text = "Plan: " + words[kind].format(n=e.step)
        if e.kind in ("start", "move_on", "step_back"):
            text += f" ({names.get(e.step, '')})"
        # "~" sorts after every timestamp of the day; the start comes right after its triage.
        rows.append((e.day, triage.recorded_at + "~" if e.kind == "start" else "~", text))
    return rows


def checkin_feedback(all_checkins, all_results, entry) -> list[str]:
    """What the check-in `entry` (just saved) means for the plan of the saved triage, for `hipcheck log`:
    empty when there is no plan to follow (no triage, no plan, content without plans or invalid)."""
    from hipcheck.engine import plan as engine

    saved = _saved_plan(all_results)
    if saved is None:
        return []
    build, content_plans, _ = saved
    sessions = [_session(c) for c in all_checkins]
    mine = next((c for c in sessions if c.id == entry.id), None)
    if mine is None:
        return []
    before = build([c for c in sessions if c.id != entry.id])
    after = build(sessions)
    first = not any(c.day == mine.day and c.id != mine.id for c in sessions)
    return engine.checkin_feedback(content_plans, before, after, mine, first_of_day=first)


def _saved_plan(all_results):
    """For the history's views of the plan (its rows, what a check-in means): (build, the plans, the
    saved triage), where `build(sessions)` gives the plan of the saved triage with those sessions and
    the recorded clearances; None when there is no plan (no triage, no plans, or invalid content)."""
    from hipcheck.engine import plan as engine
    from hipcheck.history.store import exists
    from hipcheck.knowledge.loader import ContentError, load_content, plan_content

    try:
        kb = load_content(state.content_dir, use_cache=True)
        content_plans = plan_content(kb)
    except ContentError:
        return None
    triage = _from_history(kb, all_results)
    if triage is None or not content_plans.plans:
        return None
    clearances = _clearances() if exists() else []
    today = _today()

    def build(sessions):
        return engine.build(kb, content_plans, triage, today=today, checkins=sessions, clearances=clearances)

    return build, content_plans, triage


def register(app: typer.Typer) -> None:
    """Add `plan` to the hipcheck app."""
    app.command(
        "plan",
        epilog=examples(
            "hipcheck plan",
            "hipcheck plan --cause 'IT band'",
            "hipcheck plan --answers docs/examples/outer-hip.json",
            "hipcheck plan --cleared",
            "hipcheck plan --save plan.ics",
            "hipcheck plan --save step.html --step-only",
            "hipcheck plan --json | jq .standing.verdict",
        ),
    )(plan)
