"""A report as a document: what a physio or GP reads, worked out once from a triage result and the
content, then written as Markdown or plain text (report.py) or HTML (report_html.py).

Every format says the same things in the same order: the urgency and its reasons, the answers (what
is present, what is absent, what the person was not sure of), the likely causes with the evidence for
and against each, the advice given and why, the sources, and the disclaimer. It speaks in sentences:
"None reported", never a bare "none"; "Suggested because you answered ...", never a fragment.

The text here is raw: content and user text as given. Each writer escapes it for its format.
Plain data and the standard library only (no Rich), so every writer can use it. A result saved with
older content still makes a document: a question, option, rule, tip or cause the content in use no
longer has is shown by its id, and its sources are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hipcheck.engine import decide
from hipcheck.knowledge.models import NOT_SURE, AnswerValue, Question, Source, TriageResult
from hipcheck.knowledge.text import escape

if TYPE_CHECKING:
    from hipcheck.knowledge.loader import KnowledgeBase

TITLE = "hipcheck report"
MAX_CAUSES = 5
SOURCED_SHARE = 0.02  # the causes listed with their sources: the likeliest, and any other this likely
FEW_ANSWERS = 8  # fewer answered questions than this: say the causes are a rough guess
# The section headings, in order; every format uses these words (tests compare them).
URGENCY, ANSWERS, CAUSES, ADVICE, SOURCES = "Urgency", "Answers", "Likely causes", "Advice", "Sources"
TIP_KINDS = (("now", "What you can do now"), ("prevention", "To stop it coming back"))
SHARE_NOTE = "Percentages compare the causes hipcheck knows; they are not certainties."
NOT_RULED_OUT = "Your answers fit these, so a doctor needs to check for them, whatever the ranking says:"
NOT_CHECKED = "Warning-sign questions not checked (skipped or answered “Not sure”)"
NOT_USED = "Answered but not used (the interview does not ask them after the other answers)"
SOURCES_NOTE = "Each source is listed once, under the first part of this report it supports."
LR_NOTE = (
    "LR is the likelihood ratio of an answer for that cause: above 1 the answer makes the cause more "
    "likely, below 1 less likely."
)


@dataclass(frozen=True)
class Part:
    """A piece of an answer: `label` ("Present", "Absent") or none, and the words."""

    label: str
    text: str


@dataclass(frozen=True)
class AnswerRow:
    question: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class EvidenceItem:
    text: str
    ratio: float


@dataclass(frozen=True)
class CauseItem:
    rank: int
    name: str
    share: str
    supporting: tuple[EvidenceItem, ...]
    conflicting: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class TipItem:
    text: str
    why: str


@dataclass(frozen=True)
class SourceItem:
    text: str  # title, publisher and year
    ref: str  # "doi:...", an address, or ""
    link: str | None  # the http(s) address `ref` stands for, or None

    @property
    def full(self) -> str:
        return f"{self.text} {self.ref}" if self.ref else self.text


@dataclass
class ReportDoc:
    day: dt.date
    content_version: str
    content_in_use: str  # the content version whose wording and sources the report uses
    level_id: str
    level_label: str
    time_frame: str
    why: list[str]
    also: list[str]
    advice: list[str]
    not_ruled_out: list[str]
    answers: list[AnswerRow]
    not_checked: list[str]
    not_used: list[str]
    causes: list[CauseItem]
    few_answers: int | None  # how many questions were answered, when too few for the causes to mean much
    tips: list[tuple[str, list[TipItem]]]  # (heading, tips) for each kind that has any
    sources: list[tuple[str, list[SourceItem]]]  # (heading, sources), each source listed once
    disclaimer: str
    saved_as: str | None = None  # "saved result 3", when made from the history
    made_on: dt.date | None = None  # when the report was made, if not on the day of the triage
    facts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{TITLE}, {self.day.isoformat()}"

    @property
    def urgency_heading(self) -> str:
        return f"{URGENCY}: {self.level_label} ({self.time_frame})"

    @property
    def headings(self) -> list[str]:
        """The second-level headings, in order."""
        return [self.urgency_heading, ANSWERS, CAUSES] + ([ADVICE] if self.tips else []) + [SOURCES]


# --------------------------------------------------------------------------- wording


def share(p: float) -> str:
    """A likelihood in words that never claims certainty, nor rounds a small one to 0%."""
    if p > 0.99:
        return ">99%"
    return f"{p:.0%}" if p >= 0.005 else "<1%"


def ratio(r: float) -> str:
    return f"LR {r:g}"


def join_and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


SAID, CAUSE = "you said: ", "possible cause: "


def why_tip(because: Sequence[str]) -> str:
    """A tip's reasons as one sentence: "Suggested because you answered “When it hurts: After runs”,
    and because gluteal tendinopathy is a possible cause." A reason in another form is kept as it is."""
    said = [f"“{b.removeprefix(SAID)}”" for b in because if b.startswith(SAID)]
    causes = [b.removeprefix(CAUSE) for b in because if b.startswith(CAUSE)]
    other = [b for b in because if not b.startswith((SAID, CAUSE))]
    parts = []
    if said:
        parts.append(f"you answered {join_and(said)}")
    if causes:
        parts.append(
            f"{join_and(causes)} {'is a possible cause' if len(causes) == 1 else 'are possible causes'}"
        )
    parts += other
    if not parts:
        return ""
    return "Suggested because " + ", and because ".join(parts) + "."


