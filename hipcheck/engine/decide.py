"""The decision engine: pure functions of the knowledge base and the answers. No I/O.

- `validate_answers` checks raw answers (from a file or the interview) against the question bank.
- `next_question` walks the interview tree: the first unanswered question whose tests hold.
- `decide` scores causes (naive Bayes over likelihood ratios), sets the urgency from the fired rules,
  unscreened warning signs and many "Not sure" answers (never from the ranking), and selects tips from
  the answers; `assess` returns that decision as a `TriageResult` (`result_json` writes the same
  decision as JSON text).

Batch scoring runs this for every line of a file, so the hot path reads tables compiled once per
knowledge base (`compiled`, `Triggered.clauses`) rather than walking the content records.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any, NamedTuple

from hipcheck.engine import compiled
from hipcheck.engine.compiled import Tables
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import (
    NOT_SURE,
    AnswerValue,
    Atom,
    BriefCause,
    Evidence,
    Level,
    LevelResult,
    Plan,
    Question,
    RankedCause,
    Reason,
    Rule,
    Tip,
    TipResult,
    TriageBrief,
    TriageResult,
    Triggered,
)
from hipcheck.knowledge.text import did_you_mean, echo, echo_value

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
            hint = did_you_mean(str(qid), kb.question_by_id)
            raise AnswerError(f"unknown question id '{echo(qid)}'{hint}; see `hipcheck questions`")
        out[qid] = _validate_one(q, value)
    return out


def _validate_one(q: Question, value: Any) -> AnswerValue:
    if q.kind == "scale":
        if value == NOT_SURE:
            return NOT_SURE
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer()))
        ):
            raise AnswerError(f"{q.id}: expected {_choices(q)}, got {echo_value(value)}")
        if not q.scale_min <= value <= q.scale_max:
            raise AnswerError(f"{q.id}: {echo_value(value)} is out of range; expected {_choices(q)}")
        return int(value)
    index = q.option_index
    if q.kind == "single":
        if not isinstance(value, str) or value not in index:
            raise AnswerError(f"{q.id}: unknown option {echo_value(value)}; valid: {_choices(q)}")
        return value
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise AnswerError(f"{q.id}: expected a list of option ids from: {_choices(q)}")
    for v in values:
        if v not in index:
            raise AnswerError(f"{q.id}: unknown option {echo_value(v)}; valid: {_choices(q)}")
    exclusive = {NOT_SURE, q.none_option} - {None}
    if len(values) > 1 and exclusive & set(values):
        raise AnswerError(
            f"{q.id}: '{'/'.join(sorted(exclusive & set(values)))}' cannot be combined with other options"
        )
    # canonical order, so a file and the interview give identical results
    return sorted(set(values), key=index.__getitem__)


# --------------------------------------------------------------------------- tests on answers


def facts(answers: Mapping[str, AnswerValue]) -> set:
    """What the answers establish, in the form compiled tests look up (`Triggered.clauses`): the question
    id of every question answered (not "Not sure"), and (question id, option id) for every option chosen,
    "not_sure" included."""
    out: set = set()
    for qid, value in answers.items():
        _add_facts(out, qid, value)
    return out


def _add_facts(out: set, qid: str, value: AnswerValue) -> None:
    if value is None:
        return
    if value == NOT_SURE or value == [NOT_SURE]:
        out.add((qid, NOT_SURE))  # `question:not_sure` holds; `question:*` (answered) does not
        return
    out.add(qid)
    if isinstance(value, str):
        out.add((qid, value))
    elif isinstance(value, list):
        out.update([(qid, v) for v in value])


def _number_holds(test: tuple[str, bool, int], answers: Mapping[str, AnswerValue]) -> bool:
    qid, at_least, n = test
    value = answers.get(qid)
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return value >= n if at_least else value <= n


def _clause_holds(plan: Plan, known: set, answers: Mapping[str, AnswerValue]) -> bool:
    keys, numbers = plan
    if not known.isdisjoint(keys):
        return True
    for test in numbers:
        if _number_holds(test, answers):
            return True
    return False


def _any_holds(plans: tuple[Plan, ...], known: set, answers: Mapping[str, AnswerValue]) -> bool:
    for plan in plans:
        if _clause_holds(plan, known, answers):
            return True
    return False


def _applies(rec: Triggered, known: set, answers: Mapping[str, AnswerValue]) -> bool:
    # Plain loops rather than all()/any(): this runs about a hundred times for every answer set scored.
    all_, any_, unless = rec.clauses
    for plan in all_:
        if not _clause_holds(plan, known, answers):
            return False
    if any_:
        for plan in any_:
            if _clause_holds(plan, known, answers):
                break
        else:
            return False
    for plan in unless:
        if _clause_holds(plan, known, answers):
            return False
    return True


def applies(rec: Triggered, answers: Mapping[str, AnswerValue]) -> bool:
    """True when every when_all entry, at least one when_any entry (if any) and no unless entry holds."""
    return _applies(rec, facts(answers), answers)


def holds(atom: Atom, answers: Mapping[str, AnswerValue]) -> bool:
    """One test on the answers (`question:option`, `question:*`, `question>=N`, `question<=N`)."""
    return _atom_holds(atom, facts(answers), answers)


def _atom_holds(atom: Atom, known: set, answers: Mapping[str, AnswerValue]) -> bool:
    if atom.op in (">=", "<="):
        return _number_holds((atom.question, atom.op == ">=", atom.number), answers)  # type: ignore[arg-type]
    return atom.fact in known


def matched(rec: Triggered, answers: Mapping[str, AnswerValue], known: set | None = None) -> list[Atom]:
    """The positive tests that hold (for explaining why a tip or rule was chosen)."""
    known = facts(answers) if known is None else known
    all_, any_, _ = rec.tests
    return [a for clause in (*all_, *any_) for a in clause if _atom_holds(a, known, answers)]


# --------------------------------------------------------------------------- the interview tree


def effective_answers(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Answers:
    """The answers the interview would have used: answers to questions that would not be asked are dropped."""
    return _effective(kb, answers)[0]


def _effective(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> tuple[Answers, set]:
    out: Answers = {}
    known: set = set()
    stops, stop_needs = _stops(kb)
    for q in kb.questions:
        if stops and any(
            (needs is None or not needs.isdisjoint(known)) and _applies(r, known, out)
            for r, needs in zip(stops, stop_needs, strict=True)
        ):
            break  # the interview ends here: later answers are not used
        value = answers.get(q.id)
        if value is not None and _applies(q, known, out):
            out[q.id] = value
            _add_facts(known, q.id, value)
    return out, known


def next_question(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Question | None:
    """The next question to ask, or None when the interview is over (the tree has ended, or a rule
    with `ends_interview` fired: hipcheck cannot assess this person)."""
    known = facts(answers)
    for r in _stops(kb)[0]:
        if _applies(r, known, answers):
            return None
    for q in kb.questions:
        if q.id not in answers and _applies(q, known, answers):
            return _as_asked(q, known, answers)
    return None


_ASKED: dict[tuple[int, tuple[str, ...]], tuple[Question, Question]] = {}


def as_asked(q: Question, answers: Mapping[str, AnswerValue]) -> Question:
    """The question with only the options the interview offers for these answers (see `_as_asked`)."""
    return _as_asked(q, facts(answers), answers)


def _as_asked(q: Question, known: set, answers: Mapping[str, AnswerValue]) -> Question:
    """The question with only the options offered for these answers (an option's own tests, such as
    no testicle question for someone who answered female). The same object when all are offered."""
    if not q.conditional_options:
        return q
    keep = tuple(o.id for o in q.options if _applies(o, known, answers))
    if len(keep) == len(q.options):
        return q
    key = (id(q), keep)
    hit = _ASKED.get(key)
    if hit is None or hit[0] is not q:
        shown = [o for o in q.options if o.id in keep]
        hit = (q, Question.model_validate({**q.model_dump(), "options": [o.model_dump() for o in shown]}))
        _ASKED[key] = hit
    return hit[1]


def planned_questions(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions asked so far plus those that would still be asked (for 'question 4 of about 12')."""
    known = facts(answers)
    return [q for q in kb.questions if q.id in answers or _applies(q, known, answers)]


