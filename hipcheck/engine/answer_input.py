"""Reading answers documents from anyone, safely: limits, strict JSON, and input echoed harmlessly.

An answers document (a file, or one line of a batch file) is read as bytes, at most `MAX_BYTES` of it,
decoded as UTF-8, and parsed as JSON that may nest at most `MAX_DEPTH` levels, hold whole numbers of
at most `MAX_DIGITS` digits and may not give a key twice (a repeated red-flag answer must never
silently replace the first). Whatever goes wrong is an `InputError` (or `json.JSONDecodeError`) with a
one-line message, never a traceback. Any part of the input shown in a message goes through `echo`: at
most `ECHO_CHARS` characters, control characters escaped, so a key cannot clear the screen or fake
extra error lines. Standard library only, cheap to import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

from hipcheck.knowledge.text import echo

MAX_BYTES = 1_048_576  # an answers file, or one line of a batch file (a real one is a few KB)
MAX_DEPTH = 32  # levels of nesting (an answers object with lists in it is 2)
MAX_DIGITS = 100  # digits in a whole number (an answer is 0 to 10)


class InputError(ValueError):
    """An answers document breaks a limit or repeats a key. The message is one line."""


# --------------------------------------------------------------------------- reading


def open_source(source: str) -> IO[bytes]:
    """The answers as a byte stream: a file, or standard input for '-'."""
    if source == "-":
        stdin = sys.stdin
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text stream with no bytes underneath (rare: an embedding app)
            import io

            buffer = io.BytesIO(stdin.read(MAX_BYTES + 1).encode("utf-8", "surrogatepass"))
        return buffer
    return open(source, "rb")  # noqa: SIM115  (the caller reads it to the end; the process exits)


def read_lines(stream: IO[bytes], limit: int = MAX_BYTES) -> Iterator[bytes | None]:
    """The stream's lines as bytes (newline kept); `None` for a line longer than `limit` bytes, whose
    rest is skipped (only when the next line is asked for) without being held in memory."""
    readline = stream.readline
    while True:
        line = readline(limit + 1)
        if len(line) <= limit or line.endswith(b"\n"):
            if not line:
                return
            yield line
            continue
        yield None
        while line and not line.endswith(b"\n"):
            line = readline(65_536)


def read_document(head: list[bytes | None], stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """The lines already read (`read_lines`) and the rest of `stream`, or InputError past `limit`."""
    data = b"" if None in head else b"".join(head)  # type: ignore[arg-type]
    if None not in head and len(data) <= limit:
        data += stream.read(limit + 1 - len(data))
    if None in head or len(data) > limit:
        raise InputError(f"is larger than {limit:,} bytes (an answers document is a few KB)")
    return data


# --------------------------------------------------------------------------- parsing


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise InputError(f"'{echo(key)}' is given twice; give each question id once")
            seen.add(key)
    return out


def _whole_number(digits: str) -> int:
    if len(digits) > MAX_DIGITS + 1:  # + 1 for a minus sign
        raise InputError(f"a number has more than {MAX_DIGITS} digits")
    return int(digits)


_decode = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_int=_whole_number).decode


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item)
    return False


def loads(text: str) -> Any:
    """Parse one answers document. Raises json.JSONDecodeError (with its position) or InputError."""
    try:
        value = _decode(text)
    except (json.JSONDecodeError, InputError):
        raise
    except ValueError:  # not expected (numbers are checked above); still one line, not a traceback
        raise InputError("a number cannot be read") from None
    except RecursionError:
        raise InputError(f"the answers nest more than {MAX_DEPTH} levels deep") from None
    # only a document with many brackets can nest deeply: two cheap counts spare the walk
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(value, MAX_DEPTH):
        raise InputError(f"the answers nest more than {MAX_DEPTH} levels deep")
    return value
