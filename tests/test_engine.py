"""Engine mechanics on a tiny fixture knowledge base (no clinical meaning, so these tests never drift)."""

from __future__ import annotations

import dataclasses
import math
import shutil

import pytest
from conftest import MINI, all_clear

from hipcheck.engine import decide
from hipcheck.knowledge.loader import load_content
from hipcheck.knowledge.models import Level


def test_next_question_follows_the_tree(mini):
    assert decide.next_question(mini, {}).id == "flag"
    assert decide.next_question(mini, {"flag": "no"}).id == "where"
    # side_detail is asked only when the pain is at the side
    assert decide.next_question(mini, {"flag": "no", "where": ["front"]}).id == "pain"
    assert decide.next_question(mini, {"flag": "no", "where": ["side"]}).id == "side_detail"
    done = {"flag": "no", "where": ["front"], "pain": 2}
    assert decide.next_question(mini, done) is None


def test_answers_to_questions_not_asked_are_ignored(mini):
    result = decide.assess(mini, {"flag": "no", "where": ["front"], "side_detail": "lying", "pain": 2})
    assert "side_detail" not in result.answers
    assert result.ignored == ["side_detail"]
    assert not any(e.question == "side_detail" for c in result.causes for e in c.supporting)


def test_likelihoods_sum_to_one_and_are_sorted(mini):
    result = decide.assess(mini, {"flag": "no", "where": ["side"], "side_detail": "lying", "pain": 5})
    total = sum(c.likelihood for c in result.causes)
    assert math.isclose(total, 1.0, abs_tol=1e-3)
    likes = [c.likelihood for c in result.causes]
    assert likes == sorted(likes, reverse=True)


def test_scoring_is_naive_bayes_over_ratios(mini):
    # alpha: prior .6 × 4 (front) × 2 (pain 0-3); beta: .3 × .2 (other); gamma: .1 × .05 (flag no)
    result = decide.assess(mini, {"flag": "no", "where": ["front"], "pain": 2})
    raw = {"alpha": 0.6 * 4 * 2, "beta": 0.3 * 0.2, "gamma": 0.1 * 0.05}
    expected = {k: v / sum(raw.values()) for k, v in raw.items()}
    got = {c.id: c.likelihood for c in result.causes}
    for cid, p in expected.items():
        assert got[cid] == pytest.approx(p, abs=1e-4)


def test_evidence_is_split_into_supporting_and_conflicting(mini):
    result = decide.assess(mini, {"flag": "no", "where": ["side"], "pain": 9})
    alpha = next(c for c in result.causes if c.id == "alpha")
    assert [e.question for e in alpha.conflicting] == ["where", "pain"]
    assert alpha.conflicting[0].ratio == 0.25
    beta = next(c for c in result.causes if c.id == "beta")
    assert beta.supporting[0].question == "where" and beta.supporting[0].ratio == 5.0


def test_not_sure_carries_no_evidence(mini):
    base = decide.score(mini, {"flag": "no"})
    unsure = decide.score(mini, {"flag": "no", "where": ["not_sure"], "pain": "not_sure"})
    assert [(c, round(p, 9)) for c, p in base] == [(c, round(p, 9)) for c, p in unsure]


def test_red_flag_rule_sets_a_floor_and_advice(mini):
    result = decide.assess(mini, {"flag": "yes", "where": ["front"], "pain": 1})
    assert result.level.id is Level.emergency
    assert result.level.reasons[0].id == "flag_yes"
    assert "Go now." in result.level.advice


def test_the_ranking_never_sets_the_level(mini):
    # beta (min_level urgent) ranks first, but no rule fires: a likely cause alone is not a warning sign,
    # and a competing explanation must never be able to lower the level either (issue 10).
    result = decide.assess(mini, {"flag": "no", "where": ["side"], "side_detail": "lying", "pain": 2})
    assert result.causes[0].id == "beta"
    assert result.level.id is Level.self_care
    assert result.level.not_ruled_out == []


