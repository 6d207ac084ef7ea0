"""What `hipcheck log` announces, in the cases the six-week trial found it silent."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import ROOT

from hipcheck.commands import history as history_cmd
from hipcheck.commands import plan as plan_cmd

EXAMPLE = str(ROOT / "docs" / "examples" / "outer-hip.json")


def test_a_step_back_is_announced_after_being_seen_the_same_day_and_for_a_past_date(cli, monkeypatch):
    """A bad morning, `plan --seen`, then the day before's session logged late (over the limit): the
    plan steps back, and log must say so, not 'Stay'. The new events were taken as those after the old
    count, which a clearance or a past date shifts."""
    now = {"day": date.today()}
    for mod in (history_cmd, plan_cmd):
        monkeypatch.setattr(mod, "_today", lambda: now["day"])
    assert cli("triage", "--answers", EXAMPLE, "--history").exit_code == 0
    start = now["day"]
    now["day"] = start + timedelta(days=2)
    assert "is over the limits" in cli("log", "--pain", "3", "--morning", "4").stdout
    assert cli("plan", "--seen").exit_code == 0
    late = cli("log", "--date", (start + timedelta(days=1)).isoformat(), "--pain", "4", "--during", "5")
    assert late.exit_code == 0
    assert "Step back to step 1" in late.stdout and "Stay on step" not in late.stdout
