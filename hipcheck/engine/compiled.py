"""The knowledge base's weights compiled into lookup tables for the engine's hot path. Pure; built once
per knowledge base.

The content says, condition by condition, what each answer is worth. Scoring a case the slow way asks
every condition about every question. These tables turn that round: for each possible answer, the
conditions it bears on and its log likelihood ratio for each. A case then costs one lookup per answer
given, not one per condition and question.

Each piece of evidence worth listing also gets a rank: its place in the order the result lists evidence
(by condition, supporting before conflicting, strongest first, then in the condition's own table order).
Sorting a case's ranks, plain integers, puts all its evidence in that order at once.

The tables hold nothing that is not in content/: the same weights, indexed the other way round.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import add
from typing import TYPE_CHECKING, NamedTuple

from hipcheck.knowledge.models import NOT_SURE

if TYPE_CHECKING:
    from hipcheck.knowledge.loader import KnowledgeBase
    from hipcheck.knowledge.models import Condition

EVIDENCE_MIN = 0.01  # a log ratio this close to 0 (a ratio within about 1% of 1) is not listed as evidence

Entry = tuple[int, float, int]  # (condition index, log ratio, evidence rank or -1 when not listed)


class Weights(NamedTuple):
    """What one answer is worth to every condition."""

    log_ratios: tuple[float, ...]  # by condition index; 0.0 for the conditions it does not bear on
    ranks: tuple[int, ...]  # the evidence it gives that is worth listing
    other_ranks: tuple[int, ...] = ()  # the same from "other" weights, whose answer is the whole multi answer
    named: frozenset[int] = frozenset()  # a multi question's option: the conditions naming it


COMBINATIONS_LIMIT = 20_000  # multi answers remembered before the memo is emptied


@dataclass(frozen=True)
class Tables:
    conditions: tuple[Condition, ...]
    """most serious first (min_level), then by id: a condition's index in every table below, and the
    order equal scores are listed in, so a tie never puts a benign cause above a serious one"""
    condition_ids: tuple[str, ...]
    log_priors: tuple[float, ...]
    by_answer: dict[str, dict[str | int, Weights]]
    """question id → option id (or scale number) → its weights. For a multi question only the options a
    condition names count here; the conditions' "other" weights are in `other`."""
    other: dict[str, tuple[Entry, ...]]
    """multi questions: conditions with an "other" weight, which counts when no chosen option is named."""
    evidence: tuple[tuple[int, bool, str, str | int | None, float], ...]
    """rank → (condition index, supporting?, question id, answer or None for an "other" weight, log ratio)"""
    group_of: tuple[int, ...]
    """rank → 2 × condition index, plus 1 for conflicting evidence: the list the evidence goes in"""
    group_start: tuple[int, ...] = ()
    """list (as in `group_of`) → the first rank in it or after it; one more entry, the number of ranks.
    Ranks are ordered by condition, then supporting before conflicting, so each list's evidence is the
    ranks from `group_start[g]` up to `group_start[g + 1]`: a case's sorted ranks split at these."""
    combinations: dict = field(default_factory=dict, compare=False, repr=False)
    """memo: (question id, *options) → the weights of that multi answer"""

    def weights(self, qid: str, value: str | int | list[str]) -> Weights | None:
        """What an answer is worth, or None when it bears on no condition ("Not sure" never does)."""
        if not isinstance(value, list):
            table = self.by_answer.get(qid)
            return None if table is None else table.get(value)
        key = (qid, *value)
        try:
            return self.combinations[key]
        except KeyError:
            if len(self.combinations) > COMBINATIONS_LIMIT:
                self.combinations.clear()
            found = self.combinations[key] = self._multi(qid, value)
            return found

    def _multi(self, qid: str, values: list[str]) -> Weights | None:
        """A multi answer: the weights of each option chosen; then, for each condition that names none
        of them, its "other" weight."""
        options, others = self.by_answer.get(qid, {}), self.other.get(qid, ())
        if values == [NOT_SURE] or not (options or others):
            return None
        log_ratios = [0.0] * len(self.conditions)
        ranks: list[int] = []
        named: set[int] = set()
        for v in values:
            hit = options.get(v)
            if hit is not None:
                log_ratios = list(map(add, log_ratios, hit.log_ratios))
                ranks += hit.ranks
                named |= hit.named
        other_ranks = []
        for i, w, r in others:
            if i not in named:
                log_ratios[i] += w
                if r >= 0:
                    other_ranks.append(r)
        return Weights(tuple(log_ratios), tuple(ranks), tuple(other_ranks))


def build(kb: KnowledgeBase) -> Tables:
    by_answer: dict[str, dict[str | int, list[list]]] = {}
    other: dict[str, list[list]] = {}
    listed: list[tuple[tuple, list, tuple]] = []  # (order key, entry to give a rank, evidence row)

    def put(into: list, i: int, qid: str, value: str | int | None, w: float, order: tuple) -> None:
        entry = [i, w, -1]
        into.append(entry)
        if abs(w) > EVIDENCE_MIN:
            listed.append(((i, w < 0, -abs(w), *order), entry, (i, w > 0, qid, value, w)))

    conditions = tuple(sorted(kb.conditions, key=lambda c: (-c.min_level.rank, c.id)))
    for i, cond in enumerate(conditions):
        for qpos, (qid, row) in enumerate(kb.log_evidence[cond.id].items()):
            q = kb.question_by_id[qid]
            table = by_answer.setdefault(qid, {})
            if q.kind == "scale":
                for n in range(q.scale_min, q.scale_max + 1):
                    w = next((w for lo, hi, w in row.ranges if lo <= n <= hi), None)
                    if w is not None:
                        put(table.setdefault(n, []), i, qid, n, w, (qpos, 0))
            elif q.kind == "single":
                for o in q.option_ids:
                    w = row.options.get(o, row.other) if o != NOT_SURE else None
                    if w is not None:
                        put(table.setdefault(o, []), i, qid, o, w, (qpos, 0))
            else:
                for vpos, o in enumerate(q.option_ids):
                    if o in row.options:
                        put(table.setdefault(o, []), i, qid, o, row.options[o], (qpos, vpos))
                if row.other is not None:
                    put(other.setdefault(qid, []), i, qid, None, row.other, (qpos, 0))

    n = len(conditions)
    listed.sort(key=lambda item: item[0])
    for rank, (_, entry, _) in enumerate(listed):
        entry[2] = rank
    group_of = tuple(2 * i + (not supporting) for _, _, (i, supporting, *_) in listed)
    assert list(group_of) == sorted(group_of), "evidence ranks must be ordered by list"
    group_start = tuple(bisect_left(group_of, g) for g in range(2 * n + 1))
    return Tables(
        conditions=conditions,
        condition_ids=tuple(c.id for c in conditions),
        log_priors=tuple(kb.log_prior[c.id] for c in conditions),
        by_answer={q: {v: _weights(es, n) for v, es in t.items()} for q, t in by_answer.items()},
        other={q: tuple(map(tuple, es)) for q, es in other.items()},
        evidence=tuple(row for _, _, row in listed),
        group_of=group_of,
        group_start=group_start,
    )


def _weights(entries: list[list], n: int) -> Weights:
    log_ratios = [0.0] * n
    for i, w, _ in entries:
        log_ratios[i] = w
    ranks = tuple(r for _, _, r in entries if r >= 0)
    return Weights(tuple(log_ratios), ranks, named=frozenset(i for i, _, _ in entries))


def ratio(w: float) -> float:
    """The likelihood ratio as the result shows it."""
    return round(math.exp(w), 2)
