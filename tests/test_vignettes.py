"""Accuracy on patient vignettes: never under-triage urgent or emergency cases; never fall below the
figures recorded in baseline.json (a ratchet)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hipcheck.accuracy import evaluate, figures, load_vignettes, table
from hipcheck.models import Level

HERE = Path(__file__).parent / "vignettes"
BASELINE = json.loads((HERE / "baseline.json").read_text())
SETS = ["dev", "holdout"]


@pytest.fixture(scope="module", params=SETS)
def outcomes(request, kb):
    return request.param, evaluate(kb, load_vignettes([HERE / request.param]))


def test_no_urgent_or_emergency_case_is_under_triaged(outcomes):
    name, got = outcomes
    missed = [
        f"{o.vignette.id}: expected {o.vignette.expected_level.value}, got {o.level.value}"
        for o in got
        if o.under and o.vignette.expected_level.rank >= Level.urgent.rank
    ]
    assert not missed, f"{name}: under-triage of serious cases:\n" + "\n".join(missed)


def test_no_case_is_under_triaged(outcomes):
    """Under-triage of any kind counts as a failure: a routine case sent to self-care is a miss too."""
    name, got = outcomes
    under = [f"{o.vignette.id}: {o.vignette.expected_level.value} → {o.level.value}" for o in got if o.under]
    assert not under, f"{name}: " + "; ".join(under)


def test_accuracy_does_not_fall_below_the_recorded_figures(outcomes):
    """The ratchet applies to the development set only: the held-out set is never tuned against."""
    name, got = outcomes
    if name not in BASELINE:
        pytest.skip(f"{name} is held out: its figures are reported, not ratcheted")
    now = figures(got)
    fallen = {m: (now[m], floor) for m, floor in BASELINE[name].items() if now[m] + 1e-9 < floor}
    assert not fallen, f"{name}: below baseline {fallen}\n{table(got)}"


def test_every_condition_has_a_vignette(kb):
    cases = load_vignettes([HERE / "dev"])
    assert {v.expected_cause for _, v in cases} >= {c.id for c in kb.conditions}


def test_sets_are_large_enough_and_mixed():
    cases = load_vignettes([HERE / s for s in SETS])
    assert len(cases) >= 60
    levels = [v.expected_level for _, v in cases]
    for level in Level:
        assert levels.count(level) >= 0.08 * len(levels), level