def test_an_urgent_rule_names_its_causes_as_not_ruled_out(mini):
    result = decide.assess(mini, {"flag": "yes", "where": ["side"], "side_detail": "lying", "pain": 2})
    assert result.level.id is Level.emergency
    assert result.level.not_ruled_out == ["gamma"]


def test_many_not_sure_answers_are_not_reassuring(mini):
    calm = {"flag": "no", "where": ["front"], "pain": 1}
    assert decide.assess(mini, calm).level.id is Level.self_care
    vague = {"flag": "no", "where": ["not_sure"], "pain": "not_sure"}
    assert mini.meta.vague_count > 2  # two "Not sure" answers are ordinary
    assert decide.assess(mini, vague).level.id is Level.self_care
    strict = dataclasses.replace(mini, meta=mini.meta.model_copy(update={"vague_count": 2}))
    result = decide.assess(strict, vague)
    assert result.level.id is mini.meta.vague_level
    assert result.level.reasons[0].source == "vague" and "2" in result.level.reasons[0].text


def test_unscreened_red_flags_are_never_self_care(mini):
    result = decide.assess(mini, {"where": ["front"], "pain": 1})
    assert not result.red_flags_screened
    assert result.unscreened == ["flag"]
    assert result.level.id is Level.routine
    assert result.level.reasons[0].source == "unscreened"
    not_sure = decide.assess(mini, {"flag": "not_sure", "where": ["front"], "pain": 1})
    assert not_sure.unscreened == ["flag"] and not_sure.level.id is not Level.self_care


def test_all_clear_is_self_care_with_a_reason(mini):
    result = decide.assess(mini, {"flag": "no", "where": ["front"], "pain": 1})
    assert result.level.id is Level.self_care
    assert result.level.reasons[0].source == "default"


def test_extra_reasons_raise_but_never_lower(mini):
    extra = decide.Reason(source="history", id="rising", text="Pain rising.", level=Level.routine)
    calm = decide.assess(mini, {"flag": "no", "where": ["front"], "pain": 1}, extra_reasons=[extra])
    assert calm.level.id is Level.routine
    flagged = decide.assess(mini, {"flag": "yes", "where": ["front"], "pain": 1}, extra_reasons=[extra])
    assert flagged.level.id is Level.emergency


def test_tips_follow_answers_and_causes_with_reasons(mini):
    front = decide.assess(mini, {"flag": "no", "where": ["front"], "pain": 1})
    assert [(t.id, t.because) for t in front.tips] == [("alpha_tip", ["possible cause: Alpha condition"])]
    both = decide.assess(mini, {"flag": "no", "where": ["front", "side"], "side_detail": "other", "pain": 1})
    assert both.tips[0].id == "side_tip"  # "now" tips come first
    assert both.tips[0].because == ["you said: Where: Side"]  # only the part of the answer that matched


