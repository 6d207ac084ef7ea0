"""The decision engine: pure functions of the knowledge base and the answers. No I/O.

- `validate_answers` checks raw answers (from a file or the interview) against the question bank.
- `next_question` walks the interview tree: the first unanswered question whose tests hold.
- `assess` scores causes (naive Bayes over likelihood ratios), sets the urgency from red-flag rules,
  likely serious causes and unscreened warning signs, and selects tips from the answers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .content import KnowledgeBase
from .models import (
    NOT_SURE,
    AnswerValue,
    Atom,
    Evidence,
    Level,
    LevelResult,
    Question,
    RankedCause,
    Reason,
    TipResult,
    TriageResult,
    Triggered,
)

Answers = dict[str, AnswerValue]


MEMO_LIMIT = 50_000  # entries in a knowledge base's text and evidence cache before it is emptied


class AnswerError(ValueError):
    """An answer does not fit the question bank. The message is one line and names the problem."""


# --------------------------------------------------------------------------- answers


def _choices(q: Question) -> str:
    if q.kind == "scale":
        return f'a whole number {q.scale_min}-{q.scale_max} or "{NOT_SURE}"'
    return ", ".join(q.option_ids)


def validate_answers(kb: KnowledgeBase, raw: Any) -> Answers:
    """Check raw answers (question id → option id, list of ids, or number); return them normalised."""
    if not isinstance(raw, Mapping):
        raise AnswerError("answers must be a JSON object mapping question ids to answers")
    out: Answers = {}
    for qid, value in raw.items():
        q = kb.question_by_id.get(qid)
        if q is None:
            import difflib

            close = difflib.get_close_matches(str(qid), list(kb.question_by_id), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise AnswerError(f"unknown question id '{qid}'{hint}; see `hipcheck questions`")
        out[qid] = _validate_one(q, value)
    return out


def _validate_one(q: Question, value: Any) -> AnswerValue:
    if q.kind == "scale":
        if value == NOT_SURE:
            return NOT_SURE
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value != int(value)
        ):
            raise AnswerError(f"{q.id}: expected {_choices(q)}, got {value!r}")
        if not q.scale_min <= value <= q.scale_max:
            raise AnswerError(f"{q.id}: {value} is out of range; expected {_choices(q)}")
        return int(value)
    if q.kind == "single":
        if not isinstance(value, str) or value not in q.option_ids:
            raise AnswerError(f"{q.id}: unknown option {value!r}; valid: {_choices(q)}")
        return value
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise AnswerError(f"{q.id}: expected a list of option ids from: {_choices(q)}")
    for v in values:
        if v not in q.option_ids:
            raise AnswerError(f"{q.id}: unknown option {v!r}; valid: {_choices(q)}")
    exclusive = {NOT_SURE, q.none_option} - {None}
    if len(values) > 1 and exclusive & set(values):
        raise AnswerError(
            f"{q.id}: '{'/'.join(sorted(exclusive & set(values)))}' cannot be combined with other options"
        )
    order = q.option_ids  # canonical order, so a file and the interview give identical results
    return sorted(set(values), key=order.index)


# --------------------------------------------------------------------------- tests on answers


def holds(atom: Atom, answers: Mapping[str, AnswerValue]) -> bool:
    value = answers.get(atom.question)
    if value is None or value == NOT_SURE or value == [NOT_SURE]:
        return False
    if atom.op == "answered":
        return True
    if atom.op == "has":
        return (
            value == atom.option
            if isinstance(value, str)
            else isinstance(value, list) and atom.option in value
        )
    if not isinstance(value, int):
        return False
    return value >= atom.number if atom.op == ">=" else value <= atom.number  # type: ignore[operator]


def _clause(clause: tuple[Atom, ...], answers: Mapping[str, AnswerValue]) -> bool:
    return any(holds(a, answers) for a in clause)


def applies(rec: Triggered, answers: Mapping[str, AnswerValue]) -> bool:
    """True when every when_all entry, at least one when_any entry (if any) and no unless entry holds."""
    all_, any_, unless = rec.tests
    return (
        all(_clause(c, answers) for c in all_)
        and (not any_ or any(_clause(c, answers) for c in any_))
        and not any(_clause(c, answers) for c in unless)
    )


def matched(rec: Triggered, answers: Mapping[str, AnswerValue]) -> list[Atom]:
    """The positive tests that hold (for explaining why a tip or rule was chosen)."""
    all_, any_, _ = rec.tests
    return [a for clause in (*all_, *any_) for a in clause if holds(a, answers)]


# --------------------------------------------------------------------------- the interview tree


def effective_answers(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Answers:
    """The answers the interview would have used: answers to questions that would not be asked are dropped."""
    out: Answers = {}
    for q in kb.questions:
        if q.id in answers and applies(q, out):
            out[q.id] = answers[q.id]
    return out


def next_question(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Question | None:
    """The next question to ask, or None when the interview is over."""
    for q in kb.questions:
        if q.id not in answers and applies(q, answers):
            return q
    return None


def planned_questions(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions asked so far plus those that would still be asked (for 'question 4 of about 12')."""
    return [q for q in kb.questions if q.id in answers or applies(q, answers)]


