"""Measure hipcheck against patient vignettes: top-1, top-3, triage exact, under- and over-triage, and
how well the shown likelihoods are calibrated (a reliability table and the expected calibration error).

A vignette is a TOML file: a first-person story, the answers that patient gives, the expected cause,
acceptable alternatives and the expected urgency level. See tests/vignettes/README.md.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hipcheck.engine import decide
from hipcheck.knowledge.files import path_problem
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import NOT_SURE, Level
from hipcheck.knowledge.text import echo


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
        problem = path_problem(p)
        if problem:
            raise VignetteError(f"{echo(p)}: {problem}")
        try:
            files += sorted(p.glob("*.toml")) if p.is_dir() else [p]
        except OSError as exc:
            raise VignetteError(f"{echo(p)}: {exc.strerror or exc}") from None
    out = []
    for f in files:
        try:
            out.append((f, Vignette.model_validate(tomllib.loads(f.read_text(encoding="utf-8")))))
        except OSError as exc:  # its text repeats the path: the reason alone, after the path cut short
            raise VignetteError(f"{echo(f)}: {exc.strerror or type(exc).__name__}") from exc
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise VignetteError(f"{echo(f)}: {echo(str(exc).splitlines()[0], 200)}") from exc
    return out


@dataclass
class Outcome:
    vignette: Vignette
    ranked: list[str]
    level: Level
    asked: int = 0  # questions the interview asks on this case's path
    likelihoods: list[float] = field(default_factory=list)  # as shown, in the order of `ranked`

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
        outcomes.append(
            Outcome(
                v,
                [c.id for c in result.causes],
                result.level.id,
                path_length(kb, answers),
                [c.likelihood for c in result.causes],
            )
        )
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


# --------------------------------------------------------------------------- calibration

BINS = 10  # equal-width bins of the shown likelihood for the reliability table and the ECE


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    shown: float  # mean likelihood shown in the bin
    right: float  # share of the bin's causes that were right


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> list[Bin]:
    """(likelihood shown, was it right) pairs grouped into equal-width bins of the likelihood; the last
    bin includes 1.0. Empty bins are left out."""
    groups: dict[int, list[tuple[float, bool]]] = {}
    for p, right in pairs:
        groups.setdefault(min(int(p * bins), bins - 1), []).append((p, right))
    return [
        Bin(
            b / bins,
            (b + 1) / bins,
            len(g),
            sum(p for p, _ in g) / len(g),
            sum(r for _, r in g) / len(g),
        )
        for b, g in sorted(groups.items())
    ]


def ece(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> float:
    """Expected calibration error: over the bins, the gap between the mean likelihood shown and the share
    that was right, weighted by the bin's share of all pairs (Guo et al., ICML 2017)."""
    n = len(pairs)
    return sum(b.n / n * abs(b.shown - b.right) for b in reliability(pairs, bins)) if n else 0.0


def top1_pairs(outcomes: Sequence[Outcome]) -> list[tuple[float, bool]]:
    """The top cause's shown likelihood, and whether it was the expected cause or an acceptable one."""
    return [(o.likelihoods[0], o.top1) for o in outcomes if o.likelihoods]


def shown_pairs(outcomes: Sequence[Outcome], shown: int = 3) -> list[tuple[float, bool]]:
    """Every shown cause (the first `shown`): its likelihood, and whether it was right."""
    return [
        (p, cid in o.correct)
        for o in outcomes
        for cid, p in zip(o.ranked[:shown], o.likelihoods, strict=False)
    ]


def calibration_table(outcomes: Sequence[Outcome]) -> str:
    """The reliability table of the top cause's likelihood, and the ECE of the top cause and of all shown."""
    pairs = top1_pairs(outcomes)
    head = f"{'top cause shown':<16} {'n':>3} {'mean shown':>10} {'right':>6} {'gap':>6}"
    lines = ["calibration of the top cause's likelihood (right: expected or acceptable cause)", head]
    lines.append("-" * len(head))
    for b in reliability(pairs):
        span = f"{b.low:.0%}-{b.high:.0%}"
        lines.append(f"{span:<16} {b.n:>3} {b.shown:10.0%} {b.right:6.0%} {b.shown - b.right:+6.0%}")
    lines.append("-" * len(head))
    mean_shown = sum(p for p, _ in pairs) / len(pairs) if pairs else 0.0
    mean_right = sum(r for _, r in pairs) / len(pairs) if pairs else 0.0
    lines.append(
        f"{'ALL':<16} {len(pairs):>3} {mean_shown:10.0%} {mean_right:6.0%} {mean_shown - mean_right:+6.0%}"
    )
    lines.append(f"ECE top cause: {ece(pairs):.3f}")
    lines.append(f"ECE all three shown causes: {ece(shown_pairs(outcomes)):.3f}")
    return "\n".join(lines)


def softmax(logs: Sequence[float], temperature: float) -> list[float]:
    top = max(logs)
    weights = [math.exp((x - top) / temperature) for x in logs]
    total = sum(weights)
    return [w / total for w in weights]


def nll(scored: Sequence[tuple[dict[str, float], str]], temperature: float) -> float:
    """Mean negative log-likelihood of the expected cause at this temperature."""
    total = 0.0
    for logs, expected in scored:
        ids = list(logs)
        probs = softmax([logs[c] for c in ids], temperature)
        total -= math.log(max(probs[ids.index(expected)], 1e-12))
    return total / len(scored) if scored else 0.0


def case_scores(
    kb: KnowledgeBase, cases: Sequence[tuple[Path, Vignette]]
) -> list[tuple[dict[str, float], str]]:
    """(each condition's log score before calibration, the expected cause) per case."""
    out = []
    for path, v in cases:
        try:
            answers = decide.validate_answers(kb, v.answers)
        except decide.AnswerError as exc:
            raise VignetteError(f"{path}: {exc}") from exc
        out.append((decide.log_scores(kb, decide.effective_answers(kb, answers)), v.expected_cause))
    return out


TEMPERATURE_GRID = tuple(round(0.05 * k, 2) for k in range(2, 61))  # 0.10 to 3.00


def fit_temperature(
    scored: Sequence[tuple[dict[str, float], str]], grid: Sequence[float] = TEMPERATURE_GRID
) -> float:
    """The temperature on the grid with the lowest negative log-likelihood (the smaller on a tie)."""
    return min(grid, key=lambda t: (round(nll(scored, t), 9), t))
