"""Accuracy on patient cases: never under-triage an urgent, same-day or emergency case; never fall below
the figures recorded in baseline.json (a ratchet).

Four sets (see each folder's README): the textbook-to-atypical vignettes (`tests/vignettes/dev` and
`holdout`), and two sets built for issue 10 by authors who never saw the engine, their answers filled in
by someone else from the stories alone: published case reports (`tests/cases/published`) and early,
atypical and non-musculoskeletal presentations with alarming-looking self-care stories
(`tests/cases/atypical`). A fifth, `tests/cases/fresh` (issue 18), from sources none of the others use:
its figures are reported, never ratcheted, and its serious misses are listed here one by one.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from hipcheck.knowledge.models import Level
from hipcheck.maintenance.accuracy import evaluate, figures, load_vignettes, table

TESTS = Path(__file__).parent
SETS = {
    "dev": TESTS / "vignettes" / "dev",
    "holdout": TESTS / "vignettes" / "holdout",
    "published": TESTS / "cases" / "published",
    "atypical": TESTS / "cases" / "atypical",
    "fresh": TESTS / "cases" / "fresh",
}
# Serious cases of the fresh set (issue 18, never tuned against) that are still sent lower, each with why
# it is left. The list is exact: a case that stops being missed fails the test until it is taken off, and
# a new miss fails it too.
KNOWN_SERIOUS_MISSES = {
    "fresh": {
        "dvt_runner_after_10k": "lower-leg pain only; the answers give no calf swelling or other clot sign",
        "ischium_sf_41f_eight_months": "8 months of unchanged groin pain with no load rise or bone sign; "
        "counting hill and speed work as a load rise sent 4 tendon or hernia cases higher elsewhere",
        "iliopsoas_bleed_rivaroxaban_56m": "on blood thinners, unsure about walking and nerve signs: "
        "same_day (with 'emergency if a limp, weakness or numbness starts'), not emergency",
    },
}
BASELINE = json.loads((TESTS / "vignettes" / "baseline.json").read_text())


@pytest.fixture(scope="module", params=list(SETS))
def outcomes(request, kb):
    return request.param, evaluate(kb, load_vignettes([SETS[request.param]]))


def test_no_urgent_same_day_or_emergency_case_is_sent_lower(outcomes):
    name, got = outcomes
    missed = {
        o.vignette.id: f"expected {o.vignette.expected_level.value}, got {o.level.value}"
        for o in got
        if o.under and o.vignette.expected_level.rank >= Level.urgent.rank
    }
    known = KNOWN_SERIOUS_MISSES.get(name, {})
    new = {k: v for k, v in missed.items() if k not in known}
    assert not new, f"{name}: under-triage of serious cases:\n" + "\n".join(
        f"{k}: {v}" for k, v in new.items()
    )
    assert set(missed) == set(known), (
        f"{name}: no longer missed, take off the known list: {set(known) - set(missed)}"
    )


def test_no_vignette_is_under_triaged(outcomes):
    """On the vignettes, under-triage of any kind counts: a routine case sent to self-care is a miss too.
    (On the case sets a routine case sent to self-care is counted by the ratchet and reported.)"""
    name, got = outcomes
    if name not in ("dev", "holdout"):
        pytest.skip("case sets: routine-to-self-care misses are reported in the README, not a failure")
    under = [f"{o.vignette.id}: {o.vignette.expected_level.value} → {o.level.value}" for o in got if o.under]
    assert not under, f"{name}: " + "; ".join(under)


def test_accuracy_does_not_fall_below_the_recorded_figures(outcomes):
    """A ratchet: raise baseline.json when accuracy improves. The held-out vignettes are reported, never
    ratcheted, so nobody is pushed to tune against them."""
    name, got = outcomes
    if name not in BASELINE:
        pytest.skip(f"{name} is held out: its figures are reported, not ratcheted")
    now = figures(got)
    fallen = {m: (now[m], floor) for m, floor in BASELINE[name].items() if now[m] + 1e-9 < floor}
    assert not fallen, f"{name}: below baseline {fallen}\n{table(got)}"


def test_the_interview_stays_short(kb):
    """Issue 10: at most 20 questions on a common path (the textbook vignettes)."""
    got = evaluate(kb, load_vignettes([SETS["dev"], SETS["holdout"]]))
    assert statistics.median(o.asked for o in got) <= 20


def test_every_condition_has_a_case(kb):
    cases = load_vignettes(list(SETS.values()))
    assert {v.expected_cause for _, v in cases} >= {c.id for c in kb.conditions}


def test_sets_are_large_enough_and_mixed():
    sizes = {name: len(load_vignettes([path])) for name, path in SETS.items()}
    assert sizes["published"] >= 40 and sizes["atypical"] >= 50 and sizes["dev"] + sizes["holdout"] >= 60
    levels = [v.expected_level for _, v in load_vignettes(list(SETS.values()))]
    for level in Level:
        assert levels.count(level) >= 0.05 * len(levels), level
    self_care_stories = load_vignettes([SETS["atypical"]])
    assert sum("self_care_alarming" in v.tags for _, v in self_care_stories) >= 10
