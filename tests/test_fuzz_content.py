"""Fuzzing content folders (issue 12, item 7): whatever a content folder holds (bytes that are not UTF-8
or not TOML, nesting thousands deep, numbers thousands of digits long, fields of megabytes, a FIFO, a
device or a folder where a file should be, markup and escape sequences in text), every command ends in
bounded time and memory with exit code 0, 1 or 2, never a traceback, at most one line on stderr (the
problems of `content check` go to stdout, one a line), and nothing a terminal would act on.

Deterministic like the rest of the suite (conftest's hypothesis profile). For a longer run, set
HIPCHECK_FUZZ_EXAMPLES (e.g. 2000): the same strategies, more examples.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import tempfile
import time
from pathlib import Path

from conftest import MINI
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hipcheck.commands.app import app

EXAMPLES = int(os.environ.get("HIPCHECK_FUZZ_EXAMPLES", "60"))
SECONDS = 20  # per command; a healthy one takes well under a second
MEMORY_MIB = 300  # growth of the test process's peak memory over one example

# What no output may carry raw: C0 controls but tab and newline, DEL, C1 controls, bidi overrides.
FORBIDDEN = {chr(c) for c in range(32) if c not in (9, 10)} | {chr(c) for c in range(0x7F, 0xA0)}
FORBIDDEN |= set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

TARGETS = (
    "meta.toml",
    "questions.toml",
    "rules.toml",
    "tips.toml",
    "conditions/alpha.toml",
    "conditions/zeta.toml",  # a new condition file
    "history.toml",  # mini has none: a new one replaces the bundled rules
)
COMMANDS = (
    ("list", "--json"),
    ("list",),
    ("explain", "alpha"),
    ("explain", "alpha", "--json"),
    ("questions", "--json"),
    ("questions",),
    ("triage", "--answers", "-", "--json"),
    ("triage", "--answers", "-"),
    ("content", "check"),
)
ANSWERS = '{"flag": "no", "where": ["front"], "pain": 2}'

deep = st.builds(
    lambda n, kind: {
        "array": "x = " + "[" * n + "]" * n,
        "table": "x = " + "{a = " * n + "1" + "}" * n,
        "dotted": "a" + ".a" * n + " = 1",  # the TOML parser's time grows with the square of n
        "header": "[" + "a . " * n + "a]",
    }[kind],
    st.integers(1, 6000) | st.just(300_000),
    st.sampled_from(["array", "table", "dotted", "header"]),
)
huge = st.builds(
    lambda sign, digits, form: (
        "x = " + sign + {"int": "9" * digits, "float": f"1e{digits}", "hex": "0x" + "f" * digits}[form]
    ),
    st.sampled_from(["", "-", "+"]),
    st.integers(1, 6000),
    st.sampled_from(["int", "float", "hex"]),
)
FIELDS = ("name", "summary", "text", "short", "label", "reason", "disclaimer", "content_version")
TEXTS = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "[/]",
            "[bold red]x[/]",
            "[link=https://example.com]x[/link]",
            "<script>alert(1)</script>",
            "\x1b[2J\x1b]0;title\x07",
            "\u202eevil",
            "a\nhipcheck: error: fake",
        ]
    ),
    st.integers(9_000, 2_000_000).map(lambda n: "x" * n),
)


def _toml_string(text: str) -> str:
    """`text` as a TOML basic string (escaping what TOML requires)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("?")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# A damage: (kind, payload). Applied to one target file by `_apply`.
DAMAGE = st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=3000)),
    st.tuples(st.just("insert"), st.tuples(st.integers(0, 4000), st.binary(min_size=1, max_size=50))),
    st.tuples(st.just("append"), st.one_of(deep, huge)),
    st.tuples(st.just("field"), st.tuples(st.sampled_from(FIELDS), TEXTS)),
    st.tuples(st.just("special"), st.sampled_from(["fifo", "folder", "device", "dangling", "loop", "empty"])),
)


