"""Whole-content checks beyond validation: every question reachable, every condition able to rank first.

Used by `hipcheck content check` and by the test suite.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from hipcheck.engine import decide
from hipcheck.knowledge.loader import ContentError, KnowledgeBase, _problem_line, load_content, plan_content
from hipcheck.knowledge.models import NOT_SURE, Atom, Level, Question, Triggered
from hipcheck.knowledge.plans import coverage_problems


def _candidates(q: Question) -> list[decide.AnswerValue]:
    if q.kind == "scale":
        return list(range(q.scale_min, q.scale_max + 1, 2))
    if q.kind == "single":
        return [o.id for o in q.options]
    out: list[decide.AnswerValue] = [[o.id] for o in q.options]
    non_none = [o.id for o in q.options if o.id != q.none_option]
    out += [[a, b] for i, a in enumerate(non_none) for b in non_none[i + 1 :]]
    return out


def _set(kb: KnowledgeBase, answers: decide.Answers, atom: Atom) -> bool:
    """Make one test hold in `answers`; False when it contradicts an answer already there."""
    q = kb.question_by_id[atom.question]
    current = answers.get(q.id)
    if atom.op == "has":
        if q.kind == "multi":
            picked = [v for v in (current or []) if v not in (NOT_SURE, q.none_option)]  # type: ignore[union-attr]
            if atom.option == q.none_option and picked:
                return False
            answers[q.id] = sorted({*picked, atom.option}, key=q.option_ids.index)  # type: ignore[assignment]
            return True
        if current not in (None, atom.option):
            return False
        answers[q.id] = atom.option  # type: ignore[assignment]
        return True
    if current is not None:
        return atom.op == "answered" or decide.holds(atom, answers)
    answers[q.id] = _candidates(q)[0] if atom.op == "answered" else atom.number  # type: ignore[assignment]
    return True


def satisfy(kb: KnowledgeBase, rec: Triggered, limit: int = 400) -> decide.Answers | None:
    """Answers a real interview can give (follow-ups only where the tree asks them) under which `rec`
    applies, or None. Tries the alternatives of each test, and the tests of the questions they need."""
    all_, any_, _ = rec.tests
    groups = [list(c) for c in all_] + ([[a for c in any_ for a in c]] if any_ else [])
    for combo in itertools.islice(itertools.product(*groups), limit):
        answers: decide.Answers = {}
        if not all(_set(kb, answers, a) for a in combo):
            continue
        # Each follow-up question used needs its own tests to hold, or the tree never asks it.
        for a in combo:
            parent = kb.question_by_id[a.question]
            if parent.tests != ((), (), ()):
                need = satisfy(kb, parent, limit=20)
                if need is None:
                    break
                for qid, v in need.items():
                    answers.setdefault(qid, v)
        # Walk the rest of the tree with "Not sure", as a user who skips everything else would.
        while (nxt := decide.next_question(kb, answers)) is not None:
            answers[nxt.id] = [NOT_SURE] if nxt.kind == "multi" else NOT_SURE  # type: ignore[assignment]
        used = decide.effective_answers(kb, answers)
        if decide.applies(rec, used):
            return used
    return None


def unreachable_questions(kb: KnowledgeBase) -> list[str]:
    """Questions no answers make the interview ask."""
    return [q.id for q in kb.questions if satisfy(kb, q) is None]


def dead_rules(kb: KnowledgeBase) -> list[str]:
    """Rules that no answers from a real interview path can fire."""
    return [r.id for r in kb.rules if satisfy(kb, r) is None]


def safe_answers(kb: KnowledgeBase) -> set[tuple[str, str]]:
    """(question id, option id) of every reassuring answer: a single question's `safe` options and a
    multi question's none option."""
    out = {(q.id, o) for q in kb.questions for o in q.safe}
    return out | {(q.id, q.none_option) for q in kb.questions if q.none_option}


def worrying_answers(kb: KnowledgeBase) -> set[tuple[str, str]]:
    """(question id, option id) of every answer a rule tests for: the answers that can raise the level."""
    return {
        (a.question, a.option or "")
        for r in kb.rules
        for group in r.tests[:2]
        for clause in group
        for a in clause
        if a.op == "has"
    }


