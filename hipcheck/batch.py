"""Batch scoring: `hipcheck triage --answers cases.jsonl --json`, one answer object per line in, one
compact result per line out, streaming (memory does not grow with the number of lines). Each result
starts with `"line"`, the number of the input line it answers (1-based), then the fields of the single
`--json` result; a bad line gets no result, only its error on stderr.

Each line goes through the same engine as a single triage (`engine.validate_answers`, then
`engine.decide`, which `engine.assess` also uses): there is one copy of the decision logic, so a safety
fix can never miss batch mode. Only the last step differs: `result_json` writes the decision straight
as JSON, the same text `assess(...).model_dump_json()` gives, without building the result models.

Batch mode ignores the history: a line is an answer set from a script, not the user's own check-in,
so nothing is read from or saved to `hipcheck history`, and the result depends on the line alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

from . import engine, result_json

if TYPE_CHECKING:
    from .content import KnowledgeBase

BATCH_SUFFIXES = (".jsonl", ".ndjson")


# --------------------------------------------------------------------------- streams


def is_batch(source: str, first: str | None, second: str | None) -> bool:
    """Batch (JSON Lines) when the file is named *.jsonl or *.ndjson, or when its first non-blank line
    is a complete JSON value on its own and another non-blank line follows it."""
    if source.lower().endswith(BATCH_SUFFIXES):
        return True
    if first is None or second is None:
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


def sniff(source: str, lines: Iterator[str]) -> tuple[bool, list[str], Iterator[str]]:
    """Read up to the second non-blank line; return (batch?, the lines read, the rest)."""
    head: list[str] = []
    nonblank: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            nonblank.append(line)
            if len(nonblank) == 2:
                break
    first = nonblank[0] if nonblank else None
    second = nonblank[1] if len(nonblank) > 1 else None
    return is_batch(source, first, second), head, lines


def run(kb: KnowledgeBase, lines: Iterable[str], out: IO[str], err: IO[str]) -> tuple[int, int]:
    """Score every non-blank line; write one compact result per line to `out`, and one
    `hipcheck: error: line N: ...` per bad line to `err`. Returns (lines scored, lines failed)."""
    decode = json.JSONDecoder().decode
    write = out.write
    done = failed = 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            result = result_json.dumps(kb, engine.decide(kb, engine.validate_answers(kb, decode(line))))
        except json.JSONDecodeError as exc:
            err.write(f"hipcheck: error: line {n}: not valid JSON (column {exc.colno}): {exc.msg}\n")
            failed += 1
            continue
        except engine.AnswerError as exc:
            err.write(f"hipcheck: error: line {n}: {exc}\n")
            failed += 1
            continue
        write(f'{{"line":{n},{result[1:]}\n')  # the input line number first, so results can be matched
        done += 1
    return done, failed
