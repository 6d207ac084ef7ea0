"""Turn the UK's services in content text into region placeholders (content/regions.toml).

    python tools/regionalise.py [--write] [FILE.toml ...]    (default: every content file)

"999" becomes {emergency_number} and "A&E" {emergency_department}, in the TOML text itself, so comments
and layout stay; sources (lines with a title, url or doi) and comments are left alone. Without --write it
prints each change as `file:line: old -> new` and changes nothing. "NHS 111" (and a bare "111") cannot be
replaced word for word (where there is no advice line the sentence must still read), so each is listed
for a hand edit: name a same-day place with {urgent_care} and end the text with " {advice_line}"
(a whole sentence, or nothing). Then run `hipcheck content check`, which refuses any that are left.
Exit code 1 when something is left to edit by hand (or, without --write, to convert).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipcheck.knowledge.regions import REGIONS_FILE, UK_SERVICE_PLACEHOLDER, UK_SERVICES  # noqa: E402

_SOURCE_LINE = re.compile(r"^\s*(#|\{\s*title\s*=|title\s*=|url\s*=|doi\s*=|publisher\s*=)")


def convert(text: str) -> tuple[str, list[tuple[int, str, str]], list[tuple[int, str]]]:
    """(new text, [(line, old, new)], [(line, text left for a hand edit)])."""
    out, changes, by_hand = [], [], []
    for n, line in enumerate(text.splitlines(keepends=True), start=1):
        if _SOURCE_LINE.match(line):
            out.append(line)
            continue
        new = UK_SERVICES.sub(lambda m: UK_SERVICE_PLACEHOLDER.get(m[0], m[0]), line)
        if new != line:
            changes.append((n, line.strip(), new.strip()))
        if UK_SERVICES.search(new):
            by_hand.append((n, new.strip()))
        out.append(new)
    return "".join(out), changes, by_hand


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--write", action="store_true", help="change the files (else only show)")
    args = parser.parse_args()
    files = args.files or sorted(p for p in (ROOT / "content").rglob("*.toml") if p.name != REGIONS_FILE)
    left = 0
    for path in files:
        text, changes, by_hand = convert(path.read_text(encoding="utf-8"))
        for n, old, new in changes:
            print(f"{path}:{n}: {old[:100]} -> {new[:100]}")
        for n, line in by_hand:
            print(f"{path}:{n}: edit by hand (NHS 111 / 111): {line[:120]}")
        left += len(by_hand) + (0 if args.write else len(changes))
        if args.write and changes:
            path.write_text(text, encoding="utf-8")
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main())