def escape_all(value: Any) -> Any:
    """Every string in plain data (a result's JSON form) with its control characters shown as escapes:
    for text from a stored result, which a damaged or edited history file may hold."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [escape_all(v) for v in value]
    if isinstance(value, dict):
        return {escape_all(k): escape_all(v) for k, v in value.items()}
    return value


def _label(q: Question | None, option: str) -> str:
    return q.label_of(option) if q is not None else option


def answer_parts(q: Question | None, value: AnswerValue) -> tuple[Part, ...]:
    """An answer in the words a clinician expects: "No"; "5 out of 10"; "Not sure"; for a multiple
    choice "Present: ...", "Absent: ..." (or "None reported" and what was asked about)."""
    if value == NOT_SURE or value == [NOT_SURE]:
        return (Part("", "Not sure"),)
    if isinstance(value, bool) or not isinstance(value, (str, int, list)):
        return (Part("", str(value)),)
    if isinstance(value, int):
        top = q.scale_max if q is not None else 10
        return (Part("", f"{value} out of {top}"),)
    if isinstance(value, str):
        return (Part("", _label(q, value)),)
    none = q.none_option if q is not None else None
    present = [_label(q, v) for v in value if v != none and v != NOT_SURE]
    if q is not None and q.kind == "multi":
        absent = [o.label for o in q.options if o.id not in value and o.id != none]
    else:
        absent = []
    parts = [Part("Present", "; ".join(present))] if present else [Part("", "None reported")]
    if absent:
        parts.append(Part("Absent", "; ".join(absent)))
        parts = [Part(p.label, _full_stop(p.text)) for p in parts]  # two sentences
    return tuple(parts)


def _full_stop(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def answer_rows(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[AnswerRow]:
    """Each answer in the order the interview asks; answers to questions the content no longer has
    (a result saved with older content) come last, by id."""
    # "Absent" lists only the options the interview offered (no testicle for a woman: issue 18).
    rows = [
        AnswerRow(q.short, answer_parts(decide.as_asked(q, answers), answers[q.id]))
        for q in kb.questions
        if q.id in answers
    ]
    rows += [
        AnswerRow(qid, answer_parts(None, value))
        for qid, value in answers.items()
        if qid not in kb.question_by_id
    ]
    return rows


def source_item(s: Source) -> SourceItem:
    where = ", ".join(str(x) for x in (s.publisher, s.year) if x)
    text = f"{s.title.rstrip('.')}. {where}." if where else f"{s.title.rstrip('.')}."
    if s.doi:
        return SourceItem(text, f"doi:{s.doi}", f"https://doi.org/{s.doi}")
    if s.url:
        web = s.url.lower().startswith(("https://", "http://"))
        return SourceItem(text, s.url, s.url if web else None)
    return SourceItem(text, "", None)


def _sources(
    kb: KnowledgeBase, result: TriageResult, cause_ids: list[str]
) -> list[tuple[str, list[SourceItem]]]:
    """The sources behind the urgency (the rules that fired), the causes listed and the advice, each
    listed once, under the first of these it supports. Records the content no longer has are skipped."""
    rules = {r.id: r for r in kb.rules}
    tips = {t.id: t for t in kb.tips}
    history = _history_rules(kb)
    groups = [
        (
            "For the urgency",
            [rules[r.id].sources for r in result.level.reasons if r.source == "rule" and r.id in rules]
            + [history[r.id] for r in result.level.reasons if r.source == "history" and r.id in history],
        ),
        (
            "For the likeliest causes",
            [kb.condition_by_id[c].sources for c in cause_ids if c in kb.condition_by_id],
        ),
        ("For the advice", [tips[t.id].sources for t in result.tips if t.id in tips]),
        ("For the emergency number and services", _region_sources(kb, result)),
    ]
    seen: set[tuple] = set()
    out = []
    for heading, lists in groups:
        items = []
        for s in (s for sources in lists for s in sources):
            key = (s.title.casefold(), s.doi or s.url or s.publisher)
            if key not in seen:
                seen.add(key)
                items.append(source_item(s))
        if items:
            out.append((heading, items))
    return out


def _region_sources(kb: KnowledgeBase, result: TriageResult) -> list[list[Source]]:
    """The sources of the region whose services the result names (as saved), if the content has it."""
    if result.region is None or kb.regions is None:
        return []
    return [list(r.sources) for r in kb.regions.region if r.code == result.region.code]


def _history_rules(kb: KnowledgeBase) -> dict[str, list[Source]]:
    from hipcheck.history.models import HistoryContentError, load_history_rules

    try:
        rules = load_history_rules(kb.root)
    except (HistoryContentError, OSError):
        return {}
    return {r.id: list(r.sources) for r in (rules.persisting, rules.rising, rules.rest_night)}


def _distinct(reasons: list) -> list[str]:
    """The reasons' texts, each once (the screen keeps one per concern; the report keeps them all)."""
    return list(dict.fromkeys(r.text for r in reasons))


