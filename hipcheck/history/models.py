"""Models for recovery tracking: the escalation rules in content/history.toml, the records kept in the
history database, and what `hipcheck history --json` prints.

Nothing here knows a medical fact: the thresholds, wording and sources live in content/history.toml.
"""

from __future__ import annotations

import string
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator

from hipcheck.knowledge.models import (
    SCHEMA_VERSION,
    AnswerValue,
    Atom,
    Level,
    Out,
    Reason,
    Record,
    Source,
    Text,
    _parse_atoms,
    _parse_clause,
)

HISTORY_FILE = "history.toml"
HISTORY_SCHEMA_VERSION = "1.1"  # 1.1: session, during, morning; clearances
Side = Literal["left", "right", "both"]
SIDES: tuple[str, ...] = ("left", "right", "both")
EARLIEST_DAY = date(1900, 1, 1)  # a check-in, --date or --since before this is a typo, not a record

# --------------------------------------------------------------------------- content: escalation rules


PLACEHOLDERS = frozenset({"days", "first", "last", "change", "when", "record"})


class HistoryRule(Record):
    """One escalation rule: when it fires, the next triage is at least `level`, for `reason`."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    level: Level
    reason: Text = Field(description="shown to the user; may use the placeholders documented in history.toml")
    advice: list[Text] = []
    advice_max_level: Level = Field(
        default=Level.emergency,
        description="the highest result level at which the advice is shown: set it when a more urgent "
        "level's own advice already says the same thing",
    )
    sources: list[Source] = Field(min_length=1)

    @field_validator("reason")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a valid template: {exc}") from None
        unknown = names - PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(PLACEHOLDERS))}"
            )
        return text


class PersistingRule(HistoryRule):
    """Pain on and off for more than `min_days` without improving by `min_improvement` points."""

    min_days: int = Field(ge=1, le=365)
    max_gap_days: int = Field(ge=1, le=90, description="a longer gap without records ends an episode")
    compare_days: int = Field(ge=1, le=14, description="days of records averaged at each end of the episode")
    min_improvement: float = Field(gt=0, le=10)
    min_improvement_share: float = Field(
        default=1.0, gt=0, le=1, description="or a fall of this share of the starting pain counts too"
    )


class RisingRule(HistoryRule):
    """The fitted line through the daily pain of the last `window_days` climbs by `min_change` or more."""

    window_days: int = Field(ge=2, le=90)
    min_days: int = Field(ge=2, le=90, description="days with a record needed before a trend is called")
    min_change: float = Field(gt=0, le=10)


class RestNightEscalation(HistoryRule):
    """A check-in's rest or night pain, escalated as the triage rule `rule` does (see history.toml)."""

    rule: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    when: Literal["rest", "night"]
    triage_tests: list[str] = Field(min_length=1, description="all must hold on the latest triage's answers")
    points_to: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]] = []

    _atoms = field_validator("triage_tests")(_parse_atoms)

    def clauses(self) -> list[list[Atom]]:
        return [_parse_clause(v) for v in self.triage_tests]


class RestNightRule(HistoryRule):
    """Pain at rest or at night reported in the last `window_days`, in a check-in or a triage."""

    window_days: int = Field(ge=1, le=90)
    rest_tests: list[str] = Field(min_length=1, description="answer tests meaning rest pain in a triage")
    night_tests: list[str] = Field(min_length=1, description="answer tests meaning night pain in a triage")
    rest_words: Text
    night_words: Text
    both_words: Text
    checkin_words: Text = Field(default="a check-in", description="{record}: only check-ins reported it")
    triage_words: Text = Field(default="a triage", description="{record}: only saved triages reported it")
    both_records_words: Text = Field(
        default="a check-in and a triage", description="{record}: check-ins and triages reported it"
    )

    unless: list[str] = Field(
        default=[], description="answer tests that explain the pain as pressure on a sore spot (see rules)"
    )
    escalate: list[RestNightEscalation] = Field(
        default=[], description="check-in findings raised as the matching triage rule does"
    )

    _atoms = field_validator("rest_tests", "night_tests", "unless")(_parse_atoms)  # the language of content/

    def atoms(self, which: Literal["rest", "night", "unless"]) -> list[Atom]:
        tests = {"rest": self.rest_tests, "night": self.night_tests, "unless": self.unless}[which]
        return [a for v in tests for a in _parse_clause(v)]


class HistoryRules(Record):
    """content/history.toml."""

    pain_min: int = Field(ge=1, le=10, description="a day counts as painful at this score or above")
    stale_days: int = Field(ge=1, le=90, description="history older than this says nothing about now")
    result_pain_question: str = Field(
        description="the scale question whose answer is the triage's pain score"
    )
    result_side_question: str = Field(
        default="side", description="the question whose answer (left, right, both) is the triage's side"
    )
    persisting: PersistingRule
    rising: RisingRule
    rest_night: RestNightRule


