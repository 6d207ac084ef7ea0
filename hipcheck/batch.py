"""Batch scoring: `hipcheck triage --answers cases.jsonl --json`, one answer object per line in, one
compact result per line out, streaming (memory does not grow with the number of lines). Each result
starts with `"line"`, the number of the input line it answers (1-based), then the fields of the single
`--json` result; a bad line gets no result, only its error on stderr.

Each line goes through the same engine as a single triage (`engine.validate_answers`, then
`engine.decide`, which `engine.assess` also uses): there is one copy of the decision logic, so a safety
fix can never miss batch mode. Only the last step differs: `result_json` writes the decision straight
as JSON, the same text `assess(...).model_dump_json()` gives, without building the result models.

Lines are read as bytes, each at most `inputs.MAX_BYTES` long, and decoded one by one, so a line that
is too long, not UTF-8, nested too deeply or repeating a key is reported by its number like any other
bad line and the rest are still scored.

Batch mode ignores the history: a line is an answer set from a script, not the user's own check-in,
so nothing is read from or saved to `hipcheck history`, and the result depends on the line alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

from . import engine, inputs, result_json

if TYPE_CHECKING:
    from .content import KnowledgeBase

BATCH_SUFFIXES = (".jsonl", ".ndjson")


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
        inputs.loads(first)
    except json.JSONDecodeError:
        return False
    except inputs.InputError:
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


def run(
    kb: KnowledgeBase, lines: Iterable[bytes | str | None], out: IO[str], err: IO[str]
) -> tuple[int, int]:
    """Score every non-blank line (bytes, decoded here as UTF-8, or text; None for a line too long to
    read); write one compact result per line to `out`, and one `hipcheck: error: line N: ...` per bad
    line to `err`. Returns (lines scored, lines failed)."""
    decode = inputs.loads
    write = out.write
    done = failed = 0
    for n, line in enumerate(lines, 1):
        try:
            if line is None:
                raise inputs.InputError(f"longer than {inputs.MAX_BYTES:,} bytes")
            if not line.strip():
                continue
            if line.__class__ is bytes:
                line = line.decode()
            result = result_json.dumps(kb, engine.decide(kb, engine.validate_answers(kb, decode(line))))
        except json.JSONDecodeError as exc:
            err.write(f"hipcheck: error: line {n}: not valid JSON (column {exc.colno}): {exc.msg}\n")
            failed += 1
            continue
        except UnicodeDecodeError as exc:
            err.write(f"hipcheck: error: line {n}: not valid UTF-8 (byte {exc.start + 1} of the line)\n")
            failed += 1
            continue
        except (engine.AnswerError, inputs.InputError) as exc:
            err.write(f"hipcheck: error: line {n}: {inputs.escape(str(exc))}\n")
            failed += 1
            continue
        write(f'{{"line":{n},{result[1:]}\n')  # the input line number first, so results can be matched
        done += 1
    return done, failed