# --------------------------------------------------------------------------- the document


def build(
    kb: KnowledgeBase,
    result: TriageResult,
    day: dt.date,
    *,
    saved_as: str | None = None,
    made_on: dt.date | None = None,
) -> ReportDoc:
    """The report of `result`, a triage made on `day`. `saved_as` names the record it came from in
    the history; `made_on` is today, when that is not the day of the triage."""
    from hipcheck import __version__

    lv = result.level
    names = {c.id: c.name for c in result.causes}
    shown = result.causes[:MAX_CAUSES]
    causes = [
        CauseItem(
            i,
            c.name,
            share(c.likelihood),
            tuple(EvidenceItem(e.text, e.ratio) for e in c.supporting),
            tuple(EvidenceItem(e.text, e.ratio) for e in c.conflicting),
        )
        for i, c in enumerate(shown, 1)
    ]
    answered = sum(1 for v in result.answers.values() if v not in (NOT_SURE, [NOT_SURE]))
    tips = []
    for kind, heading in TIP_KINDS:
        items = [TipItem(t.text, why_tip(t.because)) for t in result.tips if t.kind == kind]
        if items:
            tips.append((heading, items))

    def short(qid: str) -> str:
        q = kb.question_by_id.get(qid)
        return q.short if q is not None else qid

    # Sources for the causes the result rests on: those not ruled out, the likeliest, and any other of
    # at least SOURCED_SHARE (a cause listed at 1% needs no reading list).
    sourced = [c.id for i, c in enumerate(shown) if i == 0 or c.likelihood >= SOURCED_SHARE]
    cause_ids = list(dict.fromkeys([*lv.not_ruled_out, *sourced]))
    facts = [("Date of the triage", day.isoformat())]
    if made_on is not None and made_on != day:
        facts.append(("Report made", made_on.isoformat()))
    if saved_as:
        facts.append(("From your history", saved_as))
    version = result.content_version
    if version != kb.meta.content_version:
        version += (
            f" (questions and sources below are worded as in content version {kb.meta.content_version})"
        )
    if result.region is not None:
        facts.append(("Emergency number", f"{result.region.emergency_number} ({result.region.name})"))
    facts += [("Content version", version), ("Made by", f"hipcheck {__version__}, offline")]
    return ReportDoc(
        day=day,
        content_version=result.content_version,
        content_in_use=kb.meta.content_version,
        level_id=lv.id.value,
        level_label=lv.label,
        time_frame=lv.time_frame,
        why=_distinct([r for r in lv.reasons if r.level is lv.id]),
        also=_distinct([r for r in lv.reasons if r.level is not lv.id]),
        advice=list(lv.advice),
        not_ruled_out=[names.get(cid, cid) for cid in lv.not_ruled_out],
        answers=answer_rows(kb, result.answers),
        not_checked=[short(q) for q in result.unscreened],
        not_used=[short(q) for q in result.ignored],
        causes=causes,
        few_answers=answered if answered < FEW_ANSWERS else None,
        tips=tips,
        sources=_sources(kb, result, cause_ids),
        disclaimer=result.disclaimer,
        saved_as=saved_as,
        made_on=made_on,
        facts=facts,
    )


def few_answers_sentence(n: int) -> str:
    few = "none of the questions" if n == 0 else f"only {n} question{'s' * (n > 1)}"
    return f"You answered {few} about the pain, so the causes are a rough guess."
