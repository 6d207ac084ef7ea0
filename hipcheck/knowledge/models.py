"""Pydantic models: the content records clinicians write, and the results hipcheck returns.

Content records are validated when content/ is loaded; results are what `--json` prints.
Nothing here knows any medical fact: those live in content/.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cached_property, lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "2.1"
NOT_SURE = "not_sure"
MAX_FIRST_STEPS = 3  # a condition's first steps on the result screen: a few lines, not its whole page

_ID = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=_ID, min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1)]


class Record(BaseModel):
    """Base for content records: unknown keys are errors, so typos are caught at load.

    Their validators are built on first use (`defer_build`): a load from the content cache builds the
    records without validating them again (loader._trusted), so the interview's first question does not
    wait for them."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------- levels


class Level(str, Enum):  # noqa: UP042 (str mixin keeps JSON and comparisons plain)
    """Urgency levels, lowest first: the order of declaration is the rank. The ids are a public interface."""

    self_care = "self_care"
    routine = "routine"
    urgent = "urgent"
    same_day = "same_day"
    emergency = "emergency"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {level: i for i, level in enumerate(Level)}


class LevelInfo(Record):
    label: Text
    time_frame: Text
    advice: list[Text] = Field(min_length=1)


# --------------------------------------------------------------------------- sources


class Source(Record):
    title: Text
    publisher: Text
    kind: Literal["guideline", "consensus", "review", "study", "patient_info", "textbook"]
    year: int | None = Field(default=None, ge=1950, le=2100)
    url: str | None = None
    doi: str | None = None


# --------------------------------------------------------------------------- triggers

_ATOM = re.compile(r"^(?P<q>[a-z][a-z0-9_]*)(?:(?P<op>:)(?P<opt>[a-z0-9_*]+)|(?P<cmp>>=|<=)(?P<num>\d+))$")


