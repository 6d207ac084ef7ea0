"""Likelihoods that mean what they say (issue 18, section 4): the temperature in content/meta.toml, the
reliability table and the expected calibration error, and a ratchet on the dev vignettes' ECE."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

from hipcheck.engine import decide
from hipcheck.knowledge.loader import ContentError, load_content
from hipcheck.maintenance import accuracy

TESTS = Path(__file__).parent
ROOT = TESTS.parent
MINI = TESTS / "fixtures" / "mini"
SLACK = 0.02  # the dev ECE may drift this much above the README's figure before CI fails


def test_ece_of_a_hand_computed_example():
    # Bin 90-100%: three causes shown at 95%, two right: gap 0.95 - 2/3 = 0.2833, weight 3/4.
    # Bin 20-30%: one shown at 25%, wrong: gap 0.25, weight 1/4. ECE = 0.2125 + 0.0625 = 0.275.
    pairs = [(0.95, True), (0.95, True), (0.95, False), (0.25, False)]
    bins = accuracy.reliability(pairs)
    assert [(b.low, b.n) for b in bins] == [(0.2, 1), (0.9, 3)]
    assert bins[1].shown == pytest.approx(0.95) and bins[1].right == pytest.approx(2 / 3)
    assert accuracy.ece(pairs) == pytest.approx(0.275)


def test_a_perfectly_calibrated_set_has_no_error_and_certainty_falls_in_the_last_bin():
    assert accuracy.ece([(1.0, True), (0.5, True), (0.5, False)]) == pytest.approx(0.0)
    assert [b.low for b in accuracy.reliability([(1.0, True)])] == [0.9]
    assert accuracy.ece([]) == 0.0


def _mini_at(tmp_path: Path, temperature: str) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    with (root / "meta.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n[calibration]\ntemperature = {temperature}\n")
    return root


def test_the_temperature_divides_the_log_scores(tmp_path, mini):
    """mini's priors are 0.6, 0.3 and 0.1; with no answers and T = 2 the shares are their square roots,
    normalised: 0.7746, 0.5477 and 0.3162 over 1.6385."""
    assert [round(p, 4) for _, p in decide.score(mini, {})] == [0.6, 0.3, 0.1]  # T = 1 by default
    kb = load_content(_mini_at(tmp_path, "2.0"))
    assert [(c, round(p, 4)) for c, p in decide.score(kb, {})] == [
        ("alpha", 0.4727),
        ("beta", 0.3343),
        ("gamma", 0.193),
    ]
    result = decide.assess(kb, {})
    assert [c.likelihood for c in result.causes] == [0.4727, 0.3343, 0.193]


@pytest.mark.parametrize("bad", ["0", "-1", '"warm"', "100"])
def test_a_temperature_out_of_range_is_a_content_error(tmp_path, bad):
    with pytest.raises(ContentError, match="calibration"):
        load_content(_mini_at(tmp_path, bad))


def test_the_fit_finds_the_temperature_that_matches_the_frequencies():
    """Two causes a log-odds of 1 apart; the first is right in 7 of 10 cases. The best temperature makes
    the first 70%: 1 / T = ln(7/3), T = 1.18, so 1.2 on the grid."""
    scored = [({"a": 0.0, "b": -1.0}, "a")] * 7 + [({"a": 0.0, "b": -1.0}, "b")] * 3
    assert accuracy.fit_temperature(scored) == 1.2
    assert accuracy.softmax([0.0, -1.0], 1 / math.log(7 / 3))[0] == pytest.approx(0.7)


def test_the_content_temperature_says_how_it_was_fitted(kb):
    cal = kb.meta.calibration
    assert cal.fitted_on == "tests/vignettes/dev" and cal.fitted and cal.method


def _readme_ece(name: str) -> float:
    """The ECE column of the README's accuracy table for one set."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| set |") and "ECE" in line)
    column = [c.strip() for c in header.strip("|").split("|")].index("ECE top cause")
    row = next(line for line in text.splitlines() if re.match(rf"\| {name} \|", line))
    return float([c.strip() for c in row.strip("|").split("|")][column])


def test_the_dev_calibration_error_does_not_rise_above_the_readme(kb):
    """A ratchet: the dev vignettes' ECE stays within SLACK of the README's figure. Refit
    (tools/calibrate.py --write) after changing weights, then update the README's table."""
    got = accuracy.evaluate(kb, accuracy.load_vignettes([TESTS / "vignettes" / "dev"]))
    now = accuracy.ece(accuracy.top1_pairs(got))
    recorded = _readme_ece("dev")
    assert now <= recorded + SLACK, f"dev ECE {now:.3f} > README {recorded} + {SLACK}\n" + (
        accuracy.calibration_table(got)
    )


def test_content_accuracy_prints_the_reliability_table(cli):
    out = cli("content", "accuracy", "--calibration", str(TESTS / "vignettes" / "dev"))
    assert out.exit_code == 0, out.output
    assert "mean shown" in out.stdout and re.search(r"ECE top cause: 0\.\d{3}", out.stdout)
    plain = cli("content", "accuracy", str(TESTS / "vignettes" / "dev"))
    assert "ECE" not in plain.stdout
