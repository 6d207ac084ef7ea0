"""The course of the pain over days and weeks: pure functions of the history. No I/O.

Given check-ins, saved triage results, today's date and the rules in content/history.toml:
- `daily_pain` builds the series: each day's worst pain, from check-ins and triage pain scores;
- `escalation_reasons` returns the findings (pain persisting, rising, at rest or at night) as
  `Reason(source="history", ...)`, ready for `decide.assess(kb, answers, extra_reasons=...)`;
- `summarize` adds the direction of the trend, for `hipcheck history`.

The rules are explained, with their sources, in docs/history.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hipcheck.engine.decide import holds
from hipcheck.history.models import SIDES, CheckIn, HistoryRules, PastResult, TrendSummary
from hipcheck.knowledge.models import NOT_SURE, Atom, Reason
from hipcheck.knowledge.text import short_date


@dataclass(frozen=True)
class Point:
    day: date
    pain: int


def result_pain(result: PastResult, rules: HistoryRules) -> int | None:
    """The 0-10 pain score a triage recorded, if the question was answered with a number."""
    value = result.answers.get(rules.result_pain_question)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _answered(atoms: Sequence[Atom], result: PastResult) -> bool:
    """True when any question the atoms test was answered with something other than "Not sure"."""
    for q in {a.question for a in atoms}:
        value = result.answers.get(q)
        if value not in (None, NOT_SURE, [NOT_SURE], []):
            return True
    return False


def result_side(result: PastResult, rules: HistoryRules) -> str | None:
    """left, right or both, as the triage's side question was answered; None otherwise."""
    value = result.answers.get(rules.result_side_question)
    return value if isinstance(value, str) and value in SIDES else None


def result_rest_night(result: PastResult, rules: HistoryRules) -> tuple[bool | None, bool | None]:
    """(rest, night) as the escalation rule reads the triage's answers: True or False when the
    question was answered, None when it was not asked, skipped or answered "Not sure". An answer the
    rule's `unless` explains (lying on the sore side) reads False."""
    out: list[bool | None] = []
    explained = any(holds(a, result.answers) for a in rules.rest_night.atoms("unless"))
    for which in ("rest", "night"):
        atoms = rules.rest_night.atoms(which)  # type: ignore[arg-type]
        found = not explained and any(holds(a, result.answers) for a in atoms)
        out.append(found if _answered(atoms, result) else None)
    return out[0], out[1]


def with_symptoms(result: PastResult, rules: HistoryRules) -> PastResult:
    """The result with `side`, `rest` and `night` read from its answers, for listing and export."""
    rest, night = result_rest_night(result, rules)
    return result.model_copy(update={"side": result_side(result, rules), "rest": rest, "night": night})


def daily_pain(
    checkins: Sequence[CheckIn], results: Sequence[PastResult], rules: HistoryRules, today: date
) -> list[Point]:
    """Each day's worst recorded pain, oldest first; records dated after `today` are ignored. A triage's
    pain score (the worst pain, not the day's) counts only before the first check-in: the starting point
    of the course; after it, the check-ins are the daily record (issue 20)."""
    worst: dict[date, int] = {}
    for c in checkins:
        if c.day <= today:
            worst[c.day] = max(worst.get(c.day, 0), c.pain)
    first_checkin = min(worst, default=None)
    for r in results:
        pain = result_pain(r, rules)
        if pain is not None and r.day <= today and (first_checkin is None or r.day < first_checkin):
            worst[r.day] = max(worst.get(r.day, 0), pain)
    return [Point(d, worst[d]) for d in sorted(worst)]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def current_spell(series: Sequence[Point], rules: HistoryRules) -> list[Point]:
    """The latest run of painful days: back from the last record until a pain-free day or a gap
    longer than `persisting.max_gap_days`. Empty when the last record is pain-free."""
    if not series or series[-1].pain < rules.pain_min:
        return []
    spell = [series[-1]]
    for p in reversed(series[:-1]):
        if p.pain < rules.pain_min or (spell[0].day - p.day).days > rules.persisting.max_gap_days:
            break
        spell.insert(0, p)
    return spell


def fitted_change(points: Sequence[Point]) -> float | None:
    """Rise (+) or fall (-) of the least-squares line through the points, from the first day to the
    last, in pain points. None with fewer than two days."""
    if len(points) < 2:
        return None
    x0 = points[0].day
    xs = [(p.day - x0).days for p in points]
    ys = [p.pain for p in points]
    mx, my = _mean(xs), _mean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
    return slope * (xs[-1] - xs[0])


def _window(series: Sequence[Point], today: date, days: int) -> list[Point]:
    start = today - timedelta(days=days - 1)
    return [p for p in series if start <= p.day <= today]


def _stale(day: date, today: date, rules: HistoryRules) -> bool:
    return (today - day).days > rules.stale_days


# --------------------------------------------------------------------------- the three rules


