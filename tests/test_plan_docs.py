"""The plan as documents (issue 20): the full plan as .md and .html, the one-page handout of the current
step, and the calendar (.ics), all from one document model (screens/plan_doc.py). Read back as a browser
(html5lib) and a calendar (icalendar) would."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import html5lib
import pytest
from conftest import ROOT

from hipcheck.commands import plan as plan_cmd
from hipcheck.engine import plan as P
from hipcheck.knowledge.loader import plan_content
from hipcheck.knowledge.models import Level
from hipcheck.knowledge.text import short_date

EXAMPLE = str(ROOT / "docs" / "examples" / "outer-hip.json")
T0 = date(2026, 3, 2)
NS = {"h": "http://www.w3.org/1999/xhtml"}


def _parse(text: str):
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=True)
    return parser.parse(text), parser.errors


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _on_step(kb, plan_id: str, step: int):
    """A plan for a routine triage, standing on `step` (1-based) since T0."""
    pc = plan_content(kb)
    plan = next(p for p in pc.plans if p.id == plan_id)
    triage = P.TriageSummary(1, T0, "", Level.routine, (plan.causes[0],), ())
    result = P.build(kb, pc, triage, today=T0, cause=plan.causes[0])
    standing = result.standing.model_copy(update={"step": step, "since": T0, "verdict": "stay"})
    return result.model_copy(update={"standing": standing}), plan.phase[step - 1]


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(plan_cmd, "_today", lambda: T0)
    return T0


# --------------------------------------------------------------------------- bug 5: the .html plan


def test_the_html_plan_reads_on_a_phone_prints_and_says_its_date_and_the_current_step(cli, tmp_path, today):
    """Issue 20, bug 5: no viewport (a phone showed it zoomed out), no print stylesheet (18 pages), no
    date, and the current step looked like every other."""
    path = tmp_path / "plan.html"
    assert cli("plan", "--answers", EXAMPLE, "--save", str(path)).exit_code == 0
    tree, errors = _parse(path.read_text())
    assert not errors
    metas = {m.get("name"): m.get("content") for m in tree.iterfind(".//h:meta", NS)}
    assert "width=device-width" in (metas.get("viewport") or "")
    style = " ".join(_text(s) for s in tree.iterfind(".//h:style", NS))
    assert "@media print" in style and "@page" in style
    body = _text(tree.find(".//h:body", NS))
    assert f"{short_date(T0)} {T0.year}" in body
    current = [el for el in tree.iter() if el.get("aria-current") == "step"]
    assert len(current) == 1
    assert "Step 1" in _text(current[0]) and "you are here" in _text(current[0]).lower()
    assert tree.find(".//h:script", NS) is None


# --------------------------------------------------------------------------- bug 6: the calendar


def _runs_by_week(ics: bytes, start: date) -> dict[int, set[int]]:
    from icalendar import Calendar

    weeks: dict[int, set[int]] = {}
    for ev in Calendar.from_ical(ics).walk("VEVENT"):
        summary = str(ev.get("summary"))
        if not summary.startswith("Run:"):
            continue
        minutes = int(re.search(r"(\d+) min running", summary).group(1))
        weeks.setdefault((ev.decoded("dtstart") - start).days // 7, set()).add(minutes)
    return weeks


def test_the_calendar_lengthens_the_runs_as_the_plan_says(kb):
    """Issue 20, bug 6: the step that adds about 5 minutes a week had every run at 20 minutes for three
    weeks. The runs grow week by week as the content says, up to its ceiling, with a reminder each."""
    from icalendar import Calendar

    from hipcheck.screens.plan import plan_ics

    result, phase = _on_step(kb, "gluteal_tendon", 3)
    assert phase.run_minutes_weekly_add > 0  # the content gives the weekly build-up as data
    ics = plan_ics(result, T0, datetime(2026, 3, 2, tzinfo=UTC))
    weeks = _runs_by_week(ics, T0)
    assert len(weeks) >= 3
    for week, minutes in sorted(weeks.items()):
        want = min(phase.run_minutes + week * phase.run_minutes_weekly_add, phase.run_minutes_max)
        assert minutes == {want}, (week, minutes)
    assert max(weeks[0]) < max(weeks[1]) < max(weeks[2])
    events = list(Calendar.from_ical(ics).walk("VEVENT"))
    assert all(ev.walk("VALARM") for ev in events)
    assert all(str(a.get("action")) == "DISPLAY" for ev in events for a in ev.walk("VALARM"))


def test_a_step_without_a_weekly_build_up_keeps_its_runs(kb):
    from hipcheck.screens.plan import plan_ics

    result, phase = _on_step(kb, "gluteal_tendon", 2)
    weeks = _runs_by_week(plan_ics(result, T0, datetime(2026, 3, 2, tzinfo=UTC)), T0)
    assert weeks and all(m == {phase.run_minutes} for m in weeks.values())


# --------------------------------------------------------------------------- the one-page handout


def test_the_handout_gives_the_current_step_on_one_page(cli, kb, tmp_path, today):
    """`plan --save step.html --step-only`: the date, the step, each exercise with its dose, the
    limits and what moves you on; nothing of the other steps. The .md says the same."""
    path = tmp_path / "step.html"
    r = cli("plan", "--answers", EXAMPLE, "--save", str(path), "--step-only")
    assert r.exit_code == 0, r.stderr
    plan = cli("plan", "--answers", EXAMPLE, "--json").json()
    step = plan["steps"][plan["standing"]["step"] - 1]
    tree, errors = _parse(path.read_text())
    assert not errors
    assert tree.find(".//h:meta[@name='viewport']", NS) is not None
    assert tree.find(".//h:script", NS) is None
    h1 = _text(tree.find(".//h:h1", NS))
    assert h1 == f"Step {step['number']} of {len(plan['steps'])}: {step['name']}"
    body = _text(tree.find(".//h:body", NS))
    assert f"{short_date(T0)} {T0.year}" in body
    items = [_text(li) for li in tree.iterfind(".//h:ol[@class='exercises']/h:li", NS)]
    assert len(items) == len(step["exercises"])
    for item, ex in zip(items, step["exercises"], strict=True):
        assert item.startswith(f"{ex['name']}: {ex['dose']}")
    assert f"at most {plan['limits']['pain_during_max']} out of 10" in body
    assert f"Move on after {step['advance_sessions']} sessions" in body
    for other in plan["steps"]:
        if other["number"] != step["number"]:
            assert other["name"] not in body
    md = tmp_path / "step.md"
    assert cli("plan", "--answers", EXAMPLE, "--save", str(md), "--step-only").exit_code == 0
    text = md.read_text()
    assert text.startswith(f"# Step {step['number']} of {len(plan['steps'])}")
    assert all(ex["dose"] in text for ex in step["exercises"])
    assert cli("plan", "--answers", EXAMPLE, "--step-only").exit_code == 2


def test_content_text_cannot_become_markup_in_any_plan_document(kb):
    """A plan name with Markdown and HTML in it stays text in every document."""
    from hipcheck.screens import plan as view

    result, _ = _on_step(kb, "gluteal_tendon", 1)
    evil = "<script>x</script> [link](http://e.vil) *bold* # head\n# injected"
    result = result.model_copy(update={"plan_name": evil, "notices": [evil]})
    for html_doc in (view.plan_html(result), view.handout_html(result)):
        assert "<script>" not in html_doc
        tree, errors = _parse(html_doc)
        assert not errors and tree.find(".//h:script", NS) is None
    for md_doc in (view.plan_markdown(result), view.handout_markdown(result)):
        assert "<script>" not in md_doc and "\n# injected" not in md_doc
        assert "[link](" not in md_doc.replace("\\[link\\](", "")