class Atom(BaseModel):
    """One test on the answers: `question:option`, `question:*` (answered), `question>=N`, `question<=N`."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    text: str
    question: str
    option: str | None = None
    op: Literal["has", "answered", ">=", "<="] = "has"
    number: int | None = None

    @property
    def fact(self) -> str | tuple[str, str] | None:
        """What the answers must establish for this test to hold (see `engine.facts`): the question id
        for `question:*`, (question id, option id) for `question:option`; None for a numeric test."""
        if self.op == "answered":
            return self.question
        if self.op == "has":
            return (self.question, self.option or "")
        return None

    @classmethod
    def parse(cls, text: str) -> Atom:
        m = _ATOM.match(text.strip())
        if not m:
            raise ValueError(
                f"{text!r} is not a valid answer test; write question:option, question:*, "
                "question>=N or question<=N"
            )
        # The pattern has checked every part: built without validation (see Record).
        if m["op"]:
            if m["opt"] == "*":
                return cls.model_construct(text=text, question=m["q"], op="answered")
            return cls.model_construct(text=text, question=m["q"], option=m["opt"], op="has")
        return cls.model_construct(text=text, question=m["q"], op=m["cmp"], number=int(m["num"]))


Clause = tuple[Atom, ...]
Plan = tuple[frozenset, tuple[tuple[str, bool, int], ...]]  # a clause compiled: (facts, (question, >=?, n))


@lru_cache(maxsize=8192)
def _parse_clause(text: str) -> Clause:
    """`a|b|c`: the clause holds when any of its tests holds. Parsed once per text (validation parses
    every clause, and `Triggered.tests` again; the atoms are immutable, so records share them)."""
    return tuple(Atom.parse(part) for part in text.split("|"))


def _parse_atoms(values: list[str]) -> list[str]:
    for v in values:
        _parse_clause(v)
    return values


class Triggered(Record):
    """Mixin: a record that applies when its answer tests hold.

    Each entry is a test, or alternatives joined by `|` (any of them). `when_all`: every entry holds;
    `when_any`: at least one entry holds; `unless`: no entry holds. No tests at all: always applies.
    """

    when_all: list[str] = []
    when_any: list[str] = []
    unless: list[str] = []

    _check_all = field_validator("when_all", "when_any", "unless")(_parse_atoms)

    @cached_property
    def tests(self) -> tuple[tuple[Clause, ...], tuple[Clause, ...], tuple[Clause, ...]]:
        """(when_all, when_any, unless) clauses, parsed once (kept in the instance, not a field)."""
        return (
            tuple(_parse_clause(t) for t in self.when_all),
            tuple(_parse_clause(t) for t in self.when_any),
            tuple(_parse_clause(t) for t in self.unless),
        )

    @cached_property
    def clauses(self) -> tuple[tuple[Plan, ...], tuple[Plan, ...], tuple[Plan, ...]]:
        """`tests` in the form the engine evaluates: each clause as (facts, numeric tests). A clause holds
        when the answers' facts share one of its facts or one numeric test holds; the facts are the
        question id for `question:*` and (question id, option id) for `question:option`, as in
        `engine.facts`."""

        def plan(clause: Clause) -> Plan:
            keys = frozenset(a.fact for a in clause if a.fact is not None)
            numbers = tuple((a.question, a.op == ">=", a.number) for a in clause if a.op in (">=", "<="))
            return keys, numbers  # type: ignore[return-value]

        return tuple(tuple(plan(c) for c in group) for group in self.tests)  # type: ignore[return-value]

    def atoms(self) -> list[Atom]:
        return [a for group in self.tests for clause in group for a in clause]


# --------------------------------------------------------------------------- questions


class Option(Triggered):
    """One choice of a question. It is offered when its own `when_*`/`unless` tests hold (tests on
    earlier answers, such as `unless = ["sex:male"]`); with no tests it is always offered. An answers
    file may still give any option."""

    id: Id
    label: Text
    help: str | None = None


class Question(Triggered):
    """One interview question. It is asked when its `when_*`/`unless` tests hold."""

    id: Id
    text: Text
    short: Text = Field(description="a few words naming the question, for summaries and reports")
    kind: Literal["single", "multi", "scale"]
    section: Literal["safety", "pain", "details", "training", "about_you"]
    help: str | None = None
    red_flag: bool = False
    options: list[Option] = []
    scale_min: int = 0
    scale_max: int = 10
    scale_labels: dict[str, str] = {}
    none_option: str | None = Field(
        default=None, description="multi only: the option that means 'none of these' (exclusive)"
    )
    offer_not_sure: bool = Field(
        default=True,
        description="whether the interview offers 'Not sure' (false where it makes no sense, e.g. age); "
        "an answers file may give not_sure to any question",
    )
    safe: list[str] = Field(
        default=[],
        description="single only: the reassuring answers ('no', 'normal'); a multi question's none_option "
        "is its safe answer. Rules may not test a safe answer, and no `unless` may name a worrying answer "
        "reachable from it, so turning it into a worrying answer can only raise the level",
    )

    @model_validator(mode="after")
    def _shape(self) -> Question:
        ids = [o.id for o in self.options]
        if self.kind == "scale":
            if self.options:
                raise ValueError("a scale question has no options")
            if self.scale_min >= self.scale_max:
                raise ValueError("scale_min must be below scale_max")
        else:
            if len(self.options) < 2:
                raise ValueError("a choice question needs at least two options")
            if len(set(ids)) != len(ids):
                dupes = sorted({i for i in ids if ids.count(i) > 1})
                raise ValueError(f"duplicate option ids: {', '.join(dupes)}")
            if NOT_SURE in ids:
                raise ValueError(f"'{NOT_SURE}' is added to every question automatically; do not list it")
        if self.none_option is not None and (self.kind != "multi" or self.none_option not in ids):
            raise ValueError("none_option must name one of this multi question's options")
        if self.safe and (self.kind != "single" or not set(self.safe) <= set(ids)):
            raise ValueError("safe must name options of this single-choice question")
        return self

    @cached_property
    def conditional_options(self) -> bool:
        """True when some option is offered only for some answers (see `Option`)."""
        return any(o.when_all or o.when_any or o.unless for o in self.options)

    @property
    def option_ids(self) -> list[str]:
        return [o.id for o in self.options] + [NOT_SURE]

    @cached_property
    def option_index(self) -> dict[str, int]:
        """option id (and "not_sure") → its place in the question's order"""
        return {o: i for i, o in enumerate(self.option_ids)}

    @cached_property
    def _labels(self) -> dict[str, str]:
        return {o.id: o.label for o in self.options} | {NOT_SURE: "Not sure"}

    def label_of(self, option_id: str) -> str:
        return self._labels.get(option_id, option_id)


class QuestionBank(Record):
    question: list[Question] = Field(min_length=1)


# --------------------------------------------------------------------------- conditions