def _persisting(series: Sequence[Point], today: date, rules: HistoryRules) -> Reason | None:
    rule = rules.persisting
    spell = current_spell(series, rules)
    if not spell or _stale(spell[-1].day, today, rules):
        return None
    days = (spell[-1].day - spell[0].day).days + 1
    if days <= rule.min_days:
        return None
    k = max(1, min(rule.compare_days, len(spell) // 2))
    start = _mean([p.pain for p in spell[:k]])
    improvement = start - _mean([p.pain for p in spell[-k:]])
    if improvement >= rule.min_improvement or improvement >= rule.min_improvement_share * start:
        return None
    return _finding(rule, spell[0].day, spell[-1].day, change=f"{-improvement:.1f}")


def _finding(rule, first: date, last: date, change: str = "", when: str = "", record: str = "") -> Reason:
    """A history finding: the rule's wording filled in, with its level and advice."""
    text = rule.reason.format(
        days=(last - first).days + 1,
        first=short_date(first),
        last=short_date(last),
        change=change,
        when=when,
        record=record,
    )
    return Reason(
        source="history",
        id=rule.id,
        text=text,
        level=rule.level,
        advice=list(rule.advice),
        advice_max_level=rule.advice_max_level,
    )


def _rising(series: Sequence[Point], today: date, rules: HistoryRules) -> Reason | None:
    rule = rules.rising
    recent = _window(series, today, rule.window_days)
    if (
        len(recent) < rule.min_days
        or _stale(recent[-1].day, today, rules)
        or recent[-1].pain < rules.pain_min
    ):
        return None
    change = fitted_change(recent)
    if change is None or change < rule.min_change:
        return None
    return _finding(rule, recent[0].day, recent[-1].day, change=f"{change:.1f}")


def _rest_night(
    checkins: Sequence[CheckIn], results: Sequence[PastResult], today: date, rules: HistoryRules
) -> Reason | None:
    rule = rules.rest_night
    start = today - timedelta(days=rule.window_days - 1)
    rest_days: list[date] = []
    night_days: list[date] = []
    kinds: set[str] = set()  # which kinds of record reported it: "checkin", "triage"
    for c in checkins:
        if start <= c.day <= today:
            if c.rest:
                rest_days.append(c.day)
            if c.night:
                night_days.append(c.day)
            if c.rest or c.night:
                kinds.add("checkin")
    rest_atoms, night_atoms, unless_atoms = rule.atoms("rest"), rule.atoms("night"), rule.atoms("unless")
    for r in results:
        if start <= r.day <= today:
            explained = any(holds(a, r.answers) for a in unless_atoms)
            rest, night = (
                not explained and any(holds(a, r.answers) for a in rest_atoms),
                not explained and any(holds(a, r.answers) for a in night_atoms),
            )
            if rest:
                rest_days.append(r.day)
            if night:
                night_days.append(r.day)
            if rest or night:
                kinds.add("triage")
    if not rest_days and not night_days:
        return None
    when = rule.both_words if rest_days and night_days else rule.rest_words if rest_days else rule.night_words
    record = (
        rule.both_records_words
        if len(kinds) == 2
        else rule.checkin_words
        if kinds == {"checkin"}
        else rule.triage_words
    )
    return _finding(rule, min(rest_days + night_days), max(rest_days + night_days), when=when, record=record)


def _escalated(
    checkins: Sequence[CheckIn], results: Sequence[PastResult], today: date, rule
) -> Reason | None:
    """Beside the rest_night finding: the first of `rule.escalate` whose kind of pain a check-in in the
    window reported and whose triage tests all hold on the latest saved triage's answers (or with no
    saved triage at all)."""
    start = today - timedelta(days=rule.window_days - 1)
    past = [r for r in results if r.day <= today]
    latest = max(past, key=lambda r: (r.day, r.recorded_at, r.id)) if past else None
    for esc in rule.escalate:
        days = [c.day for c in checkins if start <= c.day <= today and getattr(c, esc.when)]
        if not days:
            continue
        if latest is None or all(any(holds(a, latest.answers) for a in cl) for cl in esc.clauses()):
            found = _finding(esc, min(days), max(days))
            return found.model_copy(update={"points_to": list(esc.points_to)})
    return None


# --------------------------------------------------------------------------- public


def _rules(rules: HistoryRules | None) -> HistoryRules:
    if rules is not None:
        return rules
    from hipcheck.history.models import load_history_rules  # reads the bundled content/history.toml once

    return load_history_rules()


def escalation_reasons(
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    today: date,
    rules: HistoryRules | None = None,
) -> list[Reason]:
    """The history's findings, most urgent first; each raises the next triage to at least its level.

    Pure when `rules` is given; with None, the bundled content/history.toml is read (once, cached)."""
    rules = _rules(rules)
    series = daily_pain(checkins, results, rules, today)
    found = [
        _rest_night(checkins, results, today, rules),
        _escalated(checkins, results, today, rules.rest_night),
        _rising(series, today, rules),
        _persisting(series, today, rules),
    ]
    out = [r for r in found if r is not None]
    out.sort(key=lambda r: -r.level.rank)
    return out


def summarize(
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    today: date,
    rules: HistoryRules | None = None,
) -> TrendSummary:
    """The series at a glance, its direction over the rising rule's window, and the findings."""
    rules = _rules(rules)
    series = daily_pain(checkins, results, rules, today)
    window = rules.rising.window_days
    recent = _window(series, today, window)
    change = fitted_change(recent) if len(recent) >= rules.rising.min_days else None
    if change is None:
        direction = "unknown"
    elif change >= rules.rising.min_change:
        direction = "worsening"
    elif change <= -rules.rising.min_change:
        direction = "improving"
    else:
        direction = "steady"
    spell = current_spell(series, rules)
    findings = escalation_reasons(checkins, results, today, rules)
    return TrendSummary(
        days_with_data=len(series),
        first_day=series[0].day if series else None,
        last_day=series[-1].day if series else None,
        latest_pain=series[-1].pain if series else None,
        window_days=window,
        change=round(change, 1) if change is not None else None,
        direction=direction,  # type: ignore[arg-type]
        episode_days=(spell[-1].day - spell[0].day).days + 1 if spell else None,
        findings=findings,
        next_triage_at_least=max((r.level for r in findings), key=lambda lv: lv.rank, default=None),
    )
