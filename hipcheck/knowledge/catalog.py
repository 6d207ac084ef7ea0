"""Public views of the knowledge base: what `list`, `explain` and `questions` print. Pure, no I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hipcheck.knowledge.models import (
    AskedWhen,
    Condition,
    ConditionList,
    ConditionPage,
    ConditionSummary,
    OptionInfo,
    Question,
    QuestionInfo,
    QuestionList,
)

if TYPE_CHECKING:
    from hipcheck.knowledge.loader import KnowledgeBase


def condition_list(kb: KnowledgeBase) -> ConditionList:
    return ConditionList(
        content_version=kb.meta.content_version,
        conditions=[
            ConditionSummary(
                id=c.id, name=c.name, category=c.category, min_level=c.min_level, aliases=c.aliases
            )
            for c in sorted(kb.conditions, key=lambda c: (c.category != "common", c.name.lower()))
        ],
    )


def condition_page(kb: KnowledgeBase, cond: Condition) -> ConditionPage:
    fields = cond.model_dump(exclude={"evidence", "prior", "weights_basis"})
    return ConditionPage(content_version=kb.meta.content_version, **fields)


def _option_info(q: Question, oid: str) -> OptionInfo:
    o = next((o for o in q.options if o.id == oid), None)
    when = None
    if o is not None and (o.when_all or o.when_any or o.unless):
        when = AskedWhen(when_all=o.when_all, when_any=o.when_any, unless=o.unless)
    return OptionInfo(id=oid, label=q.label_of(oid), offered_when=when)


def question_info(q: Question) -> QuestionInfo:
    return QuestionInfo(
        id=q.id,
        text=q.text,
        short=q.short,
        kind=q.kind,
        section=q.section,
        red_flag=q.red_flag,
        help=q.help,
        options=[_option_info(q, oid) for oid in q.option_ids] if q.kind != "scale" else [],
        scale={"min": q.scale_min, "max": q.scale_max} if q.kind == "scale" else None,
        asked_when=AskedWhen(when_all=q.when_all, when_any=q.when_any, unless=q.unless),
    )


def question_list(kb: KnowledgeBase) -> QuestionList:
    return QuestionList(
        content_version=kb.meta.content_version, questions=[question_info(q) for q in kb.questions]
    )


# --------------------------------------------------------------------------- what the content cache keeps


def build_views(kb: KnowledgeBase) -> dict[str, Any]:
    """The exact text `list --json`, `questions --json` and `explain ID --json` print (without the final
    newline), and the names `explain` resolves."""
    return {
        "list": condition_list(kb).model_dump_json(indent=2),
        "questions": question_list(kb).model_dump_json(indent=2),
        "explain": {c.id: condition_page(kb, c).model_dump_json(indent=2) for c in kb.conditions},
        "names": [[c.id, [c.id, c.name, *c.aliases]] for c in kb.conditions],
        # The pages above keep their region placeholders: `explain --json` fills them for the region in use.
        "regions": None
        if kb.regions is None
        else {
            "unknown": kb.regions.unknown,
            "regions": [[r.code, r.aliases, r.territories, r.values()] for r in kb.regions.region],
        },
    }
