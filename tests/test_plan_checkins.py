"""Check-ins and the plan (issue 18 item 12; issue 20): a check-in's rest or night pain escalates as the
matching triage rule does; stepping back, stopping and the triage's pain read as they should."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conftest import CONTENT

from hipcheck.history import trend
from hipcheck.history.models import CheckIn, PastResult, load_history_rules
from hipcheck.knowledge.models import Level

TODAY = date(2026, 6, 15)
RULES = load_history_rules(CONTENT)


def _checkin(days_ago: int, **flags) -> CheckIn:
    return CheckIn(
        id=1,
        day=TODAY - timedelta(days=days_ago),
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        pain=3,
        **flags,
    )


def _triage(days_ago: int, **answers) -> PastResult:
    return PastResult(
        id=1,
        day=TODAY - timedelta(days=days_ago),
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        level=Level.routine,
        level_label="Routine",
        content_version="t",
        reasons=[],
        top_cause=None,
        answers=answers,
    )


def _levels(cs, rs):
    return {r.id: r.level for r in trend.escalation_reasons(cs, rs, TODAY, RULES)}


def test_night_pain_in_a_check_in_escalates_as_the_bone_stress_rule_does():
    """Groin pain of two weeks in the triage, then a check-in with night pain: the triage rule
    bone_stress_rest_night would say urgent; the history said routine."""
    groin = _triage(10, location=["groin"], duration="weeks_2", timing=["during"])
    found = _levels([_checkin(1, night=True)], [groin])
    assert max(found.values(), key=lambda lv: lv.rank) == Level.urgent, found
    # rest pain at the front too (bone_stress_rest_front)
    found = _levels([_checkin(1, rest=True)], [groin])
    assert max(found.values(), key=lambda lv: lv.rank) == Level.urgent, found


def test_night_pain_escalates_without_a_triage_to_say_where_it_hurts():
    found = _levels([_checkin(1, night=True)], [])
    assert max(found.values(), key=lambda lv: lv.rank) == Level.urgent, found


def test_night_pain_outside_the_bone_rules_stays_routine():
    """Outer-hip pain of months (gluteal tendon): the triage rule would not be urgent either."""
    side = _triage(10, location=["lateral"], duration="longer", timing=["during"])
    found = _levels([_checkin(1, night=True)], [side])
    assert found and max(found.values(), key=lambda lv: lv.rank) == Level.routine, found


def test_each_check_in_escalation_mirrors_its_triage_rule(kb):
    """The history's copy of a triage rule's tests stays the rule's own tests, but its timing one."""
    for esc in RULES.rest_night.escalate:
        rule = next(r for r in kb.rules if r.id == esc.rule)
        assert esc.level == rule.level
        assert set(esc.points_to) == set(rule.points_to)
        own = [t for t in rule.when_all if not t.startswith("timing:")]
        assert esc.triage_tests == own, esc.id
        assert any(t == f"timing:{esc.when}" for t in rule.when_all)


def test_the_check_in_night_question_leaves_out_lying_on_the_sore_side(cli):
    """Issue 20 bug 4: gluteal tendon pain from lying on that side is not the warning sign."""
    text = " ".join(cli("log", "--help").stdout.replace("│", " ").split())
    assert "lying on the sore side" in text


# --------------------------------------------------------------------------- issue 20: the plan's bugs

T0 = date(2026, 3, 2)


def _sessions(start, pattern):
    from hipcheck.engine import plan as P

    return [
        P.SessionLog(
            id=i + 1,
            day=start + timedelta(days=off),
            recorded_at=f"{i:03d}",
            session=during is not None,
            during=during,
            morning=morning,
        )
        for i, (off, during, morning) in enumerate(pattern)
    ]


def test_stepping_back_from_step_two_does_not_say_first_step_already(kb):
    """Issue 20 bug 1: the check looked at the step after moving back."""
    from hipcheck.engine import plan as P
    from hipcheck.knowledge.loader import plan_content

    plan = plan_content(kb).plan_for("gtps")
    good = [(d, 2, 1 if d else None) for d in range(0, 8)] + [(8, None, 1)]
    two_bad = [*good, (9, 2, 1), (10, 4, 4), (11, 2, 5)]
    today = T0 + timedelta(days=11)
    r = P.replay(plan, T0, _sessions(T0, two_bad), [], today)
    assert r.step == 0 and r.events[-1][0] == "step_back"
    words = " ".join(P.standing_of(plan, r, today).reasons)
    assert "first step already" not in words and "Step back to step 1" in words
    # From step 1 there is nowhere to go back to: then it says so.
    bad_start = [(0, 5, None), (1, 2, 5)]
    r = P.replay(plan, T0, _sessions(T0, bad_start), [], T0 + timedelta(days=1))
    assert "first step already" in " ".join(P.standing_of(plan, r, T0 + timedelta(days=1)).reasons)