def monotone_problems(kb: KnowledgeBase) -> list[str]:
    """What would let one more warning sign lower the level (see rules.toml's header).

    The level is the highest of the fired rules' levels, so it can only rise when answers move from safe
    to worrying if: no rule needs a safe answer or a low number, no `unless` names a worrying answer or a
    high number, and no question's asking depends on either (a question dropped from the interview takes
    its answers, and the rules they fire, with it)."""
    safe = safe_answers(kb)
    worrying = worrying_answers(kb)
    # Answers that can turn worrying: a multi question's (ticking one more) and a single question's with a
    # safe answer (leaving it). A single question with no safe answer (how it started) has no direction.
    changeable = {q.id for q in kb.questions if q.kind == "multi" or q.safe}
    multi = {q.id: q.kind == "multi" for q in kb.questions}
    problems: list[str] = []

    def scan(where: str, rec: Triggered, level: Level | None = None) -> None:
        all_, any_, unless = rec.tests
        for clause in (*all_, *any_):
            for a in clause:
                if a.op == "has" and (a.question, a.option) in safe:
                    problems.append(
                        f"{where} → {a.text}: tests a safe answer, so leaving it could lower the level"
                    )
                if a.op == "<=":
                    problems.append(f"{where} → {a.text}: '<=' makes a higher answer fire less; use '>='")
        for clause in unless:
            for a in clause:
                # An urgent-or-higher rule keeps no exemption a tick can switch on: "muscles ache in both
                # legs" must not cancel a limp's bone-stress rule. A routine rule may have one
                # (`lying_side`: night pain from lying on a sore tendon) and only ever falls to self-care.
                if level is not None and level.rank >= Level.urgent.rank and multi.get(a.question):
                    problems.append(f"{where} → unless {a.text}: a tick must never switch off an urgent rule")
                elif a.op == "has" and (a.question, a.option) in worrying and a.question in changeable:
                    problems.append(
                        f"{where} → unless {a.text}: a worrying answer must never switch this off"
                    )
                if a.op == ">=":
                    problems.append(f"{where} → unless {a.text}: a higher answer must never switch this off")

    for r in kb.rules:
        scan(f"rules.toml → rule (id={r.id})", r, r.level)
    for q in kb.questions:
        scan(f"questions.toml → question (id={q.id})", q)
    return problems


def best_answers_for(kb: KnowledgeBase, cid: str, passes: int = 3) -> decide.Answers:
    """Coordinate-ascent search for answers that rank `cid` first (to prove every condition can win).

    Starts from every red flag answered "no", then repeatedly picks, question by question, the answer
    that most widens the log-odds gap between `cid` and the best other condition. It stops as soon as
    `cid` ranks first: those answers are the proof, and searching on costs seconds on every check."""
    answers: decide.Answers = {
        q.id: [q.none_option] if q.kind == "multi" and q.none_option else q.options[0].id
        for q in kb.red_flag_questions
    }

    def margin(ans: decide.Answers) -> float:
        ranked = decide.score(kb, decide.effective_answers(kb, ans))
        mine = next(p for c, p in ranked if c == cid)
        best_other = max(p for c, p in ranked if c != cid)
        return math.log(mine + 1e-300) - math.log(best_other + 1e-300)

    for _ in range(passes):
        for q in kb.questions:
            if not decide.applies(q, answers):
                continue
            options = _candidates(q) + ([answers[q.id]] if q.id in answers else [])
            gap, best = max(((margin({**answers, q.id: cand}), -i), cand) for i, cand in enumerate(options))
            answers[q.id] = best
            answers = decide.effective_answers(kb, answers)
            if gap[0] > 0 and margin(answers) > 0:
                return answers
    return answers


def conditions_never_first(kb: KnowledgeBase) -> list[str]:
    out = []
    for c in kb.conditions:
        ranked = decide.score(kb, decide.effective_answers(kb, best_answers_for(kb, c.id)))
        if ranked[0][0] != c.id:
            out.append(c.id)
    return out


def _history_problems(kb: KnowledgeBase, directory: Path | None) -> list[str]:
    """history.toml (escalation rules) validates, and its answer tests name real questions."""
    from hipcheck.history.models import HistoryContentError, history_file, load_history_rules
    from hipcheck.knowledge.loader import _check_atom
    from hipcheck.knowledge.text import did_you_mean

    try:
        rules = load_history_rules(directory)
    except HistoryContentError as exc:
        return exc.problems
    where = f"{history_file(directory).parent.name}/history.toml"
    problems: list[str] = []
    for name in ("result_pain_question", "result_side_question"):
        qid = getattr(rules, name)
        if qid not in kb.question_by_id:
            problems.append(
                f"{where} → {name}: unknown question '{qid}'{did_you_mean(qid, kb.question_by_id)}"
            )
    for which, field in (("rest", "rest_tests"), ("night", "night_tests"), ("unless", "unless")):
        for atom in rules.rest_night.atoms(which):  # type: ignore[arg-type]
            _check_atom(atom, kb.question_by_id, f"{where} → rest_night.{field}", problems)
    return problems


