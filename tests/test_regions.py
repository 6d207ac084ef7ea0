"""Regions: the advice names the emergency number and services of the runner's region (content/regions.toml),
chosen by --region, HIPCHECK_REGION or the locale, end to end through the command line."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from conftest import CONTENT, ROOT

from hipcheck.engine import decide
from hipcheck.knowledge import regions as R
from hipcheck.knowledge.loader import for_region, plan_content
from hipcheck.maintenance.checks import region_problems

BOOK = tomllib.loads((CONTENT / "regions.toml").read_text(encoding="utf-8"))
BY_CODE = {r["code"]: r for r in BOOK["region"]}
EMERGENCY = {
    "age": "age_35_49",
    "sex": "male",
    "background": ["none"],
    "injury": "major",
    "weight_bearing": "cannot",
}
SAME_DAY = {
    **EMERGENCY,
    "weight_bearing": "painful",
    "warning_signs": ["none"],
    "nerve_signs": ["none"],
    "body_signs": ["none"],
}
LEAK = re.compile(r"\{(" + "|".join(R.PLACEHOLDERS) + r")\}")


def plain(screen: str) -> str:
    """The screen's words on one line: panel borders and line breaks out."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", screen).split())


@pytest.fixture
def answers(tmp_path):
    def write(data: dict) -> str:
        path = tmp_path / f"answers{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps(data))
        return str(path)

    return write


@pytest.fixture
def no_region(monkeypatch):
    """No HIPCHECK_REGION and no locale: each test sets what it needs."""
    for var in (R.REGION_ENV_VAR, *R.LOCALE_VARS):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


# --------------------------------------------------------------------------- the content


def test_the_required_regions_are_there_each_with_a_source():
    assert {"GB", "IE", "US", "CA", "AU", "NZ", "EU", BOOK["unknown"]} <= set(BY_CODE)
    for region in BOOK["region"]:
        assert region["sources"], region["code"]
        assert all(s.get("url") or s.get("doi") for s in region["sources"]), region["code"]


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("GB", "999"),
        ("IE", "112 or 999"),
        ("US", "911"),
        ("CA", "911"),
        ("AU", "000"),
        ("NZ", "111"),
        ("EU", "112"),
    ],
)
def test_each_region_has_its_emergency_number(code, number):
    assert BY_CODE[code]["emergency_number"] == number


def test_the_unknown_region_says_the_local_number_and_112():
    assert BY_CODE[BOOK["unknown"]]["emergency_number"] == (
        "your local emergency number (112 works from mobiles in most countries)"
    )


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_no_placeholder_is_left_in_any_text(kb, code):
    """Every text a runner can read, in every region: levels, rules, tips, pages, questions, plans."""
    regional = for_region(kb, code)
    texts = [regional.meta.model_dump_json()]
    texts += [m.model_dump_json() for m in (*regional.questions, *regional.conditions, *regional.rules)]
    texts += [t.model_dump_json() for t in regional.tips]
    plans = plan_content(regional)
    texts += [p.model_dump_json() for p in plans.plans] + [
        e.model_dump_json() for e in plans.exercises.values()
    ]
    leaks = [LEAK.search(t)[0] for t in texts if LEAK.search(t)]
    assert not leaks
    assert "  " not in regional.meta.levels[decide.Level.same_day].advice[0]  # an empty {advice_line}


def test_filling_is_pure_and_kept(kb):
    before = kb.meta.levels[decide.Level.emergency].advice[0]
    us = for_region(kb, "US")
    assert "{emergency_number}" in before and kb.meta.levels[decide.Level.emergency].advice[0] == before
    assert kb.region is None and us.region.code == "US"
    assert for_region(kb, "US") is us  # filled once per knowledge base
    assert for_region(us, "US") is us


def test_fill_text_leaves_other_braces_and_takes_the_space_of_an_empty_value():
    values = {"emergency_number": "911", "advice_line": ""}
    assert R.fill_text("Call {emergency_number}. {advice_line}", values) == "Call 911."
    assert R.fill_text("{count} of {questions}", values) == "{count} of {questions}"


# --------------------------------------------------------------------------- choosing the region


@pytest.mark.parametrize(
    ("env", "territory"),
    [
        ({"LANG": "en_US.UTF-8"}, "US"),
        ({"LANG": "de_DE@euro"}, "DE"),
        ({"LANG": "en_GB"}, "GB"),
        ({"LC_ALL": "en_AU.UTF-8", "LANG": "en_US.UTF-8"}, "AU"),  # LC_ALL first
        ({"LC_MESSAGES": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "CA"),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, None),  # the first one set decides
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "POSIX"}, None),
        ({}, None),
    ],
)
def test_locale_territory(env, territory):
    assert R.locale_territory(env) == territory


