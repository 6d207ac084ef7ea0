"""Measure hipcheck against patient vignettes: top-1, top-3, triage exact, under- and over-triage.

A vignette is a TOML file: a first-person story, the answers that patient gives, the expected cause,
acceptable alternatives and the expected urgency level. See tests/vignettes/README.md.
"""

from __future__ import annotations

import statistics
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hipcheck.engine import decide
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import NOT_SURE, Level


class Vignette(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    story: str = Field(min_length=20)
    expected_cause: str
    acceptable: list[str] = []
    expected_level: Level
    tags: list[
        Literal[
            "textbook",
            "atypical",
            "misleading",
            "red_flag",
            "early",
            "published",
            "bone_stress",
            "adolescent",
            "paediatric",
            "non_msk",
            "infection",
            "self_care_alarming",
        ]
    ] = []
    source_note: str = ""
    # Case sets built from published reports and guidance (tests/cases) also say what the case is and
    # where the level comes from.
    diagnosis: str = ""
    level_basis: str = ""
    citation: str = ""
    url: str = ""
    answers: dict[str, Any]


class VignetteError(Exception):
    pass


def load_vignettes(paths: Iterable[Path]) -> list[tuple[Path, Vignette]]:
    """Load vignette files (or every *.toml in given folders), sorted by path."""
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.toml")) if p.is_dir() else [p]
    out = []
    for f in files:
        try:
            out.append((f, Vignette.model_validate(tomllib.loads(f.read_text(encoding="utf-8")))))
        except (tomllib.TOMLDecodeError, ValidationError, OSError) as exc:
            raise VignetteError(f"{f}: {str(exc).splitlines()[0]}") from exc
    return out


@dataclass
class Outcome:
    vignette: Vignette
    ranked: list[str]
    level: Level
    asked: int = 0  # questions the interview asks on this case's path

    @property
    def correct(self) -> set[str]:
        return {self.vignette.expected_cause, *self.vignette.acceptable}

    @property
    def top1(self) -> bool:
        return self.ranked[0] in self.correct

    @property
    def top1_strict(self) -> bool:
        return self.ranked[0] == self.vignette.expected_cause

    @property
    def top3(self) -> bool:
        return bool(self.correct & set(self.ranked[:3]))

    @property
    def top3_strict(self) -> bool:
        return self.vignette.expected_cause in self.ranked[:3]

    @property
    def triage_exact(self) -> bool:
        return self.level is self.vignette.expected_level

    @property
    def under(self) -> bool:
        return self.level.rank < self.vignette.expected_level.rank

    @property
    def over(self) -> bool:
        return self.level.rank > self.vignette.expected_level.rank


@dataclass
class Tally:
    n: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))

    def add(self, o: Outcome) -> None:
        self.n += 1
        for m in METRICS:
            self.counts[m] += bool(getattr(o, m))

    def rate(self, metric: str) -> float:
        return self.counts[metric] / self.n if self.n else 0.0


METRICS = ("top1", "top1_strict", "top3", "top3_strict", "triage_exact", "under", "over")


def evaluate(kb: KnowledgeBase, cases: Sequence[tuple[Path, Vignette]]) -> list[Outcome]:
    outcomes = []
    for path, v in cases:
        try:
            answers = decide.validate_answers(kb, v.answers)
        except decide.AnswerError as exc:
            raise VignetteError(f"{path}: {exc}") from exc
        result = decide.assess(kb, answers)
        outcomes.append(Outcome(v, [c.id for c in result.causes], result.level.id, path_length(kb, answers)))
    return outcomes


def path_length(kb: KnowledgeBase, answers: decide.Answers) -> int:
    """How many questions the interview asks this person: their answers where given, "Not sure" where a
    question on their path has no answer."""
    given: decide.Answers = {}
    while (q := decide.next_question(kb, given)) is not None:
        default = [NOT_SURE] if q.kind == "multi" else NOT_SURE
        given[q.id] = answers.get(q.id, default)  # type: ignore[assignment]
    return len(given)


def summarise(outcomes: Sequence[Outcome]) -> tuple[Tally, dict[str, Tally]]:
    overall = Tally()
    per: dict[str, Tally] = {}
    for o in outcomes:
        overall.add(o)
        per.setdefault(o.vignette.expected_cause, Tally()).add(o)
    return overall, dict(sorted(per.items()))


def table(outcomes: Sequence[Outcome]) -> str:
    """A plain-text accuracy table: overall, per condition, then the misses."""
    overall, per = summarise(outcomes)
    head = (
        f"{'condition':<30} {'n':>3} {'top1':>6} {'strict1':>7} {'top3':>6} {'strict3':>7} "
        f"{'triage':>6} {'under':>5} {'over':>5}"
    )
    lines = [head, "-" * len(head)]

    def row(name: str, t: Tally) -> str:
        pct = lambda m: f"{t.rate(m):6.0%}"  # noqa: E731
        return (
            f"{name:<30} {t.n:>3} {pct('top1')} {t.rate('top1_strict'):7.0%} "
            f"{pct('top3')} {t.rate('top3_strict'):7.0%} "
            f"{pct('triage_exact')} {t.counts['under']:>5} {t.counts['over']:>5}"
        )

    for cid, t in per.items():
        lines.append(row(cid, t))
    lines += ["-" * len(head), row("ALL", overall)]
    serious_under = [o for o in outcomes if o.under and o.vignette.expected_level.rank >= Level.urgent.rank]
    lines.append(f"under-triage of urgent, same-day or emergency cases: {len(serious_under)}")
    lengths = sorted(o.asked for o in outcomes)
    if lengths:
        lines.append(
            f"interview length: median {statistics.median(lengths):g}, longest {lengths[-1]} questions"
        )
    misses = [o for o in outcomes if not o.top3 or not o.triage_exact]
    if misses:
        lines += ["", "misses (expected → got):"]
        for o in misses:
            cause = "" if o.top3 else f" cause {o.vignette.expected_cause} → {', '.join(o.ranked[:3])}"
            level = "" if o.triage_exact else f" level {o.vignette.expected_level.value} → {o.level.value}"
            lines.append(f"  {o.vignette.id}:{cause}{level}")
    return "\n".join(lines)


def figures(outcomes: Sequence[Outcome]) -> dict[str, float]:
    overall, _ = summarise(outcomes)
    return {m: round(overall.rate(m), 4) for m in METRICS}
