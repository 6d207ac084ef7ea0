"""The safety matrix (issue 18, section 5): population x presentation x path, from tests/safety_matrix.toml.

Each cell builds a complete answer set (an ordinary runner, then the population, then the presentation)
and checks one path:
- level: the triage's level is at least the cell's minimum;
- notice: the interview asks every question the cell's population and presentation answer (none is
  dropped by the tree), and where the minimum is urgent or above, the notice the interview shows on the
  way (as `screens.interview` does) reaches it;
- first_steps, tips: no loading advice (no first steps; no tip with max_level routine or lower: the tips
  that tell you to run, stretch, strengthen or massage);
- plan: `hipcheck plan` on this triage gives no plan, or only the first step of a plan that waits for a
  clinician's clearance, with no hopping or running (and no plan at all where the data says so);
- checkin (rest or night pain only): a check-in logged with pain at rest and at night, after an earlier
  triage of the same person without it, raises the next triage to the cell's minimum (issue 18 item 12).

Known open holes are strict xfails naming their item of issue 18 (`KNOWN`): when a fix lands they pass,
the strict xfail fails, and the entry must be removed. Cells that need an option not in the content yet
are strict xfails "awaiting safety branch".
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hipcheck.engine import decide
from hipcheck.engine import plan as plan_engine
from hipcheck.history import trend
from hipcheck.history.models import CheckIn, PastResult
from hipcheck.knowledge.loader import load_content, plan_content
from hipcheck.knowledge.models import Level
from hipcheck.screens.interview import NOTICE_LEVEL, notice_due

MATRIX = tomllib.loads((Path(__file__).parent / "safety_matrix.toml").read_text(encoding="utf-8"))
KB = load_content()
TODAY = date(2026, 6, 15)
PATHS = ("level", "notice", "first_steps", "tips", "plan", "checkin")
HOPPING = re.compile(r"hop|jump|pogo|bound|plyo|stride|skip", re.IGNORECASE)

# (population, presentation, path) -> issue 18 item: cells that fail on main because of a known open hole.
# "*" matches every population or presentation. Remove an entry when its strict xfail starts failing.
KNOWN: dict[tuple[str, str, str], str] = {}


def _option_exists(test: str) -> bool:
    qid, _, oid = test.partition(":")
    q = KB.question_by_id.get(qid)
    return q is not None and oid in q.option_index


def expectation(pop: str, pres: str) -> tuple[Level, list[str]]:
    """The cell's minimum level and the reasons for it."""
    p = MATRIX["presentation"][pres]
    level, why = Level(p["min_level"]), [p["reason"]]
    for row in MATRIX.get("raise", []):
        if row["population"] == pop and pres in row["presentations"]:
            if Level(row["min_level"]).rank > level.rank:
                level = Level(row["min_level"])
            why.append(row["reason"])
    return level, why


def no_plan_at_all(pop: str) -> bool:
    return any(pop in row["populations"] for row in MATRIX.get("no_plan", []))


def answers_for(pop: str, pres: str) -> dict:
    raw = {**MATRIX["base"], **MATRIX["population"][pop], **MATRIX["presentation"][pres]["answers"]}
    if raw.get("sex") == "male":
        raw.pop("pregnancy", None)
    elif "pregnancy" not in raw:
        raw["pregnancy"] = "no"
    return raw


def _cells():
    for pop in MATRIX["population"]:
        for pres, p in MATRIX["presentation"].items():
            sex = {**MATRIX["base"], **MATRIX["population"][pop]}["sex"]
            if sex not in p.get("only_sex", [sex]):
                continue
            for path in PATHS:
                if path == "checkin" and pres != "rest_night":
                    continue  # a check-in records pain, rest and night only
                # every option a cell needs exists: test_the_cells_answer_sets_are_valid fails otherwise
                marks = []
                item = next(
                    (
                        v
                        for (kp, kq, kpath), v in KNOWN.items()
                        if kp in (pop, "*") and kq in (pres, "*") and kpath == path
                    ),
                    None,
                )
                if item:
                    marks.append(pytest.mark.xfail(strict=True, reason=f"issue 18 item {item}"))
                yield pytest.param(pop, pres, path, marks=marks, id=f"{pop}-{pres}-{path}")


def _assess(pop: str, pres: str):
    raw = answers_for(pop, pres)
    answers = decide.validate_answers(KB, raw)
    return answers, decide.assess(KB, answers)


def _summary(result) -> plan_engine.TriageSummary:
    return plan_engine.TriageSummary(
        id=1,
        day=TODAY,
        recorded_at=f"{TODAY.isoformat()}T09:00:00+00:00",
        level=result.level.id,
        causes=tuple(c.id for c in result.causes),
        not_ruled_out=tuple(result.level.not_ruled_out),
    )


def _loading_tips(result) -> list[str]:
    tips = {t.id: t for t in KB.tips}
    return [t.id for t in result.tips if tips[t.id].max_level.rank <= Level.routine.rank]


