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
