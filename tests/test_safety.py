"""Controls from docs/safety.md (the hazard log) that are not already covered elsewhere."""

from __future__ import annotations

import re

import pytest
from conftest import all_clear
from hypothesis import given
from hypothesis import strategies as st
from test_properties import KB, SETTINGS, answer_for, interviews

from hipcheck.engine import decide
from hipcheck.knowledge.models import Level

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
    result = decide.assess(KB, answers)
    flagged = {c for r in decide.fired_rules(KB, result.answers) for c in r.points_to}
    possible = {c.id for c in result.causes[: KB.meta.top_causes]} | flagged
    if possible & set(SERIOUS) or result.unscreened:
        shown = [*result.level.advice, *(t.text for t in result.tips if t.id not in RECORD_KEEPING)]
        assert not list(loading_sentences(shown)), (
            sorted(possible & set(SERIOUS)),
            [t.id for t in result.tips],
        )
        # The result screen adds the likely cause's own first steps: never here, whatever they say.
        assert decide.first_steps(KB, result) is None, sorted(possible & set(SERIOUS))


@st.composite
def calm_interviews(draw) -> dict:
    """An adult who screens every warning sign as absent, then answers the rest of the interview at
    random: the results that can carry first steps, which random red-flag answers rarely reach."""
    answers: dict = {**all_clear(KB), "age": draw(st.sampled_from(["age_18_34", "age_35_49", "age_50_plus"]))}
    while (q := decide.next_question(KB, answers)) is not None:
        answers[q.id] = draw(answer_for(q))
    return answers


# The causes whose possibility closes a loading tip (tips.toml's safety convention: every tip that says to
# run, stretch, strengthen or massage has max_level routine and lists them in not_for_causes), less the
# causes people manage themselves, which have first steps of their own.
LOADING_CLOSED = {c for t in KB.tips if t.max_level.rank <= Level.routine.rank for c in t.not_for_causes} - {
    c.id for c in KB.conditions if c.first_steps
}


@SETTINGS
@given(st.one_of(calm_interviews(), interviews()))
def test_first_steps_only_where_loading_advice_would_be_given(answers):
    """H2 for the result screen: the likely cause's first steps (cut back running, start strengthening)
    are shown only at self-care or routine, with every warning sign screened, and with no bone injury,
    clot or other cause that loading tips are closed to among the top causes or pointed to by a rule."""
    result = decide.assess(KB, answers)
    steps = decide.first_steps(KB, result)
    if steps is None:
        return
    assert result.level.id in (Level.self_care, Level.routine)
    assert result.red_flags_screened
    flagged = {c for r in decide.fired_rules(KB, result.answers) for c in r.points_to}
    possible = {c.id for c in result.causes[: KB.meta.top_causes]} | flagged
    assert not possible & (set(SERIOUS) | LOADING_CLOSED), sorted(possible)
    assert steps.cause == result.causes[0].id
    assert steps.steps == KB.condition_by_id[steps.cause].first_steps


def test_first_steps_are_shown_for_calm_answers_at_all():
    """The property above is not empty: calm interviews do reach first steps."""
    result = decide.assess(KB, base(location=["lateral"], lateral_detail=["tender_bone", "lying_side"]))
    assert decide.first_steps(KB, result) is not None


BONE_STRESS = {"femoral_neck_stress_fracture", "pelvic_stress_fracture"}