_FORMAT_FIELDS = {  # braces filled by other code: `{count}` in meta.toml, `{days}` in history.toml
    "meta.toml": {"questions", "count"},
    "history.toml": {"days", "first", "last", "change", "when", "record"},
    # plans.toml [words], filled by engine/plan.py
    "plans.toml": {"cause", "group", "likely", "advice", "id", "during_max", "morning_max", "over", "when"}
    | {"step", "name", "progress", "sessions", "needed", "days", "days_needed"},
}
_BRACES = re.compile(r"\{([a-z_]+)\}")


def _strings(data: object, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) of each string in parsed TOML, a record in a list shown by its id; sources (the
    citations, whose titles may name a service) are skipped."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            if k != "sources":
                yield from _strings(v, f"{path} → {k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            rid = v.get("id") if isinstance(v, dict) else None
            yield from _strings(v, f"{path} (id={rid})" if isinstance(rid, str) else f"{path}[{i}]")


def region_problems(root: Path) -> list[str]:
    """Content text outside regions.toml that names a UK service ("999", "111", "NHS 111", "A&E")
    instead of a placeholder, which would tell a runner elsewhere a wrong number; unknown placeholders
    (a misspelt `{emergency_numbr}` would be shown as written); `{advice_line}` anywhere but at the end
    of a text (it is a whole sentence, or nothing); and placeholders in history.toml, which is not
    filled per region. Each problem names file → record → field. `python tools/regionalise.py --write`
    converts "999" and "A&E"; "NHS 111" needs a hand edit."""
    from hipcheck.history.models import HISTORY_FILE
    from hipcheck.knowledge.files import REGIONS_BOOK, content_files
    from hipcheck.knowledge.regions import PLACEHOLDERS, UK_SERVICE_PLACEHOLDER, UK_SERVICES

    problems: list[str] = []
    files = [p for p in content_files(root) if p.name != REGIONS_BOOK]
    if (root / HISTORY_FILE).is_file():
        files.append(root / HISTORY_FILE)
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # validation reports it
        name = path.relative_to(root).as_posix()
        allowed = set(PLACEHOLDERS) | _FORMAT_FIELDS.get(name, set())
        for where, text in _strings(data, ""):
            here = f"{root.name}/{name} → {where}"
            for m in UK_SERVICES.finditer(text):
                fix = UK_SERVICE_PLACEHOLDER.get(m[0])
                how = (
                    f"write {fix} (`python tools/regionalise.py --write {root.name}/{name}` does it)"
                    if fix
                    else "name a same-day place with {urgent_care} and end the text with {advice_line}"
                )
                problems.append(f"{here}: names the UK service '{m[0]}'; {how}")
            for m in _BRACES.finditer(text):
                if m[1] not in allowed:
                    problems.append(
                        f"{here}: unknown placeholder {{{m[1]}}}; region placeholders are "
                        + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                    )
                elif name == HISTORY_FILE and m[1] in PLACEHOLDERS:
                    problems.append(
                        f"{here}: {{{m[1]}}} is not filled in history.toml; name no service there"
                    )
                elif m[1] == "advice_line" and text.rstrip() != text.rstrip()[: m.start()] + m[0]:
                    problems.append(
                        f"{here}: {{advice_line}} is a whole sentence, or nothing: put it at the end"
                    )
    return problems


def check_content(directory: Path | None) -> tuple[list[str], str]:
    """(problems, summary). Validation problems first; reachability only once content loads."""
    try:
        kb = load_content(directory)
    except ContentError as exc:
        return exc.problems, ""
    problems = [
        f"questions.toml → question (id={qid}): no answers make the interview ask it"
        for qid in unreachable_questions(kb)
    ]
    problems += [
        f"rules.toml → rule (id={rid}): no answers on a real interview path fire it" for rid in dead_rules(kb)
    ]
    problems += [
        f"conditions/{cid}.toml → evidence: no answers rank it first; strengthen its evidence"
        for cid in conditions_never_first(kb)
    ]
    problems += monotone_problems(kb)
    problems += [_problem_line(p) for p in _history_problems(kb, directory)]  # one short line each
    problems += [_problem_line(p) for p in region_problems(kb.root)]
    try:
        plans = plan_content(kb)
    except ContentError as exc:
        problems += exc.problems
        plans = None
    if plans is not None:
        problems += coverage_problems(plans, kb.condition_by_id, kb.root.name)
    summary = (
        f"{len(kb.questions)} questions, {len(kb.conditions)} conditions, {len(kb.rules)} rules, "
        f"{len(kb.tips)} tips, {len(plans.plans) if plans else 0} plans, "
        f"{len(plans.exercises) if plans else 0} exercises (content {kb.meta.content_version})"
    )
    return problems, summary
