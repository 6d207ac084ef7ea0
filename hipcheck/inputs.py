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
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

MAX_BYTES = 1_048_576  # an answers file, or one line of a batch file (a real one is a few KB)
MAX_DEPTH = 32  # levels of nesting (an answers object with lists in it is 2)
MAX_DIGITS = 100  # digits in a whole number (an answer is 0 to 10)
ECHO_CHARS = 80  # characters of the input shown in an error message


class InputError(ValueError):
    """An answers document breaks a limit or repeats a key. The message is one line."""


# --------------------------------------------------------------------------- echoing input

# C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides and isolates
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(match: re.Match) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def escape(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\n`, `\\u202e`). Escaping
    twice changes nothing more, so a message can be escaped again on its way out."""
    return _CONTROL.sub(_escape_one, text)


def echo(text: object, limit: int = ECHO_CHARS) -> str:
    """A piece of the input as an error message may show it: escaped, at most `limit` characters."""
    text = str(text)
    shown = escape(text[: limit + 1])
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def echo_value(value: Any, limit: int = ECHO_CHARS) -> str:
    """An answer as an error message may show it: its repr (strings quoted), shortened."""
    if isinstance(value, str):
        value = value[: limit + 1]  # repr escapes control characters; the cut keeps it short
    try:
        return echo(repr(value), limit)
    except ValueError:  # an int past Python's digit limit (not from a parsed file: see MAX_DIGITS)
        return "a very long number"


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