@SETTINGS
@given(interviews())
def test_offloading_advice_comes_with_every_urgent_bone_stress_rule(answers):
    """Rules that point to a bone stress injury at urgent or above leave the advice on what not to do
    (no running, hopping, stretching or massage) to the bone_stress_offload tip: it must be there on
    every urgent result. (An emergency result says to call for help and not to run instead; the tip's
    "use crutches or walk as little as you can" would contradict "lie still" after a fall.)"""
    result = decide.assess(KB, answers)
    if result.level.id.rank >= Level.same_day.rank:
        assert any("do not run" in a.lower() for a in result.level.advice)
        return
    rules = [
        r.id
        for r in decide.fired_rules(KB, result.answers)
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


def base(**answers) -> dict:
    """An adult runner with every warning sign screened as absent, plus these answers."""
    return {**all_clear(KB), "age": "age_35_49", "sex": "male", "background": ["none"], **answers}


def level_of(answers: dict) -> Level:
    return decide.assess(KB, answers).level.id


# Each sign that something other than a muscle or a bone is wrong, with the level guidance gives it alone
# (rules.toml cites the guidance) and the cause it must keep in view.
NOT_A_MUSCLE_OR_BONE = [
    ("testicle", Level.same_day, "testicular_torsion"),
    ("belly", Level.same_day, "appendicitis"),
    ("groin_lump", Level.emergency, "strangulated_hernia"),
    ("urine", Level.same_day, "kidney_stone"),
    ("dark_urine", Level.same_day, "rhabdomyolysis"),
    ("dark_urine_scant", Level.emergency, "rhabdomyolysis"),
    ("confused", Level.emergency, "hyponatraemia"),
    ("puffy", Level.same_day, "hyponatraemia"),
    ("collapsed", Level.emergency, "hyponatraemia"),
    ("faint", Level.emergency, "muscle_bleed"),  # with groin pain: bleeding inside
    ("bleeding", Level.same_day, "ectopic_pregnancy"),
    ("cold_leg", Level.emergency, "limb_ischaemia"),
    ("effort_leg", Level.routine, "iliac_endofibrosis"),
]


@pytest.mark.parametrize(("sign", "level", "cause"), NOT_A_MUSCLE_OR_BONE)
def test_a_sign_of_something_else_gets_its_own_level(sign, level, cause):
    result = decide.assess(KB, base(sex="prefer_not", location=["groin"], body_signs=[sign]))
    assert result.level.id is level
    flagged = {c for r in decide.fired_rules(KB, result.answers) for c in r.points_to}
    assert cause in flagged
    if level.rank >= Level.urgent.rank:
        assert cause in result.level.not_ruled_out


def test_every_body_sign_is_covered_above():
    q = KB.question_by_id["body_signs"]
    assert {o.id for o in q.options} - {q.none_option} == {s for s, _, _ in NOT_A_MUSCLE_OR_BONE}


def test_a_child_under_10_gets_only_the_safety_screen_and_is_sent_to_a_doctor():
    asked = []
    answers: dict = {"age": "under_10"}
    while (q := decide.next_question(KB, answers)) is not None:
        asked.append(q.id)
        answers[q.id] = [q.none_option] if q.kind == "multi" else q.options[0].id
    assert asked == [q.id for q in KB.red_flag_questions]
    result = decide.assess(KB, answers)
    assert result.level.id is Level.same_day
    assert "10" in result.level.reasons[0].text
    feverish = {**answers, "weight_bearing": "cannot", "warning_signs": ["fever"]}
    assert level_of(feverish) is Level.emergency


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        # knee pain alone that crept up, walking normally: a doctor and a hip X-ray in a day or two (SUFE
        # felt in the knee, or Osgood-Schlatter in a jumping teenager: issue 18), today with a limp
        ({"location": ["thigh_knee"], "onset": "gradual", "duration": "weeks_2"}, Level.urgent),
        ({"location": ["thigh_knee"], "onset": "gradual", "weight_bearing": "painful"}, Level.same_day),
        ({"location": ["groin", "thigh_knee"], "onset": "gradual"}, Level.same_day),
        ({"location": ["lateral"], "onset": "gradual"}, Level.urgent),  # no clear minor cause
        ({"location": ["groin"], "weight_bearing": "painful"}, Level.same_day),  # a limp: X-ray today
        ({"location": ["groin"], "onset": "sudden"}, Level.urgent),  # avulsion after a sprint
        # both thighs aching after a race: soreness (a teenager's pain on one side is never exempt)
        (
            {"location": ["thigh_knee"], "side": "both", "symptoms": ["tight_sore"], "onset": "after_run"},
            Level.self_care,
        ),
    ],
)
def test_children_and_teenagers_get_the_paediatric_net(answers, level):
    got = level_of(base(age="age_10_17", **answers))
    assert got is level


@pytest.mark.parametrize(
    "feature",
    [
        {"weight_bearing": "painful"},
        {"symptoms": ["stand_hop"]},
        {"timing": ["during", "night"], "duration": "weeks_2"},
        {"timing": ["during", "earlier"]},
        {"trend": "worse_rest", "duration": "weeks_6"},
        {"health": ["prev_stress_fracture"]},
        {"health": ["low_energy"]},
        # a load rise with a creeping onset is one weak feature: urgent with a second (issue 18)
        {"training": ["mileage_jump"], "onset": "gradual", "duration": "weeks_6"},
        {"training": ["mileage_jump"], "onset": "gradual", "health": ["steroids_alcohol"]},
    ],
)
@pytest.mark.parametrize("where", ["groin", "inner_thigh", "buttock", "thigh_knee"])
def test_the_bone_stress_net_fires_on_features_not_rank(where, feature):
    answers = base(**{"location": [where], "onset": "gradual", "timing": ["during"], **feature})
    result = decide.assess(KB, answers)
    assert result.level.id.rank >= Level.urgent.rank, (where, feature)
    assert {"femoral_neck_stress_fracture", "pelvic_stress_fracture"} & set(result.level.not_ruled_out)
    if result.level.id is Level.urgent:
        assert "bone_stress_offload" in [t.id for t in result.tips]


