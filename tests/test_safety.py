"""Controls from docs/safety.md (the hazard log) that are not already covered elsewhere."""

from __future__ import annotations

import re

from conftest import all_clear
from hypothesis import given
from test_properties import KB, SETTINGS, interviews

from hipcheck import engine
from hipcheck.models import Level

BONE = ["femoral_neck_stress_fracture", "pelvic_stress_fracture"]


def test_no_question_asks_the_user_to_test_the_hip():
    """Never ask a user to hop, jump or run to provoke pain: only ask what they have noticed."""
    provoking = re.compile(r"\b(hop|jump|try to|test it by)\b", re.I)
    for q in KB.questions:
        for text in [q.text, *(o.label for o in q.options)]:
            assert not provoking.search(text), f"{q.id}: {text!r}"
        if q.help and provoking.search(q.help):
            assert re.search(r"\bdo not\b", q.help, re.I), (
                f"{q.id}: help mentions a test without forbidding it"
            )


SERIOUS = BONE + [
    "hip_fracture",
    "dvt",
    "septic_arthritis",
    "avn",
    "cauda_equina",
    "bone_tumour",
    "nerve_weakness",
]
LOADING = re.compile(
    r"\b(stretch\w*|foam[- ]roll\w*|massag\w*|strength\w*|run|runs|running|jog\w*|exercis\w*)\b", re.I
)
NEGATED = re.compile(
    r"\b(do not|don't|never|avoid|stop|skip|not|no|until a doctor|once a doctor|confirmed)\b", re.I
)


# Tips that mention running only as something to write down, not to do.
RECORD_KEEPING = {"pain_log"}


def loading_sentences(texts):
    """Sentences that tell the user to load the hip (stretch, run, strengthen, massage), not forbid it."""
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if LOADING.search(sentence) and not NEGATED.search(sentence):
                yield sentence


@SETTINGS
@given(interviews())
def test_no_loading_advice_when_a_bone_injury_or_clot_is_possible(answers):
    """Scan everything the user is told: no stretching, running or massage advice when a bone injury,
    a clot or another serious cause is among the top causes or is pointed to by a red-flag rule."""
    result = engine.assess(KB, answers)
    flagged = {c for r in engine.fired_rules(KB, result.answers) for c in r.points_to}
    possible = {c.id for c in result.causes[: KB.meta.top_causes]} | flagged
    if possible & set(SERIOUS) or result.unscreened:
        shown = [*result.level.advice, *(t.text for t in result.tips if t.id not in RECORD_KEEPING)]
        assert not list(loading_sentences(shown)), (
            sorted(possible & set(SERIOUS)),
            [t.id for t in result.tips],
        )


BONE_STRESS = {"femoral_neck_stress_fracture", "pelvic_stress_fracture"}


@SETTINGS
@given(interviews())
def test_offloading_advice_comes_with_every_urgent_bone_stress_rule(answers):
    """Rules that point to a bone stress injury at urgent or above leave the advice on what not to do
    (no running, hopping, stretching or massage) to the bone_stress_offload tip: it must be there on
    every urgent result. (An emergency result says to call for help and not to run instead; the tip's
    "use crutches or walk as little as you can" would contradict "lie still" after a fall.)"""
    result = engine.assess(KB, answers)
    if result.level.id is Level.emergency:
        assert any("do not run" in a.lower() for a in result.level.advice)
        return
    rules = [
        r.id
        for r in engine.fired_rules(KB, result.answers)
        if r.level.rank >= Level.urgent.rank and BONE_STRESS & set(r.points_to)
    ]
    if rules:
        assert "bone_stress_offload" in [t.id for t in result.tips], rules


def test_loading_tips_are_marked_for_bone_injuries():
    """Every tip that tells the user to run, stretch, strengthen or foam-roll is closed to bone injuries."""
    doing = re.compile(r"^(?!.*\b(do not|don't|never|avoid|skip)\b).*\b(stretch|foam|strength|run)", re.I)
    for t in KB.tips:
        first = t.text.split(".")[0]
        written_for_bone = bool(set(BONE) & set(t.for_causes))  # e.g. "plan the return with your doctor"
        if doing.search(first) and not written_for_bone:
            assert set(BONE) <= set(t.not_for_causes) or t.max_level.rank <= Level.routine.rank, t.id


def test_under_18_is_never_self_care():
    answers = {**all_clear(KB), "location": ["groin"], "age": "under_18"}
    assert engine.assess(KB, answers).level.id is not Level.self_care


def test_stress_fracture_pages_never_advise_loading():
    for cid in BONE:
        page = KB.condition_by_id[cid]
        for line in page.self_care:
            assert not re.search(r"\b(stretch|foam|massage)\w*\b", line, re.I) or re.search(
                r"\b(do not|don't|never|avoid|no)\b", line, re.I
            ), f"{cid}: {line}"
