"""`hipcheck report --progress` (issue 20): one page for a GP or physio from a runner's course: the
triage, the plan's steps and why they changed, adherence, a chart of pain, every warning sign. Read back
as a browser would (html5lib) and checked against the course that made it."""

from __future__ import annotations

from datetime import date, timedelta

import html5lib
import pytest
from conftest import ROOT

from hipcheck.commands import history as history_cmd
from hipcheck.commands import plan as plan_cmd
from hipcheck.commands import report as report_cmd
from hipcheck.screens.plan_doc import long_date

EXAMPLE = str(ROOT / "docs" / "examples" / "outer-hip.json")
NS = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}


@pytest.fixture
def clock(monkeypatch):
    now = {"day": date.today()}
    for mod in (history_cmd, plan_cmd, report_cmd):
        monkeypatch.setattr(mod, "_today", lambda: now["day"])
    return now


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _course(cli, clock) -> dict:
    """Triage, then: a week of good sessions (move on), two check-ins over the limits on step 2 (step
    back), three good sessions, and a night of pain (stop). Returns what was logged."""
    assert cli("triage", "--answers", EXAMPLE, "--history").exit_code == 0
    start = clock["day"]
    logged = {"during": 0, "session_days": set(), "start": start}

    def log(day: int, *args: str) -> None:
        clock["day"] = start + timedelta(days=day)
        r = cli("log", *args)
        assert r.exit_code == 0, r.stderr
        if "--during" in args:
            logged["during"] += 1
            logged["session_days"].add(clock["day"])

    for d in range(0, 8):
        log(d, "--pain", "2", "--during", "2", *(["--morning", "1"] if d else []))
    log(8, "--pain", "1", "--morning", "1", "--no-session")
    log(9, "--pain", "3", "--during", "5")
    log(10, "--pain", "4", "--morning", "5")
    for d in range(11, 14):
        log(d, "--pain", "2", "--during", "2", "--morning", "1")
    log(14, "--pain", "3", "--morning", "2", "--night")
    clock["day"] = start + timedelta(days=15)
    return logged


def test_the_progress_report_tells_a_runners_course_on_one_page(cli, clock, tmp_path):
    logged = _course(cli, clock)
    path = tmp_path / "progress.html"
    r = cli("report", "--progress", "--save", str(path))
    assert r.exit_code == 0, r.stderr
    text = path.read_text()
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=True)
    tree = parser.parse(text)
    assert not parser.errors
    assert tree.find(".//h:script", NS) is None and "<script" not in text
    assert tree.find(".//h:meta[@name='viewport']", NS) is not None
    assert "@media print" in text

    facts = dict(
        zip(
            [_text(e) for e in tree.iterfind(".//h:dt", NS)],
            [_text(e) for e in tree.iterfind(".//h:dd", NS)],
            strict=True,
        )
    )
    start = logged["start"]
    assert f"{start.day} " in facts["Latest triage"] and str(start.year) in facts["Latest triage"]
    assert facts["Level"] and facts["Likeliest cause"] and facts["Plan"]
    assert facts["Now"].startswith("step 1 of ")

    # The chart: one inline SVG, pain during (one point per session logged) and the next morning.
    svgs = list(tree.iterfind(".//s:svg", NS))
    assert len(svgs) == 1
    lines = list(svgs[0].iterfind(".//s:polyline", NS))
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) == logged["during"]

    changes = _text(tree.find(".//h:section[@id='changes']", NS))
    for words in ("Started at step 1", "Moved on to step 2", "Back to step 1", "Stopped on step 1"):
        assert words in changes
    assert "during 5/10" in changes and "morning 5/10" in changes  # the reason for stepping back
    back = start + timedelta(days=10)  # the second check-in over the limits
    assert f"{long_date(back)}: Back to step 1" in changes

    adherence = _text(tree.find(".//h:section[@id='adherence']", NS))
    assert f"{len(logged['session_days'])} of " in adherence

    warnings = _text(tree.find(".//h:section[@id='warnings']", NS))
    assert "pain at night (check-in #" in warnings

    md = tmp_path / "progress.md"
    assert cli("report", "--progress", "--save", str(md)).exit_code == 0
    body = md.read_text()
    for heading in ("## Step changes", "## Adherence", "## Warning signs reported"):
        assert heading in body
    assert cli("report", "--progress").stdout == body


def test_progress_errors(cli, tmp_path):
    assert cli("report", "--progress").exit_code == 1  # no history yet
    assert cli("report", "--progress", "3").exit_code == 2
    assert cli("report", "--progress", "--save", str(tmp_path / "p.pdf")).exit_code == 2
