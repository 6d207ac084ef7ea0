"""The back-to-running plans (issue 11): content validation, and the pure plan engine's safety
properties (derandomized, like the suite's other property tests: see conftest.py)."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import pytest
from conftest import CONTENT
from hypothesis import given
from hypothesis import strategies as st

from hipcheck.engine import plan as P
from hipcheck.knowledge.loader import load_content, plan_content
from hipcheck.knowledge.models import Level

T0 = date(2026, 3, 2)


@pytest.fixture(scope="module")
def pc(kb):
    return plan_content(kb)


# --------------------------------------------------------------------------- content


def test_shipped_plans_cover_every_condition_and_every_exercise_has_a_dose_and_a_source(kb, pc):
    covered = {c for p in pc.plans for c in p.causes}
    assert covered | set(pc.no_plan) == set(kb.condition_by_id)
    assert not covered & set(pc.no_plan)
    for e in pc.exercises.values():
        assert e.sets and (e.reps or e.hold_seconds) and e.per_week and e.sources
    for p in pc.plans:
        assert p.sources and all(ph.entry and ph.exercises for ph in p.phase)
    # Every common (home-manageable) cause has a plan; only serious ones and two specialist ones have none.
    home = {c.id for c in kb.conditions if c.category == "common"}
    assert home - covered <= {"inguinal_hernia", "iliac_endofibrosis"}


def _edit(tmp_path, name: str, old: str, new: str, count: int = 1):
    root = tmp_path / "content"
    if not root.exists():
        shutil.copytree(CONTENT, root)
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return root


def _cut_block(tmp_path, name: str, after: str, start: str, stop: str):
    """Remove the text from the first `start` after `after` up to (not including) the next `stop`, or to
    the end."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    path = root / name
    text = path.read_text(encoding="utf-8")
    at = text.index(after)
    a = text.index(start, at)
    b = text.find(stop, a + len(start))
    b = len(text) if b < 0 else b
    path.write_text(text[:a] + text[b:], encoding="utf-8")
    return root


BREAKAGES = {
    "exercise without a dose": (
        lambda t: _edit(
            t, "exercises.toml", "sets = 3\nreps = 10\nhold_seconds = 0\n", "sets = 3\nhold_seconds = 0\n"
        ),
        "no dose",
    ),
    "exercise without sets": (
        lambda t: _edit(t, "exercises.toml", "sets = 10\nhold_seconds = 10\n", "hold_seconds = 10\n"),
        "sets: Field required",
    ),
    "exercise without a source": (
        lambda t: _cut_block(t, "exercises.toml", 'id = "leg_swings"', "[[exercise.sources]]", "\n\n\n"),
        "sources: Field required",
    ),
    "step without criteria": (
        lambda t: _edit(
            t,
            "plans.toml",
            'entry = [\n  "Your pain is on the outside of the hip, and hipcheck found no warning signs.",\n'
            '  "You can walk on the flat, even if it aches a little.",\n]',
            "entry = []",
        ),
        "entry: List should have at least 1 item",
    ),
    "unknown exercise": (
        lambda t: _edit(
            t, "plans.toml", '"abduction_isometric_standing", "bridge", "side_step_band"]', '"bridgee"]'
        ),
        "unknown exercise 'bridgee' (did you mean 'bridge'?)",
    ),
    "condition in no plan": (
        lambda t: _edit(t, "plans.toml", "appendicitis = ", "# appendicitis = "),
        "condition 'appendicitis' is in no plan and not in no_plan",
    ),
    "contraindicated exercise": (
        lambda t: _edit(
            t,
            "plans.toml",
            'exercises = ["abduction_isometric_lying",',
            'exercises = ["standing_adduction_band",',
        ),
        "'standing_adduction_band' must never be shown with gtps",
    ),
    "cause in two plans": (
        lambda t: _edit(
            t,
            "plans.toml",
            'causes = ["hamstring_tendinopathy"]',
            'causes = ["hamstring_tendinopathy", "gtps"]',
        ),
        "'gtps' is already in plan 'gluteal_tendon'",
    ),
    "unknown held cause": (
        lambda t: _edit(t, "plans.toml", 'causes = ["muscle_bleed"]', 'causes = ["muscle_bleeds"]'),
        "hold (id=bleed) → causes: unknown condition 'muscle_bleeds' (did you mean 'muscle_bleed'?)",
    ),
    "held cause with a plan that needs no clearance": (
        lambda t: _edit(t, "plans.toml", 'causes = ["muscle_bleed"]', 'causes = ["gtps"]'),
        "'gtps' is in plan 'gluteal_tendon', which does not need a clearance",
    ),
    "plan words missing": (
        lambda t: _edit(t, "plans.toml", "held_no_plan = ", "held_no_plann = "),
        "held_no_plan: Field required",
    ),
}


