"""The package's layers import one way: commands -> screens -> history -> engine -> knowledge.

docs/architecture.md draws the map. Every import in the package is checked, at module level and inside
functions (an import inside a function still runs), so no layer can reach up to a higher one, and the
lower layers stay free of the terminal libraries. A second test finds import loops, counting imports
inside functions too, so no import can be tucked into a function to get round a loop.
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


# `from hipcheck import triage` loads hipcheck/api.py (through hipcheck/__init__.py's lazy names)
API_NAMES = set(__import__("hipcheck").__all__) - {"__version__"}


def _imports(tree: ast.AST, module: str, package: bool = False) -> list[tuple[int, str]]:
    """Every imported module's absolute dotted name, relative imports resolved against `module` (a
    package's __init__.py is `package`: its `.` is the package itself). An import by name at run time
    (`importlib.import_module`, `__import__`) is returned as `<dynamic import>`: the layers cannot be
    checked through it, so the package may not use it."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts[: len(parts) - node.level + (1 if package else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            for a in node.names:  # `from pkg import module`, and the API's lazy names
                out.append(
                    (
                        node.lineno,
                        "hipcheck.api" if name == "hipcheck" and a.name in API_NAMES else f"{name}.{a.name}",
                    )
                )
        elif isinstance(node, ast.Call):
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if called in ("import_module", "__import__"):
                out.append((node.lineno, "<dynamic import>"))
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
    for line, name in _imports(
        ast.parse(path.read_text(encoding="utf-8")), module, path.name == "__init__.py"
    ):
        if name == "<dynamic import>":
            problems.append(
                f"line {line}: an import by name at run time, which the layer check cannot follow"
            )
            continue
        parts = name.split(".")
        if parts[0] == "hipcheck" and len(parts) > 1 and parts[1] != "__version__":
            target = "api" if parts[1] == "api" else parts[1]
            if target in MAY_IMPORT and target not in MAY_IMPORT[layer]:
                problems.append(f"line {line}: {layer} may not import {name}")
        elif parts[0] in BANNED.get(layer, set()):
            problems.append(f"line {line}: {layer} may not import {parts[0]}")
    assert not problems, f"{path.relative_to(PACKAGE)}: " + "; ".join(problems)


def _runtime_imports(tree: ast.Module, module: str, package: bool) -> set[str]:
    """Every import that can run: at module level and inside functions (TYPE_CHECKING blocks aside)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            continue
        names |= {n for _, n in _imports(node, module, package)}
    return names


def test_no_import_loops():
    """No loop among the modules' imports, counting those inside functions too: so no import was
    moved into a function to get round a loop."""
    mods = {m: p for p, m in _modules()}
    graph = {
        m: {
            n
            for n in _runtime_imports(ast.parse(p.read_text(encoding="utf-8")), m, p.name == "__init__.py")
            if n in mods and n != m
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
    """The checker itself: imports inside functions, relative imports from a package's __init__.py,
    the API's lazy names and imports by name at run time are all seen."""
    tree = ast.parse("def f():\n    from hipcheck.screens.result import result_view\n")
    assert "hipcheck.screens.result" in [n for _, n in _imports(tree, "hipcheck.engine.decide")]
    assert "screens" not in MAY_IMPORT["engine"]
    tree = ast.parse("from ..screens import result\n")
    assert "hipcheck.screens.result" in [n for _, n in _imports(tree, "hipcheck.engine", package=True)]
    tree = ast.parse("from hipcheck import triage\n")
    assert "hipcheck.api" in [n for _, n in _imports(tree, "hipcheck.engine.decide")]
    tree = ast.parse("import importlib\nimportlib.import_module('hipcheck.screens.result')\n")
    assert "<dynamic import>" in [n for _, n in _imports(tree, "hipcheck.engine.decide")]
