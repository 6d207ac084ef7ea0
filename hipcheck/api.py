"""hipcheck's Python API, for scripts and researchers: the same knowledge, engine and JSON as the CLI.

    from hipcheck import load_knowledge, triage, triage_many

    kb = load_knowledge()                       # once: parses and validates content/ (cached)
    result = triage({"injury": "no", "location": ["lateral"]}, kb)
    result.level, result.causes[0].id           # a TriageResult: the `hipcheck schema triage` model
    result.model_dump(mode="json")              # the same data `hipcheck triage --json` prints

    for result in triage_many(rows, kb, jobs=4):  # many answer sets, in input order
        ...

Answers are a mapping of question id to option id, list of option ids, or number, exactly as in an
answers file (`hipcheck questions` lists them). A bad answer set raises `AnswerError` with a one-line
message; `triage_many(..., errors="return")` yields the error in that set's place instead.

Advice names the emergency number and services of a region (content/regions.toml): `region="US"` on
`triage`, `triage_many` and `condition`, else HIPCHECK_REGION, else the locale's territory, else the
wording for anywhere else, as the command line chooses. `result.region` says which. Pass `region` for
output that does not depend on the machine it runs on.

Nothing here reads or writes the user's history: a script's answers are not the user's own check-in,
so a result depends on its answers and the content alone, as with `hipcheck triage --answers`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, overload

from hipcheck.engine import parallel
from hipcheck.engine.decide import AnswerError, assess, assess_brief, validate_answers
from hipcheck.knowledge.catalog import condition_list, condition_page, question_list
from hipcheck.knowledge.loader import ContentError, KnowledgeBase, find_condition, for_region, load_content
from hipcheck.knowledge.models import ConditionList, ConditionPage, QuestionList, TriageBrief, TriageResult

__all__ = [
    "AnswerError",
    "ContentError",
    "Knowledge",
    "TriageBrief",
    "TriageResult",
    "condition",
    "conditions",
    "load_knowledge",
    "questions",
    "triage",
    "triage_brief",
    "triage_many",
]

Knowledge = KnowledgeBase
"""The loaded, validated content: questions, conditions, rules and tips (immutable; share it freely)."""

_default: KnowledgeBase | None = None


def load_knowledge(content_dir: str | os.PathLike[str] | None = None) -> Knowledge:
    """Load and validate a content folder (default: the shipped one, or HIPCHECK_CONTENT), using the
    content cache. Raises `ContentError`, whose `problems` list every problem, if it is invalid."""
    return load_content(Path(content_dir) if content_dir is not None else None, use_cache=True)


def _knowledge(knowledge: Knowledge | None) -> Knowledge:
    global _default
    if knowledge is not None:
        return knowledge
    if _default is None:
        _default = load_knowledge()
    return _default


def _regional(kb: KnowledgeBase, region: str | None) -> KnowledgeBase:
    """`kb` with its texts naming the services of `region` (a code or alias such as "US" or "uk"; None:
    HIPCHECK_REGION, else the locale, else anywhere else). Raises ValueError for a code that names no
    region, or for a region other than the one `kb` was filled for."""
    from hipcheck.knowledge.regions import choose, resolve_code

    if kb.regions is None:
        if region is not None:
            raise ValueError(f"the content folder {kb.root} has no regions.toml, so it names no regions")
        return kb
    if kb.region is not None:  # filled already (a worker's copy): the same region only
        if region is None or resolve_code(region, [(kb.region.code, kb.region.aliases)]):
            return kb
        raise ValueError(f"this knowledge names the services of {kb.region.code}; use load_knowledge()'s")
    regions = [(r.code, r.aliases, r.territories) for r in kb.regions.region]
    code, _ = choose(region, os.environ, regions, kb.regions.unknown, flag_name="region")
    return for_region(kb, code)


def triage(
    answers: Mapping[str, Any], knowledge: Knowledge | None = None, *, region: str | None = None
) -> TriageResult:
    """The result for one answer set: urgency, likely causes, tips and the reasons for each. The same
    result as `hipcheck triage --answers FILE --json` (which, without --history, leaves the history out).
    Raises `AnswerError` for an answer that does not fit the question bank, ValueError for an unknown
    `region`."""
    kb = _regional(_knowledge(knowledge), region)
    return assess(kb, validate_answers(kb, answers))


def triage_brief(answers: Mapping[str, Any], knowledge: Knowledge | None = None) -> TriageBrief:
    """The compact result for one answer set: the level with its reason ids, the top causes with their
    likelihoods and the causes not ruled out, the same values as in `triage`'s result; the result of
    `hipcheck triage --answers FILE --json --brief` (`hipcheck schema triage-brief`). Several times
    faster than `triage`, for surveys and studies that count levels and causes."""
    kb = _knowledge(knowledge)
    return assess_brief(kb, validate_answers(kb, answers))


def _one(kb: KnowledgeBase, answers: Mapping[str, Any]) -> TriageResult | AnswerError:
    """One answer set in a worker process: its result, or its AnswerError (returned, to keep order)."""
    try:
        return triage(answers, kb)
    except AnswerError as exc:
        return exc


def _one_brief(kb: KnowledgeBase, answers: Mapping[str, Any]) -> TriageBrief | AnswerError:
    try:
        return triage_brief(answers, kb)
    except AnswerError as exc:
        return exc


@overload
def triage_many(
    answer_sets: Iterable[Mapping[str, Any]],
    knowledge: Knowledge | None = None,
    *,
    jobs: int = 1,
    errors: Literal["raise"] = "raise",
    region: str | None = None,
    brief: bool = False,
) -> Iterator[TriageResult]: ...
@overload
def triage_many(
    answer_sets: Iterable[Mapping[str, Any]],
    knowledge: Knowledge | None = None,
    *,
    jobs: int = 1,
    errors: str,
    region: str | None = None,
    brief: bool = False,
) -> Iterator[TriageResult | AnswerError]: ...
def triage_many(
    answer_sets: Iterable[Mapping[str, Any]],
    knowledge: Knowledge | None = None,
    *,
    jobs: int = 1,
    errors: str = "raise",
    region: str | None = None,
    brief: bool = False,
) -> Iterator[TriageResult | AnswerError]:
    """A result for each answer set, in input order, lazily (a stream of any length in bounded memory).

    `jobs` > 1 scores on that many processes (`hipcheck.engine.parallel`: the knowledge goes to each
    once; answer sets and results cross to them, so use it for thousands of sets, not tens). As with
    any `multiprocessing` code, a script that uses it must guard its top level with
    `if __name__ == "__main__":` on platforms that start processes by spawning (macOS, Windows).
    `errors="raise"` (the default) raises the first `AnswerError`; `errors="return"` yields it in that
    answer set's place and goes on. `brief=True` yields `triage_brief` results (`TriageBrief`). A bad
    `jobs` (not a whole number from 1 to `MAX_JOBS`, 64, as for `--jobs`), `errors` or `region` raises
    ValueError at once."""
    if errors not in ("raise", "return"):
        raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
    jobs = parallel.check_jobs(jobs)  # 1 to MAX_JOBS (64), as `--jobs` on the command line
    kb = _regional(_knowledge(knowledge), region)
    one = _one_brief if brief else _one
    if jobs == 1:
        results: Iterator[Any] = (one(kb, answers) for answers in answer_sets)
    else:
        results = parallel.ordered_map(one, kb, answer_sets, jobs)
    return _raising(results) if errors == "raise" else results


def _raising(results: Iterator[TriageResult | AnswerError]) -> Iterator[TriageResult]:
    for result in results:
        if isinstance(result, AnswerError):
            raise result
        yield result


def questions(knowledge: Knowledge | None = None) -> QuestionList:
    """The question bank: ids, texts, options and when each is asked (`hipcheck questions --json`)."""
    return question_list(_knowledge(knowledge))


def conditions(knowledge: Knowledge | None = None) -> ConditionList:
    """Every condition hipcheck knows, by category (`hipcheck list --json`)."""
    return condition_list(_knowledge(knowledge))


def condition(name: str, knowledge: Knowledge | None = None, *, region: str | None = None) -> ConditionPage:
    """One condition's page, by id, name or alias, as `hipcheck explain NAME --json` resolves it, its
    advice naming the services of `region` (as for `triage`). Raises `LookupError` naming close matches
    when there is no such condition."""
    kb = _regional(_knowledge(knowledge), region)
    cond, suggestions = find_condition(kb, name)
    if cond is None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise LookupError(f"no condition called {name!r}{hint}")
    return condition_page(kb, cond)
