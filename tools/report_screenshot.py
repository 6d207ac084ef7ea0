"""Remake docs/report.png, the README's picture of an .html report, from the real program.

python tools/report_screenshot.py [--width 1280] [--height 1500]

Saves the report for docs/examples/outer-hip.json (the README's example) as .html with
`hipcheck triage --save`, opens it in headless Chromium (Debian: apt-get install chromium) at a desktop
width, and keeps the top of the page. With ImageMagick (convert) the empty margins either side are cut,
and with pngquant the colours are reduced, which keeps the file small. Not run by the tests: it needs a
browser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "outer-hip.json"
OUT = ROOT / "docs" / "report.png"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500, help="how much of the page to keep, in pixels")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("no Chromium found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        page, shot = Path(tmp) / "report.html", Path(tmp) / "shot.png"
        env = {**os.environ, "HIPCHECK_HOME": str(Path(tmp) / "home"), "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "hipcheck",
                "triage",
                "--answers",
                str(EXAMPLE),
                "--no-save",
                "--save",
                str(page),
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--screenshot={shot}", f"--window-size={args.width},{args.height}", page.as_uri()],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        convert = shutil.which("convert", path="/usr/bin") or shutil.which("convert")
        if convert:  # cut the empty margins either side, keep 24 px of white around the page
            subprocess.run(
                [convert, str(shot), "-trim", "+repage", "-bordercolor", "white", "-border", "24", str(shot)],
                check=True,
            )
        if shutil.which("pngquant"):
            subprocess.run(
                ["pngquant", "--force", "--quality=70-90", "--output", str(OUT), str(shot)], check=True
            )
        else:
            shutil.copyfile(shot, OUT)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
