"""Batch scoring: `hipcheck triage --answers cases.jsonl --json`, one answer object per line in, one
compact result per line out, streaming.

`Scorer` compiles the knowledge base once into plain tuples, sets and pre-serialised JSON fragments,
then turns an answer object into exactly the text `engine.assess(kb, engine.validate_answers(kb, raw))
.model_dump_json()` gives, without building pydantic objects per result. `engine` stays the reference:
tests/test_batch.py checks the two agree byte for byte on thousands of random answer sets, and any
input the fast checks do not accept is handed to `engine` (so errors read the same).

Batch mode ignores the history: a line is an answer set from a script, not the user's own check-in,
so nothing is read from or saved to `hipcheck history`, and the result depends on the line alone.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring as _enc  # the C encoder; keeps non-ASCII as is, like pydantic
from operator import itemgetter
from typing import IO, TYPE_CHECKING, Any

from . import engine
from .engine import AnswerError
from .models import NOT_SURE, Evidence, Level, Reason, TriageResult

if TYPE_CHECKING:
    from .content import KnowledgeBase
    from .models import Atom, Triggered

BATCH_SUFFIXES = (".jsonl", ".ndjson")
_MEMO_MAX = 4096  # bound on each memo, so memory does not grow with the number of cases
_NS = [NOT_SURE]
_KEY0 = itemgetter(0)


def _dump(value: Any) -> str:
    import pydantic_core

    return pydantic_core.to_json(value).decode()


def _strings(items: Iterable[str]) -> str:
    return "[" + ",".join(_enc(s) for s in items) + "]"


class _Tests:
    """A Triggered record's tests, compiled: each clause is (answer keys, scale tests)."""

    __slots__ = ("all_", "any_", "unless", "positive", "empty")

    def __init__(self, rec: Triggered):
        all_, any_, unless = rec.tests
        self.all_ = tuple(_clause(c) for c in all_)
        self.any_ = tuple(_clause(c) for c in any_)
        self.unless = tuple(_clause(c) for c in unless)
        self.empty = not (all_ or any_ or unless)
        # The positive tests in order, for "you said: ..." (engine.matched / describe_test).
        self.positive = tuple(_atom(a) for clause in (*all_, *any_) for a in clause)


def _atom(a: Atom) -> tuple:
    if a.op == "has":
        return ("k", (a.question, a.option), a)
    if a.op == "answered":
        return ("k", (a.question, "*"), a)
    return (a.op, a.question, a.number, a)


def _clause(clause: tuple[Atom, ...]) -> tuple[frozenset, tuple]:
    keys = frozenset(
        (a.question, a.option if a.op == "has" else "*") for a in clause if a.op in ("has", "answered")
    )
    scales = tuple((a.op, a.question, a.number) for a in clause if a.op in (">=", "<="))
    return keys, scales


def _clause_holds(clause: tuple[frozenset, tuple], held: set, values: dict) -> bool:
    keys, scales = clause
    if not keys.isdisjoint(held):
        return True
    for op, qid, n in scales:
        v = values.get(qid)
        if type(v) is int and (v >= n if op == ">=" else v <= n):
            return True
    return False


def _applies(t: _Tests, held: set, values: dict) -> bool:
    if t.empty:
        return True
    for c in t.all_:
        if not _clause_holds(c, held, values):
            return False
    if t.any_ and not any(_clause_holds(c, held, values) for c in t.any_):
        return False
    return not any(_clause_holds(c, held, values) for c in t.unless)


def _hold(held: set, qid: str, v: Any) -> None:
    """Add the answer keys an answer makes true (engine.holds: 'Not sure' makes none true)."""
    if v == NOT_SURE or v == _NS:
        return
    held.add((qid, "*"))
    if type(v) is str:
        held.add((qid, v))
    elif type(v) is list:
        for o in v:
            held.add((qid, o))


