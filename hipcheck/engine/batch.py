"""Batch scoring: `hipcheck triage --answers cases.jsonl --json`, one answer object per line in, one
compact result per line out, streaming (memory does not grow with the number of lines). Each result
starts with `"line"`, the number of the input line it answers (1-based), then the fields of the single
`--json` result; a bad line gets no result, only its error on stderr.

Each line goes through the same engine as a single triage (`decide.validate_answers`, then
`decide.decide`, which `decide.assess` also uses): there is one copy of the decision logic, so a safety
fix can never miss batch mode. Only the last step differs: `result_json` writes the decision straight
as JSON, the same text `assess(...).model_dump_json()` gives, without building the result models.

Lines are read as bytes, each at most `answer_input.MAX_BYTES` long, and decoded one by one, so a line
that is too long, not UTF-8, nested too deeply or repeating a key is reported by its number like any other
bad line and the rest are still scored.

Batch mode ignores the history: a line is an answer set from a script, not the user's own check-in,
so nothing is read from or saved to `hipcheck history`, and the result depends on the line alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from hipcheck.engine import answer_input, decide, parallel, result_json
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.text import escape

BATCH_SUFFIXES = (".jsonl", ".ndjson")
BRIEF_CHUNK = 256  # lines a worker scores at a time with --brief: its results are a hundredth the size


# --------------------------------------------------------------------------- streams


def is_batch(source: str, first: str | bytes | None, second: str | bytes | None) -> bool:
    """Batch (JSON Lines) when the file is named *.jsonl or *.ndjson, or when its first non-blank line
    is a complete JSON value on its own and another non-blank line follows it. (A first line that is
    a complete value with a bad byte or past a limit counts: the batch then reports it by number.)"""
    if source.lower().endswith(BATCH_SUFFIXES):
        return True
    if first is None or second is None:
        return False
    if isinstance(first, bytes):
        first = first.decode("utf-8", "replace")
    try:
        answer_input.loads(first)
    except json.JSONDecodeError:
        return False
    except answer_input.InputError:
        return True
    return True


def sniff(
    source: str, lines: Iterator[bytes | None]
) -> tuple[bool, list[bytes | None], Iterator[bytes | None]]:
    """Read up to the second non-blank line; return (batch?, the lines read, the rest). A line too long
    to read (None) ends the look: its rest is not read here (it may never end, as /dev/zero's)."""
    head: list[bytes | None] = []
    nonblank: list[bytes | None] = []
    for line in lines:
        head.append(line)
        if line is None:
            return source.lower().endswith(BATCH_SUFFIXES), head, lines
        if line.strip():
            nonblank.append(line)
            if len(nonblank) == 2:
                break
    first = nonblank[0] if nonblank else None
    second = nonblank[1] if len(nonblank) > 1 else None
    return is_batch(source, first, second), head, lines


def score_line(
    kb: KnowledgeBase, n: int, line: bytes | str | None, brief: bool = False
) -> tuple[str | None, str | None]:
    """One input line: (its result line, None), (None, its error line), or (None, None) when blank.
    `brief`: the compact result (`TriageBrief`) instead of the full one."""
    try:
        if line is None:
            raise answer_input.InputError(f"longer than {answer_input.MAX_BYTES:,} bytes")
        if not line.strip():
            return None, None
        if line.__class__ is bytes:
            line = line.decode()  # type: ignore[union-attr]
        answers = decide.validate_answers(kb, answer_input.loads(line))
        if brief:
            result = result_json.dumps_brief(kb, decide.decide_brief(kb, answers))
        else:
            result = result_json.dumps(kb, decide.decide(kb, answers))
    except json.JSONDecodeError as exc:
        return None, f"hipcheck: error: line {n}: not valid JSON (column {exc.colno}): {exc.msg}\n"
    except UnicodeDecodeError as exc:
        return None, f"hipcheck: error: line {n}: not valid UTF-8 (byte {exc.start + 1} of the line)\n"
    except (decide.AnswerError, answer_input.InputError) as exc:
        return None, f"hipcheck: error: line {n}: {escape(str(exc))}\n"
    return f'{{"line":{n},{result[1:]}\n', None  # the input line number first, so results can be matched


def _score_to_file(
    kb: KnowledgeBase, job: tuple[str, list[tuple[int, bytes | str | None]]]
) -> tuple[list[str], int, int]:
    """In a worker: score a chunk of numbered lines, writing the result lines to the file `path` (UTF-8);
    return (the error lines, lines scored, lines failed). The parent splices the files in order."""
    return _chunk_to_file(kb, job, False)


def _score_brief_to_file(
    kb: KnowledgeBase, job: tuple[str, list[tuple[int, bytes | str | None]]]
) -> tuple[list[str], int, int]:
    """`_score_to_file` with the compact result."""
    return _chunk_to_file(kb, job, True)


def _chunk_to_file(
    kb: KnowledgeBase, job: tuple[str, list[tuple[int, bytes | str | None]]], brief: bool
) -> tuple[list[str], int, int]:
    path, items = job
    errors: list[str] = []
    done = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        write = f.write
        for n, line in items:
            result, error = score_line(kb, n, line, brief)
            if result is not None:
                write(result)
                done += 1
            elif error is not None:
                errors.append(error)
    return errors, done, len(errors)


def run(
    kb: KnowledgeBase,
    lines: Iterable[bytes | str | None],
    out: IO[str],
    err: IO[str],
    jobs: int = 1,
    brief: bool = False,
) -> tuple[int, int]:
    """Score every non-blank line (bytes, decoded here as UTF-8, or text; None for a line too long to
    read); write one compact result per line to `out`, and one `hipcheck: error: line N: ...` per bad
    line to `err`. Returns (lines scored, lines failed).

    With `jobs` > 1 the lines are scored by that many worker processes (see `parallel`), and written
    in input order, so the output is the same, line for line, as with one job; memory stays bounded.
    `brief`: compact results (`TriageBrief`, `--json --brief`) instead of full ones."""
    numbered = enumerate(lines, 1)
    if jobs > 1:
        # Each worker writes its chunk's result lines to a file of its own and the parent copies the
        # files to `out` in input order (parallel.splice): one process passing every line through
        # itself capped `--jobs 2` at about 1.2 times one process.
        done = failed = 0
        work = _score_brief_to_file if brief else _score_to_file
        size = BRIEF_CHUNK if brief else parallel.FILE_CHUNK
        for path, (errors, scored, bad) in parallel.ordered_chunks(work, kb, numbered, jobs, size):
            parallel.splice(path, out)
            for error in errors:
                err.write(error)
            done += scored
            failed += bad
        return done, failed
    return _write((score_line(kb, n, line, brief) for n, line in numbered), out, err)


def _write(results: Iterable[tuple[str | None, str | None]], out: IO[str], err: IO[str]) -> tuple[int, int]:
    done = failed = 0
    write = out.write
    for result, error in results:
        if result is not None:
            write(result)
            done += 1
        elif error is not None:
            err.write(error)
            failed += 1
    return done, failed
