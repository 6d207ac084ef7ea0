"""The documentation tells the truth: README example is current, every command has help with an
example, and the Quickstart test command is the one CI runs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

from hipcheck.cli import app

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
    from hipcheck.cli import Exit

    for code in Exit:
        assert f"| {int(code)} |" in README