def fired_rules(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list:
    return [r for r in kb.rules if applies(r, answers)]


# --------------------------------------------------------------------------- scoring


def describe(kb: KnowledgeBase, qid: str, value: AnswerValue) -> str:
    """An answer in words, e.g. 'Where it hurts: Outside of the hip, over the bony point'."""
    key = ("describe", qid, tuple(value) if isinstance(value, list) else value)
    text = kb.memo.get(key)
    if text is None:
        if len(kb.memo) > MEMO_LIMIT:
            kb.memo.clear()
        text = kb.memo[key] = _describe(kb, qid, value)
    return text


def _describe(kb: KnowledgeBase, qid: str, value: AnswerValue) -> str:
    q = kb.question_by_id[qid]
    if isinstance(value, list):
        words = "; ".join(q.label_of(v) for v in value)
    elif isinstance(value, int):
        words = f"{value} out of {q.scale_max}"
    else:
        words = q.label_of(value)
    return f"{q.short}: {words}"


def describe_test(kb: KnowledgeBase, atom: Atom, answers: Mapping[str, AnswerValue]) -> str:
    """The part of an answer that a test matched, e.g. 'Before it started: I ran a lot more ...'."""
    q = kb.question_by_id[atom.question]
    if atom.op == "has" and atom.option is not None:
        return f"{q.short}: {q.label_of(atom.option)}"
    return describe(kb, atom.question, answers[atom.question])


def _terms(kb: KnowledgeBase, cid: str, answers: Answers) -> Iterable[tuple[str, AnswerValue, float]]:
    """(question id, the answer part that counted, log ratio) for each answer bearing on a condition."""
    for qid, row in kb.log_evidence[cid].items():
        value = answers.get(qid)
        if value is None or value == NOT_SURE or value == [NOT_SURE]:
            continue
        if isinstance(value, int):
            for lo, hi, w in row.ranges:
                if lo <= value <= hi:
                    yield qid, value, w
                    break
        elif isinstance(value, str):
            if value in row.options:
                yield qid, value, row.options[value]
            elif row.other is not None:
                yield qid, value, row.other
        else:
            hits = [v for v in value if v in row.options]
            for v in hits:
                yield qid, v, row.options[v]
            if not hits and row.other is not None:
                yield qid, value, row.other


def score(
    kb: KnowledgeBase, answers: Answers
) -> list[tuple[str, float, list[tuple[str, AnswerValue, float]]]]:
    """Rank conditions: (id, relative likelihood, evidence terms), most likely first; likelihoods sum to 1."""
    rows = []
    for c in kb.conditions:
        terms = list(_terms(kb, c.id, answers))
        rows.append((c.id, kb.log_prior[c.id] + sum(t[2] for t in terms), terms))
    top = max(r[1] for r in rows)
    weights = [math.exp(r[1] - top) for r in rows]
    total = sum(weights)
    ranked = [(cid, w / total, terms) for (cid, _, terms), w in zip(rows, weights, strict=True)]
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked


def _evidence(
    kb: KnowledgeBase, terms: Sequence[tuple[str, AnswerValue, float]], sign: int
) -> list[Evidence]:
    picked = [t for t in terms if t[2] * sign > 0.01]
    picked.sort(key=lambda t: -abs(t[2]))
    return [_evidence_item(kb, qid, value, w) for qid, value, w in picked]


def _evidence_item(kb: KnowledgeBase, qid: str, value: AnswerValue, w: float) -> Evidence:
    """One piece of evidence. Evidence is immutable and depends only on its inputs, so each distinct
    one is built once per knowledge base and shared (this is the hot path of batch scoring)."""
    key = ("evidence", qid, tuple(value) if isinstance(value, list) else value, w)
    item = kb.memo.get(key)
    if item is None:
        if len(kb.memo) > MEMO_LIMIT:  # bounded: memory must not grow with the number of cases
            kb.memo.clear()
        item = kb.memo[key] = Evidence.model_construct(  # built from validated content: no re-validation
            question=qid,
            answer=",".join(value) if isinstance(value, list) else str(value),
            text=describe(kb, qid, value),
            ratio=round(math.exp(w), 2),
        )
    return item


# --------------------------------------------------------------------------- the result


def unscreened(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[str]:
    """Red-flag questions left unanswered or answered 'Not sure'."""
    return [
        q.id
        for q in kb.red_flag_questions
        if answers.get(q.id) in (None, NOT_SURE) or answers.get(q.id) == [NOT_SURE]
    ]


def assess(
    kb: KnowledgeBase,
    answers: Mapping[str, AnswerValue],
    extra_reasons: Sequence[Reason] = (),
) -> TriageResult:
    """Score the answers and decide the urgency. `extra_reasons` raise the level (e.g. from history)."""
    used = effective_answers(kb, answers)
    ranked = score(kb, used)
    meta = kb.meta
    fired = fired_rules(kb, used)

    reasons: list[Reason] = [Reason(source="rule", id=r.id, text=r.reason, level=r.level) for r in fired]
    reasons += _cause_reasons(kb, ranked)
    missing = unscreened(kb, used)
    if missing:
        named = ", ".join(kb.question_by_id[q].short.lower() for q in missing)
        reasons.append(
            Reason(
                source="unscreened",
                id="red_flags_not_screened",
                text=meta.unscreened_reason.format(questions=named),
                level=meta.unscreened_level,
            )
        )
    reasons.extend(extra_reasons)
    reasons.sort(key=lambda r: -r.level.rank)  # stable: rules keep content order within a level
    level = reasons[0].level if reasons else Level.self_care
    if not reasons:
        reasons.append(Reason(source="default", id="no_warning_signs", text=meta.default_reason, level=level))
    info = meta.levels[level]

    # The level's advice, then every fired rule's and finding's own advice, most urgent first.
    advice = list(info.advice)
    extra_advice = [(r.level, a) for r in fired for a in r.advice] + [
        (r.level, a) for r in extra_reasons for a in r.advice
    ]
    for _, a in sorted(extra_advice, key=lambda la: -la[0].rank):
        if not any(_same_advice(a, b) for b in advice):
            advice.append(a)

    causes = [
        RankedCause.model_construct(
            id=cid,
            name=kb.condition_by_id[cid].name,
            likelihood=round(likelihood, 4),
            supporting=_evidence(kb, terms, +1),
            conflicting=_evidence(kb, terms, -1),
        )
        for cid, likelihood, terms in ranked
    ]
    # Causes the answers point to through red-flag rules count as possible even when they score low.
    flagged = [c for r in fired for c in r.points_to]
    urgent_flags = [c for r in fired if r.level.rank >= Level.urgent.rank for c in r.points_to]
    tips = _select_tips(kb, used, level, causes, flagged, urgent_flags, unscreened=bool(missing))

    return TriageResult(
        content_version=meta.content_version,
        answers=dict(used),
        ignored=[q for q in answers if q not in used],
        red_flags_screened=not missing,
        unscreened=missing,
        level=LevelResult(
            id=level, label=info.label, time_frame=info.time_frame, advice=advice, reasons=reasons
        ),
        causes=causes,
        tips=tips,
        disclaimer=meta.disclaimer,
    )


def _cause_reasons(kb: KnowledgeBase, ranked: Sequence[tuple[str, float, object]]) -> list[Reason]:
    """Floors from the causes themselves.

    A cause with a min_level counts as likely when it ranks first or reaches the share for its level;
    a serious cause (min_level urgent or above) among the top causes with at least `possible_cause_share`
    cannot be ruled out, which sets `possible_cause_level`."""
    meta = kb.meta
    out: list[Reason] = []
    for i, (cid, likelihood, _) in enumerate(ranked):
        cond = kb.condition_by_id[cid]
        if cond.min_level is Level.self_care:
            continue
        share = f"{likelihood:.0%}" if likelihood >= 0.005 else "<1%"
        if i == 0 or likelihood >= meta.likely_threshold[cond.min_level]:
            text = meta.likely_cause_reason.format(name=cond.name, share=share)
            out.append(Reason(source="cause", id=cid, text=text, level=cond.min_level))
        elif (
            i < meta.top_causes
            and cond.min_level.rank >= Level.urgent.rank
            and likelihood >= meta.possible_cause_share
        ):
            text = meta.possible_cause_reason.format(name=cond.name, share=share)
            out.append(Reason(source="cause", id=cid, text=text, level=meta.possible_cause_level))
    return out


def _same_advice(a: str, b: str) -> bool:
    """True when one piece of advice says what the other already does (one contains the other)."""
    norm = lambda t: " ".join(t.lower().rstrip(".").split())  # noqa: E731
    return norm(a) in norm(b) or norm(b) in norm(a)


def _select_tips(
    kb: KnowledgeBase,
    answers: Answers,
    level: Level,
    causes: Sequence[RankedCause],
    flagged: Sequence[str] = (),
    urgent_flags: Sequence[str] = (),
    unscreened: bool = False,
) -> list[TipResult]:
    """Tips chosen by the answers or by likely causes, most specific first, "now" before "prevention".

    A tip is withheld above its max_level, or when a cause it is not for is possible: among the top
    causes at any likelihood, pointed to by a fired red-flag rule, or any serious cause when red flags
    were not screened (safety first). A cause selects tips when it is among the top causes with at
    least `tip_cause_share`, or when an urgent or emergency rule points to it."""
    top = kb.meta.top_causes
    possible = {c.id for c in causes[:top]} | set(flagged)
    likely = {c.id: i for i, c in enumerate(causes[:top]) if c.likelihood >= kb.meta.tip_cause_share}
    if unscreened:  # serious causes cannot be ruled out: treat every one as possible
        possible |= {c.id for c in kb.conditions if c.min_level.rank >= Level.urgent.rank}
    for cid in urgent_flags:
        likely.setdefault(cid, 0)
    names = {c.id: c.name for c in causes}
    ranked: list[tuple[tuple, TipResult]] = []
    for tip in kb.tips:
        if level.rank > tip.max_level.rank or set(tip.not_for_causes) & possible:
            continue
        _, _, unless = tip.tests
        if any(_clause(c, answers) for c in unless):
            continue
        said: list[str] = []
        if (tip.when_all or tip.when_any) and applies(tip, answers):
            said = [f"you said: {describe_test(kb, a, answers)}" for a in matched(tip, answers)]
        causes_hit = sorted((likely[c], c) for c in tip.for_causes if c in likely)
        because = said + [f"possible cause: {names[c]}" for _, c in causes_hit]
        if not because:
            continue
        # Safety tips first, then those selected by the user's own answers, then by the likeliest cause;
        # among equals the more specific tip (written for fewer causes) before the general one.
        key = (
            tip.kind != "now",
            -tip.priority,
            not said,
            causes_hit[0][0] if causes_hit else top,
            len(tip.for_causes) or len(kb.conditions),
            -len(said),
        )
        ranked.append(
            (
                key,
                TipResult.model_construct(
                    id=tip.id, kind=tip.kind, text=tip.text, because=list(dict.fromkeys(because))
                ),
            )
        )
    ranked.sort(key=lambda kt: kt[0])
    return [t for _, t in ranked]