def fired_rules(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list:
    known = facts(answers)
    return [r for r in kb.rules if _applies(r, known, answers)]


def settled_rules(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list:
    """The fired rules that no question still to come can switch off: every question an `unless` of the
    rule names has been answered or will not be asked. The interview tells of these at once; a rule
    whose exemption is still to be asked (a strain felt at one moment) waits for that answer."""
    ahead = {q.id for q in planned_questions(kb, answers) if q.id not in answers}
    return [
        r
        for r in fired_rules(kb, answers)
        if not any(a.question in ahead for clause in r.tests[2] for a in clause)
    ]


# --------------------------------------------------------------------------- words


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


# --------------------------------------------------------------------------- scoring


def tables(kb: KnowledgeBase) -> Tables:
    """The knowledge base's weights as lookup tables (built on first use)."""
    t = kb.derived.get("tables")
    if t is None:
        t = kb.derived["tables"] = compiled.build(kb)
    return t


@dataclass(frozen=True)
class Scores:
    ranked: list[tuple[int, float]]
    """(condition index, relative likelihood), most likely first; the likelihoods sum to 1"""
    evidence: list[int]
    """the ranks (`Tables.evidence`) of the evidence the answers gave, in the order results list it"""
    other: dict[int, list[str]]
    """evidence rank → the answer, for "other" weights (a multi answer naming none of the condition's)"""

    def grouped(self, t: Tables) -> dict[int, list[int]]:
        """The evidence ranks by list (`Tables.group_of`): 2i is condition i's supporting evidence and
        2i + 1 its conflicting evidence, each strongest first; a list with no evidence is absent."""
        return {k: list(g) for k, g in groupby(self.evidence, t.group_of.__getitem__)}


def log_scores(kb: KnowledgeBase, answers: Answers) -> dict[str, float]:
    """Each condition's score before calibration: its log prior plus its answers' log likelihood ratios
    (for fitting the calibration: `maintenance.accuracy.fit_temperature`)."""
    t = tables(kb)
    columns = [t.log_priors]
    for qid, value in answers.items():
        found = t.weights(qid, value)
        if found is not None:
            columns.append(found.log_ratios)
    return dict(zip(t.condition_ids, map(sum, zip(*columns, strict=True)), strict=True))


def _scores(kb: KnowledgeBase, answers: Answers, evidence: bool = True) -> Scores:
    """The causes ranked; with `evidence` (else left empty), the evidence the answers gave."""
    t = tables(kb)
    weights_of = t.weights
    columns = [t.log_priors]
    ranks: list[int] = []
    other: dict[int, list[str]] = {}
    for qid, value in answers.items():
        found = weights_of(qid, value)
        if found is not None:
            columns.append(found.log_ratios)
            if not evidence:
                continue
            ranks += found.ranks
            if found.other_ranks:
                ranks += found.other_ranks
                other.update(dict.fromkeys(found.other_ranks, value))
    # Each condition's score: its log prior plus its log ratios, added in question order.
    logs = list(map(sum, zip(*columns, strict=True)))
    # Most likely first. Scores equal to 9 places are a tie: the same odds reached through different
    # ratios (4 x 2.5 x 0.7 and 7) differ only in the last bits, which must not decide the order. A
    # stable sort keeps ties in index order: the more serious cause first, then by id.
    order = sorted(range(len(logs)), key=[round(x, 9) for x in logs].__getitem__, reverse=True)
    top = logs[order[0]]
    # The one place the calibration applies: shares are softmax(score / temperature), so a shown 70% is
    # right about 70% of the time on the set it was fitted on (content/meta.toml [calibration]). Dividing
    # by a positive number keeps the order.
    temperature = kb.meta.calibration.temperature
    weights = [math.exp((x - top) / temperature) for x in logs]
    total = sum(weights)
    ranked = [(i, weights[i] / total) for i in order]
    ranks.sort()
    return Scores(ranked, ranks, other)


def score(kb: KnowledgeBase, answers: Answers) -> list[tuple[str, float]]:
    """Rank conditions: (id, relative likelihood), most likely first; likelihoods sum to 1."""
    ids = tables(kb).condition_ids
    return [(ids[i], likelihood) for i, likelihood in _scores(kb, answers).ranked]


def evidence_model(kb: KnowledgeBase, rank: int, other: Mapping[int, list[str]]) -> Evidence:
    """One piece of evidence. Evidence is immutable and depends only on its inputs, so each distinct
    one is built once per knowledge base and shared."""
    key = ("evidence", rank, tuple(other[rank]) if rank in other else None)
    item = kb.memo.get(key)
    if item is None:
        if len(kb.memo) > MEMO_LIMIT:  # bounded: memory must not grow with the number of cases
            kb.memo.clear()
        _, _, qid, value, w = tables(kb).evidence[rank]
        value = other[rank] if value is None else value
        item = kb.memo[key] = Evidence.model_construct(  # built from validated content: no re-validation
            question=qid,
            answer=",".join(value) if isinstance(value, list) else str(value),
            text=describe(kb, qid, value),
            ratio=compiled.ratio(w),
        )
    return item


# --------------------------------------------------------------------------- the decision


class Why(NamedTuple):
    """A reason for the level (the fields of `Reason`; plain, as the batch hot path builds many)."""

    source: str
    id: str
    text: str
    level: Level
    points_to: Sequence[str] = ()
    advice: Sequence[str] = ()
    advice_max_level: Level = Level.emergency


@dataclass(frozen=True)
class Decision:
    """Everything `assess` decided, before it is dressed as a `TriageResult` (or written as JSON by
    `result_json`, which gives the same text as the model would)."""

    answers: Answers
    ignored: list[str]
    unscreened: list[str]
    level: Level
    advice: list[str]
    reasons: list[Why]
    scores: Scores
    likelihoods: list[float]  # of scores.ranked, rounded as results show them
    tips: list[tuple[Tip, list[str]]]
    not_ruled_out: list[str]  # causes the rules at the level (urgent or above) point to


def unscreened(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[str]:
    """Red-flag questions left unanswered or answered 'Not sure'."""
    return [
        q.id
        for q in kb.red_flag_questions
        if answers.get(q.id) in (None, NOT_SURE) or answers.get(q.id) == [NOT_SURE]
    ]


class Brief(NamedTuple):
    """The level with its reasons' ids, the top causes and the causes not ruled out: what `decide` gives
    for them, worked out without the rest (evidence, advice, tips) for `--json --brief`."""

    level: Level
    reasons: list[str]
    top: list[tuple[str, float]]  # (cause id, likelihood as the result shows it), most likely first
    not_ruled_out: list[str]


def decide_brief(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Brief:
    """`decide(kb, answers)`'s level, reason ids, top causes and causes not ruled out, by the same code
    (`_fired`, `_level`, `_scores`), leaving out what the brief result does not show."""
    used, known = _effective(kb, answers)
    fired = _fired(kb, used, known)
    level, reasons, _ = _level(kb, used, fired, ())
    scores = _scores(kb, used, evidence=False)
    ids = tables(kb).condition_ids
    top = [(ids[i], round(likelihood, 4)) for i, likelihood in scores.ranked[: kb.meta.top_causes]]
    return Brief(level, [r.id for r in reasons], top, _not_ruled_out(kb, fired, used))


def assess_brief(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> TriageBrief:
    """`decide_brief` as a `TriageBrief` (the result of `--json --brief`)."""
    b = decide_brief(kb, answers)
    return TriageBrief(
        content_version=kb.meta.content_version,
        level=b.level,
        reasons=b.reasons,
        causes=[BriefCause(id=cid, likelihood=likelihood) for cid, likelihood in b.top],
        not_ruled_out=b.not_ruled_out,
    )


def _fired(kb: KnowledgeBase, used: Answers, known: set) -> list[Rule]:
    """The rules the answers fire, in content order."""
    rules = kb.rules
    return [r for i in _fixed(kb).rules.candidates(known) if _applies(r := rules[i], known, used)]


def _not_ruled_out(kb: KnowledgeBase, fired: Sequence[Rule], used: Answers) -> list[str]:
    """The causes fired urgent-or-higher rules (and rules marked `not_ruled_out`) point to, most serious
    rule first; a cause that cannot happen to the sex answered is left out ("rather not say" keeps every
    one)."""
    serious_rules = sorted(
        (r for r in fired if r.level.rank >= Level.urgent.rank or r.not_ruled_out),
        key=lambda r: -r.level.rank,
    )
    sex = used.get("sex")
    other_sex = {
        c.id for c in kb.conditions if c.sex is not None and sex in ("female", "male") and c.sex != sex
    }
    return [c for c in dict.fromkeys(c for r in serious_rules for c in r.points_to) if c not in other_sex]


def _level(
    kb: KnowledgeBase, used: Answers, fired: Sequence[Rule], extra_reasons: Sequence[Reason]
) -> tuple[Level, list[Why], list[str]]:
    """(the level, its reasons, the red-flag questions not screened)."""
    meta = kb.meta
    # The level comes from rules on the answers themselves, never from the ranking of causes: a
    # competing explanation must not lower it, and a rule tests only worrying answers, so one more
    # warning sign can only add reasons (`checks` enforces this on the content; see docs/safety.md).
    reasons = [Why("rule", r.id, r.reason, r.level, r.points_to, r.advice, r.advice_max_level) for r in fired]
    stopped = any(r.ends_interview for r in fired)
    missing = [] if stopped else unscreened(kb, used)
    if missing:
        named = ", ".join(kb.question_by_id[q].short.lower() for q in missing)
        text = meta.unscreened_reason.format(questions=named)
        reasons.append(Why("unscreened", "red_flags_not_screened", text, meta.unscreened_level))
    vague = [q for q, v in used.items() if v == NOT_SURE or v == [NOT_SURE]]
    if len(vague) >= meta.vague_count:
        text = meta.vague_reason.format(count=len(vague))
        reasons.append(Why("vague", "many_not_sure", text, meta.vague_level))
    reasons += [
        Why(r.source, r.id, r.text, r.level, r.points_to, r.advice, r.advice_max_level) for r in extra_reasons
    ]
    reasons.sort(key=lambda r: -r.level.rank)  # stable: rules keep content order within a level
    level = reasons[0].level if reasons else Level.self_care
    if not reasons:
        reasons.append(Why("default", "no_warning_signs", meta.default_reason, level))
    return level, reasons, missing


def decide(
    kb: KnowledgeBase,
    answers: Mapping[str, AnswerValue],
    extra_reasons: Sequence[Reason] = (),
) -> Decision:
    """The whole decision for these answers: the effective answers, scores, level with its reasons and
    advice, and tips. `extra_reasons` raise the level (e.g. from history). `assess` presents it as a
    `TriageResult`, `result_json.dumps` as the same JSON text."""
    used, known = _effective(kb, answers)
    scores = _scores(kb, used)
    meta = kb.meta
    fired = _fired(kb, used, known)
    level, reasons, missing = _level(kb, used, fired, extra_reasons)

    # The level's advice, then every fired rule's and finding's own advice, most urgent first (unless
    # the level is above the advice's max level: a more urgent level's own advice says it already).
    advice = list(meta.levels[level].advice)
    extra_advice = [(r.level, a) for r in reasons if level.rank <= r.advice_max_level.rank for a in r.advice]
    for _, a in sorted(extra_advice, key=lambda la: -la[0].rank):
        if not any(_same_advice(a, b) for b in advice):
            advice.append(a)

    likelihoods = [round(likelihood, 4) for _, likelihood in scores.ranked]
    # Causes a reason for the level points to (a red-flag rule at any level, or a history finding) count
    # as possible even when they score low.
    flagged = [c for r in reasons for c in r.points_to]
    urgent_flags = [c for r in fired if r.level.rank >= Level.urgent.rank for c in r.points_to]
    ids = tables(kb).condition_ids
    shares = [(ids[i], share) for (i, _), share in zip(scores.ranked, likelihoods, strict=True)]
    tips = _select_tips(kb, used, known, level, shares, flagged, urgent_flags, unscreened=bool(missing))
    not_ruled_out = _not_ruled_out(kb, fired, used)
    return Decision(
        answers=used,
        ignored=[q for q in answers if q not in used],
        unscreened=missing,
        level=level,
        advice=advice,
        reasons=reasons,
        scores=scores,
        likelihoods=likelihoods,
        tips=tips,
        not_ruled_out=not_ruled_out,
    )


def assess(
    kb: KnowledgeBase,
    answers: Mapping[str, AnswerValue],
    extra_reasons: Sequence[Reason] = (),
) -> TriageResult:
    """Score the answers and decide the urgency. `extra_reasons` raise the level (e.g. from history)."""
    d = decide(kb, answers, extra_reasons)
    t = tables(kb)
    info = kb.meta.levels[d.level]
    causes = []
    conditions = t.conditions
    groups = d.scores.grouped(t)
    for (i, _), likelihood in zip(d.scores.ranked, d.likelihoods, strict=True):
        cond = conditions[i]
        causes.append(
            RankedCause.model_construct(
                id=cond.id,
                name=cond.name,
                likelihood=likelihood,
                supporting=[evidence_model(kb, r, d.scores.other) for r in groups.get(2 * i, ())],
                conflicting=[evidence_model(kb, r, d.scores.other) for r in groups.get(2 * i + 1, ())],
            )
        )
    return TriageResult(
        content_version=kb.meta.content_version,
        region=kb.region.info() if kb.region is not None else None,
        answers=dict(d.answers),
        ignored=d.ignored,
        red_flags_screened=not d.unscreened,
        unscreened=d.unscreened,
        level=LevelResult(
            id=d.level,
            label=info.label,
            time_frame=info.time_frame,
            advice=d.advice,
            reasons=[Reason(**{**r._asdict(), "points_to": list(r.points_to)}) for r in d.reasons],
            not_ruled_out=d.not_ruled_out,
        ),
        causes=causes,
        tips=[
            TipResult.model_construct(id=tip.id, kind=tip.kind, text=tip.text, because=because)
            for tip, because in d.tips
        ],
        disclaimer=kb.meta.disclaimer,
    )


def _same_advice(a: str, b: str) -> bool:
    """True when one piece of advice says what the other already does (one contains the other)."""
    a, b = _plain(a), _plain(b)
    return a in b or b in a


@lru_cache(maxsize=1024)
def _plain(text: str) -> str:
    return " ".join(text.lower().rstrip(".").split())


def _needs(rec: Triggered) -> frozenset | None:
    """Facts of which the answers must establish at least one for `rec` to apply, or None when there is
    no such set (its tests are on numbers, or it has none). A clause holds only when the answers share
    one of its facts or a number test holds (`_clause_holds`), so: the facts of a `when_all` clause that
    tests no number, or all the facts of `when_any` when none of its clauses tests a number."""
    all_, any_, _ = rec.clauses
    for keys, numbers in sorted(all_, key=lambda plan: len(plan[0])):
        if not numbers:
            return keys
    if any_ and not any(numbers for _, numbers in any_):
        return frozenset().union(*(keys for keys, _ in any_))
    return None


class _Index:
    """Which records (by position) can apply to the answers at all, from the facts they establish: a
    filter before `_applies`, never instead of it. Most rules and tips test answers a given case did
    not give, and looking them up costs less than testing each."""

    def __init__(self, needs: Sequence[frozenset | None]) -> None:
        self.always = [i for i, n in enumerate(needs) if n is None]
        self.by_fact: dict[Any, list[int]] = {}
        for i, n in enumerate(needs):
            for fact in n or ():
                self.by_fact.setdefault(fact, []).append(i)

    def candidates(self, known: set, also: Sequence[int] = ()) -> list[int]:
        """The positions that may apply, in content order (`also`: more positions to include)."""
        found = set(self.always)
        found.update(also)
        by_fact = self.by_fact
        for fact in known:
            hit = by_fact.get(fact)
            if hit is not None:
                found.update(hit)
        return sorted(found)


@dataclass(frozen=True)
class _Fixed:
    """Facts about the content the decision looks up for every answer set, worked out once."""

    serious: frozenset[str]  # causes with min_level urgent or above
    rules: _Index  # of kb.rules
    tips: tuple[tuple[Tip, int, frozenset[str], bool, int, frozenset[str]], ...]
    """(tip, rank of its max_level, causes it is not for, selected by answers?, how many causes it is
    for, the causes it is for)"""
    tip_index: _Index  # of the tips selected by answers (the others never apply by answers)
    tips_for: dict[str, list[int]]  # cause id → the positions of the tips written for it


def _stops(kb: KnowledgeBase) -> tuple[tuple[Rule, ...], tuple[frozenset | None, ...]]:
    """The rules that end the interview, and the `_needs` of each (apart from `_fixed`: the interview
    needs these before its first question, not the rest)."""
    found = kb.derived.get("stops")
    if found is None:
        stops = tuple(r for r in kb.rules if r.ends_interview)
        found = kb.derived["stops"] = (stops, tuple(_needs(r) for r in stops))
    return found


def _fixed(kb: KnowledgeBase) -> _Fixed:
    fixed = kb.derived.get("fixed")
    if fixed is None:
        tips_for: dict[str, list[int]] = {}
        for i, tip in enumerate(kb.tips):
            for cid in tip.for_causes:
                tips_for.setdefault(cid, []).append(i)
        fixed = kb.derived["fixed"] = _Fixed(
            serious=frozenset(c.id for c in kb.conditions if c.min_level.rank >= Level.urgent.rank),
            rules=_Index([_needs(r) for r in kb.rules]),
            tip_index=_Index(
                [_needs(tip) if (tip.when_all or tip.when_any) else frozenset() for tip in kb.tips]
            ),
            tips_for=tips_for,
            tips=tuple(
                (
                    tip,
                    tip.max_level.rank,
                    frozenset(tip.not_for_causes),
                    bool(tip.when_all or tip.when_any),
                    len(tip.for_causes) or len(kb.conditions),
                    frozenset(tip.for_causes),
                )
                for tip in kb.tips
            ),
        )
    return fixed


def still_possible(
    kb: KnowledgeBase, ranked: Sequence[str], pointed_to: Iterable[str], unscreened: bool
) -> frozenset[str]:
    """The one definition of a cause that is still possible, for the tips, the first steps and the plan
    (engine/plan.py): among the `top_causes` most likely at any likelihood (`ranked`, most likely
    first), pointed to by a reason for the level (a fired red-flag rule at any level, or a history
    finding), or, when red flags were not screened, any serious cause (safety first)."""
    out = set(ranked[: kb.meta.top_causes]) | set(pointed_to)
    if unscreened:
        out |= _fixed(kb).serious
    return frozenset(out)


def possible_causes(kb: KnowledgeBase, result: TriageResult) -> frozenset[str]:
    """`still_possible` for a triage result."""
    return still_possible(
        kb,
        [c.id for c in result.causes],
        (c for r in result.level.reasons for c in r.points_to),
        bool(result.unscreened),
    )


def _select_tips(
    kb: KnowledgeBase,
    answers: Answers,
    known: set,
    level: Level,
    causes: Sequence[tuple[str, float]],
    flagged: Sequence[str] = (),
    urgent_flags: Sequence[str] = (),
    unscreened: bool = False,
) -> list[tuple[Tip, list[str]]]:
    """Tips chosen by the answers or by likely causes, most specific first, "now" before "prevention".

    A tip is withheld above its max_level, or when a cause it is not for is possible: among the top
    causes at any likelihood, pointed to by a fired red-flag rule, or any serious cause when red flags
    were not screened (safety first). A cause selects tips when it is among the top causes with at
    least `tip_cause_share`, or when an urgent or emergency rule points to it."""
    top = kb.meta.top_causes
    fixed = _fixed(kb)
    possible = still_possible(kb, [cid for cid, _ in causes], flagged, unscreened)
    likely = {cid: i for i, (cid, share) in enumerate(causes[:top]) if share >= kb.meta.tip_cause_share}
    for cid in urgent_flags:
        likely.setdefault(cid, 0)
    level_rank = level.rank
    by_rank = sorted((i, cid) for cid, i in likely.items())
    ranked: list[tuple[tuple, Tip, list[str]]] = []
    # Only the tips that can be selected: by the answers (`_Index`) or written for a likely cause; the
    # others would be passed over below (no `said`, no `causes_hit`).
    tips_for = fixed.tips_for
    by_cause = [i for cid in likely for i in tips_for.get(cid, ())]
    all_tips = fixed.tips
    for position in fixed.tip_index.candidates(known, by_cause):
        tip, max_rank, not_for, by_answers, breadth, for_causes = all_tips[position]
        if (
            level_rank > max_rank
            or not possible.isdisjoint(not_for)
            or _any_holds(tip.clauses[2], known, answers)
        ):
            continue  # above its level, a cause it is not for is possible, or one of its `unless` holds
        said: list[str] = []
        if by_answers and _applies(tip, known, answers):
            said = [f"you said: {describe_test(kb, a, answers)}" for a in matched(tip, answers, known)]
        causes_hit = [(i, cid) for i, cid in by_rank if cid in for_causes]
        if not (said or causes_hit):
            continue
        because = said + [f"possible cause: {kb.condition_by_id[c].name}" for _, c in causes_hit]
        # Safety tips first, then those selected by the user's own answers, then by the likeliest cause;
        # among equals the more specific tip (written for fewer causes) before the general one.
        key = (
            tip.kind != "now",
            -tip.priority,
            not said,
            causes_hit[0][0] if causes_hit else top,
            breadth,
            -len(said),
        )
        ranked.append((key, tip, list(dict.fromkeys(because))))
    ranked.sort(key=lambda kt: kt[0])
    return [(tip, because) for _, tip, because in ranked]


# --------------------------------------------------------------------------- the likely cause's first steps


class FirstSteps(NamedTuple):
    """What the result screen shows of the likely cause's own page: its id, its name and its first steps."""

    cause: str
    name: str
    steps: list[str]


def _never_with_first_steps(kb: KnowledgeBase) -> frozenset[str]:
    """The causes whose possibility withholds every cause's first steps: every serious cause, every cause
    with min_level urgent or above (bone stress injuries, avulsions), and every cause that a loading tip
    (max_level routine or lower: the tips that tell you to run, stretch, strengthen or massage) lists in
    `not_for_causes`, unless that cause has first steps of its own (a tip closed to a tendon problem is
    about one move, such as a stretch that squeezes the tendon; the tendon's own first steps are written
    for it)."""
    found = kb.derived.get("never_with_first_steps")
    if found is None:
        own = {c.id for c in kb.conditions if c.first_steps}
        closed = {c for t in kb.tips if t.max_level.rank <= Level.routine.rank for c in t.not_for_causes}
        floor = {
            c.id for c in kb.conditions if c.category == "serious" or c.min_level.rank >= Level.urgent.rank
        }
        found = kb.derived["never_with_first_steps"] = frozenset(floor | (closed - own))
    return found


def first_steps(kb: KnowledgeBase, result: TriageResult) -> FirstSteps | None:
    """The likely cause's own first steps (its `first_steps`, taken word for word from its cited self-care),
    or None when they must not be shown. They are advice to keep active and start loading the hip, so they
    follow the rules that withhold loading tips (docs/safety.md, H2), and are shown only when all hold:

    - the level is self_care or routine (the loading tips' max_level): never urgent, same_day or emergency;
    - every red-flag question was answered (unscreened warning signs leave every serious cause possible);
    - no cause in `_never_with_first_steps` is possible: among the top causes at any likelihood, or pointed
      to by any reason for the level (a fired rule, or a history finding);
    - the top cause has at least `tip_cause_share` (as for a cause to select tips) and has first steps.
    """
    if result.level.id.rank > Level.routine.rank or result.unscreened or not result.causes:
        return None
    top = result.causes[0]
    cond = kb.condition_by_id.get(top.id)
    if cond is None or not cond.first_steps or top.likelihood < kb.meta.tip_cause_share:
        return None
    if not possible_causes(kb, result).isdisjoint(_never_with_first_steps(kb)):
        return None
    return FirstSteps(cond.id, cond.name, list(cond.first_steps))