EvidenceTable = dict[str, dict[str, float]]


class Condition(Record):
    """A candidate cause: its page for `explain`, and its evidence weights for scoring.

    `evidence` maps question id → {option id (or "a-b" range for a scale) → likelihood ratio}.
    The key `other` gives the ratio when the question was answered with none of the listed options.
    Ratios above 1 point towards this condition, below 1 away from it; "Not sure" counts as nothing.
    """

    id: Id
    name: Text
    aliases: list[str] = []
    category: Literal["common", "serious"]
    sex: Literal["female", "male"] | None = Field(
        default=None,
        description="the only sex (assigned at birth) this cause can happen to; a rule's 'not ruled out' "
        "leaves it out when the other sex was answered, and keeps it for 'rather not say' or no answer",
    )
    prior: float = Field(gt=0, le=1, description="share among runners with hip pain (relative)")
    min_level: Level = Level.self_care
    summary: Text
    symptoms: list[Text] = Field(min_length=1)
    why_runners: list[Text] = Field(min_length=1)
    self_care: list[Text] = Field(min_length=1)
    first_steps: list[Text] = Field(
        default=[],
        max_length=MAX_FIRST_STEPS,
        description="the self_care entries the result shows when this is the likely cause, copied word for "
        "word from self_care (so they carry its sources); only for a cause people can manage themselves",
    )
    prevention: list[Text] = []
    see_professional: list[Text] = Field(min_length=1)
    evidence: EvidenceTable = {}
    weights_basis: Text = "Clinical estimates informed by the sources listed."
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _first_steps_are_its_own_self_care(self) -> Condition:
        for i, step in enumerate(self.first_steps):
            if step not in self.self_care:
                raise ValueError(
                    f"first_steps[{i}] is not one of this condition's self_care entries; copy it word for "
                    "word from self_care (first steps are taken from the cited self-care text)"
                )
        if len(set(self.first_steps)) < len(self.first_steps):
            raise ValueError("first_steps lists the same self_care entry twice")
        if self.first_steps and (self.category == "serious" or self.min_level.rank > Level.routine.rank):
            raise ValueError(
                "first_steps are for causes people can manage themselves; a serious cause, or one with "
                "min_level above routine, gets none (its page says what to do)"
            )
        return self

    @field_validator("evidence")
    @classmethod
    def _ratios(cls, table: EvidenceTable) -> EvidenceTable:
        for qid, row in table.items():
            for key, lr in row.items():
                if not (0.01 <= lr <= 100):
                    raise ValueError(f"evidence.{qid}.{key}: likelihood ratio {lr} is outside 0.01-100")
        return table


# --------------------------------------------------------------------------- rules and tips


class Rule(Triggered):
    """A red-flag or safety rule: when it fires, the urgency is at least `level`."""

    id: Id
    level: Level
    reason: Text
    advice: list[Text] = []
    advice_max_level: Level = Field(
        default=Level.emergency,
        description="the highest result level at which the advice is shown: set it when a more urgent "
        "level's own advice already says the same thing",
    )
    points_to: list[Id] = []
    not_ruled_out: bool = Field(
        default=False,
        description="list `points_to` as 'not ruled out' below urgent too (a routine rule that says to stop "
        "running until seen), so the result and the plan treat them as still possible; urgent and above "
        "always do",
    )
    ends_interview: bool = Field(
        default=False,
        description="the interview stops here: hipcheck cannot assess this person and says where to go",
    )
    sources: list[Source] = Field(min_length=1)


class RuleBook(Record):
    rule: list[Rule] = Field(min_length=1)


class Tip(Triggered):
    """Advice selected by the user's answers (`when_*`) or by the likely causes (`for_causes`)."""

    id: Id
    kind: Literal["now", "prevention"]
    text: Text
    priority: int = Field(default=0, ge=0, le=10, description="higher first within its kind (safety advice)")
    for_causes: list[Id] = []
    not_for_causes: list[Id] = []
    max_level: Level = Field(
        default=Level.urgent,
        description="highest level at which the tip is shown; "
        "an emergency screen shows only tips marked emergency",
    )
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_selector(self) -> Tip:
        if not (self.when_all or self.when_any or self.for_causes):
            raise ValueError("a tip needs when_all, when_any or for_causes, so it follows from the answers")
        return self


class TipBook(Record):
    tip: list[Tip] = Field(min_length=1)


