"""Invariants that must hold for any answers, checked with hypothesis on the real content."""

from __future__ import annotations

import math

from conftest import CONTENT
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from hipcheck.engine import decide
from hipcheck.knowledge.loader import load_content
from hipcheck.knowledge.models import NOT_SURE, Level, Question
from hipcheck.maintenance import checks

KB = load_content(CONTENT)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def answer_for(q: Question) -> st.SearchStrategy:
    if q.kind == "scale":
        return st.one_of(st.integers(q.scale_min, q.scale_max), st.just(NOT_SURE))
    if q.kind == "single":
        return st.sampled_from(q.option_ids)
    plain = [o.id for o in q.options if o.id != q.none_option]
    exclusive = [[NOT_SURE]] + ([[q.none_option]] if q.none_option else [])
    return st.one_of(st.sampled_from(exclusive), st.lists(st.sampled_from(plain), min_size=1, unique=True))


@st.composite
def answer_sets(draw, kb=KB) -> dict:
    """Any subset of questions, each with any valid answer (not only the paths the tree takes)."""
    out = {}
    for q in kb.questions:
        if draw(st.booleans()):
            out[q.id] = draw(answer_for(q))
    return out


@st.composite
def interviews(draw, kb=KB) -> dict:
    """Answers given by walking the tree, as the interview would, possibly stopping early."""
    answers: dict = {}
    while (q := decide.next_question(kb, answers)) is not None and draw(st.integers(0, 20)) > 0:
        answers[q.id] = draw(answer_for(q))
    return answers


@SETTINGS
@given(answer_sets())
def test_any_answers_give_a_valid_result(answers):
    result = decide.assess(KB, decide.validate_answers(KB, answers))
    assert math.isclose(sum(c.likelihood for c in result.causes), 1.0, abs_tol=2e-3)
    assert all(0 <= c.likelihood <= 1 for c in result.causes)
    assert len(result.causes) == len(KB.conditions)
    assert result.level.reasons and result.level.advice
    if result.unscreened:
        assert result.level.id is not Level.self_care


@SETTINGS
@given(interviews())
def test_all_not_sure_is_never_self_care(answers):
    unsure = {k: ([NOT_SURE] if isinstance(v, list) else NOT_SURE) for k, v in answers.items()}
    assert decide.assess(KB, unsure).level.id is not Level.self_care


def _safe(q: Question) -> set[str]:
    return set(q.safe) | ({q.none_option} if q.none_option else set())


# Every answer a rule tests for, where it can be reached from a safe answer: ticked in addition on a multi
# question, or turned from a single question's safe answer ("no", "normal").
WORRYING = sorted(
    (qid, oid)
    for qid, oid in checks.worrying_answers(KB)
    if (q := KB.question_by_id[qid]).kind == "multi" or q.safe
)


def more_worrying(answers: dict, qid: str, oid: str) -> dict | None:
    """The answers with one more warning sign: `oid` ticked on a multi question (dropping its none option),
    or a single question's safe answer turned into `oid`. None when that is not such a change."""
    q = KB.question_by_id[qid]
    current = answers.get(qid)
    if current in (NOT_SURE, [NOT_SURE]) or (current is None and q.red_flag):
        return None  # from "Not sure" or unscreened: a different question (see the unscreened tests)
    if q.kind == "multi":
        keep = [v for v in current or [] if v not in _safe(q)]
        return None if oid in keep else {**answers, qid: [*keep, oid]}
    # A single question moves only from its safe answer: giving a duration where none was given is not
    # a warning sign (belly pain of weeks is rightly less urgent than belly pain of days).
    return {**answers, qid: oid} if current in _safe(q) else None


def test_the_property_reaches_every_kind_of_warning_sign():
    questions = {qid for qid, _ in WORRYING}
    assert {"injury", "weight_bearing", "warning_signs", "nerve_signs", "body_signs", "health"} <= questions


CALM = {"age": "age_35_49", "sex": "male", "background": ["none"], "injury": "no", "weight_bearing": "normal"}