class Scorer:
    """Turns raw answer objects into result JSON, identical to the engine's, many times faster."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        meta = kb.meta
        self.questions = []  # (id, kind, option index, exclusive, scale range, tests)
        for q in kb.questions:
            ids = q.option_ids
            self.questions.append(
                (
                    q.id,
                    q.kind,
                    {o: i for i, o in enumerate(ids)},
                    frozenset({NOT_SURE, q.none_option} - {None}),
                    (q.scale_min, q.scale_max),
                    _Tests(q),
                )
            )
        self.qindex = {q.id: q for q in kb.questions}
        self.red_flags = tuple(q.id for q in kb.red_flag_questions)
        self.short_lower = {q.id: q.short.lower() for q in kb.questions}

        # Scoring: per question, the conditions with a row for it, in question-bank order.
        self.cids = [c.id for c in kb.conditions]
        self.log_prior = [kb.log_prior[c] for c in self.cids]
        self.n = len(self.cids)
        qorder = {q.id: i for i, q in enumerate(kb.questions)}
        self.rows: dict[str, list[tuple]] = {q.id: [] for q in kb.questions}
        self.in_order = []
        for ci, cid in enumerate(self.cids):
            rows = kb.log_evidence[cid]
            self.in_order.append(list(rows) == sorted(rows, key=lambda qid: qorder.get(qid, -1)))
            for pos, (qid, row) in enumerate(rows.items()):
                self.rows.setdefault(qid, []).append((ci, pos, row))
        self._ev: dict[tuple, tuple] = {}
        self._entries: dict[tuple, tuple] = {}
        self.fixed_terms: dict[tuple[str, Any], tuple] = {}  # (qid, str or int value) -> terms
        for q in kb.questions:
            values: list[Any] = (
                list(range(q.scale_min, q.scale_max + 1))
                if q.kind == "scale"
                else [o for o in q.option_ids if o != NOT_SURE]
            )
            for v in values:
                if q.kind == "multi":
                    self.fixed_terms[(q.id, v)] = self._multi_hits(q.id, v)
                else:
                    self.fixed_terms[(q.id, v)] = self._single_terms(q.id, v)
        self.multi_other = {
            qid: tuple((ci, pos, row.other) for ci, pos, row in rows if row.other is not None)
            for qid, rows in self.rows.items()
        }
        self.cause_head = [
            '{"id":' + _enc(c.id) + ',"name":' + _enc(c.name) + ',"likelihood":' for c in kb.conditions
        ]
        self.cond = list(kb.conditions)
        self.top = meta.top_causes
        self.threshold = {lv: t for lv, t in meta.likely_threshold.items()}

        # Rules and tips.
        self.rules = [
            (
                _Tests(r),
                r.level,
                Reason(source="rule", id=r.id, text=r.reason, level=r.level).model_dump_json(),
                tuple(r.advice),
                tuple(r.points_to),
            )
            for r in kb.rules
        ]
        self.tips = []
        for t in kb.tips:
            self.tips.append(
                (
                    t,
                    _Tests(t),
                    t.max_level.rank,
                    frozenset(t.not_for_causes),
                    tuple(t.for_causes),
                    bool(t.when_all or t.when_any),
                    '{"id":'
                    + _enc(t.id)
                    + ',"kind":'
                    + _enc(t.kind)
                    + ',"text":'
                    + _enc(t.text)
                    + ',"because":',
                )
            )
        self.likely_cause = {c.id: f"possible cause: {c.name}" for c in kb.conditions}
        self.level_fixed = {
            lv: (
                '{"id":'
                + _enc(lv.value)
                + ',"label":'
                + _enc(info.label)
                + ',"time_frame":'
                + _enc(info.time_frame),
                list(info.advice),
            )
            for lv, info in meta.levels.items()
        }
        self.default_reason = {
            lv: Reason(
                source="default", id="no_warning_signs", text=meta.default_reason, level=lv
            ).model_dump_json()
            for lv in Level
        }
        self.unscreened_level = meta.unscreened_level
        self.unscreened_reason = meta.unscreened_reason
        self.head = '{"schema_version":' + _enc(TriageResult.model_fields["schema_version"].default)
        self.head += ',"content_version":' + _enc(meta.content_version) + ',"answers":'
        self.tail = ',"disclaimer":' + _enc(meta.disclaimer) + "}"
        self._floats: dict[float, str] = {}
        self._valid: dict[tuple, Any] = {}
        self._terms: list[list] = [[] for _ in self.cids]
        self._append = [t.append for t in self._terms]
        self._said: dict[tuple, str] = {}
        self._advice: dict[tuple, str] = {}
        self._json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    # ------------------------------------------------------------------ compile helpers

    def _evidence(self, qid: str, value: Any, w: float) -> tuple:
        """(w, -|w|, JSON of the Evidence) for one term, memoised."""
        key = (qid, tuple(value) if isinstance(value, list) else value, w)
        hit = self._ev.get(key)
        if hit is None:
            ev = Evidence(
                question=qid,
                answer=",".join(value) if isinstance(value, list) else str(value),
                text=engine.describe(self.kb, qid, value),
                ratio=round(math.exp(w), 2),
            )
            hit = (w, -abs(w), ev.model_dump_json(), 1 if w > 0.01 else -1 if w < -0.01 else 0)
            if len(self._ev) >= _MEMO_MAX:
                self._ev.clear()
            self._ev[key] = hit
        return hit

    def _entry(self, pos: int, qid: str, v: Any, w: float) -> tuple:
        """(row position, w, -|w|, Evidence JSON, +1 supporting / -1 conflicting / 0 neither), memoised."""
        key = (pos, qid, tuple(v) if isinstance(v, list) else v, w)
        hit = self._entries.get(key)
        if hit is None:
            if len(self._entries) >= _MEMO_MAX:
                self._entries.clear()
            hit = self._entries[key] = (pos, *self._evidence(qid, v, w))
        return hit

    def _single_terms(self, qid: str, v: Any) -> tuple:
        out = []
        for ci, pos, row in self.rows.get(qid, ()):
            if isinstance(v, int):
                for lo, hi, w in row.ranges:
                    if lo <= v <= hi:
                        out.append((ci, self._entry(pos, qid, v, w)))
                        break
            elif v in row.options:
                out.append((ci, self._entry(pos, qid, v, row.options[v])))
            elif row.other is not None:
                out.append((ci, self._entry(pos, qid, v, row.other)))
        return tuple(out)

    def _multi_hits(self, qid: str, v: str) -> tuple:
        return tuple(
            (ci, self._entry(pos, qid, v, row.options[v]))
            for ci, pos, row in self.rows.get(qid, ())
            if v in row.options
        )

    def _float(self, x: float) -> str:
        s = self._floats.get(x)
        if s is None:
            s = _dump(x)
            if len(self._floats) >= _MEMO_MAX:
                self._floats.clear()
            self._floats[x] = s
        return s

    # ------------------------------------------------------------------ per answer set

    def validate(self, raw: Any) -> dict[str, Any]:
        """engine.validate_answers, memoised per (question, answer); the engine decides every new pair,
        so the rules (and the error messages) are the engine's."""
        if type(raw) is not dict:
            return engine.validate_answers(self.kb, raw)
        out: dict[str, Any] = {}
        memo = self._valid
        for qid, value in raw.items():
            t = type(value)
            try:
                key = (qid, t, tuple(value) if t is list else value)
                out[qid] = memo[key]
                continue
            except (KeyError, TypeError):
                pass
            q = self.qindex.get(qid)
            if q is None:
                return engine.validate_answers(self.kb, raw)  # raises, naming the unknown id
            good = engine._validate_one(q, value)
            if t is str or t is int or t is list:
                if len(memo) >= _MEMO_MAX:
                    memo.clear()
                memo[key] = good
            out[qid] = good
        return out

    def result_json(self, raw: Any) -> str:
        """The compact JSON of `assess(kb, validate_answers(kb, raw))`; AnswerError for bad answers."""
        answers = self.validate(raw)

        # Which answers the interview would have used (engine.effective_answers).
        used: dict[str, Any] = {}
        held: set = set()
        for qid, _kind, _idx, _excl, _rng, tests in self.questions:
            if qid in answers and (tests.empty or _applies(tests, held, used)):
                v = used[qid] = answers[qid]
                _hold(held, qid, v)

        # Scores (engine.score): terms per condition, in each condition's row order.
        terms = self._terms
        for tl in terms:
            tl.clear()
        app = self._append
        fixed = self.fixed_terms
        for qid, v in used.items():
            if type(v) is list:
                if v == _NS:
                    continue
                for o in v:
                    for ci, e in fixed[(qid, o)]:
                        app[ci](e)
                others = self.multi_other[qid]
                if others:
                    hit = {ci for o in v for ci, _ in fixed[(qid, o)]}
                    for ci, pos, w in others:
                        if ci not in hit:
                            app[ci](self._entry(pos, qid, v, w))
            elif v != NOT_SURE:
                for ci, e in fixed[(qid, v)]:
                    app[ci](e)
        scores = []
        tails = []
        lp = self.log_prior
        in_order = self.in_order
        for ci, tl in enumerate(terms):
            if len(tl) > 1 and not in_order[ci]:
                tl.sort(key=_KEY0)  # stable: a multi answer's terms stay in answer order
            sup = [e for e in tl if e[4] == 1]
            con = [e for e in tl if e[4] == -1]
            if len(sup) > 1:
                sup.sort(key=_NABS)
            if len(con) > 1:
                con.sort(key=_NABS)
            scores.append(lp[ci] + sum(map(_W, tl)))
            tails.append(
                ',"supporting":['
                + ",".join(map(_FRAG, sup))
                + '],"conflicting":['
                + ",".join(map(_FRAG, con))
                + "]}"
            )
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        total = sum(weights)
        cids = self.cids
        ranked = sorted(((cids[ci], w / total, ci) for ci, w in enumerate(weights)), key=_RANK)

        # Urgency (engine.assess).
        fired = [r for r in self.rules if _applies(r[0], held, used)]
        reasons: list[tuple[int, str, Level]] = [(r[1].rank, r[2], r[1]) for r in fired]
        for r in engine._cause_reasons(self.kb, ranked):  # few per result: the engine's own words
            reasons.append((r.level.rank, r.model_dump_json(), r.level))
        missing = [qid for qid in self.red_flags if used.get(qid) in (None, NOT_SURE) or used.get(qid) == _NS]
        if missing:
            lv = self.unscreened_level
            text = self.unscreened_reason.format(questions=", ".join(self.short_lower[q] for q in missing))
            reasons.append(
                (
                    lv.rank,
                    '{"source":"unscreened","id":"red_flags_not_screened","text":'
                    + _enc(text)
                    + ',"level":"'
                    + lv.value
                    + '"}',
                    lv,
                )
            )
        if reasons:
            reasons.sort(key=lambda r: -r[0])
            level = reasons[0][2]
            reason_json = ",".join(r[1] for r in reasons)
        else:
            level = Level.self_care
            reason_json = self.default_reason[level]
        level_head, base_advice = self.level_fixed[level]
        # The level's advice, then every fired rule's advice, most urgent first (engine.assess).
        akey = (level, tuple(r[2] for r in fired if r[3]))
        advice_json = self._advice.get(akey)
        if advice_json is None:
            advice = list(base_advice)
            extra = [(r[1], a) for r in fired for a in r[3]]
            for _, a in sorted(extra, key=lambda la: -la[0].rank):
                if not any(engine._same_advice(a, b) for b in advice):
                    advice.append(a)
            advice_json = _strings(advice)
            if len(self._advice) >= _MEMO_MAX:
                self._advice.clear()
            self._advice[akey] = advice_json

        # Causes.
        fl = self._float
        cause_parts = []
        tops: list[tuple[str, float]] = []
        for cid, likelihood, ci in ranked:
            rounded = round(likelihood, 4)
            if len(tops) < self.top:
                tops.append((cid, rounded))
            cause_parts.append(self.cause_head[ci] + fl(rounded) + tails[ci])

        flagged = [c for r in fired for c in r[4]]
        urgent_flags = [c for r in fired if r[1].rank >= _URGENT for c in r[4]]
        tips_json = self._tips(used, held, level, tops, flagged, urgent_flags)

        return "".join(
            [
                self.head,
                self._json(used),
                ',"ignored":',
                _strings([q for q in answers if q not in used]),
                ',"red_flags_screened":',
                "false" if missing else "true",
                ',"unscreened":',
                _strings(missing),
                ',"level":',
                level_head,
                ',"advice":',
                advice_json,
                ',"reasons":[',
                reason_json,
                ']},"causes":[',
                ",".join(cause_parts),
                '],"tips":[',
                tips_json,
                "]",
                self.tail,
            ]
        )

    def _tips(
        self,
        used: dict,
        held: set,
        level: Level,
        tops: list[tuple[str, float]],
        flagged: list[str],
        urgent_flags: list[str],
    ) -> str:
        """engine._select_tips, on the compiled tests."""
        possible = {cid for cid, _ in tops} | set(flagged)
        share = self.kb.meta.tip_cause_share
        likely = {cid: i for i, (cid, lik) in enumerate(tops) if i == 0 or lik >= share}
        for cid in urgent_flags:
            likely.setdefault(cid, 0)
        top_ids = possible
        rank = level.rank
        ranked = []
        for tip, tests, max_rank, not_for, for_causes, selects, head in self.tips:
            if rank > max_rank or not not_for.isdisjoint(top_ids):
                continue
            if tests.unless and any(_clause_holds(c, held, used) for c in tests.unless):
                continue
            said: list[str] = []
            if selects and _applies(tests, held, used):
                said = [self._said_text(a, held, used) for a in tests.positive]
                said = [s for s in said if s is not None]
            causes_hit = sorted((likely[c], c) for c in for_causes if c in likely)
            if not said and not causes_hit:
                continue
            because = said + [self.likely_cause[c] for _, c in causes_hit]
            key = (
                tip.kind != "now",
                -tip.priority,
                not said,
                causes_hit[0][0] if causes_hit else self.top,
                -len(said),
            )
            ranked.append((key, head + _strings(dict.fromkeys(because)) + "}"))
        ranked.sort(key=_KEY0)
        return ",".join(t for _, t in ranked)

    def _said_text(self, atom: tuple, held: set, used: dict) -> str | None:
        """'you said: ...' for a positive test that holds, else None (engine.matched, describe_test)."""
        if atom[0] == "k":
            if atom[1] not in held:
                return None
            a = atom[2]
            if a.op == "has" and a.option is not None:
                key: tuple = (a.question, a.option)
                text = self._said.get(key)
                if text is None:
                    text = self._said[key] = f"you said: {engine.describe_test(self.kb, a, used)}"
                return text
        else:
            op, qid, n, a = atom
            v = used.get(qid)
            if not (type(v) is int and (v >= n if op == ">=" else v <= n)):
                return None
        return f"you said: {engine.describe_test(self.kb, atom[-1], used)}"


