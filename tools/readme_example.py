"""Regenerate the example result and the example plan in README.md from the real program, so they never
go stale.

python tools/readme_example.py          # rewrite the block in README.md
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
PLAN_START, PLAN_END = "<!-- plan-example:start -->", "<!-- plan-example:end -->"


def render(command: str = "triage", start: str = START, end: str = END) -> str:
    with tempfile.TemporaryDirectory() as home:  # no history: the example must not depend on past runs
        env = {
            **os.environ,
            "NO_COLOR": "1",
            "COLUMNS": "80",
            "TERM": "dumb",
            "PYTHONPATH": str(ROOT),
            "HIPCHECK_HOME": home,
        }
        env.pop("HIPCHECK_CONTENT", None)
        out = subprocess.run(
            [sys.executable, "-m", "hipcheck", command, "--answers", EXAMPLE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    body = "\n".join(line.rstrip() for line in out.splitlines())
    return f"{start}\n```console\n$ hipcheck {command} --answers {EXAMPLE}\n{body}\n```\n{end}"


def _replace(text: str, start: str, end: str, block: str) -> str:
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return head + block + tail


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = _replace(text, START, END, render())
    new = _replace(new, PLAN_START, PLAN_END, render("plan", PLAN_START, PLAN_END))
    if "--check" in sys.argv:
        if new != text:
            print("README.md example is stale: run python tools/readme_example.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