def _plan_problems(result, pop: str) -> list[str]:
    out = plan_engine.build(KB, plan_content(KB), _summary(result), today=TODAY)
    if out.status != "plan":
        return []
    if no_plan_at_all(pop):
        return [f"plan {out.plan_id} given (only 'get seen' is allowed)"]
    problems = []
    plan = next(p for p in plan_content(KB).plans if p.id == out.plan_id)
    if not plan.needs_clearance:
        problems.append(f"home plan {out.plan_id} for {out.cause} (no clinician's clearance)")
    for step in out.steps:
        if not step.given:
            continue
        if step.number > 1:
            problems.append(f"step {step.number} ({step.id}) given")
        hops = [e.id for e in step.exercises if HOPPING.search(e.id) or HOPPING.search(e.name)]
        if hops:
            problems.append(f"step {step.number} exercises {hops}")
        if step.running and not step.running.lower().startswith("no running"):
            problems.append(f"step {step.number} running: {step.running[:60]}")
    return problems


def _interview(raw: dict) -> tuple[dict, Level | None]:
    """Walk the interview with these answers as `screens.interview` does: what it asks, and the highest
    level of the notices it shows on the way (`notice_due` on the settled rules)."""
    given: dict = {}
    shown: set[str] = set()
    told: Level | None = None
    while (q := decide.next_question(KB, given)) is not None:
        if q.id not in raw:
            pytest.fail(f"the interview asks {q.id}, which the cell does not answer")
        given[q.id] = raw[q.id]
        due = notice_due(decide.settled_rules(KB, given), shown)
        if due is not None:
            level, rules = due
            shown.update(r.id for r in rules)
            if told is None or level.rank > told.rank:
                told = level
    return given, told


@pytest.mark.parametrize(("pop", "pres", "path"), list(_cells()))
def test_cell(pop, pres, path):
    minimum, why = expectation(pop, pres)
    answers, result = _assess(pop, pres)
    shown = f"answers {dict(answers)}; level {result.level.id.value}; top {[c.id for c in result.causes[:3]]}"
    if path == "level":
        assert result.level.id.rank >= minimum.rank, (
            f"{result.level.id.value} < {minimum.value}: {why}; {shown}"
        )
    elif path == "notice":
        asked, told = _interview(answers)
        overlaid = set(MATRIX["population"][pop]) | set(MATRIX["presentation"][pres]["answers"])
        dropped = (set(answers) - set(asked)) & overlaid
        assert not dropped, f"the interview never asks {sorted(dropped)}; {shown}"
        if minimum.rank >= NOTICE_LEVEL.rank:  # below it the interview tells nothing until the result
            assert told is not None and told.rank >= minimum.rank, f"interview told of {told}; {why}; {shown}"
    elif path == "first_steps":
        steps = decide.first_steps(KB, result)
        assert steps is None, f"first steps for {steps.cause} shown; {shown}"
    elif path == "tips":
        assert not _loading_tips(result), f"loading tips {_loading_tips(result)}; {shown}"
    elif path == "plan":
        problems = _plan_problems(result, pop)
        assert not problems, f"{problems}; {shown}"
    elif path == "checkin":
        # Yesterday's triage of the same person, before the pain came at rest and at night.
        before = {**answers_for(pop, pres), "timing": MATRIX["base"]["timing"]}
        earlier = decide.assess(KB, decide.validate_answers(KB, before))
        day = TODAY - timedelta(days=1)
        past = PastResult(
            id=1,
            day=day,
            recorded_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
            level=earlier.level.id,
            level_label=earlier.level.label,
            content_version=KB.meta.content_version,
            reasons=[r.id for r in earlier.level.reasons],
            top_cause=earlier.causes[0].id,
            answers=dict(earlier.answers),
        )
        checkin = CheckIn(
            id=1,
            day=TODAY,
            recorded_at=datetime(TODAY.year, TODAY.month, TODAY.day, 8, tzinfo=UTC),
            pain=5,
            rest=True,
            night=True,
        )
        extra = trend.escalation_reasons([checkin], [past], TODAY)
        again = decide.assess(KB, decide.validate_answers(KB, before), extra_reasons=extra)
        assert again.level.id.rank >= minimum.rank, (
            f"after a check-in with rest and night pain: {again.level.id.value} < {minimum.value}; "
            f"findings {[(r.id, r.level.value) for r in extra]}; {why}"
        )


def test_every_expectation_names_known_cells():
    """A typo in the data must not silently drop an expectation."""
    pops, pres = set(MATRIX["population"]), set(MATRIX["presentation"])
    for row in MATRIX.get("raise", []):
        assert row["population"] in pops and set(row["presentations"]) <= pres, row
        assert row["reason"] and Level(row["min_level"])
    for row in MATRIX.get("no_plan", []):
        assert set(row["populations"]) <= pops, row
    for p in MATRIX["presentation"].values():
        assert p["reason"] and Level(p["min_level"])
    for kp, kq, kpath in KNOWN:
        assert kp in pops | {"*"} and kq in pres | {"*"} and kpath in PATHS


def test_the_cells_answer_sets_are_valid():
    """Every cell's answers fit the question bank (a renamed option must fail here, not pass as a skip)."""
    for pop in MATRIX["population"]:
        for pres, p in MATRIX["presentation"].items():
            if p.get("needs"):
                assert _option_exists(p["needs"]), (pres, p["needs"])
            decide.validate_answers(KB, answers_for(pop, pres))
