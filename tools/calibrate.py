"""Refit the temperature that turns the causes' scores into the likelihoods results show (never run in CI).

    .venv/bin/python tools/calibrate.py            # fit on dev, show the ECE on every set, change nothing
    .venv/bin/python tools/calibrate.py --write    # ...and write the temperature into content/meta.toml

The temperature T divides every log score before the softmax (content/meta.toml [calibration]). It is
fitted on tests/vignettes/dev only, by grid search (0.10 to 3.00 in steps of 0.05) for the lowest mean
negative log-likelihood of each case's expected cause; the held-out, published and atypical sets are only
measured, never fitted on. Refit after any change to the weights (conditions' evidence or priors), then
update the README's accuracy table (`hipcheck content accuracy --calibration PATH`).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipcheck.knowledge.loader import load_content  # noqa: E402
from hipcheck.maintenance import accuracy  # noqa: E402

FIT_ON = "tests/vignettes/dev"
SETS = {
    "dev": FIT_ON,
    "held out": "tests/vignettes/holdout",
    "published": "tests/cases/published",
    "atypical": "tests/cases/atypical",
}
BLOCK = re.compile(r"^\[calibration\]\n(?:(?!\[).*\n?)*", re.MULTILINE)


def block(temperature: float, version: str) -> str:
    return (
        "[calibration]\n"
        f"temperature = {temperature}\n"
        f'fitted_on = "{FIT_ON}"\n'
        f'fitted = "{date.today().isoformat()}, content {version}"\n'
        'method = "tools/calibrate.py: grid 0.10-3.00 step 0.05, lowest mean negative log-likelihood of '
        'the expected cause"\n'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the fitted temperature to meta.toml")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    args = parser.parse_args()

    kb = load_content(args.content)
    cases = {name: accuracy.load_vignettes([ROOT / p]) for name, p in SETS.items()}
    scored = {name: accuracy.case_scores(kb, c) for name, c in cases.items()}
    now = kb.meta.calibration.temperature
    best = accuracy.fit_temperature(scored["dev"])
    print(f"temperature now {now}, fitted on dev {best}")
    print(f"{'set':<10} {'NLL now':>8} {'NLL fit':>8} {'ECE now':>8} {'ECE fit':>8}")
    for name, s in scored.items():
        eces = []
        for t in (now, best):
            pairs = []
            for (logs, _), (_, v) in zip(s, cases[name], strict=True):
                ids = list(logs)
                probs = accuracy.softmax([logs[c] for c in ids], t)
                top = max(range(len(ids)), key=lambda i: (probs[i], -i))
                pairs.append((round(probs[top], 4), ids[top] in {v.expected_cause, *v.acceptable}))
            eces.append(accuracy.ece(pairs))
        nlls = f"{accuracy.nll(s, now):8.3f} {accuracy.nll(s, best):8.3f}"
        print(f"{name:<10} {nlls} {eces[0]:8.3f} {eces[1]:8.3f}")
    if args.write:
        meta = args.content / "meta.toml"
        text = meta.read_text(encoding="utf-8")
        new = block(best, kb.meta.content_version)
        text = BLOCK.sub(new, text, count=1) if BLOCK.search(text) else text.rstrip("\n") + "\n\n" + new
        meta.write_text(text, encoding="utf-8")
        print(f"wrote temperature = {best} to {meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