@pytest.mark.parametrize("case", list(BREAKAGES))
def test_content_check_fails_on_a_broken_plan(cli, tmp_path, case):
    breaks, words = BREAKAGES[case]
    root = breaks(tmp_path)
    r = cli("content", "check", str(root))
    assert r.exit_code == 1, r.stdout
    assert any(words in line for line in r.stdout.splitlines()), r.stdout
    assert all(re.match(r"^content/(plans|exercises)\.toml", line) for line in r.stdout.splitlines()), (
        r.stdout
    )


def test_a_broken_plan_does_not_stop_triage_but_stops_plan(cli, tmp_path):
    root = BREAKAGES["unknown exercise"][0](tmp_path)
    ok = cli("--content", str(root), "triage", "--answers", "docs/examples/outer-hip.json", "--json")
    assert ok.exit_code == 0
    r = cli("--content", str(root), "plan", "--cause", "gtps")
    assert r.exit_code == 1 and r.stderr.startswith("hipcheck: error: content is invalid")


def test_a_folder_without_plans_loads_and_says_so(cli, mini):
    assert plan_content(mini).plans == ()


# --------------------------------------------------------------------------- properties

levels = st.sampled_from(list(Level))


@st.composite
def triages(draw, kb_ids):
    causes = draw(st.permutations(kb_ids))
    not_ruled_out = draw(st.lists(st.sampled_from(kb_ids), max_size=3, unique=True))
    return P.TriageSummary(1, T0, "t", draw(levels), tuple(causes), tuple(not_ruled_out))


@st.composite
def checkin_lists(draw, max_size=40):
    n = draw(st.integers(0, max_size))
    out = []
    day = T0
    for i in range(n):
        day += timedelta(days=draw(st.integers(0, 3)))
        session = draw(st.booleans())
        out.append(
            P.SessionLog(
                id=i + 1,
                day=day,
                recorded_at=f"{i:05d}",
                session=session,
                during=draw(st.one_of(st.none(), st.integers(0, 4))) if session else None,
                morning=draw(st.one_of(st.none(), st.integers(0, 4))),
                rest=draw(st.integers(0, 30)) == 0,
                night=False,
            )
        )
    return out


ALL_IDS = sorted(p.stem for p in (CONTENT / "conditions").glob("*.toml"))


@given(
    triage=triages(ALL_IDS), cause=st.one_of(st.none(), st.sampled_from(ALL_IDS)), checkins=checkin_lists()
)
def test_no_plan_ever_shows_a_contraindicated_exercise(kb, pc, triage, cause, checkins):
    result = P.build(kb, pc, triage, today=T0 + timedelta(days=200), cause=cause, checkins=checkins)
    in_play = {result.cause, cause, *triage.causes[: kb.meta.top_causes], *triage.not_ruled_out} - {None}
    for step in result.steps:
        for ex in step.exercises:
            assert not set(pc.exercises[ex.id].never_with) & in_play, (step.id, ex.id)


@given(triage=triages(ALL_IDS), cause=st.one_of(st.none(), st.sampled_from(ALL_IDS)))
def test_same_day_and_emergency_never_produce_a_plan(kb, pc, triage, cause):
    for level in (Level.same_day, Level.emergency):
        t = P.TriageSummary(1, T0, "t", level, triage.causes, triage.not_ruled_out)
        result = P.build(kb, pc, t, today=T0, cause=cause)
        assert result.status == "get_seen" and result.steps == [] and result.plan_id is None
        assert result.get_seen == kb.meta.levels[level].advice


PLANS_BY_ID = {p.id: p for p in plan_content(load_content(CONTENT)).plans}


@given(
    plan_id=st.sampled_from(sorted(PLANS_BY_ID)),
    checkins=checkin_lists(),
    bad=st.sampled_from(["during", "morning", "rest", "night"]),
    first_only=st.booleans(),
)
def test_a_check_in_over_the_limit_or_with_a_warning_sign_never_moves_the_plan_forward(
    plan_id, checkins, bad, first_only
):
    plan = PLANS_BY_ID[plan_id]
    day = checkins[-1].day if checkins else T0
    today = day + timedelta(days=60)
    before = P.replay(plan, T0, checkins, [], today, first_step_only=first_only)
    values = {
        "during": {"session": True, "during": plan.pain_during_max + 1},
        "morning": {"morning": plan.pain_morning_max + 1},
        "rest": {"rest": True},
        "night": {"night": True},
    }[bad]
    worse = P.SessionLog(id=999, day=day, recorded_at="99999", **values)
    after = P.replay(plan, T0, [*checkins, worse], [], today, first_step_only=first_only)
    assert after.step <= before.step
    assert not any(kind == "move_on" and 999 in ids for kind, _, _, ids in after.events)
    assert not any(
        kind == "move_on" and d >= day for kind, d, _, _ in after.events[len(before.events) - 1 :]
    ) or (after.step <= before.step)
    if bad in ("rest", "night") and before.stopped_by is None:
        assert after.stopped_by is not None and after.stopped_by.id == 999


