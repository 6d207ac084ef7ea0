"""Rich output at fixed widths, compared with stored snapshots (update: pytest --snapshot-update).

The cases use real content, so a content change that alters what users read shows up in review."""

from __future__ import annotations

import io

import pytest
from conftest import all_clear
from rich.console import Console

from hipcheck.engine import decide
from hipcheck.knowledge.loader import find_condition
from hipcheck.screens import pages, result

WIDTHS = [80, 60]


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


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", [outer_hip, stress_fracture])
def test_result_view(kb, snapshot, width, case):
    text = draw(result.result_view(decide.assess(kb, case(kb))), width)
    assert max(len(line) for line in text.splitlines()) <= width
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
