"""The escalation rules on the history: pure functions, a fixed `today`, the real content/history.toml."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CONTENT, all_clear

from hipcheck.engine.decide import assess
from hipcheck.history import trend
from hipcheck.history.models import (
    CheckIn,
    HistoryContentError,
    HistoryRules,
    PastResult,
    load_history_rules,
)
from hipcheck.knowledge.models import Level

TODAY = date(2026, 6, 15)
RULES: HistoryRules = load_history_rules(CONTENT)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def checkins(*points: tuple[int, int], **flags) -> list[CheckIn]:
    """(days ago, pain) pairs → check-ins."""
    return [
        CheckIn(id=i, day=ago(d), recorded_at=datetime(2026, 1, 1, tzinfo=UTC), pain=p, **flags)
        for i, (d, p) in enumerate(points, 1)
    ]


def result(days_ago: int, **answers) -> PastResult:
    return PastResult(
        id=1,
        day=ago(days_ago),
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        level=Level.self_care,
        level_label="Self-care",
        content_version="t",
        reasons=[],
        top_cause=None,
        answers=answers,
    )


def ids(cs=(), rs=()) -> list[str]:
    return [r.id for r in trend.escalation_reasons(cs, rs, TODAY, RULES)]


def test_no_history_no_findings():
    assert ids() == []
    s = trend.summarize([], [], TODAY, RULES)
    assert s.direction == "unknown" and s.days_with_data == 0 and s.findings == []


# --------------------------------------------------------------------------- persisting


def test_pain_for_more_than_14_days_without_improvement():
    cs = checkins(*[(d, 4) for d in range(15, -1, -3)])  # 16 days, 15 ago to today, pain steady
    [reason] = trend.escalation_reasons(cs, [], TODAY, RULES)
    assert reason.id == "history_persisting" and reason.source == "history" and reason.level is Level.routine
    assert "16 days" in reason.text and "31 May" in reason.text


def test_exactly_14_days_is_not_yet_more_than_14():
    assert ids(checkins((13, 4), (7, 4), (0, 4))) == []
    assert ids(checkins((14, 4), (7, 4), (0, 4))) == ["history_persisting"]


def test_clear_improvement_is_not_persisting():
    cs = checkins((20, 7), (17, 7), (13, 6), (10, 5), (6, 4), (3, 3), (0, 2))
    assert "history_persisting" not in ids(cs)
    assert trend.summarize(cs, [], TODAY, RULES).direction == "improving"


def test_slight_improvement_still_counts_as_persisting():
    cs = checkins((20, 5), (17, 5), (14, 5), (10, 4), (6, 4), (3, 4), (0, 4))  # only 1 point better
    assert ids(cs) == ["history_persisting"]


def test_mild_pain_halved_is_improvement_not_persisting():
    """Six-week trial: a runner on her plan went from 2 to 1 out of 10 and was told at every check-in
    that her pain had not clearly improved. A fall of 30% counts as much as 2 points (Farrar 2001)."""
    cs = checkins((20, 2), (19, 2), (18, 2), (14, 2), (10, 1), (6, 1), (3, 1), (0, 1))
    assert "history_persisting" not in ids(cs)
    flat = checkins((20, 2), (19, 2), (18, 2), (14, 2), (10, 2), (6, 2), (3, 2), (0, 2))
    assert ids(flat) == ["history_persisting"]  # the same low pain, not falling, still counts


def test_a_pain_free_day_starts_a_new_spell():
    cs = checkins((20, 4), (17, 4), (12, 0), (8, 4), (4, 4), (0, 4))
    assert "history_persisting" not in ids(cs)
    assert trend.summarize(cs, [], TODAY, RULES).episode_days == 9


def test_a_long_gap_without_records_starts_a_new_spell():
    cs = checkins((25, 4), (22, 4), (10, 4), (5, 4), (0, 4))  # 12-day gap
    assert ids(cs) == []


def test_old_history_says_nothing_about_today():
    cs = checkins(*[(d, 4) for d in range(40, 9, -2)])  # painful for a month, but last record 10 days ago
    assert ids(cs) == []


def test_pain_free_today_ends_the_spell():
    cs = checkins(*[(d, 4) for d in range(20, 0, -2)], (0, 0))
    assert ids(cs) == []


# --------------------------------------------------------------------------- rising


def test_rising_pain_is_flagged():
    cs = checkins((6, 2), (4, 3), (2, 4), (0, 6))
    [reason] = trend.escalation_reasons(cs, [], TODAY, RULES)
    assert reason.id == "history_rising"
    s = trend.summarize(cs, [], TODAY, RULES)
    assert s.direction == "worsening" and s.change is not None and s.change >= 2
    assert f"{s.change:.1f}" in reason.text


def test_noise_is_not_a_trend():
    cs = checkins((6, 3), (5, 4), (4, 3), (2, 4), (1, 3), (0, 4))
    assert ids(cs) == []
    assert trend.summarize(cs, [], TODAY, RULES).direction == "steady"


def test_two_days_are_not_enough_for_a_trend():
    cs = checkins((3, 1), (0, 8))
    assert ids(cs) == []
    assert trend.summarize(cs, [], TODAY, RULES).direction == "unknown"


def test_only_the_window_counts_for_the_trend():
    # A rise long ago, flat for the last two weeks.
    cs = checkins((30, 1), (25, 3), (20, 6), (12, 3), (8, 3), (4, 3), (0, 3))
    assert "history_rising" not in ids(cs)


def test_triage_pain_scores_count_only_before_the_first_check_in():
    """A triage asks for the worst pain: it starts the series, but is not a daily pain once check-ins
    are the record (issue 20 bug 3)."""
    rs = [result(8, severity=5), result(2, severity=5), result(0, severity=6)]
    cs = checkins((6, 2), (4, 3))
    assert trend.daily_pain(cs, rs, RULES, TODAY) == [
        trend.Point(ago(8), 5),
        trend.Point(ago(6), 2),
        trend.Point(ago(4), 3),
    ]
    assert trend.daily_pain([], rs, RULES, TODAY)[-2:] == [trend.Point(ago(2), 5), trend.Point(ago(0), 6)]
    same_day = trend.daily_pain(checkins((0, 3)), [result(0, severity=6)], RULES, TODAY)
    assert same_day == [trend.Point(TODAY, 3)]


def test_records_dated_after_today_are_ignored():
    assert trend.daily_pain(checkins((-3, 9)), [], RULES, TODAY) == []


# --------------------------------------------------------------------------- rest and night


def _rn(reason) -> int:
    """history_rest_night first."""
    return reason.id != "history_rest_night"


@pytest.mark.parametrize(("flags", "words"), [({"night": True}, "at night"), ({"rest": True}, "at rest")])
def test_a_check_in_with_rest_or_night_pain(flags, words):
    # with no triage saved to say where it hurts, the bone-stress escalation comes beside it (issue 18)
    reason, raised = sorted(trend.escalation_reasons(checkins((2, 3), **flags), [], TODAY, RULES), key=_rn)
    assert raised.level is Level.urgent and raised.id.startswith("history_bone_stress")
    assert reason.id == "history_rest_night" and words in reason.text and "13 Jun" in reason.text


def test_rest_and_night_together_are_named_together():
    cs = checkins((3, 3), rest=True) + checkins((1, 3), night=True)
    reason = sorted(trend.escalation_reasons(cs, [], TODAY, RULES), key=_rn)[0]
    assert "at rest and at night" in reason.text


def test_a_triage_that_found_night_pain():
    assert ids(rs=[result(5, timing=["during", "night"])]) == ["history_rest_night"]
    assert ids(rs=[result(5, timing=["during"])]) == []


def test_night_pain_from_lying_on_the_sore_side_is_not_counted():
    """As in the triage rule night_or_rest_pain: pressure on a sore outer hip or sit bone is mechanical."""
    lying = result(5, timing=["night"], lateral_detail=["lying_side"])
    sitting = result(5, timing=["rest"], back_detail=["sitting"])
    assert ids(rs=[lying]) == [] and ids(rs=[sitting]) == []
    assert trend.result_rest_night(lying, RULES) == (False, False)


def test_rest_or_night_pain_outside_the_window_is_not_counted():
    assert ids(checkins((20, 3), night=True)) == []


# --------------------------------------------------------------------------- with the engine and content


def test_history_raises_a_self_care_triage_to_routine(kb):
    answers = {
        **all_clear(kb),
        "location": ["lateral"],
        "onset": "gradual",
        "duration": "days",
        "severity": 3,
        "timing": ["during"],
    }
    plain = assess(kb, answers)
    assert plain.level.id is Level.self_care
    extra = trend.escalation_reasons(checkins((6, 2), (4, 3), (2, 4), (0, 6)), [], TODAY, RULES)
    raised = assess(kb, answers, extra_reasons=extra)
    assert raised.level.id is Level.routine
    assert [r.id for r in raised.level.reasons if r.source == "history"] == ["history_rising"]


def test_history_rules_name_real_questions(kb):
    q = kb.question_by_id[RULES.result_pain_question]
    assert q.kind == "scale" and (q.scale_min, q.scale_max) == (0, 10)
    for which in ("rest", "night", "unless"):
        for atom in RULES.rest_night.atoms(which):
            assert atom.option in kb.question_by_id[atom.question].option_ids


def test_default_rules_are_the_bundled_file():
    cs = checkins((6, 2), (4, 3), (2, 4), (0, 6))
    assert trend.escalation_reasons(cs, [], TODAY) == trend.escalation_reasons(cs, [], TODAY, RULES)


def test_invalid_history_content_names_file_and_field(tmp_path: Path):
    text = (CONTENT / "history.toml").read_text()
    (tmp_path / "history.toml").write_text(
        text.replace("min_change = 2.0", "min_change = -1").replace("{change} points", "{chnage} points")
    )
    with pytest.raises(HistoryContentError) as exc:
        load_history_rules(tmp_path)
    problems = "\n".join(exc.value.problems)
    assert "history.toml → rising.min_change" in problems
    assert "history.toml → rising.reason" in problems and "chnage" in problems


def test_docs_describe_every_rule():
    doc = " ".join((CONTENT.parent / "docs" / "history.md").read_text().split())
    for rule in (RULES.persisting, RULES.rising, RULES.rest_night):
        assert rule.id in doc
        for src in rule.sources:
            assert src.title in doc


# --------------------------------------------------------------------------- what the reasons name


def test_the_rest_night_reason_names_the_kind_of_record_and_the_date():
    c = sorted(trend.escalation_reasons(checkins((2, 3), night=True), [], TODAY, RULES), key=_rn)[0]
    assert c.text.startswith(
        "Your saved history has pain at night recorded in a check-in, most recently on 13 Jun."
    )
    [t] = trend.escalation_reasons([], [result(1, timing=["rest"])], TODAY, RULES)
    assert "pain at rest recorded in a triage, most recently on 14 Jun" in t.text
    both = sorted(
        trend.escalation_reasons(checkins((3, 3), rest=True), [result(1, timing=["night"])], TODAY, RULES),
        key=_rn,
    )[0]
    assert "at rest and at night recorded in a check-in and a triage, most recently on 14 Jun" in both.text


def test_every_reason_says_it_comes_from_the_saved_history():
    cs = checkins(*[(d, 5) for d in range(20, -1, -2)]) + checkins((0, 9), night=True)
    reasons = trend.escalation_reasons(cs, [], TODAY, RULES)
    assert {r.id for r in reasons} == {
        "history_rest_night",
        "history_bone_stress_night",
        "history_rising",
        "history_persisting",
    }
    assert all(r.text.startswith("Your saved history") and "Jun" in r.text for r in reasons)


# --------------------------------------------------------------------------- reading a triage's answers


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"side": "left", "timing": ["during", "night"]}, ("left", False, True)),
        ({"side": "both", "timing": ["rest"]}, ("both", True, False)),
        ({"side": "right", "timing": ["during"]}, ("right", False, False)),
        ({"side": "not_sure", "timing": "not_sure"}, (None, None, None)),
        ({"timing": ["not_sure"]}, (None, None, None)),
        ({}, (None, None, None)),
    ],
)
def test_side_rest_and_night_are_read_from_a_triage_as_the_rule_reads_them(answers, expected):
    r = result(0, **answers)
    assert (trend.result_side(r, RULES), *trend.result_rest_night(r, RULES)) == expected
    annotated = trend.with_symptoms(r, RULES)
    assert (annotated.side, annotated.rest, annotated.night) == expected
    assert (ids(rs=[r]) == ["history_rest_night"]) == bool(expected[1] or expected[2])


def test_the_summary_names_the_floor_for_the_next_triage():
    assert trend.summarize([], [], TODAY, RULES).next_triage_at_least is None
    s = trend.summarize(checkins((1, 3), night=True), [result(5, location=["lateral"])], TODAY, RULES)
    assert s.next_triage_at_least is Level.routine
    s = trend.summarize(
        checkins((1, 3), night=True), [result(5, location=["groin"], duration="days")], TODAY, RULES
    )
    assert s.next_triage_at_least is Level.urgent


def test_history_findings_carry_their_advice_into_triage():
    """A history finding's own advice (e.g. 'do not hop to test it') reaches the triage result."""
    from hipcheck.engine import decide
    from hipcheck.knowledge.loader import load_content
    from hipcheck.knowledge.models import Level, Reason

    kb = load_content()
    finding = Reason(
        source="history",
        id="history_rest_night",
        text="Night pain in your history.",
        level=Level.routine,
        advice=["Do not run, hop or jump to test the hip until it has been checked."],
    )
    result = decide.assess(kb, {"injury": "no"}, extra_reasons=[finding])
    assert "Do not run, hop or jump to test the hip until it has been checked." in result.level.advice


def test_what_log_says_wraps_at_word_boundaries_on_a_narrow_terminal():
    """Six-week trial at 60 columns: the plan's words after a check-in broke mid-word ("da / ys")."""
    from hipcheck.screens.history import logged_text

    [entry] = checkins((0, 2))
    plan = ["Stay on step 2 (Build strength): sessions within the limits: 3 (6 needed); days on the step: 5."]
    [finding] = trend.escalation_reasons(checkins(*[(d, 4) for d in range(15, -1, -3)]), [], TODAY, RULES)
    narrow = logged_text(entry, [finding], plan, width=60)
    assert all(len(line) <= 60 for line in narrow.splitlines())
    assert " ".join(narrow.split()) == " ".join(logged_text(entry, [finding], plan).split())  # same words
    assert "days on the step: 5." in " ".join(narrow.split())
    piped = logged_text(entry, [finding], plan)
    assert plan[0] in piped.splitlines()  # a pipe gets one line a sentence, as before
