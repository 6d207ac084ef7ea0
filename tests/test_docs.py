"""The documentation tells the truth: README example is current, every command has help with an
example, and the Quickstart test command is the one CI runs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

from hipcheck.commands.app import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_example_is_current():
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "readme_example.py"), "--check"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_second():
    block = re.search(r"## Quickstart\n+```\w*\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert "hipcheck triage" in block[0] and "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "sed -n 2p" in ci  # CI extracts and runs the second command


def _commands():
    import typer.main

    group = typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            for sub, subcmd in cmd.commands.items():
                yield f"{name} {sub}", subcmd
        else:
            yield name, cmd


@pytest.mark.parametrize(("name", "cmd"), list(_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_and_an_example(name, cmd):
    assert cmd.help, f"{name} has no help text"
    assert cmd.epilog and "hipcheck " in cmd.epilog, f"{name} has no example in its help"
    assert f"hipcheck {name}" in README or f"`hipcheck {name.split()[0]}" in README, (
        f"{name} is not in the README"
    )


def test_exit_codes_are_documented():
    from hipcheck.commands.app import Exit

    for code in Exit:
        assert f"| {int(code)} |" in README


# --------------------------------------------------------------------------- how the help reads


def _help(args: str, width: int) -> str:
    """`hipcheck ARGS --help` as a terminal of that width shows it."""
    from typer.testing import CliRunner

    r = CliRunner().invoke(app, [*args.split(), "--help"], env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    return r.stdout


def _paragraphs(text: str) -> list[str]:
    """The prose paragraphs of a help text or epilog, each as one line (blocks, which start with
    Click's `\\b` marker, are kept as they are and left out here)."""
    import inspect

    paragraphs = inspect.cleandoc(text).split("\n\n")
    return [" ".join(p.split()) for p in paragraphs if p.strip() and not p.strip("\n").startswith("\b")]


def _lines(text: str) -> list[str]:
    """The rendered lines without panel borders and padding."""
    return [line.strip("│ ") for line in text.splitlines()]


HELP_PAGES = ["", "content", *(name for name, _ in _commands())]


@pytest.mark.parametrize("args", HELP_PAGES)
@pytest.mark.parametrize("width", [60, 100])
def test_flags_show_no_value_placeholder(args, width):
    """Typer's rich help printed `--json <bool>`, as if the flag took a value: no flag has one."""
    text = _help(args, width)
    assert "<bool>" not in text
    assert not re.search(r"--\S+ +<", text), "an option shows a <type> placeholder"
    assert re.search(r"--help +Show this message", text)


TYPE_LABEL = re.compile(r"<[A-Za-z][^<>\s]*>")  # Typer's `<str>`, `<path>`, `<list[Path]>`


@pytest.mark.parametrize("args", HELP_PAGES)
@pytest.mark.parametrize("width", [60, 100])
def test_no_help_page_shows_a_type_label(args, width):
    """`hipcheck content accuracy --help` showed `PATH <list[Path]>`: a Python type, not a word for
    the user. Every value an option or argument takes is named by its metavar (FILE, N, DATE, NAME),
    and no `<type>` appears on any help page."""
    text = _help(args, width)
    assert not TYPE_LABEL.search(text), TYPE_LABEL.findall(text)


@pytest.mark.parametrize(("name", "cmd"), list(_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_value_has_a_metavar(name, cmd):
    """Every option that takes a value, and every argument, has a metavar: a word such as FILE, N or
    0-10 (Typer would show the Python type)."""
    for param in cmd.params:
        if param.param_type_name == "option" and (param.is_flag or param.count):
            continue
        assert param.metavar and not TYPE_LABEL.search(param.metavar), f"{name}: {param.name} needs a metavar"


@pytest.mark.parametrize("args", HELP_PAGES)
def test_help_paragraphs_reflow_to_the_terminal(args):
    """Docstrings are wrapped in the source, but their line breaks must not reach the screen: on a wide
    terminal every paragraph is one line (and so is every summary in a command list); at 60 and 100
    columns nothing runs past the edge."""
    import typer.main

    cmd = typer.main.get_command(app)
    for part in args.split():
        cmd = cmd.commands[part]
    wide = _lines(_help(args, 1000))
    for paragraph in _paragraphs(cmd.help):
        assert paragraph in wide, f"{args}: a paragraph is broken across lines: {paragraph[:70]}..."
    for sub in getattr(cmd, "commands", {}).values():
        summary = _paragraphs(sub.help)[0]
        assert any(line.endswith(summary) for line in wide), f"{sub.name}: summary broken: {summary[:70]}"
    for width in (60, 100):
        assert max(len(line) for line in _help(args, width).splitlines()) <= width


@pytest.mark.parametrize(("name", "cmd"), list(_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_examples_stay_one_command_a_line(name, cmd):
    """Example blocks keep their lines: `Examples:`, then each command on its own indented line."""
    text = [line.rstrip() for line in _help(name, 1000).splitlines()]
    shown = [line for line in text[text.index(" Examples:") + 1 :] if line]
    assert shown and all(line.startswith("   ") and "hipcheck " in line for line in shown), shown
    assert [line.strip() for line in shown] == [line.strip() for line in cmd.epilog.strip().splitlines()[1:]]


@pytest.mark.parametrize(("name", "cmd"), list(_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_usage_names_arguments_plainly(name, cmd):
    """`Usage: hipcheck explain [OPTIONS] NAME`, not `{name}`: arguments show an upper-case metavar."""
    usage = next(line for line in _help(name, 100).splitlines() if "Usage:" in line).strip()
    assert usage.startswith(f"Usage: hipcheck {name} [OPTIONS]")
    assert "{" not in usage and not re.search(r"\b[a-z_]+\b\]?(\.\.\.)?$", usage.split("[OPTIONS]")[1])
    for param in cmd.params:
        if param.param_type_name == "argument":
            assert param.metavar and param.metavar.isupper(), f"{name}: argument {param.name} needs a metavar"


def test_explain_usage_reads_name():
    assert "Usage: hipcheck explain [OPTIONS] NAME" in _help("explain", 100)


@pytest.mark.parametrize(("name", "cmd"), list(_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_global_options_are_taken_after_every_command_and_say_so(name, cmd):
    """`hipcheck explain bursitis --content DIR` works: every command takes --content and --no-color after
    its name too, in a "Global options" panel; the main help says they work there."""
    opts = {opt for param in cmd.params for opt in param.opts}
    assert {"--content", "--no-color"} <= opts
    assert "Global options" in _help(name, 100)
    assert _help("", 1000).count("Works after the command too.") == 2


def test_every_test_the_hazard_log_names_exists():
    """docs/safety.md says which test verifies each control: a renamed or deleted test must not leave
    the log pointing at nothing."""
    import re

    log = (ROOT / "docs" / "safety.md").read_text(encoding="utf-8")
    missing = []
    for cell in re.findall(r"`([^`]*test_[^`]*)`", log):
        module = None
        for part in re.split(r",\s*", cell):
            found = re.match(r"(?:(test_\w+)\.py)?(?:::)?(\w+)?$", part.strip())
            if not found:
                continue
            module = found.group(1) or module
            name = found.group(2)
            if not (name and name.startswith("test_")):
                continue
            files = (
                [ROOT / "tests" / f"{module}.py"] if module else sorted((ROOT / "tests").glob("test_*.py"))
            )
            if not any(re.search(rf"^def {name}\(", f.read_text(encoding="utf-8"), re.M) for f in files):
                missing.append(f"{module or '?'}.py::{name}")
    assert not missing, missing
