"""Invariants that must hold for any answers, checked with hypothesis on the real content."""

from __future__ import annotations

import math

from conftest import CONTENT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hipcheck import engine
from hipcheck.content import load_content
from hipcheck.models import NOT_SURE, Level, Question

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
    while (q := engine.next_question(kb, answers)) is not None and draw(st.integers(0, 20)) > 0:
        answers[q.id] = draw(answer_for(q))
    return answers


@SETTINGS
@given(answer_sets())
def test_any_answers_give_a_valid_result(answers):
    result = engine.assess(KB, engine.validate_answers(KB, answers))
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
    assert engine.assess(KB, unsure).level.id is not Level.self_care


def _positive_atoms(rule):
    all_, any_, _ = rule.tests  # `unless` tests are not red-flag answers
    return [a for clause in (*all_, *any_) for a in clause if a.op == "has"]


RED_FLAG_ANSWERS = sorted(
    {
        (a.question, a.option)
        for r in KB.rules
        if r.level.rank >= Level.urgent.rank
        for a in _positive_atoms(r)
    }
)


@SETTINGS
@given(interviews(), st.sampled_from(RED_FLAG_ANSWERS))
def test_adding_a_red_flag_answer_never_lowers_the_level(answers, flag):
    qid, oid = flag
    before = engine.assess(KB, answers).level.id
    q = KB.question_by_id[qid]
    current = answers.get(qid)
    if q.kind == "multi":
        keep = [v for v in current or [] if v not in (NOT_SURE, q.none_option)]
        flagged = {**answers, qid: [*keep, oid] if oid not in keep else keep}
    else:
        assume(current in (None, NOT_SURE))  # adding an answer, not replacing a different one
        flagged = {**answers, qid: oid}
    after = engine.assess(KB, flagged).level.id
    assert after.rank >= before.rank, (answers, flag)


@SETTINGS
@given(interviews())
def test_every_interview_ends_within_the_bank(answers):
    seen = set(answers)
    steps = 0
    while (q := engine.next_question(KB, answers)) is not None:
        assert q.id not in seen
        seen.add(q.id)
        answers = {**answers, q.id: [NOT_SURE] if q.kind == "multi" else NOT_SURE}
        steps += 1
        assert steps <= len(KB.questions)