class Calibration(Record):
    """How the causes' scores become the likelihoods results show: softmax(log-odds / temperature).

    A temperature below 1 sharpens the shares (the scores were too cautious), above 1 flattens them (too
    sure). Fitted by `tools/calibrate.py` (negative log-likelihood of the expected cause on the dev
    vignettes only); `fitted_on`, `fitted` and `method` say how and when, so a reader can refit."""

    temperature: float = Field(default=1.0, ge=0.05, le=20, description="divides every log score")
    fitted_on: str = Field(default="", description="the case set it was fitted on")
    fitted: str = Field(default="", description="when it was fitted (YYYY-MM-DD) and on which content")
    method: str = Field(default="", description="how it was fitted")


class Meta(Record):
    content_version: Text
    disclaimer: Text
    not_for: list[Text] = Field(min_length=1)
    top_causes: int = Field(ge=1, le=10, description="how many causes count as 'the top causes'")
    tip_cause_share: float = Field(
        gt=0, lt=1, description="a cause below the top one selects tips only at or above this likelihood"
    )
    unscreened_level: Level
    unscreened_reason: Text
    vague_count: int = Field(ge=1, description="this many 'Not sure' answers or more set vague_level")
    vague_level: Level
    vague_reason: Text = Field(description="{count} is filled in")
    default_reason: Text
    levels: dict[Level, LevelInfo]
    calibration: Calibration = Calibration()

    @field_validator("levels")
    @classmethod
    def _all_levels(cls, v: dict[Level, LevelInfo]) -> dict[Level, LevelInfo]:
        missing = [lv.value for lv in Level if lv not in v]
        if missing:
            raise ValueError(f"missing levels: {', '.join(missing)}")
        return v


# --------------------------------------------------------------------------- regions


