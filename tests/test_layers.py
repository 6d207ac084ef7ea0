"""The package's layers import one way: commands -> screens -> history -> engine -> knowledge.

docs/architecture.md draws the map. Every import in the package is checked, at module level and inside
functions (an import inside a function still runs), so no layer can reach up to a higher one, and the
lower layers stay free of the terminal libraries. A second test finds import loops among the modules'
top-level imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hipcheck"

# What each layer may import from hipcheck (itself included). `maintenance` holds the maintainers'
# tools (content checks, accuracy harness): it sits beside screens, above history.
MAY_IMPORT = {
    "knowledge": {"knowledge"},
    "engine": {"knowledge", "engine"},
    "history": {"knowledge", "engine", "history"},
    "maintenance": {"knowledge", "engine", "history", "maintenance"},
    "screens": {"knowledge", "engine", "history", "screens"},
    "commands": {"knowledge", "engine", "history", "maintenance", "screens", "commands", "api"},
    "api": {"knowledge", "engine", "api"},  # hipcheck/api.py, the public Python API
}
TERMINAL = {"rich", "questionary", "prompt_toolkit", "typer", "click", "plotext"}
# Third-party libraries a layer may not import at all.
BANNED = {
    "knowledge": TERMINAL,
    "engine": TERMINAL,
    "history": TERMINAL,
    "maintenance": TERMINAL,
    "api": TERMINAL,
    "screens": {"typer", "click"},
}


def _layer(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return {"api.py": "api"}.get(rel.name)


def _imports(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every imported module's absolute dotted name (relative imports resolved against `module`)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            out += [(node.lineno, f"{name}.{a.name}") for a in node.names]  # `from pkg import module`
    return out


def _modules() -> list[tuple[Path, str]]:
    return [
        (p, ".".join(["hipcheck", *p.relative_to(PACKAGE).with_suffix("").parts]).removesuffix(".__init__"))
        for p in sorted(PACKAGE.rglob("*.py"))
    ]


def test_the_package_has_its_layer_folders():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {"knowledge", "engine", "history", "maintenance", "screens", "commands"}
    loose = {p.name for p in PACKAGE.glob("*.py")}
    assert loose == {"__init__.py", "__main__.py", "api.py"}, "a new module belongs in a layer folder"


@pytest.mark.parametrize("path,module", _modules(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_module_imports_only_its_own_layer_and_those_below(path, module):
    layer = _layer(path)
    if layer is None:  # hipcheck/__init__.py and __main__.py
        return
    problems = []
    for line, name in _imports(ast.parse(path.read_text(encoding="utf-8")), module):
        parts = name.split(".")
        if parts[0] == "hipcheck" and len(parts) > 1 and parts[1] != "__version__":
            target = "api" if parts[1] == "api" else parts[1]
            if target in MAY_IMPORT and target not in MAY_IMPORT[layer]:
                problems.append(f"line {line}: {layer} may not import {name}")
        elif parts[0] in BANNED.get(layer, set()):
            problems.append(f"line {line}: {layer} may not import {parts[0]}")
    assert not problems, f"{path.relative_to(PACKAGE)}: " + "; ".join(problems)


def _top_level_imports(tree: ast.Module, module: str) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            continue
        names |= {n for _, n in _imports(node, module)}
    return names


def test_no_import_loops_among_top_level_imports():
    mods = dict((m, p) for p, m in _modules())
    graph = {
        m: {
            n for n in _top_level_imports(ast.parse(p.read_text(encoding="utf-8")), m) if n in mods and n != m
        }
        for m, p in mods.items()
    }
    # a package imports its __init__ first; that is not a loop
    graph = {m: {n for n in deps if not m.startswith(n + ".")} for m, deps in graph.items()}
    loops = []
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                loops.append(" -> ".join([*stack[stack.index(n) :], n]))
            elif n not in state:
                visit(n, [*stack, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not loops, loops


def test_the_layer_test_catches_an_upward_import(tmp_path):
    """The checker itself: an engine module importing a screen is reported."""
    tree = ast.parse("def f():\n    from hipcheck.screens.result import result_view\n")
    names = [n for _, n in _imports(tree, "hipcheck.engine.decide")]
    assert "hipcheck.screens.result" in names
    assert "screens" not in MAY_IMPORT["engine"]