def _choose(flag=None, **env):
    regions = [(r["code"], r.get("aliases", []), r.get("territories", [])) for r in BOOK["region"]]
    return R.choose(flag, env, regions, BOOK["unknown"])


def test_the_flag_then_the_variable_then_the_locale_then_anywhere_else():
    assert _choose("au", HIPCHECK_REGION="US", LANG="en_NZ.UTF-8") == ("AU", "--region")
    assert _choose(None, HIPCHECK_REGION="us", LANG="en_NZ.UTF-8") == ("US", "HIPCHECK_REGION")
    assert _choose(None, LANG="en_NZ.UTF-8") == ("NZ", "locale")
    assert _choose(None, LANG="de_AT.UTF-8") == ("EU", "locale")
    assert _choose(None, LANG="en_IE.UTF-8") == ("IE", "locale")
    assert _choose("uk") == ("GB", "--region")  # an alias
    assert _choose(None, LANG="ja_JP.UTF-8") == (BOOK["unknown"], "default")
    assert _choose(None, LANG="C") == (BOOK["unknown"], "default")
    assert _choose(None, HIPCHECK_REGION="", LANG="en_US.UTF-8") == ("US", "locale")


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("code", ["GB", "IE", "US", "CA", "AU", "NZ", "EU", "INTL"])
def test_an_emergency_names_the_regions_number(cli, answers, code):
    r = cli("triage", "--answers", answers(EMERGENCY), "--region", code.lower())
    assert r.exit_code == 0, r.stderr
    region = BY_CODE[code]
    text = plain(r.stdout)
    assert f"Call {region['emergency_number']} for an ambulance" in text
    assert f"go to {region['emergency_department']} now" in text
    assert ("999" in text) == (code in ("GB", "IE"))


def test_the_json_carries_the_region(cli, answers):
    r = cli("triage", "--answers", answers(EMERGENCY), "--json", "--region", "NZ")
    data = r.json()
    assert data["schema_version"] == "2.1"
    assert list(data)[:3] == ["schema_version", "content_version", "region"]
    assert data["region"]["code"] == "NZ" and data["region"]["emergency_number"] == "111"
    assert data["region"]["advice_line"] == BY_CODE["NZ"]["advice_line"]
    assert data["level"]["advice"][0].startswith("Call 111 ")
    schema = cli("schema", "triage").json()
    assert "region" in schema["properties"] and "RegionInfo" in schema["$defs"]


def test_a_same_day_result_names_the_advice_line_where_there_is_one(cli, answers):
    gb = cli("triage", "--answers", answers(SAME_DAY), "--json", "--region", "GB").json()["level"]["advice"]
    us = cli("triage", "--answers", answers(SAME_DAY), "--json", "--region", "US").json()["level"]["advice"]
    assert "NHS 111" in gb[0] and "A&E" in gb[0]
    assert us[0] == "Get seen today: an urgent care center, the ER, or a same-day GP appointment."
    assert not any("NHS" in a or "A&E" in a or "999" in a for a in us)


def test_the_region_goes_before_the_command_too(cli, answers):
    r = cli("--region", "AU", "triage", "--answers", answers(EMERGENCY), "--json")
    assert r.json()["region"]["code"] == "AU"


def test_a_bad_region_is_one_line_with_the_choices(cli, answers):
    r = cli("triage", "--answers", answers(EMERGENCY), "--region", "XX")
    assert r.exit_code == 2
    assert r.stderr == (
        "hipcheck: error: unknown region 'XX' (--region); choose one of: GB, IE, US, CA, AU, NZ, EU, INTL\n"
    )
    r = cli("explain", "dvt", env={"HIPCHECK_REGION": "Mars"})
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "(HIPCHECK_REGION)" in r.stderr


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["questions"], ["questions", "--json"]])
def test_a_bad_region_is_refused_where_no_service_is_named_too(cli, command):
    """Cold review: list and questions took any --region silently while triage refused it."""
    r = cli("--region", "ZZ", *command)
    assert r.exit_code == 2 and r.stderr.startswith("hipcheck: error: unknown region 'ZZ' (--region)")
    assert cli("--region", "us", *command).exit_code == 0


def test_the_locale_chooses_the_region(cli, answers, no_region):
    no_region.setenv("LANG", "en_US.UTF-8")
    assert cli("triage", "--answers", answers(EMERGENCY), "--json").json()["region"]["code"] == "US"
    no_region.setenv("LANG", "de_DE.UTF-8")
    assert cli("triage", "--answers", answers(EMERGENCY), "--json").json()["region"]["code"] == "EU"


def test_a_c_locale_gets_the_wording_for_anywhere(cli, answers, no_region):
    no_region.setenv("LANG", "C")
    r = cli("triage", "--answers", answers(EMERGENCY))
    text = plain(r.stdout)
    assert "Call your local emergency number (112 works from mobiles in most countries)" in text
    assert "999" not in text and "911" not in text