class Region(Record):
    """Where to get help in one region (content/regions.toml): what the placeholders in content text
    become there. Each service named has a source that says it."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")]
    name: Text
    aliases: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2,4}$")]] = []
    territories: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(
        default=[], description="locale territories (the US of en_US.UTF-8) that choose this region"
    )
    emergency_number: Text = Field(description="what to call in an emergency: '999', '112 or 999'")
    emergency_department: Text = Field(description="the emergency department, with its article: 'the ER'")
    urgent_care: Text = Field(description="a same-day place to be seen, with its article")
    advice_line: str = Field(
        default="", description="a sentence naming the urgent advice line, or empty where there is none"
    )
    sources: list[Source] = Field(min_length=1)

    def values(self) -> dict[str, str]:
        """placeholder name → text (knowledge/regions.PLACEHOLDERS)"""
        return {
            "emergency_number": self.emergency_number,
            "emergency_department": self.emergency_department,
            "urgent_care": self.urgent_care,
            "advice_line": self.advice_line,
        }

    def info(self) -> RegionInfo:
        return RegionInfo(
            code=self.code,
            name=self.name,
            advice_line=self.advice_line or None,
            **{k: v for k, v in self.values().items() if k != "advice_line"},
        )


class RegionBook(Record):
    unknown: Annotated[str, Field(description="the region for a locale that names none of these")]
    region: list[Region] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes(self) -> RegionBook:
        codes = [r.code for r in self.region]
        names = [n.upper() for r in self.region for n in (r.code, *r.aliases)]
        if len(set(names)) != len(names):
            raise ValueError("a region code or alias is used twice")
        if self.unknown not in codes:
            raise ValueError(f"unknown: '{self.unknown}' is not one of the regions ({', '.join(codes)})")
        territories = [t for r in self.region for t in r.territories]
        if len(set(territories)) != len(territories):
            raise ValueError("a territory is listed under two regions")
        return self


# --------------------------------------------------------------------------- results

AnswerValue = str | list[str] | int


class Out(BaseModel):
    # Result models are built on first use: the interview's first question need not wait for them.
    model_config = ConfigDict(frozen=True, defer_build=True)


class Evidence(Out):
    question: str = Field(description="question id")
    answer: str = Field(description="option id, or the number for a scale")
    text: str = Field(description="the question and answer in words")
    ratio: float = Field(description="likelihood ratio this answer carries for the cause")


class RankedCause(Out):
    id: str
    name: str
    likelihood: float = Field(description="relative likelihood among the causes hipcheck knows; all sum to 1")
    supporting: list[Evidence]
    conflicting: list[Evidence]


class Reason(Out):
    source: Literal["rule", "unscreened", "vague", "history", "default"]
    id: str
    text: str
    level: Level
    points_to: list[str] = Field(
        default=[], description="ids of the causes a rule is about (empty otherwise)"
    )
    advice: list[str] = Field(default=[], exclude=True, description="merged into the level's advice")
    advice_max_level: Level = Field(default=Level.emergency, exclude=True, description="as Rule's")


class LevelResult(Out):
    id: Level
    label: str
    time_frame: str
    advice: list[str]
    reasons: list[Reason]
    not_ruled_out: list[str] = Field(
        description="ids of the causes that fired urgent, same-day or emergency rules point to, most "
        "serious rule first: causes the answers cannot rule out, whatever their likelihood"
    )


class TipResult(Out):
    id: str
    kind: Literal["now", "prevention"]
    text: str
    because: list[str]


class RegionInfo(Out):
    """The region whose services the advice names (`--region`, HIPCHECK_REGION or the locale)."""

    code: str = Field(description="GB, IE, US, CA, AU, NZ, EU, or INTL for anywhere else")
    name: str
    emergency_number: str
    emergency_department: str
    urgent_care: str
    advice_line: str | None = Field(description="the advice line in a sentence; null where there is none")


class TriageResult(Out):
    schema_version: str = SCHEMA_VERSION
    content_version: str
    region: RegionInfo | None = Field(
        default=None,
        description="the region whose services the advice names (added in 2.1; absent from older saved "
        "results)",
    )
    answers: dict[str, AnswerValue]
    ignored: list[str] = Field(description="question ids answered but not asked on this path, so not used")
    red_flags_screened: bool
    unscreened: list[str] = Field(description="red-flag question ids not answered yes/no")
    level: LevelResult
    causes: list[RankedCause]
    tips: list[TipResult]
    disclaimer: str


BRIEF_SCHEMA_VERSION = "1.0"


class BriefCause(Out):
    id: str
    likelihood: float = Field(description="as in the full result's causes")


class TriageBrief(Out):
    """`hipcheck triage --json --brief`: the parts of the full result a survey or study counts, the same
    values as in `TriageResult` (`hipcheck schema triage`)."""

    schema_version: str = BRIEF_SCHEMA_VERSION
    content_version: str
    level: Level = Field(description="the full result's level.id")
    reasons: list[str] = Field(
        description="the ids of the reasons for the level (level.reasons[].id), in order"
    )
    causes: list[BriefCause] = Field(
        description="the top causes (as many as the content's top_causes), most likely first: the first "
        "of the full result's causes, with their likelihoods"
    )
    not_ruled_out: list[str] = Field(description="the full result's level.not_ruled_out")


class ConditionSummary(Out):
    """One line of `hipcheck list`."""

    id: str
    name: str
    category: Literal["common", "serious"]
    min_level: Level
    aliases: list[str]


class ConditionList(Out):
    schema_version: str = SCHEMA_VERSION
    content_version: str
    conditions: list[ConditionSummary]


class ConditionPage(Out):
    """`hipcheck explain NAME --json`: a condition's page, without its scoring weights."""

    schema_version: str = SCHEMA_VERSION
    content_version: str
    id: str
    name: str
    aliases: list[str]
    category: Literal["common", "serious"]
    min_level: Level
    summary: str
    symptoms: list[str]
    why_runners: list[str]
    self_care: list[str]
    prevention: list[str]
    see_professional: list[str]
    sources: list[Source]


class AskedWhen(Out):
    when_all: list[str]
    when_any: list[str]
    unless: list[str]


class OptionInfo(Out):
    id: str
    label: str
    offered_when: AskedWhen | None = Field(
        default=None, description="tests on earlier answers that decide whether it is offered; null: always"
    )


class QuestionInfo(Out):
    id: str
    text: str
    short: str
    kind: Literal["single", "multi", "scale"]
    section: str
    red_flag: bool
    help: str | None
    options: list[OptionInfo] = Field(description="empty for a scale; always ends with not_sure otherwise")
    scale: dict[str, int] | None = Field(description="{min, max} for a scale question, else null")
    asked_when: AskedWhen = Field(description="tests on earlier answers; all empty means always asked")


class QuestionList(Out):
    schema_version: str = SCHEMA_VERSION
    content_version: str
    questions: list[QuestionInfo]