def test_a_re_triages_worst_pain_is_not_a_daily_pain():
    """Issue 20 bug 3: a re-triage's 'worst pain' read as that day's pain made history say 'pain rising'
    while the check-ins said 2/10."""
    cs = [
        CheckIn(id=i, day=TODAY - timedelta(days=d), recorded_at=datetime(2026, 1, 1, tzinfo=UTC), pain=2)
        for i, d in enumerate(range(12, 0, -1), 1)
        if d != 3
    ]
    first = _triage(13, severity=4)
    again = _triage(3, severity=7)
    found = _levels(cs, [first, again])
    assert "history_rising" not in found, found
    # The first triage's pain, before any check-in, is still the starting point.
    series = trend.daily_pain(cs, [first, again], RULES, TODAY)
    assert series[0].pain == 4 and all(p.pain == 2 for p in series[1:])


def test_the_piriformis_stretch_is_never_shown_with_the_tendons_it_squeezes(kb):
    """Issue 20: its progression adds deep hip flexion, which compresses the gluteal and hamstring
    tendons; the tip `stretch_tight_muscles` already excludes both."""
    from hipcheck.knowledge.loader import plan_content

    stretch = plan_content(kb).exercises["piriformis_stretch"]
    tip = next(t for t in kb.tips if t.id == "stretch_tight_muscles")
    assert {"hamstring_tendinopathy", "gtps"} <= set(tip.not_for_causes)
    assert {"hamstring_tendinopathy", "gtps"} <= set(stretch.never_with)


def test_a_new_triage_with_the_same_cause_and_level_clears_a_stop_and_keeps_the_step(kb, monkeypatch):
    """Issue 20 bug 2: after a night-pain check-in the plan said STOP; a triage the same day did not clear
    it, and one on a later day restarted the plan at step 1."""
    import json

    from conftest import ROOT

    from hipcheck.commands import plan as plan_cmd
    from hipcheck.engine import plan as P
    from hipcheck.engine.decide import assess, validate_answers
    from hipcheck.knowledge.loader import plan_content

    answers = validate_answers(kb, json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text()))
    level = assess(kb, answers).level.id

    def saved(rid, day, hour):
        return PastResult(
            id=rid,
            day=day,
            recorded_at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
            level=level,
            level_label="x",
            content_version="t",
            reasons=[],
            top_cause="gtps",
            answers=answers,
        )

    good = [(d, 2, 1 if d else None) for d in range(0, 8)] + [(8, None, 1)]
    logs = _sessions(T0, good)
    night = P.SessionLog(
        id=99, day=T0 + timedelta(days=11), recorded_at="2026-03-13T08:00:00+00:00", night=True
    )
    content = plan_content(kb)
    for later in (0, 1):  # the same day, after the stop; or the next day
        today = T0 + timedelta(days=11 + later)
        monkeypatch.setattr(plan_cmd, "_today", lambda today=today: today)
        results = [saved(1, T0, 7), saved(2, today, 9)]
        triage = plan_cmd._from_history(kb, results)
        r = P.build(kb, content, triage, today=today, checkins=[*logs, night])
        assert r.standing.verdict != "stop", r.standing.reasons
        assert r.standing.step == 2, r.standing.events
    # Without the new triage it stops.
    monkeypatch.setattr(plan_cmd, "_today", lambda: T0 + timedelta(days=11))
    triage = plan_cmd._from_history(kb, [saved(1, T0, 7)])
    r = P.build(kb, content, triage, today=T0 + timedelta(days=11), checkins=[*logs, night])
    assert r.standing.verdict == "stop"


def test_progress_reads_sessions_needed_not_eleven_of_six(kb):
    """Issue 20: '11 of 6 sessions within the limits' read as a mistake; '11 (6 needed)' does not."""
    from hipcheck.engine import plan as P
    from hipcheck.knowledge.loader import plan_content

    plan = plan_content(kb).plan_for("gtps")
    twice_a_day = [(d // 2, 2, 1 if d > 1 else None) for d in range(0, 10)]
    today = T0 + timedelta(days=5)
    r = P.replay(plan, T0, _sessions(T0, twice_a_day), [], today)
    words = " ".join(P.standing_of(plan, r, today).reasons)
    assert " of 7 sessions" not in words
    assert f"sessions within the limits: {len(r.good)} (7 needed)" in words, words