def test_explain_names_the_regions_services_text_and_json(cli):
    page = plain(cli("explain", "dvt", "--region", "US").stdout)
    assert "911" in page and "999" not in page and "{" not in page
    for _ in range(2):  # the second comes from the content cache
        data = cli("explain", "dvt", "--json", "--region", "AU").json()
        text = json.dumps(data)
        assert "call 000 at once" in text and "999" not in text and "{emergency" not in text


def test_the_plan_names_the_regions_services(cli, answers):
    data = cli("plan", "--answers", answers(EMERGENCY), "--json", "--region", "CA").json()
    assert data["status"] == "get_seen" and data["region"]["code"] == "CA"
    assert data["get_seen"][0] == "Call 911 for an ambulance, or go to the emergency department now."


@pytest.mark.parametrize("suffix", [".md", ".txt", ".html"])
def test_reports_name_the_number_and_its_sources(cli, answers, tmp_path, suffix):
    out = tmp_path / f"report{suffix}"
    r = cli("triage", "--answers", answers(EMERGENCY), "--region", "US", "--save", str(out))
    assert r.exit_code == 0, r.stderr
    text = out.read_text()
    assert "Call 911 for an ambulance" in text and "911 (United States)" in text
    assert "medlineplus.gov" in text and "999" not in text


def test_report_of_a_saved_result_says_its_region(cli, answers):
    cli("triage", "--answers", answers(EMERGENCY), "--history", "--region", "NZ")
    r = cli("report", "--region", "US")
    assert r.exit_code == 0
    assert "services named for New Zealand" in r.stdout and "Call 111" in plain(r.stdout)
    assert "names the services of New Zealand (NZ)" in r.stderr and "hipcheck triage" in r.stderr


# --------------------------------------------------------------------------- keeping the UK out of new text


def test_content_check_refuses_a_uk_service_and_says_where(tmp_path, cli):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    rules = root / "rules.toml"
    text = rules.read_text()
    text = text.replace(
        'advice = ["Do not try to walk it off. Lie still and get help to reach hospital."]',
        'advice = ["Do not try to walk it off. Call 999 or go to A&E (Smith 1999, doi 10.1111/x)."]',
    )
    rules.write_text(text)
    problems = region_problems(root)
    assert problems == [
        "content/rules.toml → rule (id=fall_cannot_bear_weight) → advice[0]: names the UK service '999'; "
        "write {emergency_number} (`python tools/regionalise.py --write content/rules.toml` does it)",
        "content/rules.toml → rule (id=fall_cannot_bear_weight) → advice[0]: names the UK service 'A&E'; "
        "write {emergency_department} (`python tools/regionalise.py --write content/rules.toml` does it)",
    ]
    r = cli("content", "check", str(root))
    assert r.exit_code == 1 and "names the UK service '999'" in r.stdout
    # the converter fixes both, and leaves the year and the DOI alone
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "regionalise.py"), "--write", str(rules)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "Call {emergency_number} or go to {emergency_department} (Smith 1999, doi 10.1111/x)."
        in rules.read_text()
    )
    assert region_problems(root) == []


def test_content_check_refuses_a_misspelt_placeholder_and_a_misplaced_advice_line(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    meta = root / "meta.toml"
    meta.write_text(
        meta.read_text().replace(
            '"Do not run, and do not drive yourself."', '"{advice_line} Call {emergency_numbr}."'
        )
    )
    problems = region_problems(root)
    assert any("unknown placeholder {emergency_numbr}" in p for p in problems)
    assert any("{advice_line} is a whole sentence, or nothing: put it at the end" in p for p in problems)


def test_the_shipped_content_names_no_uk_service_outside_regions_toml():
    assert region_problems(CONTENT) == []


def test_a_folder_without_regions_toml_cannot_use_placeholders(tmp_path, cli):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    (root / "regions.toml").unlink()
    r = cli("content", "check", str(root))
    assert r.exit_code == 1
    assert "uses {emergency_number}, but the folder has no regions.toml to fill it" in r.stdout


def test_filling_a_region_works_out_cached_labels_again(kb):
    """Cold review: a filled copy kept the option labels worked out from the unfilled text, so a label
    with a placeholder would have been shown unfilled."""
    from hipcheck.knowledge.loader import _filled

    q = kb.question_by_id["injury"]
    first = q.options[0]
    asked = q.model_copy(
        update={"options": [first.model_copy(update={"label": "Call {emergency_number}"}), *q.options[1:]]}
    )
    for name, attr in vars(type(q)).items():  # model_copy kept what q had cached (the bug itself)
        if isinstance(attr, functools.cached_property):
            asked.__dict__.pop(name, None)
    assert asked.label_of(first.id) == "Call {emergency_number}"  # worked out and cached, unfilled
    assert _filled(asked, {"emergency_number": "911"}).label_of(first.id) == "Call 911"
