"""Regenerate the examples in README.md from the real program, so they never go stale: the first screen
of `hipcheck triage --answers docs/examples/outer-hip.json`, an excerpt of the same with --full (the first
cause with its evidence, the first tip with the answers that chose it), and `hipcheck plan` for the same
answers.

python tools/readme_example.py          # rewrite the blocks in README.md
python tools/readme_example.py --check  # exit 1 if README.md is out of date (used by the tests)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = "docs/examples/outer-hip.json"
START, END = "<!-- example:start -->", "<!-- example:end -->"
FULL_START, FULL_END = "<!-- full-example:start -->", "<!-- full-example:end -->"
PLAN_START, PLAN_END = "<!-- plan-example:start -->", "<!-- plan-example:end -->"
OMITTED = "..."


def run(*args: str, command: str = "triage") -> str:
    with tempfile.TemporaryDirectory() as home:  # no history: the example must not depend on past runs
        env = {
            **os.environ,
            "NO_COLOR": "1",
            "COLUMNS": "80",
            "TERM": "dumb",
            "PYTHONPATH": str(ROOT),
            "HIPCHECK_HOME": home,
            "HIPCHECK_REGION": "GB",  # the services named do not follow the machine's locale
        }
        env.pop("HIPCHECK_CONTENT", None)
        out = subprocess.run(
            [sys.executable, "-m", "hipcheck", command, "--answers", EXAMPLE, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return "\n".join(line.rstrip() for line in out.splitlines())


def render() -> str:
    body = run()
    return f"{START}\n```console\n$ hipcheck triage --answers {EXAMPLE}\n{body}\n```\n{END}"


def render_plan() -> str:
    body = run(command="plan")
    return f"{PLAN_START}\n```console\n$ hipcheck plan --answers {EXAMPLE}\n{body}\n```\n{PLAN_END}"


def _section(lines: list[str], start: str, items: int) -> list[str]:
    """The lines from the one that starts with `start` to the end of its `items`-th item (an item
    starts with "1. ", "2. ", ... or "• ")."""
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    seen = 0
    for i in range(first + 1, len(lines)):
        if lines[i][:3].rstrip(" ").rstrip(".").isdigit() or lines[i].startswith("• "):
            seen += 1
            if seen > items:
                return lines[first:i]
    return lines[first:]


def render_full() -> str:
    lines = run("--full").splitlines()
    excerpt = [
        OMITTED,
        *_section(lines, "Likely causes", 1),
        OMITTED,
        *_section(lines, "What you can do now", 1),
        OMITTED,
    ]
    body = "\n".join(excerpt)
    return f"{FULL_START}\n```console\n$ hipcheck triage --answers {EXAMPLE} --full\n{body}\n```\n{FULL_END}"


def _replace(text: str, start: str, end: str, block: str) -> str:
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return head + block + tail


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = _replace(text, START, END, render())
    if FULL_START in new:
        new = _replace(new, FULL_START, FULL_END, render_full())
    new = _replace(new, PLAN_START, PLAN_END, render_plan())
    if "--check" in sys.argv:
        if new != text:
            print("README.md example is stale: run python tools/readme_example.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