def _apply(root: Path, target: str, damage: tuple) -> None:
    path = root / target
    kind, payload = damage
    base = path.read_bytes() if path.is_file() else (MINI / "conditions" / "alpha.toml").read_bytes()
    if target == "conditions/zeta.toml":
        base = base.replace(b'id = "alpha"', b'id = "zeta"').replace(b"Alpha condition", b"Zeta")
        base = base.replace(b'aliases = ["first one", "AC"]', b"aliases = []")
    if kind == "bytes":
        path.write_bytes(payload)
    elif kind == "insert":
        at, data = payload
        path.write_bytes(base[:at] + data + base[at:])
    elif kind == "append":
        path.write_bytes(base + b"\n" + payload.encode() + b"\n")
    elif kind == "field":
        key, text = payload
        lines = base.decode().splitlines()
        value = _toml_string(text)
        hit = [i for i, line in enumerate(lines) if line.startswith(f"{key} = ")]
        if hit:
            lines[hit[0]] = f"{key} = {value}"
        else:
            lines.insert(0, f"{key} = {value}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
        if payload == "fifo":
            os.mkfifo(path)
        elif payload == "folder":
            path.mkdir()
        elif payload == "device":
            path.symlink_to("/dev/zero")
        elif payload == "dangling":
            path.symlink_to(root / "nowhere")
        elif payload == "loop":
            path.symlink_to(path)
        else:
            path.write_bytes(b"")


class Hung(BaseException):
    """Raised when a command runs too long; a BaseException, so no handler in the code swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    def expire(signum, frame):
        raise Hung(f"still running after {seconds} s")

    if not hasattr(signal, "setitimer"):  # Windows: no alarm; the elapsed time is still checked
        yield
        return
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(target=st.sampled_from(TARGETS), damage=DAMAGE, command=st.sampled_from(COMMANDS))
@example(target="conditions/alpha.toml", damage=("bytes", b'id = "alpha"\n\xff\xfe = 1\n'), command=("list",))
@example(
    target="meta.toml", damage=("append", "x = " + "[" * 5000 + "]" * 5000), command=("content", "check")
)
@example(target="meta.toml", damage=("append", "x = " + "9" * 5000), command=("explain", "alpha"))
@example(target="rules.toml", damage=("append", "a" + ".a" * 300_000 + " = 1"), command=("list", "--json"))
@example(target="conditions/zeta.toml", damage=("special", "fifo"), command=("list", "--json"))
@example(target="meta.toml", damage=("special", "fifo"), command=("content", "check"))
@example(target="history.toml", damage=("special", "fifo"), command=("triage", "--answers", "-"))
@example(target="history.toml", damage=("bytes", b"pain_min = [[[[\xff"), command=("content", "check"))
@example(target="conditions/alpha.toml", damage=("special", "device"), command=("explain", "alpha"))
@example(
    target="conditions/alpha.toml",
    damage=("field", ("summary", "x" * 50_000_000)),
    command=("explain", "alpha"),
)
@example(
    target="conditions/alpha.toml",
    damage=("field", ("name", "\x1b[2J[/]")),
    command=("triage", "--answers", "-"),
)
def test_any_content_folder_gives_0_1_or_2_never_a_traceback(target, damage, command):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(MINI, root)
        _apply(root, target, damage)
        peak = _peak_mib()
        started = time.monotonic()
        with time_limit(SECONDS):
            # catch_exceptions=False: a traceback fails the test with that traceback
            r = CliRunner().invoke(
                app, ["--content", str(root), *command], input=ANSWERS, catch_exceptions=False
            )
        assert time.monotonic() - started < SECONDS
        assert _peak_mib() - peak < MEMORY_MIB
    event(f"exit {r.exit_code}")
    assert r.exit_code in (0, 1, 2), (r.exit_code, r.stderr)
    if command[0] != "content":
        assert r.stderr.count("\n") <= 2, r.stderr  # the error, and perhaps a note ("Showing ...")
    if r.exit_code == 1 and command[0] != "content":
        assert r.stderr.startswith("hipcheck: error: "), r.stderr
    shown = r.stdout + r.stderr
    assert not FORBIDDEN & set(shown), repr(shown[:300])
    assert "Traceback" not in shown
