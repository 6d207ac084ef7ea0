"""Rich output at fixed widths, compared with stored snapshots (update: pytest --snapshot-update).

The cases use real content, so a content change that alters what users read shows up in review."""

from __future__ import annotations

import io
import json

import pytest
from conftest import CONTENT, ROOT, all_clear
from rich.console import Console

from hipcheck.engine import decide
from hipcheck.knowledge.loader import find_condition, for_region, load_content
from hipcheck.screens import pages, result

WIDTHS = [80, 60]


@pytest.fixture(scope="module")
def kb(kb):
    """The content as a runner in the UK reads it (the region the command line's tests use too)."""
    return for_region(kb, "GB")


def draw(renderable, width: int) -> str:
    con = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False, emoji=False)
    con.print(renderable)
    return con.file.getvalue()


def outer_hip(kb):
    return {
        **all_clear(kb),
        "location": ["lateral"],
        "side": "right",
        "onset": "gradual",
        "duration": "weeks_6",
        "trend": "same",
        "timing": ["during", "after"],
        "severity": 5,
        "lateral_detail": ["tender_bone", "lying_side"],
        "symptoms": ["none"],
        "training": ["mileage_jump"],
        "health": ["none"],
        "age": "age_50_plus",
        "sex": "female",
        "pregnancy": "no",
        "background": ["none"],
    }


def stress_fracture(kb):
    return {
        **all_clear(kb),
        "weight_bearing": "painful",
        "location": ["groin"],
        "side": "left",
        "onset": "gradual",
        "duration": "weeks_2",
        "trend": "worse_rest",
        "timing": ["during", "walking", "night"],
        "severity": 6,
        "groin_detail": ["none"],
        "symptoms": ["none"],
        "training": ["mileage_jump"],
        "health": ["low_energy"],
        "age": "age_18_34",
        "sex": "female",
        "pregnancy": "no",
        "background": ["none"],
    }


def readme_example(kb):
    """Self-care: the README's example answers (an outer hip in a 35-49-year-old, 2 to 6 weeks)."""
    return json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())


def groin_after_a_mileage_jump(kb):
    """Urgent, with a benign cause ranked first: the stress fractures are named first as not ruled out,
    and the hip flexor's first steps (cut back, keep running) are withheld."""
    return {
        **all_clear(kb),
        "age": "age_35_49",
        "sex": "male",
        "background": ["none"],
        "location": ["groin"],
        "side": "right",
        "onset": "gradual",
        "duration": "weeks_6",
        "trend": "same",
        "timing": ["during", "after"],
        "severity": 4,
        "groin_detail": ["lift_leg"],
        "symptoms": ["stiffness"],
        "training": ["mileage_jump"],
        "health": ["none"],
    }


def hard_fall(kb):
    """Emergency: an older runner who fell hard and cannot stand on the leg."""
    return {
        **all_clear(kb),
        "age": "age_50_plus",
        "sex": "male",
        "background": ["none"],
        "injury": "major",
        "weight_bearing": "cannot",
        "location": ["groin"],
        "side": "left",
        "onset": "sudden",
        "duration": "days",
        "severity": 8,
        "groin_detail": ["none"],
        "symptoms": ["none"],
        "training": ["none"],
        "health": ["none"],
    }


FIRST_SCREENS = [readme_example, outer_hip, groin_after_a_mileage_jump, stress_fracture, hard_fall]


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("case", FIRST_SCREENS)
def test_result_view(kb, snapshot, width, case):
    """The first screen: self-care, routine (both with the likely cause's first steps), urgent with a
    benign cause first and with a stress fracture first, and an emergency."""
    text = draw(result.result_view(decide.assess(kb, case(kb)), kb, in_history=True), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert text == snapshot


@pytest.mark.parametrize("region", ["US", "AU", "INTL"])
def test_emergency_in_a_region(snapshot, region):
    """The emergency's first screen names the region's number and emergency department."""
    regional = for_region(load_content(CONTENT), region)
    text = draw(
        result.result_view(decide.assess(regional, hard_fall(regional)), regional, in_history=True), 80
    )
    assert text == snapshot


@pytest.mark.parametrize("case", [outer_hip, groin_after_a_mileage_jump])
def test_full_view(kb, snapshot, case):
    """`triage --full`: every reason, the evidence for each cause, every tip with what chose it."""
    text = draw(result.full_view(decide.assess(kb, case(kb)), kb), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text == snapshot


@pytest.mark.parametrize("width", WIDTHS)
def test_condition_page(kb, snapshot, width):
    cond, _ = find_condition(kb, "bursitis")
    text = draw(pages.condition_view(cond), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert text == snapshot


@pytest.mark.parametrize("width", WIDTHS)
def test_answers_summary(kb, snapshot, width):
    text = draw(result.answers_table(kb, outer_hip(kb)), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert text == snapshot
