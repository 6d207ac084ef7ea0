"""Shared fixtures: the real knowledge base, a tiny one for engine mechanics, and a CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from hipcheck.cli import app
from hipcheck.content import KnowledgeBase, load_content

# The test suite is deterministic: hypothesis derives its examples from each test's name, so every run
# (CI included) tries the same ones. Random exploration belongs to tools/explore_safety.py, run on
# purpose; what it finds becomes a fixed @example here.
settings.register_profile(
    "suite", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.load_profile("suite")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own empty history folder: tests never touch the real one."""
    home = tmp_path / "hipcheck-home"
    monkeypatch.setenv("HIPCHECK_HOME", str(home))
    monkeypatch.setenv("HIPCHECK_CACHE", str(tmp_path / "hipcheck-cache"))
    return home


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_content(CONTENT)


@pytest.fixture(scope="session")
def mini() -> KnowledgeBase:
    return load_content(MINI)


class Cli:
    """Runs hipcheck in-process; `.json()` parses stdout."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        result = self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        result.json = lambda: json.loads(result.stdout)  # type: ignore[attr-defined]
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()


def all_clear(kb: KnowledgeBase) -> dict:
    """Answers that screen every red flag as absent (a base for tests)."""
    out: dict = {}
    for q in kb.red_flag_questions:
        out[q.id] = [q.none_option] if q.kind == "multi" else q.options[0].id
    return out