_URGENT = Level.urgent.rank
_W = itemgetter(1)
_NABS = itemgetter(2)
_FRAG = itemgetter(3)


def _RANK(r: tuple) -> tuple:
    return (-r[1], r[0])


# --------------------------------------------------------------------------- streams


def is_batch(source: str, first: str | None, second: str | None) -> bool:
    """Batch (JSON Lines) when the file is named *.jsonl or *.ndjson, or when its first non-blank line
    is a complete JSON value on its own and another non-blank line follows it."""
    if source.lower().endswith(BATCH_SUFFIXES):
        return True
    if first is None or second is None:
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


def sniff(source: str, lines: Iterator[str]) -> tuple[bool, list[str], Iterator[str]]:
    """Read up to the second non-blank line; return (batch?, the lines read, the rest)."""
    head: list[str] = []
    nonblank: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            nonblank.append(line)
            if len(nonblank) == 2:
                break
    first = nonblank[0] if nonblank else None
    second = nonblank[1] if len(nonblank) > 1 else None
    return is_batch(source, first, second), head, lines


def sample_answers(kb: KnowledgeBase, rng: random.Random) -> dict[str, Any]:
    """A random, valid answer set: any subset of questions, each with any valid answer."""
    out: dict[str, Any] = {}
    for q in kb.questions:
        if rng.random() < 0.3:
            continue
        if q.kind == "scale":
            out[q.id] = rng.choice([NOT_SURE, *range(q.scale_min, q.scale_max + 1)])
        elif q.kind == "single":
            out[q.id] = rng.choice(q.option_ids)
        else:
            plain = [o.id for o in q.options if o.id != q.none_option]
            r = rng.random()
            if r < 0.1:
                out[q.id] = [NOT_SURE]
            elif r < 0.2 and q.none_option:
                out[q.id] = [q.none_option]
            else:
                out[q.id] = rng.sample(plain, rng.randint(1, min(4, len(plain))))
    return out


