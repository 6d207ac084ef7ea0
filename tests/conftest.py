"""Shared fixtures: the real knowledge base, a tiny one for engine mechanics, and a CLI runner."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from hipcheck.commands.app import app
from hipcheck.knowledge.loader import KnowledgeBase, load_content

# The test suite is deterministic: hypothesis derives its examples from each test's name, so every run
# (CI included) tries the same ones. Random exploration belongs to tools/explore_safety.py, run on
# purpose; what it finds becomes a fixed @example here.
settings.register_profile(
    "suite", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.load_profile("suite")

# pytest-xdist sets COLUMNS and LINES in its workers; the programs the tests start (and Rich in-process)
# would take them as the terminal's size. The tests give a size where they mean one, so none leaks in.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Every test gets its own empty history folder: tests never touch the real one."""
    home = tmp_path / "hipcheck-home"
    monkeypatch.setenv("HIPCHECK_HOME", str(home))
    monkeypatch.setenv("HIPCHECK_CACHE", str(tmp_path / "hipcheck-cache"))
    # The advice names the UK's services in every test unless it says otherwise (the region would
    # otherwise follow the machine's locale); tests of the default unset this.
    monkeypatch.setenv("HIPCHECK_REGION", "GB")
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


@pytest.fixture
def mini_with(tmp_path):
    """Make a copy of the mini knowledge base with more questions (TOML, asked before all of mini's)
    and more rules (appended): `mini_with(questions=..., rules=...)` returns (its folder, its
    knowledge base)."""
    made = []

    def make(questions: str = "", rules: str = "") -> tuple[Path, KnowledgeBase]:
        folder = tmp_path / f"content{len(made)}"
        shutil.copytree(MINI, folder)
        bank = folder / "questions.toml"
        bank.write_text(questions + "\n" + bank.read_text())
        with (folder / "rules.toml").open("a") as f:
            f.write("\n" + rules)
        made.append(folder)
        return folder, load_content(folder)

    return make


_SOURCE = '[{ title = "T", publisher = "P", kind = "guideline" }]'
NOTICE_QUESTIONS = """
[[question]]
id = "age"
short = "Age"
section = "about_you"
kind = "single"
text = "How old are you?"
options = [{ id = "adult", label = "18 or over" }, { id = "child", label = "Under 10" }]

[[question]]
id = "signs"
short = "Warning signs"
section = "safety"
red_flag = true
kind = "multi"
none_option = "none"
text = "Do you have any of these?"
options = [
  { id = "ache", label = "Aching at night" },
  { id = "hot", label = "A hot, swollen hip" },
  { id = "none", label = "None of these" },
]
"""
NOTICE_RULES = f"""
[[rule]]
id = "night_ache"
level = "urgent"
when_all = ["signs:ache"]
reason = "Aching at night needs a doctor soon."
advice = ["Ask about an X-ray."]
sources = {_SOURCE}

[[rule]]
id = "hot_hip"
level = "same_day"
when_all = ["signs:hot"]
reason = "A hot, swollen hip needs a doctor today."
sources = {_SOURCE}

[[rule]]
id = "very_severe"
level = "urgent"
when_all = ["pain>=9"]
reason = "Very severe pain."
sources = {_SOURCE}

[[rule]]
id = "child"
level = "routine"
ends_interview = true
when_all = ["age:child"]
reason = "hipcheck is not built for children."
advice = ["Take them to their doctor, today if they cannot walk."]
sources = {_SOURCE}
"""


@pytest.fixture
def notices(mini_with) -> tuple[Path, KnowledgeBase]:
    """mini, asked after an age question (a child ends the interview, at routine) and a red-flag
    multiple choice (aching at night: urgent; a hot hip: same day); pain 9 or more is urgent too.
    The order: age, signs, then mini's flag (yes: emergency), where, side_detail, pain."""
    return mini_with(questions=NOTICE_QUESTIONS, rules=NOTICE_RULES)
