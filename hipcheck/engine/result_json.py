"""An engine `Decision` written as compact JSON: the same text, byte for byte, as
`decide.assess(...).model_dump_json()`, for batch scoring, where building the result models and then
serialising them costs most of the time.

Every piece that depends only on the content (a condition's id and name, each piece of evidence, each
tip) is serialised once per knowledge base and reused; a case only joins the pieces its answers chose.
`tests/test_batch.py` checks the text against the models' own on many answer sets, so a field added to
`TriageResult` and not here fails the tests.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

from hipcheck.engine import decide
from hipcheck.knowledge.models import BRIEF_SCHEMA_VERSION, SCHEMA_VERSION

if TYPE_CHECKING:
    from hipcheck.engine.decide import Brief, Decision
    from hipcheck.knowledge.loader import KnowledgeBase

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_str = encode_basestring  # a str as a JSON string, non-ASCII kept as is (as pydantic writes it)


class _Parts:
    """The content's pieces of result JSON, serialised once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        meta = kb.meta
        t = decide.tables(kb)
        version = _encode(meta.content_version)
        region = "null" if kb.region is None else kb.region.info().model_dump_json()
        self.head = (
            f'{{"schema_version":{_encode(SCHEMA_VERSION)},"content_version":{version},"region":{region}'
        )
        self.tail = f',"disclaimer":{_encode(meta.disclaimer)}}}'
        self.levels = {
            level: f'{{"id":{_encode(level.value)},"label":{_encode(info.label)},'
            f'"time_frame":{_encode(info.time_frame)},"advice":'
            for level, info in meta.levels.items()
        }
        self.causes = [  # by index in the engine's tables
            f'{{"id":{_encode(c.id)},"name":{_encode(c.name)},"likelihood":' for c in t.conditions
        ]
        self.tips = {
            tip.id: f'{{"id":{_encode(tip.id)},"kind":"{tip.kind}","text":{_encode(tip.text)},"because":'
            for tip in kb.tips
        }
        self.brief_head = f'{{"schema_version":{_encode(BRIEF_SCHEMA_VERSION)},"content_version":{version}'
        self.brief_causes = {c.id: f'{{"id":{_encode(c.id)},"likelihood":' for c in t.conditions}
        # Each piece of evidence is the model's own JSON (an "other" weight's depends on the case).
        self.evidence = [
            None if value is None else decide.evidence_model(kb, rank, {}).model_dump_json()
            for rank, (_, _, _, value, _) in enumerate(t.evidence)
        ]


def _other_evidence(kb: KnowledgeBase, rank: int, answer: list[str]) -> str:
    """An "other" weight's evidence, whose answer is the case's own multi answer (kept in the memo)."""
    key = ("evidence_json", rank, tuple(answer))
    text = kb.memo.get(key)
    if text is None:
        if len(kb.memo) > decide.MEMO_LIMIT:
            kb.memo.clear()
        text = kb.memo[key] = decide.evidence_model(kb, rank, {rank: answer}).model_dump_json()
    return text


def _reason(memo: dict, r: decide.Why) -> str:
    """A reason's JSON: the same for every case a rule fires in (kept in the memo)."""
    key = ("reason_json", r.source, r.id, r.text, r.level, tuple(r.points_to))
    text = memo.get(key)
    if text is None:
        if len(memo) > decide.MEMO_LIMIT:
            memo.clear()
        text = memo[key] = (
            f'{{"source":"{r.source}","id":{_str(r.id)},"text":{_str(r.text)},"level":"{r.level.value}",'
            f'"points_to":{_encode(list(r.points_to))}}}'
        )
    return text


def _tip(memo: dict, head: str, tip_id: str, because: list[str]) -> str:
    """A tip's JSON with its reasons (kept in the memo: many cases give a tip for the same reasons)."""
    key = ("tip_json", tip_id, *because)
    text = memo.get(key)
    if text is None:
        if len(memo) > decide.MEMO_LIMIT:
            memo.clear()
        text = memo[key] = f"{head}{_encode(because)}}}"
    return text


def _parts(kb: KnowledgeBase) -> _Parts:
    parts = kb.derived.get("json")
    if parts is None:
        parts = kb.derived["json"] = _Parts(kb)
    return parts


def dumps(kb: KnowledgeBase, d: Decision) -> str:
    """The decision as `TriageResult` JSON (compact, one line).

    Floats are written with repr(), which matches pydantic only from 1e-4 up (repr gives 1e-05 where
    pydantic gives 0.00001): safe because likelihoods are rounded to 4 places and ratios to 2."""
    p = _parts(kb)
    scores = d.scores
    fragments = p.evidence
    if scores.other:  # evidence whose answer is the case's own (an "other" weight on a multi answer)
        fragments = fragments.copy()
        for r, answer in scores.other.items():
            fragments[r] = _other_evidence(kb, r, answer)
    # The case's evidence ranks, sorted, split into the lists they go in (see Tables.group_start).
    ranks = scores.evidence
    at = [bisect_left(ranks, start) for start in decide.tables(kb).group_start]
    f, join = fragments.__getitem__, ",".join
    causes = join(
        [
            f'{p.causes[i]}{likelihood!r},"supporting":[{join(map(f, ranks[at[2 * i] : at[2 * i + 1]]))}],'
            f'"conflicting":[{join(map(f, ranks[at[2 * i + 1] : at[2 * i + 2]]))}]}}'
            for (i, _), likelihood in zip(scores.ranked, d.likelihoods, strict=True)
        ]
    )
    memo = kb.memo
    reasons = ",".join([_reason(memo, r) for r in d.reasons])
    tips = ",".join([_tip(memo, p.tips[tip.id], tip.id, because) for tip, because in d.tips])
    return (
        f'{p.head},"answers":{_encode(d.answers)},"ignored":{_encode(d.ignored)},'
        f'"red_flags_screened":{"false" if d.unscreened else "true"},"unscreened":{_encode(d.unscreened)},'
        f'"level":{p.levels[d.level]}{_encode(d.advice)},"reasons":[{reasons}],'
        f'"not_ruled_out":{_encode(d.not_ruled_out)}}},'
        f'"causes":[{causes}],"tips":[{tips}]{p.tail}'
    )


def dumps_brief(kb: KnowledgeBase, b: Brief) -> str:
    """A `Brief` as `TriageBrief` JSON (compact, one line): the same text as
    `decide.assess_brief(...).model_dump_json()` (tests/test_batch.py compares them)."""
    p = _parts(kb)
    heads = p.brief_causes
    causes = ",".join([f"{heads[cid]}{likelihood!r}}}" for cid, likelihood in b.top])
    return (
        f'{p.brief_head},"level":"{b.level.value}","reasons":{_encode(b.reasons)},"causes":[{causes}],'
        f'"not_ruled_out":{_encode(b.not_ruled_out)}}}'
    )