def agrees_with_engine(scorer: Scorer, n: int = 40, seed: int = 0) -> bool:
    """A canary run before every batch: the fast scorer must match the engine on `n` random answer sets.
    (tests/test_batch.py checks thousands; this catches an engine changed without batch.py.)"""
    rng = random.Random(seed)
    kb = scorer.kb
    for _ in range(n):
        raw = sample_answers(kb, rng)
        if scorer.result_json(raw) != engine.assess(kb, engine.validate_answers(kb, raw)).model_dump_json():
            return False
    return True


def run(kb: KnowledgeBase, lines: Iterable[str], out: IO[str], err: IO[str]) -> tuple[int, int]:
    """Score every non-blank line; write one compact result per line to `out`, and one
    `hipcheck: error: line N: ...` per bad line to `err`. Returns (lines scored, lines failed).

    Uses the fast Scorer when it agrees with the engine on a canary sample, else the engine itself
    (slower, with a warning: that means batch.py needs updating after an engine change)."""
    scorer = Scorer(kb)
    score = scorer.result_json
    if not agrees_with_engine(scorer):
        err.write(
            "hipcheck: warning: the fast batch scorer disagrees with the engine; using the engine (slower)\n"
        )

        def score(raw: Any) -> str:
            return engine.assess(kb, engine.validate_answers(kb, raw)).model_dump_json()

    decode = json.JSONDecoder().decode
    write = out.write
    done = failed = 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            text = score(decode(line))
        except json.JSONDecodeError as exc:
            err.write(f"hipcheck: error: line {n}: not valid JSON (column {exc.colno}): {exc.msg}\n")
            failed += 1
            continue
        except AnswerError as exc:
            err.write(f"hipcheck: error: line {n}: {exc}\n")
            failed += 1
            continue
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # e.g. NaN for a scale
            err.write(f"hipcheck: error: line {n}: cannot use these answers ({type(exc).__name__}: {exc})\n")
            failed += 1
            continue
        write(text + "\n")
        done += 1
    return done, failed
