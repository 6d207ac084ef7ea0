"""Remake docs/progress.png, the README's picture of `hipcheck report --progress`, from the real program.

python tools/progress_screenshot.py [--width 800] [--height 1150]

Runs a scripted six-week course in a temporary history (the triage of docs/examples/outer-hip.json,
then check-ins on later days with the clock moved: good sessions, a bad patch that steps back, moving
on again, and a night of pain), saves the progress report as .html, and opens it in headless Chromium
(Debian: apt-get install chromium). Not run by the tests: it needs a browser.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "outer-hip.json"
OUT = ROOT / "docs" / "progress.png"


def course(folder: Path) -> Path:
    """The scripted course; returns the saved progress report."""
    os.environ["HIPCHECK_HOME"] = str(folder / "home")
    os.environ["HIPCHECK_CACHE"] = str(folder / "cache")
    from typer.testing import CliRunner

    from hipcheck.commands import history, plan, report
    from hipcheck.commands.app import app

    now = {"day": date.today()}
    for module in (history, plan, report):
        module._today = lambda: now["day"]  # type: ignore[attr-defined]
    runner = CliRunner()

    def cli(*args: str) -> None:
        r = runner.invoke(app, list(args), catch_exceptions=False)
        if r.exit_code:
            raise SystemExit(f"hipcheck {' '.join(args)}: {r.stderr}")

    def log(day: int, *args: str) -> None:
        now["day"] = start + timedelta(days=day)
        cli("log", *args)

    cli("triage", "--answers", str(EXAMPLE), "--history")
    start = now["day"]
    rnd = random.Random(4)
    for d in range(8):
        log(d, "--pain", "2", "--during", str(rnd.choice([1, 2, 2, 3])), *(["--morning", "1"] if d else []))
    log(8, "--pain", "1", "--morning", "1", "--no-session")
    for d in (9, 11, 13):
        log(d, "--pain", "2", "--during", "3", "--morning", "2")
    log(15, "--pain", "3", "--during", "5", "--morning", "2")
    log(16, "--pain", "4", "--morning", "5")
    for d in range(17, 26):
        log(d, "--pain", "2", "--during", str(rnd.choice([1, 2, 2])), "--morning", "1")
    for d in range(27, 41, 2):
        log(d, "--pain", "1", "--during", "2", "--morning", "1")
    log(41, "--pain", "3", "--morning", "2", "--night")
    now["day"] = start + timedelta(days=42)
    out = folder / "progress.html"
    cli("report", "--progress", "--save", str(out))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=1150, help="how much of the page to keep, in pixels")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = course(Path(tmp))
        cmd = [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp}/chromium",
            "--hide-scrollbars",
            f"--window-size={args.width},{args.height}",
            f"--screenshot={OUT}",
            page.as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
