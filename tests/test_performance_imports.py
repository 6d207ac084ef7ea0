"""Start-up hygiene: what the fast paths import, and where heavy modules may be imported at all.

No timings here (they belong in benchmarks/run.py); these checks are deterministic.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest
from conftest import CONTENT, ROOT, all_clear

from hipcheck.knowledge.loader import load_content

PACKAGE = ROOT / "hipcheck"
PROMPTS = ("questionary", "prompt_toolkit")
# Modules that may import these at module level (they only load on the paths that draw or ask).
ALLOWED = {
    "questionary": {"screens/interview.py"},
    "prompt_toolkit": {"screens/interview.py"},
    "rich": {
        "screens/interview.py",
        "screens/result.py",
        "screens/pages.py",
        "screens/console.py",
        "screens/report.py",
    },
}


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Top-level names imported outside functions (including under if/try at module level)."""
    found: list[tuple[int, str]] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, a.name.split(".")[0]) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((node.lineno, node.module.split(".")[0]))
            elif isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for h in node.handlers:
                    visit(h.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.With):
                visit(node.body)

    visit(tree.body)
    return found


def test_heavy_modules_are_imported_at_module_level_only_where_allowed():
    problems = []
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20  # the walk finds the modules in the layer folders
    for path in files:
        name = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, top in _module_level_imports(tree):
            if top in ALLOWED and name not in ALLOWED[top]:
                problems.append(f"hipcheck/{name}:{line}: module-level import of {top}")
    assert not problems, "\n".join(problems)


def test_ruff_bans_module_level_prompt_imports():
    """The same rule as ruff's TID253 (pyproject: banned-module-level-imports). ruff is a test
    dependency, so this runs everywhere the tests do."""
    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID253", "--no-cache", str(PACKAGE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------- sys.modules after a command

PROBE = """
import sys, runpy
sys.argv = ["hipcheck", *{args!r}]
try:
    runpy.run_module("hipcheck", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
tops = {{m.split(".")[0] for m in sys.modules}}
heavy = sorted(tops & {{"questionary", "prompt_toolkit", "rich", "tomllib"}})
pyd = sorted(m for m in sys.modules if m in ("hipcheck.knowledge.models", "hipcheck.knowledge.loader"))
sys.stderr.write("\\nPROBE " + repr((code, heavy, pyd)) + "\\n")
"""


def _probe(
    args: list[str], env_extra: dict[str, str], stdin: str | None = None
) -> tuple[int, list[str], list[str]]:
    env = {**os.environ, **env_extra, "NO_COLOR": "1"}
    r = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("PROBE ")]
    assert line, r.stderr
    return eval(line[-1][len("PROBE ") :])  # noqa: S307  (our own repr of plain data)


@pytest.fixture
def cache_env(tmp_path):
    return {"HIPCHECK_CACHE": str(tmp_path / "cache"), "HIPCHECK_HOME": str(tmp_path / "home")}


@pytest.mark.parametrize(
    "args",
    [["explain", "bursitis", "--json"], ["list", "--json"], ["questions", "--json"], ["--version"]],
    ids=["explain", "list", "questions", "version"],
)
def test_json_lookups_import_no_prompts_no_rich_and_with_a_warm_cache_no_models(args, cache_env):
    code, heavy, _ = _probe(args, cache_env)  # cold: builds the cache
    assert code in (0, None)
    assert not set(heavy) & {"questionary", "prompt_toolkit", "rich"}, f"{args}: imported {heavy}"
    code, heavy, pyd = _probe(args, cache_env)  # warm
    assert code in (0, None)
    assert heavy == [], f"{args}: imported {heavy}"
    assert pyd == [], f"{args}: a warm cache should need no pydantic models or TOML, imported {pyd}"


def test_batch_and_single_json_triage_import_no_prompts_no_rich(cache_env, tmp_path):
    kb = load_content(CONTENT)
    one = json.dumps({**all_clear(kb), "location": ["lateral"]})
    cases = tmp_path / "cases.jsonl"
    cases.write_text(one + "\n" + one + "\n")
    for args, stdin in (
        (["triage", "--answers", str(cases), "--json"], None),
        (["triage", "-a", "-", "--json"], one),
    ):
        code, heavy, _ = _probe(args, cache_env, stdin)
        assert code in (0, None)
        assert not set(heavy) & {"questionary", "prompt_toolkit", "rich"}, f"{args}: imported {heavy}"


def _modules_after(args: list[str], env_extra: dict[str, str], stdin: str | None = None) -> set[str]:
    probe = PROBE.replace(
        'sys.stderr.write("\\nPROBE "',
        'sys.stderr.write("\\nMODULES " + repr(sorted(sys.modules)) + "\\nPROBE "',
    )
    env = {**os.environ, **env_extra, "NO_COLOR": "1"}
    r = subprocess.run(
        [sys.executable, "-c", probe.format(args=args)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("MODULES ")]
    assert line, r.stderr
    return set(eval(line[-1][len("MODULES ") :]))  # noqa: S307  (our own repr of plain data)


def test_triage_paths_load_no_plan_models_or_views(cache_env, tmp_path):
    """The plan models (knowledge/plans.py) are built only by the commands that use plans, and the
    `--json` views (catalog.py) only on a cache miss: neither is on the way to a triage result."""
    kb = load_content(CONTENT)
    one = json.dumps({**all_clear(kb), "location": ["lateral"]})
    cases = tmp_path / "cases.jsonl"
    cases.write_text(one + "\n" + one + "\n")
    runs = (
        (["triage", "--answers", str(cases), "--json"], None),
        (["triage", "-a", "-", "--json", "--no-save"], one),
    )
    for args, stdin in runs:
        _modules_after(args, cache_env, stdin)  # cold: builds the cache entry
    for args, stdin in runs:
        loaded = _modules_after(args, cache_env, stdin)
        assert "hipcheck.engine.decide" in loaded, args  # the probe saw the triage run
        assert not loaded & {"hipcheck.knowledge.plans", "hipcheck.knowledge.catalog"}, args


def test_only_the_command_run_is_built():
    """Typer inspects every command's signature before running one; `main` gives it only the command
    the arguments name (App.for_args). Help, unknown words and completion get the whole app."""
    from hipcheck.commands.app import ROOT_VALUE_OPTIONS, app

    def names(args: list[str]) -> list[str]:
        narrowed = app.for_args(args, ROOT_VALUE_OPTIONS)
        return [c.name or c.callback.__name__ for c in narrowed.registered_commands] + [
            g.name for g in narrowed.registered_groups
        ]

    everything = names([])
    assert len(everything) > 5
    assert names(["explain", "bursitis", "--json"]) == ["explain"]
    assert names(["--no-color", "--content", "list", "list", "--json"]) == ["list"]  # `list` the folder
    assert names(["--content=x", "content", "check"]) == ["content"]
    for args in (["--help"], ["-h", "list"], ["expalin"], ["--", "list"], [], ["-x", "list"]):
        assert names(args) == everything, args