@SETTINGS
@given(interviews(), st.sampled_from(WORRYING))
@example({**CALM, "warning_signs": ["fever"], "location": ["groin"]}, ("warning_signs", "calf_swelling"))
def test_one_more_warning_sign_never_lowers_the_level(answers, flag):
    """Monotone by construction (issue 10): ticking one more warning sign, or turning a safe answer ("no",
    "normal", "none") into a worrying one, never lowers the level. The example is one issue 10 reported:
    a swollen calf beside a fever turned emergency into urgent, through the ranking (which no longer sets
    the level)."""
    flagged = more_worrying(answers, *flag)
    assume(flagged is not None)
    before = decide.decide(KB, answers).level
    after = decide.decide(KB, flagged).level
    assert after.rank >= before.rank, (answers, flag)


@st.composite
def pain_rises(draw) -> tuple[dict, int]:
    """Answers from an interview, with a pain score and a higher one."""
    answers = draw(interviews())
    low = draw(st.integers(0, 9))
    return {**answers, "severity": low}, draw(st.integers(low + 1, 10))


@SETTINGS
@given(pain_rises())
def test_more_pain_never_lowers_the_level(case):
    answers, higher = case
    before = decide.decide(KB, answers).level
    after = decide.decide(KB, {**answers, "severity": higher}).level
    assert after.rank >= before.rank, (answers, higher)


ANY_TICK = sorted(
    (q.id, o.id) for q in KB.questions if q.kind == "multi" for o in q.options if o.id != q.none_option
)


@SETTINGS
@given(interviews(), st.sampled_from(ANY_TICK))
# The cold review's case: a limp and a mileage jump were urgent, and "muscles ache in both legs" as well
# made them self-care (an exemption on the bone-stress rules, since removed).
@example(
    {
        **CALM,
        "weight_bearing": "painful",
        "location": ["groin"],
        "onset": "gradual",
        "symptoms": ["none"],
        "training": ["mileage_jump"],
    },
    ("symptoms", "tight_sore"),
)
def test_no_tick_at_all_lowers_an_urgent_level(answers, tick):
    """Any option ticked in addition, reassuring or not, never takes an urgent, same-day or emergency
    result lower: only a routine result may fall to self-care when the tick explains the pain (night pain
    from lying on a sore tendon)."""
    qid, oid = tick
    before = decide.decide(KB, answers).level
    assume(before.rank >= Level.urgent.rank)
    q = KB.question_by_id[qid]
    current = answers.get(qid)
    assume(current != [NOT_SURE] and not (current is None and q.red_flag))
    keep = [v for v in current or [] if v != q.none_option]
    assume(oid not in keep)
    after = decide.decide(KB, {**answers, qid: [*keep, oid]}).level
    assert after.rank >= before.rank, (answers, tick)


def test_age_50_plus_never_lowers_the_level():
    """Issue 10's other reported counterexample: adding age 50+ turned urgent into routine (through the
    ranking). Every age band, given where age was not answered, only adds reasons now."""
    answers = {k: v for k, v in CALM.items() if k != "age"} | {
        "location": ["groin"],
        "weight_bearing": "painful",
    }
    before = decide.decide(KB, answers).level
    assert before is Level.urgent
    for band in ("age_18_34", "age_35_49", "age_50_plus"):
        assert decide.decide(KB, {**answers, "age": band}).level.rank >= before.rank, band


def test_the_content_is_monotone_by_construction():
    assert checks.monotone_problems(KB) == []


@SETTINGS
@given(interviews())
def test_every_interview_ends_within_the_bank(answers):
    seen = set(answers)
    steps = 0
    while (q := decide.next_question(KB, answers)) is not None:
        assert q.id not in seen
        seen.add(q.id)
        answers = {**answers, q.id: [NOT_SURE] if q.kind == "multi" else NOT_SURE}
        steps += 1
        assert steps <= len(KB.questions)