@st.composite
def clearance_lists(draw, plan):
    n = draw(st.integers(0, 6))
    return [
        P.ClearanceLog(
            id=i + 1,
            day=T0 + timedelta(days=draw(st.integers(0, 120))),
            recorded_at=f"c{i}",
            plan=plan.id,
            phase=draw(st.sampled_from([ph.id for ph in plan.phase])),
        )
        for i in range(n)
    ]


BONE = next(p for p in PLANS_BY_ID.values() if p.needs_clearance)


@given(checkins=checkin_lists(80), clearances=clearance_lists(BONE), triage=triages(ALL_IDS))
def test_a_bone_stress_plan_never_reaches_running_without_recorded_clearance(
    kb, pc, checkins, clearances, triage
):
    r = P.replay(BONE, T0, checkins, clearances, T0 + timedelta(days=365))
    for kind, day, step, _ in r.events:
        if kind == "move_on" and BONE.phase[step].runs_per_week > 0:
            assert any(c.phase == BONE.phase[step].id and c.day <= day for c in clearances)
    if not clearances:
        assert r.step == 0
    # The whole result: a step with running is given only when cleared.
    t = P.TriageSummary(1, T0, "t", Level.routine, ("femoral_neck_stress_fracture", *triage.causes), ())
    result = P.build(kb, pc, t, today=T0 + timedelta(days=365), checkins=checkins, clearances=clearances)
    if result.status != "plan":  # another held cause without a plan is possible too: nothing given
        assert not any(s.given for s in result.steps)
        return
    assert result.plan_id == BONE.id
    for step in result.steps:
        if step.given and step.runs_per_week > 0:
            assert step.cleared or step.number <= result.standing.step


def test_a_suspected_bone_stress_injury_gets_the_bone_plan_first_step_only_once_seen(kb, pc):
    t = P.TriageSummary(1, T0, "t", Level.urgent, ("gtps", "itbs"), ("femoral_neck_stress_fracture",))
    held = P.build(kb, pc, t, today=T0)
    assert held.status == "get_seen" and held.plan_id == BONE.id and held.steps == []
    assert any("plan --seen" in n for n in held.notices)
    seen = [P.ClearanceLog(1, T0, "c", BONE.id, BONE.phase[0].id)]
    result = P.build(kb, pc, t, today=T0, clearances=seen)
    assert result.plan_id == BONE.id and result.cause == "femoral_neck_stress_fracture"
    assert [s.given for s in result.steps] == [True] + [False] * (len(BONE.phase) - 1)
    assert result.steps[0].runs_per_week == 0
    assert any("could not rule out" in n for n in result.notices)


def test_urgent_gives_the_first_step_only_until_cleared(kb, pc):
    t = P.TriageSummary(1, T0, "t", Level.urgent, ("gtps",), ())
    result = P.build(kb, pc, t, today=T0)
    assert [s.given for s in result.steps] == [True, False, False, False]
    cleared = [P.ClearanceLog(1, T0, "c", "gluteal_tendon", "walk_run")]
    result = P.build(kb, pc, t, today=T0, clearances=cleared)
    assert all(s.given for s in result.steps)


def _days(plan, start, pattern):
    """Check-ins from a pattern: each item (offset, during, morning) with during None = no session."""
    out = []
    for i, (offset, during, morning) in enumerate(pattern):
        out.append(
            P.SessionLog(
                id=i + 1,
                day=start + timedelta(days=offset),
                recorded_at=f"{i:03d}",
                session=during is not None,
                during=during,
                morning=morning,
            )
        )
    return out


def test_the_plan_moves_on_stays_and_steps_back_as_documented(pc):
    plan = pc.plan_for("gtps")  # settle: 7 sessions and 7 days; limits 3 and 3; back after 2
    good = [(d, 2, 1 if d else None) for d in range(0, 8)] + [(8, None, 1)]
    r = P.replay(plan, T0, _days(plan, T0, good), [], T0 + timedelta(days=8))
    assert r.step == 1 and r.events[-1][0] == "move_on" and len(r.events[-1][3]) == 7
    # One session over the limit: stay, and the run of good sessions starts again.
    one_bad = [*good[:4], (4, 5, 1), *[(d, 2, 1) for d in range(5, 9)]]
    r = P.replay(plan, T0, _days(plan, T0, one_bad), [], T0 + timedelta(days=9))
    assert r.step == 0 and len(r.over) == 1
    # Two over the limits on a step: back one step.
    two_bad = [*good, (9, 2, 1), (10, 4, 4), (11, 2, 5)]
    r = P.replay(plan, T0, _days(plan, T0, two_bad), [], T0 + timedelta(days=11))
    assert r.step == 0 and r.events[-1][0] == "step_back"