class HistoryContentError(Exception):
    """content/history.toml is missing or invalid; `problems` holds one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def history_file(content_dir: Path | str | None = None) -> Path:
    """history.toml in the content directory in use, or the bundled one when that directory has none
    (a custom content directory need not repeat the escalation rules)."""
    from hipcheck.knowledge.files import default_content_dir

    if content_dir is not None and (Path(content_dir) / HISTORY_FILE).is_file():
        return Path(content_dir) / HISTORY_FILE
    env_or_default = default_content_dir() / HISTORY_FILE
    if env_or_default.is_file():
        return env_or_default
    return Path(__file__).resolve().parent.parent / "content" / HISTORY_FILE


@lru_cache(maxsize=8)
def _load(path: Path) -> HistoryRules:
    from hipcheck.knowledge.loader import (
        read_toml,  # within the content limits: size, UTF-8, nesting, numbers
    )

    where = f"{path.parent.name}/{path.name}"
    problems: list[str] = []
    data = read_toml(path, where, problems)
    if data is None:
        raise HistoryContentError(problems)
    try:
        return HistoryRules.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field_path = ".".join(str(p) for p in err["loc"]) or "(file)"
            problems.append(f"{where} → {field_path}: {err['msg'].removeprefix('Value error, ')}")
        raise HistoryContentError(problems) from None


def load_history_rules(content_dir: Path | str | None = None) -> HistoryRules:
    """Load and validate history.toml (cached per file); raise HistoryContentError naming each problem."""
    return _load(history_file(content_dir).resolve())


# --------------------------------------------------------------------------- stored records


class CheckIn(Out):
    """One `hipcheck log` entry."""

    id: int
    day: date = Field(description="the day the check-in is about (local date)")
    recorded_at: datetime = Field(description="when it was written (UTC)")
    pain: int = Field(ge=0, le=10)
    km: float | None = Field(default=None, ge=0, description="distance run that day, if given")
    side: Side | None = None
    rest: bool = Field(default=False, description="pain at rest, sitting or lying still")
    night: bool = Field(default=False, description="pain at night, enough to wake")
    note: str | None = None
    session: bool | None = Field(
        default=None,
        description="the plan's session of the day was done (true) or not (false); null: not said",
    )
    during: int | None = Field(default=None, ge=0, le=10, description="pain during that session, 0-10")
    morning: int | None = Field(default=None, ge=0, le=10, description="pain on waking that morning, 0-10")


class Clearance(Out):
    """A clinician's clearance for a step of a plan, as the runner recorded it (`hipcheck plan --cleared`)."""

    id: int
    day: date
    recorded_at: datetime
    plan: str = Field(description="the plan's id")
    phase: str = Field(description="the id of the step the runner was cleared for")


class PastResult(Out):
    """A saved triage result, summarised (the full result stays in the database)."""

    id: int
    day: date
    recorded_at: datetime
    level: Level
    level_label: str
    content_version: str
    reasons: list[str] = Field(description="ids of the reasons for the level")
    top_cause: str | None = Field(description="id of the most likely cause")
    top_cause_name: str | None = None
    answers: dict[str, AnswerValue]
    side: Side | None = Field(
        default=None, description="from the triage's `side` answer; null when not answered or not sure"
    )
    rest: bool | None = Field(
        default=None,
        description="pain at rest, from the `timing` answer; null if not asked, skipped or 'Not sure'",
    )
    night: bool | None = Field(
        default=None,
        description="pain at night, from the `timing` answer; null if not asked, skipped or 'Not sure'",
    )


# --------------------------------------------------------------------------- trend and export


class TrendSummary(Out):
    """What the history says about the course of the pain."""

    days_with_data: int
    first_day: date | None
    last_day: date | None
    latest_pain: int | None
    window_days: int
    change: float | None = Field(
        description="rise (+) or fall (-) of the line fitted to the daily pain over the window, in points"
    )
    direction: Literal["improving", "steady", "worsening", "unknown"]
    episode_days: int | None = Field(description="days since the current run of painful days began")
    findings: list[Reason] = Field(description="escalation findings; each raises the next triage's level")
    next_triage_at_least: Level | None = Field(
        default=None,
        description="the lowest level the next triage can give because of the findings; null when none fired "
        "(a past triage's own level is not carried forward: see `results`)",
    )


class HistoryExport(Out):
    """`hipcheck history --json`."""

    schema_version: str = HISTORY_SCHEMA_VERSION
    triage_schema_version: str = SCHEMA_VERSION
    today: date
    since: date | None
    checkins: list[CheckIn]
    results: list[PastResult]
    clearances: list[Clearance] = Field(default=[], description="clearances recorded for plan steps")
    trend: TrendSummary
