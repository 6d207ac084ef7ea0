"""Regenerate the example result in README.md from the real program, so it never goes stale.

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


def render() -> str:
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
            [sys.executable, "-m", "hipcheck", "triage", "--answers", EXAMPLE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    body = "\n".join(line.rstrip() for line in out.splitlines())
    return f"{START}\n```console\n$ hipcheck triage --answers {EXAMPLE}\n{body}\n```\n{END}"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = head + render() + tail
    if "--check" in sys.argv:
        if new != text:
            print("README.md example is stale: run python tools/readme_example.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
