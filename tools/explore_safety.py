"""Look for answer sets that break hipcheck's safety invariants, at random, for as long as you ask.

The test suite checks the same invariants with a fixed set of examples (hypothesis, derandomized), so CI
is deterministic; this script is where new failures are found before a release. Run it on purpose:

    python tools/explore_safety.py --cases 300000 [--seed N] [--content DIR]

Each case walks the interview tree with random answers (as the interview would, stopping at random),
then checks, for one random change towards more worry (one more warning sign ticked, a safe answer turned
worrying, a higher pain score), that the level does not fall; that unscreened red flags are
never self-care; and that answering "Not sure" to everything is never self-care. Every counterexample is
printed as one JSON line (the answers and the change): add it to tests/test_properties.py as an
@example, then fix the content or the engine. Exit code 1 when any was found.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipcheck.engine import decide  # noqa: E402
from hipcheck.knowledge.loader import load_content  # noqa: E402
from hipcheck.knowledge.models import NOT_SURE, Level, Question  # noqa: E402
from hipcheck.maintenance import checks  # noqa: E402


def random_answer(rng: random.Random, q: Question):
    if rng.random() < 0.08:
        return [NOT_SURE] if q.kind == "multi" else NOT_SURE
    if q.kind == "scale":
        return rng.randint(q.scale_min, q.scale_max)
    if q.kind == "single":
        return rng.choice([o.id for o in q.options])
    if q.none_option and rng.random() < 0.5:
        return [q.none_option]
    plain = [o.id for o in q.options if o.id != q.none_option]
    return rng.sample(plain, k=min(len(plain), rng.choice([1, 1, 1, 2, 2, 3])))


def random_interview(rng: random.Random, kb) -> dict:
    answers: dict = {}
    while (q := decide.next_question(kb, answers)) is not None and rng.random() > 0.02:
        answers[q.id] = random_answer(rng, q)
    return answers


def safe_of(q: Question) -> set[str]:
    return set(q.safe) | ({q.none_option} if q.none_option else set())


def worse(rng: random.Random, kb, answers: dict, worrying: list) -> tuple[dict, str] | None:
    """One random change towards more worry, or None when the drawn change does not apply."""
    if rng.random() < 0.15 and isinstance(answers.get("severity"), int) and answers["severity"] < 10:
        higher = rng.randint(answers["severity"] + 1, 10)
        return {**answers, "severity": higher}, f"severity -> {higher}"
    qid, oid = rng.choice(worrying)
    q = kb.question_by_id[qid]
    current = answers.get(qid)
    if current in (NOT_SURE, [NOT_SURE]) or (current is None and q.red_flag):
        return None  # from "Not sure" or unscreened: covered by the unscreened invariants
    if q.kind == "multi":
        keep = [v for v in current or [] if v not in safe_of(q)]
        return None if oid in keep else ({**answers, qid: [*keep, oid]}, f"tick {qid}:{oid}")
    if current in safe_of(q):  # a single question moves only from its safe answer
        return {**answers, qid: oid}, f"{qid}: {current} -> {oid}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None, help="default: a new one each run (printed)")
    parser.add_argument("--content", type=Path, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    kb = load_content(args.content)
    worrying = sorted(
        (qid, oid)
        for qid, oid in checks.worrying_answers(kb)
        if (q := kb.question_by_id[qid]).kind == "multi" or q.safe
    )
    start = time.perf_counter()
    failures = {"monotone": 0, "unscreened_self_care": 0, "all_not_sure_self_care": 0}
    compared = 0
    for _ in range(args.cases):
        answers = random_interview(rng, kb)
        d = decide.decide(kb, answers)
        if d.unscreened and d.level is Level.self_care:
            failures["unscreened_self_care"] += 1
            print(json.dumps({"invariant": "unscreened_self_care", "answers": answers}))
        unsure = {k: ([NOT_SURE] if isinstance(v, list) else NOT_SURE) for k, v in answers.items()}
        if decide.decide(kb, unsure).level is Level.self_care:
            failures["all_not_sure_self_care"] += 1
            print(json.dumps({"invariant": "all_not_sure_self_care", "answers": unsure}))
        change = worse(rng, kb, answers, worrying)
        if change is None:
            continue
        compared += 1
        flagged, what = change
        after = decide.decide(kb, flagged).level
        if after.rank < d.level.rank:
            failures["monotone"] += 1
            print(
                json.dumps(
                    {
                        "invariant": "monotone",
                        "answers": answers,
                        "change": what,
                        "before": d.level.value,
                        "after": after.value,
                    }
                )
            )
    seconds = time.perf_counter() - start
    total = sum(failures.values())
    print(
        f"seed {seed}: {args.cases} answer sets, {compared} changes towards more worry compared, "
        f"{total} failures {failures}, {seconds:.0f} s",
        file=sys.stderr,
    )
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