def test_the_reviewers_runner_is_not_told_pain_is_fine():
    """Clinical review (issue 10): groin pain during runs after a mileage jump, walking normally, got
    self-care with the fracture at 1% and "pain up to 3/10 is fine" advice. Issue 18: a load rise with a
    creeping onset alone is one weak feature, so routine, told to stop running until seen, and the
    fracture is still what blocks loading advice."""
    answers = base(
        location=["groin"],
        onset="gradual",
        duration="weeks_2",
        trend="same",
        timing=["during"],
        severity=4,
        training=["mileage_jump"],
        weight_bearing="normal",
    )
    result = decide.assess(KB, answers)
    assert result.level.id is Level.routine
    assert any("stop running" in a.lower() for a in result.level.advice)
    flagged = {c for r in decide.fired_rules(KB, result.answers) for c in r.points_to}
    assert "femoral_neck_stress_fracture" in flagged
    assert not any("3 out of 10" in t.text for t in result.tips)
    assert decide.first_steps(KB, result) is None


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({"warning_signs": ["fever"]}, Level.same_day),
        ({"warning_signs": ["hot_swollen"]}, Level.same_day),
        ({"warning_signs": ["calf_swelling"]}, Level.same_day),
        ({"warning_signs": ["fever", "calf_swelling"]}, Level.same_day),
        ({"warning_signs": ["fever", "hot_swollen"]}, Level.emergency),
        ({"injury": "minor", "age": "age_50_plus", "weight_bearing": "painful"}, Level.same_day),
    ],
)
def test_what_guidance_says_to_see_today_is_same_day_or_higher(answers, level):
    assert level_of(base(location=["groin"], **answers)) is level


def test_the_older_runner_who_slipped_on_ice():
    """Issue 10's new-user trial: 68, slipped on ice, can walk with pain, pain 6/10."""
    answers = base(
        age="age_50_plus", injury="minor", weight_bearing="painful", location=["groin"], severity=6
    )
    result = decide.assess(KB, answers)
    assert result.level.id is Level.same_day
    assert result.level.not_ruled_out[0] == "hip_fracture"


def test_stress_fracture_pages_never_advise_loading():
    for cid in BONE:
        page = KB.condition_by_id[cid]
        for line in page.self_care:
            assert not re.search(r"\b(stretch|foam|massage)\w*\b", line, re.I) or re.search(
                r"\b(do not|don't|never|avoid|no)\b", line, re.I
            ), f"{cid}: {line}"


HARMFUL = {
    # sign ticked: (a pattern of advice that would harm with the cause it points to, the cause)
    "confused": (re.compile(r"\b(drink\w*|fluids?|hydrat\w*)\b", re.I), "hyponatraemia"),
    "dark_urine": (
        re.compile(r"\b(ibuprofen|naproxen|anti-inflammator\w*|NSAIDs?)\b", re.I),
        "rhabdomyolysis",
    ),
    "cold_leg": (re.compile(r"\b(stretch\w*|massag\w*|ice|cold)\b", re.I), "limb_ischaemia"),
}


@pytest.mark.parametrize("sign", sorted(HARMFUL))
def test_harmful_advice_is_withheld_for_causes_outside_the_hip(sign):
    """Issue 10: where the right advice contradicts a tip (drinking, NSAIDs, stretching), the tip is
    withheld. Scans every tip shown, not only the ones that name the cause."""
    pattern, cause = HARMFUL[sign]
    answers = base(
        location=["groin", "inner_thigh"],
        onset="after_run",
        duration="days",
        timing=["after"],
        severity=5,
        training=["race", "hot_day"],
        symptoms=["tight_sore"],
        body_signs=[sign],
    )
    result = decide.assess(KB, answers)
    assert cause in result.level.not_ruled_out
    for tip in result.tips:
        for sentence in re.split(r"(?<=[.!?])\s+", tip.text):
            assert not (pattern.search(sentence) and not NEGATED.search(sentence)), (tip.id, sentence)


def test_a_muscle_bleed_on_blood_thinners_gets_no_anti_inflammatories():
    answers = base(background=["blood_thinners"], location=["groin"], onset="sudden", symptoms=["bruising"])
    result = decide.assess(KB, answers)
    assert result.level.id.rank >= Level.same_day.rank
    shown = [*result.level.advice, *(t.text for t in result.tips)]
    nsaid = re.compile(r"\b(ibuprofen|naproxen|anti-inflammator\w*)\b", re.I)
    assert all(not nsaid.search(s) or NEGATED.search(s) for s in shown)


def test_tips_that_would_harm_a_cause_outside_the_hip_are_closed_to_it():
    """The cold review: the scans above pass even with these exclusions removed, because the causes'
    rules set levels at which the tips are withheld anyway. This checks the content itself, so a
    routine result with one of these causes among the top three can never show the tip."""
    drink = re.compile(r"\b(drink\w*|fluids?|hydrat\w*)\b", re.I)
    nsaid = re.compile(r"\b(ibuprofen|anti-inflammator\w*)\b", re.I)
    for tip in KB.tips:
        if drink.search(tip.text):
            assert "hyponatraemia" in tip.not_for_causes, tip.id
        if nsaid.search(tip.text) and "take paracetamol and not" not in tip.text:
            assert {"rhabdomyolysis", "muscle_bleed", "hyponatraemia"} <= set(tip.not_for_causes), tip.id