def test_tips_above_their_max_level_are_withheld(mini):
    result = decide.assess(mini, {"flag": "yes", "where": ["front"], "pain": 1})
    assert "alpha_tip" not in [t.id for t in result.tips]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([], "must be a JSON object"),
        ({"nope": "x"}, "unknown question id 'nope'"),
        ({"flg": "no"}, "did you mean 'flag'"),
        ({"flag": "maybe"}, "flag: unknown option 'maybe'; valid: no, yes, not_sure"),
        ({"where": ["front", "none"]}, "cannot be combined"),
        ({"where": []}, "expected a list of option ids"),
        ({"pain": 11}, "pain: 11 is out of range"),
        ({"pain": -1}, "out of range"),
        ({"pain": 2.5}, "expected a whole number 0-10"),
        ({"pain": True}, "expected a whole number"),
        ({"pain": "7"}, "expected a whole number"),
    ],
)
def test_bad_answers_name_the_problem(mini, answers, message):
    with pytest.raises(decide.AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        decide.validate_answers(mini, answers)
    assert "\n" not in str(err.value)


def test_valid_answers_are_normalised(mini):
    got = decide.validate_answers(mini, {"where": "front", "pain": 3.0, "flag": "not_sure"})
    assert got == {"where": ["front"], "pain": 3, "flag": "not_sure"}


def test_planned_questions_counts_follow_ups(mini):
    assert [q.id for q in decide.planned_questions(mini, {"flag": "no"})] == ["flag", "where", "pain"]
    planned = decide.planned_questions(mini, {"flag": "no", "where": ["side"]})
    assert [q.id for q in planned] == ["flag", "where", "side_detail", "pain"]


def test_equal_likelihoods_rank_by_id(tmp_path):
    """A tie is broken by condition id, whatever order a condition lists its weights in."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    alpha = (root / "conditions" / "alpha.toml").read_text()
    head, _, tables = alpha.partition("[evidence.where]")
    where, _, pain = tables.partition("[evidence.pain]")
    twin = head.replace('id = "alpha"', 'id = "aaa_twin"').replace("Alpha condition", "Twin condition")
    twin = twin.replace('aliases = ["first one", "AC"]', "aliases = []")
    reordered = twin + "[evidence.pain]" + pain + "[evidence.where]" + where
    (root / "conditions" / "aaa_twin.toml").write_text(reordered)
    kb = load_content(root)
    for answers in (
        {"flag": "no", "where": ["front"], "pain": 2},
        {"flag": "no", "where": ["side"], "pain": 9},
    ):
        ranked = decide.score(kb, answers)
        order = [c for c, _ in ranked]
        shares = dict(ranked)
        assert shares["aaa_twin"] == shares["alpha"]
        assert order.index("aaa_twin") + 1 == order.index("alpha")


def test_other_weight_counts_only_when_no_chosen_option_is_named(mini):
    """`other` on a multi question: used for an answer naming none of the condition's options."""
    named = decide.assess(mini, {"flag": "no", "where": ["front", "side"]})
    unnamed = decide.assess(mini, {"flag": "no", "where": ["side"]})
    alpha = {c.id: c for c in named.causes}["alpha"]
    assert [(e.answer, e.ratio) for e in alpha.supporting] == [("front", 4.0)]
    assert not alpha.conflicting
    alpha = {c.id: c for c in unnamed.causes}["alpha"]
    assert [(e.answer, e.ratio) for e in alpha.conflicting] == [("side", 0.25)]


def test_advice_above_its_max_level_is_left_to_the_level(kb):
    """worse_while_running says "stop running on it" at routine; at urgent the level already says it."""
    routine = {**all_clear(kb), "location": ["lateral"], "trend": "worse_running"}
    urgent = {**routine, "weight_bearing": "painful", "timing": ["night"]}
    stop = next(a for a in kb.rules if a.id == "worse_while_running").advice[0]
    assert decide.assess(kb, routine).level.id is Level.routine
    assert stop in decide.assess(kb, routine).level.advice
    result = decide.assess(kb, urgent)
    assert result.level.id is Level.urgent and "worse_while_running" in {r.id for r in result.level.reasons}
    assert stop not in result.level.advice


def test_a_tie_puts_the_more_serious_cause_first(tmp_path):
    """Equal odds reached through different ratios (5 x 3 and 3 x 10 x 0.5) differ in the last bits of
    a float; they must still tie, and a tie must not put a benign cause above a serious one."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    beta = (root / "conditions" / "beta.toml").read_text()  # min_level urgent; where side 5.0, lying 3.0
    benign = beta.replace('id = "beta"', 'id = "aaa_benign"').replace("Beta condition", "Benign condition")
    benign = benign.replace('aliases = ["second one"]', "aliases = []").replace('min_level = "urgent"\n', "")
    benign = benign.replace("side = 5.0", "side = 3.0").replace("lying = 3.0", "lying = 10.0")
    benign += '[evidence.pain]\n"4-6" = 0.5\n'
    (root / "conditions" / "aaa_benign.toml").write_text(benign)
    kb = load_content(root)
    answers = {"flag": "no", "where": ["side"], "side_detail": "lying", "pain": 5}
    ranked = decide.score(kb, answers)
    assert [c for c, _ in ranked[:2]] == ["beta", "aaa_benign"]
    assert abs(ranked[0][1] - ranked[1][1]) < 1e-12
    assert [c.id for c in decide.assess(kb, answers).causes[:2]] == ["beta", "aaa_benign"]
