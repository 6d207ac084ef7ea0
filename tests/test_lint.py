"""The lint is part of the tests: ruff (a pinned test dependency) checks and formats the whole project
with the rules in pyproject.toml, including the banned module-level imports of the prompt libraries."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PATHS = ["hipcheck", "tests", "tools"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", *PATHS], capture_output=True, text=True, cwd=ROOT
    )


def test_ruff_finds_no_problems():
    r = _ruff("check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_code_is_formatted_as_ruff_formats_it():
    r = _ruff("format", "--check")
    assert r.returncode == 0, r.stdout + r.stderr
