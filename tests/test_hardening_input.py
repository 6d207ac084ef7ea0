"""Answers from anyone (issue 12, items 1-3, 8-10 and 12): any bytes given as an answers document or a
batch file end in a result or a one-line error with exit code 2, never a traceback; limits on size,
line length, nesting and digits; input echoed in an error is short and has its control characters
escaped; duplicate keys are refused; a closed stdout ends quietly with 0; a stdout that is not UTF-8
still works. Most tests run in-process; a few need a real pipe or a real encoding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, Cli, all_clear
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_properties import KB, answer_sets
from typer.testing import CliRunner

from hipcheck.commands.app import app
from hipcheck.engine import answer_input as inputs
from hipcheck.engine import batch, decide
from hipcheck.knowledge import text

ROOT = Path(__file__).resolve().parent.parent
GOOD = json.dumps({**all_clear(KB), "location": ["lateral"]})
CONTROL = {chr(c) for c in range(32)} - {"\n"} | {"\x7f", "\u202e"}


def one_error_line(r, *needles: str) -> str:
    """The run failed with exit 2 and exactly one line on stderr, holding every needle."""
    assert r.exit_code == 2, (r.exit_code, r.stderr[:500])
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), r.stderr[:500]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --------------------------------------------------------------------------- 1: nesting and numbers


def test_deep_nesting_is_one_line_not_a_recursion_error(cli):
    r = cli("triage", "--answers", "-", "--json", input="[" * 1000 + "]" * 1000 + "\n")
    one_error_line(r, f"nest more than {inputs.MAX_DEPTH} levels deep")


def test_the_nesting_limit_is_exact(cli):
    def nested(depth: int) -> str:  # the object is level 1
        return '{"severity": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    one_error_line(cli("triage", "-a", "-", "--json", input=nested(inputs.MAX_DEPTH + 1)), "nest more")
    within = one_error_line(cli("triage", "-a", "-", "--json", input=nested(inputs.MAX_DEPTH)))
    assert "nest" not in within and "severity: expected a whole number" in within


def test_a_deep_line_in_a_batch_stops_nothing(cli):
    text = f"{GOOD}\n{'[' * 5000}{']' * 5000}\n{GOOD}\n"
    r = cli("triage", "--answers", "-", "--json", input=text)
    assert r.exit_code == 2
    assert [json.loads(line)["line"] for line in r.stdout.splitlines()] == [1, 3]
    assert "hipcheck: error: line 2: the answers nest more than" in r.stderr


@pytest.mark.parametrize("digits", [310, 5000])
def test_huge_whole_numbers_are_one_line(cli, digits):
    doc = '{"severity": 1' + "0" * (digits - 1) + "}"
    line = one_error_line(cli("triage", "-a", "-", "--json", input=doc), "a number has more than 100 digits")
    assert len(line) < 200
    r = cli("triage", "-a", "-", "--json", input=f"{GOOD}\n{doc}\n{GOOD}\n")
    assert r.exit_code == 2 and len(r.stdout.splitlines()) == 2 and "line 2: " in r.stderr


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**400), 10**5000, float("inf"), float("nan"), 3.5, 1e300],
    ids=["1e400", "-1e400", "1e5000", "inf", "nan", "3.5", "1e300"],
)
def test_the_engine_refuses_any_number_out_of_range_with_a_short_message(value):
    """From Python too (not only from a parsed file): no OverflowError in math.isfinite, no ValueError
    from printing a 5,000-digit number."""
    with pytest.raises(decide.AnswerError) as caught:
        decide.validate_answers(KB, {"severity": value})
    assert len(str(caught.value)) < 200


def test_whole_floats_in_range_still_count():
    assert decide.validate_answers(KB, {"severity": 4.0}) == {"severity": 4}


# --------------------------------------------------------------------------- 2: bad UTF-8


def test_a_bad_byte_is_reported_by_line_and_every_other_line_scored(cli, tmp_path):
    """Line 2,501 of 3,000 used to stop the batch at line 2,048 (a text-mode read chunk) with no line
    number. (The small test content keeps this quick.)"""
    good, bad = b'{"flag": "no", "pain": 2}\n', b'{"flag": "no\xff"}\n'
    path = write(tmp_path, "cases.jsonl", b"".join(bad if n == 2501 else good for n in range(1, 3001)))
    r = cli("triage", "--content", str(MINI), "--answers", path, "--json")
    assert r.exit_code == 2
    assert len(r.stdout.splitlines()) == 2999
    assert r.stderr.splitlines() == [
        "hipcheck: error: line 2501: not valid UTF-8 (byte 13 of the line)",
        "hipcheck: error: 1 of 3000 answer sets failed; see the lines above",
    ]


def test_a_bad_first_line_still_makes_a_batch(cli):
    r = cli("triage", "-a", "-", "--json", input=b'{"injury": "\xc3"}\n' + GOOD.encode() + b"\n")
    assert r.exit_code == 2 and json.loads(r.stdout)["line"] == 2
    assert "line 1: not valid UTF-8" in r.stderr


def test_a_bad_byte_in_one_document_names_its_line(cli):
    r = cli("triage", "-a", "-", "--json", input=b'{\n "injury": "no",\n "location": ["\xed\xa0\x80"]}')
    one_error_line(r, "standard input is not valid UTF-8 (line 3, byte 16)")


# --------------------------------------------------------------------------- 3: limits, echo


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_refused_at_the_size_limit(cli):
    one_error_line(cli("triage", "--answers", "/dev/zero", "--json"), "larger than 1,048,576 bytes")


def test_an_answers_document_may_be_1_mb(cli, tmp_path):
    doc = GOOD.encode()
    exact = doc[:-1] + b" " * (inputs.MAX_BYTES - len(doc)) + b"}"
    assert cli("triage", "-a", write(tmp_path, "a.json", exact), "--json").exit_code == 0
    r = cli("triage", "-a", write(tmp_path, "b.json", b" " + exact), "--json")
    one_error_line(r, "is larger than 1,048,576 bytes")


def test_a_line_past_the_limit_is_skipped_and_reported(cli, tmp_path):
    long = b'{"injury": "' + b"x" * inputs.MAX_BYTES + b'"}\n'
    path = write(tmp_path, "cases.jsonl", GOOD.encode() + b"\n" + long + GOOD.encode() + b"\n")
    r = cli("triage", "--answers", path, "--json")
    assert r.exit_code == 2
    assert [json.loads(line)["line"] for line in r.stdout.splitlines()] == [1, 3]
    assert "hipcheck: error: line 2: longer than 1,048,576 bytes" in r.stderr


def test_input_echoed_in_an_error_is_at_most_80_characters(cli):
    key = "k" * 500_000
    line = one_error_line(cli("triage", "-a", "-", "--json", input=json.dumps({key: 1})), "unknown question")
    assert f"'{'k' * 77}...'" in line and len(line) < 200
    line = one_error_line(cli("triage", "-a", "-", "--json", input=json.dumps({"injury": key})))
    assert len(line) < 250
    r = cli("triage", "-a", "-", "--json", input=json.dumps({"location": [key]}) + "\n" + GOOD + "\n")
    assert r.exit_code == 2 and max(len(line) for line in r.stderr.splitlines()) < 300


@pytest.mark.parametrize(
    "key",
    ["\u001b[2J\u001b]0;title\u0007", "a\nhipcheck: error: fake", "\r\u202eevil", "\x9b31m"],
)
def test_control_characters_from_the_input_are_shown_escaped(cli, key):
    for doc in ({key: 1}, {"injury": key}, {"location": ["lateral", key]}):
        text = json.dumps(doc)
        for stdin in (text, f"{text}\n{GOOD}\n"):  # one document, and a batch line
            r = cli("triage", "-a", "-", "--json", input=stdin)
            assert r.exit_code == 2
            assert not CONTROL & set(r.stderr) and "\x9b" not in r.stderr, repr(r.stderr)
            assert all(line.startswith("hipcheck: error: ") for line in r.stderr.splitlines())
            assert len(r.stderr.splitlines()) == (1 if stdin == text else 2)


def test_a_file_name_with_control_characters_is_escaped(cli, tmp_path):
    one_error_line(cli("triage", "-a", str(tmp_path / "a\nb\x1b.json")), "a\\nb\\x1b.json")


@pytest.mark.parametrize("args", [["\x1b[2Jx"], ["list", "--x\nhipcheck: error: fake"]])
def test_usage_errors_show_the_command_line_escaped(monkeypatch, capsys, args):
    from hipcheck.commands.app import main

    monkeypatch.setattr(sys, "argv", ["hipcheck", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1 and not CONTROL & set(err), repr(err)


def test_echo_escapes_and_shortens():
    assert text.echo("\x1b[2J\n") == "\\x1b[2J\\n"
    assert text.echo(text.echo("\x07")) == "\\x07"  # escaping again changes nothing
    assert len(text.echo("é" * 1000)) == 80
    assert text.echo_value("a\x1b") == "'a\\x1b'"
    assert text.echo_value(10**5000) == "a very long number"


# --------------------------------------------------------------------------- 10: duplicate keys


def test_a_repeated_red_flag_answer_is_refused_not_overwritten(cli):
    base = json.dumps({k: v for k, v in json.loads(GOOD).items() if k != "weight_bearing"})
    doc = base[:-1] + ', "weight_bearing": "cannot", "weight_bearing": "normal"}'
    one_error_line(cli("triage", "-a", "-", "--json", input=doc), "'weight_bearing' is given twice")
    r = cli("triage", "-a", "-", "--json", input=f"{GOOD}\n{doc}\n{GOOD}\n")
    assert r.exit_code == 2 and len(r.stdout.splitlines()) == 2
    assert "hipcheck: error: line 2: 'weight_bearing' is given twice" in r.stderr
    alone = cli("triage", "-a", "-", "--json", input=base[:-1] + ', "weight_bearing": "cannot"}')
    assert alone.json()["level"]["id"] == "emergency"


# --------------------------------------------------------------------------- 8: a closed stdout


def test_a_closed_stdout_ends_a_batch_quietly_with_0(cli, monkeypatch, tmp_path):
    def closed(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(batch, "run", closed)
    r = cli("triage", "-a", write(tmp_path, "cases.jsonl", GOOD.encode() + b"\n"), "--json")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")


def test_a_closed_stdout_ends_every_command_quietly_with_0(cli, monkeypatch):
    import hipcheck.commands.app

    def closed():
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(hipcheck.commands.app, "json_views", closed)
    r = cli("list", "--json")
    assert (r.exit_code, r.stderr) == (0, "")


def test_a_batch_piped_into_head_exits_0_quietly(tmp_path):
    """A real pipe: the reader goes away after 50 bytes of 100 results (about 2.5 MB)."""
    path = write(tmp_path, "cases.jsonl", (GOOD + "\n").encode() * 100)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "triage", "--answers", path, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.read(50).startswith(b'{"line":1,')
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0 and err == b""


# --------------------------------------------------------------------------- 9: stdout not UTF-8

COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["explain", "bursitis"],
    ["explain", "bursitis", "--json"],
    ["questions"],
    ["questions", "--json"],
    ["schema"],
    ["triage", "--answers", str(ROOT / "docs/examples/outer-hip.json")],
    ["triage", "--answers", str(ROOT / "docs/examples/outer-hip.json"), "--json"],
    ["log", "--pain", "3", "--no-input"],
    ["history"],
    ["history", "--json"],
    ["history", "--csv"],
]


@pytest.mark.parametrize("charset", ["ascii", "latin-1"])
def test_every_command_works_when_stdout_cannot_encode_everything(charset):
    runner = CliRunner(charset=charset)
    utf8 = Cli()
    for args in COMMANDS:
        r = runner.invoke(app, args, catch_exceptions=False)
        assert r.exit_code == 0, (args, r.stderr)
        if "--json" in args or args == ["schema"]:
            assert json.loads(r.stdout) == json.loads(utf8(*args).stdout), args  # \\u escapes, same data


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_real_ascii_or_latin1_stdout(encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for args in (["explain", "bursitis"], ["list", "--json"]):
        r = subprocess.run([sys.executable, "-m", "hipcheck", *args], capture_output=True, env=env)
        assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr[-300:]
        if "--json" in args:
            assert json.loads(r.stdout.decode(encoding))["conditions"]


# --------------------------------------------------------------------------- fuzz: any bytes

_IDS = sorted({q.id for q in KB.questions} | {o.id for q in KB.questions for o in q.options})
_PIECES = st.one_of(
    st.sampled_from([b"{", b"}", b"[", b"]", b":", b",", b'"', b"\\", b" ", b"\n", b"\r\n", b"-", b"."]),
    st.sampled_from([b"true", b"null", b"1e999", b"NaN", b"-0", b"3.0", b"10", b'"not_sure"', b"\\u0000"]),
    st.sampled_from(_IDS).map(lambda s: json.dumps(s).encode()),
    st.integers(1, 6000).map(lambda n: b"1" + b"0" * n),  # big numbers
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),  # deep nesting, closed
    st.integers(1, 3000).map(lambda n: b'{"a":' * n),  # deep nesting, open
    st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xef\xbb\xbf"]),  # bad UTF-8
    st.sampled_from(['"\x1b[2J"', '"\\u001b]0;t\\u0007"', '"a\\nb"', '"\u202e"', '"\x00"']).map(str.encode),
    st.text(max_size=20).map(lambda s: json.dumps(s, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    answer_sets().map(lambda a: json.dumps(a).encode()),  # whole valid answer sets
    answer_sets().map(lambda a: (json.dumps(a)[:-1] + ', "injury": "no"}').encode()),  # maybe a repeat
)
DOCUMENTS = st.lists(_PIECES, max_size=30).map(b"".join)
# A longer run of the same fuzz (still deterministic):
#   HIPCHECK_FUZZ_EXAMPLES=5000 python -m pytest tests/test_hardening_input.py -k fuzz
EXAMPLES = int(os.environ.get("HIPCHECK_FUZZ_EXAMPLES", "60"))


def _check_run(r, given: bytes) -> None:
    """Exit 0, 1 or 2; no traceback; every stderr line a short one-line error with no control character;
    output bounded by the input."""
    assert r.exit_code in (0, 1, 2), r.exit_code
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) <= given.count(b"\n") + 2
    for line in lines:
        assert line.startswith("hipcheck: error: ") and len(line) < 1000, line[:300]
        assert not CONTROL & set(line), repr(line[:300])
    assert len(r.stdout) <= (given.count(b"\n") + 1) * 200_000
    if r.exit_code == 0:
        assert not lines


@settings(max_examples=EXAMPLES, deadline=None)
@given(DOCUMENTS)
@example(b"[" * 1000 + b"]" * 1000)
@example(b'{"severity": 1' + b"0" * 309 + b"}")
@example(b'{"severity": 1' + b"0" * 4400 + b"}")
@example(b'{"\\u001b[2J\\u001b]0;title\\u0007": 1}')
@example(b'{"weight_bearing": "cannot", "weight_bearing": "normal"}')
def test_fuzz_any_answers_document(document):
    r = Cli()("triage", "--answers", "-", "--json", input=document)
    _check_run(r, document)
    if r.exit_code == 0:
        assert r.stdout


@settings(max_examples=max(EXAMPLES // 2, 1), deadline=None)
@given(st.lists(DOCUMENTS, min_size=1, max_size=8))
@example([GOOD.encode(), b"[" * 1000 + b"]" * 1000, b"\xff", GOOD.encode()])
def test_fuzz_any_batch_file(tmp_path_factory, documents):
    given = b"\n".join(documents) + b"\n"
    path = tmp_path_factory.mktemp("fuzz") / "cases.jsonl"
    path.write_bytes(given)
    r = Cli()("triage", "--answers", str(path), "--json")
    _check_run(r, given)
    scored = [json.loads(line)["line"] for line in r.stdout.splitlines()]
    failed = [line for line in r.stderr.splitlines() if ": line " in line]
    assert scored == sorted(scored)
    assert len(scored) + len(failed) == sum(1 for line in given.split(b"\n") if line.strip())
