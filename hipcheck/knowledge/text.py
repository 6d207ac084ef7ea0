"""Showing text from anyone safely: user input, file names, content and history records may hold control
characters (ESC, newlines, bidirectional overrides) that a terminal would act on or that would fake extra
lines of output. `escape` shows each as an escape (`\\x1b`, `\\n`, `\\u202e`); `echo` also shortens.
One escaper for the whole program, and one for each file format built on it: `markdown_text` (reports
and plans as .md) and `html_text` (as .html). `did_you_mean` words a close match for every "unknown
name" message. Standard library only, cheap to import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

ECHO_CHARS = 80  # characters of the input shown in an error message

# C0 and C1 controls, DEL, the Arabic letter mark, left-to-right and right-to-left marks, line and paragraph
# separators, the bidirectional embeddings, overrides and isolates, and lone surrogates (from a file name),
# which no output encoding can write.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(match: re.Match) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def escape(text: str) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\n`, `\\u202e`). Escaping
    twice changes nothing more, so a message can be escaped again on its way out."""
    return _CONTROL.sub(_escape_one, text)


# Characters a terminal may act on that a JSON encoder leaves as they are (it escapes only C0 controls):
# in JSON text they can only be inside strings, where \uXXXX means the same, so the JSON stays valid.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text with every character a terminal would act on written as a `\\uXXXX` escape: the same
    JSON when parsed, inert on a terminal. Every `--json` output goes through it."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(d: date) -> str:
    """`3 Nov` (fixed English month names, whatever the locale)."""
    return f"{d.day} {_MONTHS[d.month - 1]}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~!{}])")


def markdown_text(text: object) -> str:
    """Content or user text as literal Markdown: on one line (a newline cannot start a heading), control
    characters shown as escapes, Markdown punctuation backslash-escaped (no links, images, emphasis or
    table cells smuggled in), and HTML escaped (`<script>` shows as text, never runs in a viewer)."""
    from html import escape as html_escape

    one_line = " ".join(str(text).splitlines())
    return html_escape(_MD_SPECIAL.sub(r"\\\1", escape(one_line)), quote=False)


def html_text(text: object) -> str:
    """Content or user text as HTML text or an attribute value: control characters shown as escapes,
    then HTML-escaped, quotes too."""
    from html import escape as html_escape

    return html_escape(escape(str(text)), quote=True)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest of `choices` to `name`, or "" when none is close.
    The name is cut to 100 characters first (difflib is quadratic)."""
    import difflib

    close = difflib.get_close_matches(str(name)[:100], list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
