"""Whole-content checks beyond validation: every question reachable, every condition able to rank first.

Used by `hipcheck content check` and by the test suite.
"""

from __future__ import annotations

import math
from pathlib import Path

from . import engine
from .content import ContentError, KnowledgeBase, load_content
from .models import NOT_SURE, Question


def _candidates(q: Question) -> list[engine.AnswerValue]:
    if q.kind == "scale":
        return list(range(q.scale_min, q.scale_max + 1, 2))
    if q.kind == "single":
        return [o.id for o in q.options]
    out: list[engine.AnswerValue] = [[o.id] for o in q.options]
    non_none = [o.id for o in q.options if o.id != q.none_option]
    out += [[a, b] for i, a in enumerate(non_none) for b in non_none[i + 1 :]]
    return out


def unreachable_questions(kb: KnowledgeBase) -> list[str]:
    """Questions no answer set makes the interview ask (found by trying to satisfy their tests)."""
    missing = []
    for q in kb.questions:
        all_, any_, _ = q.tests
        firsts = [clause[0] for clause in all_]
        tries = [firsts + [clause[0]] for clause in any_] or [firsts]
        ok = False
        for atoms in tries:
            answers: engine.Answers = {}
            for a in atoms:
                target = kb.question_by_id[a.question]
                if a.op == "has":
                    answers[a.question] = [a.option] if target.kind == "multi" else a.option  # type: ignore[assignment]
                elif a.op == "answered":
                    answers[a.question] = _candidates(target)[0]
                else:
                    answers[a.question] = a.number  # type: ignore[assignment]
            # Fill the rest by walking the tree with "Not sure" until this question comes up.
            while (nxt := engine.next_question(kb, answers)) is not None and nxt.id != q.id:
                answers[nxt.id] = NOT_SURE if nxt.kind != "multi" else [NOT_SURE]
                answers = engine.effective_answers(kb, answers)
            if engine.next_question(kb, answers) is q or q.id in engine.effective_answers(kb, answers):
                ok = True
                break
        if not ok:
            missing.append(q.id)
    return missing


def best_answers_for(kb: KnowledgeBase, cid: str, passes: int = 3) -> engine.Answers:
    """Coordinate-ascent search for answers that rank `cid` first (to prove every condition can win).

    Starts from every red flag answered "no", then repeatedly picks, question by question, the answer
    that most widens the log-odds gap between `cid` and the best other condition."""
    answers: engine.Answers = {
        q.id: [q.none_option] if q.kind == "multi" and q.none_option else q.options[0].id
        for q in kb.red_flag_questions
    }

    def margin(ans: engine.Answers) -> float:
        ranked = engine.score(kb, engine.effective_answers(kb, ans))
        mine = next(p for c, p, _ in ranked if c == cid)
        best_other = max(p for c, p, _ in ranked if c != cid)
        return math.log(mine + 1e-300) - math.log(best_other + 1e-300)

    for _ in range(passes):
        for q in kb.questions:
            if not engine.applies(q, answers):
                continue
            options = _candidates(q) + ([answers[q.id]] if q.id in answers else [])
            best = max(options, key=lambda cand: margin({**answers, q.id: cand}))
            answers[q.id] = best
            answers = engine.effective_answers(kb, answers)
    return answers


def conditions_never_first(kb: KnowledgeBase) -> list[str]:
    out = []
    for c in kb.conditions:
        ranked = engine.score(kb, engine.effective_answers(kb, best_answers_for(kb, c.id)))
        if ranked[0][0] != c.id:
            out.append(c.id)
    return out


def check_content(directory: Path | None) -> tuple[list[str], str]:
    """(problems, summary). Validation problems first; reachability only once content loads."""
    try:
        kb = load_content(directory)
    except ContentError as exc:
        return exc.problems, ""
    problems = [f"questions.toml → question (id={qid}): no answers make the interview ask it" for qid in unreachable_questions(kb)]
    problems += [
        f"conditions/{cid}.toml → evidence: no answers rank it first; strengthen its evidence"
        for cid in conditions_never_first(kb)
    ]
    summary = (
        f"{len(kb.questions)} questions, {len(kb.conditions)} conditions, {len(kb.rules)} rules, "
        f"{len(kb.tips)} tips (content {kb.meta.content_version})"
    )
    return problems, summary
