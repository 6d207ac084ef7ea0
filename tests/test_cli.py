"""The command line, end to end in-process: JSON outputs parse and hold what scripts rely on; bad input
gives exit code 2 and one line naming the problem."""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import MINI, all_clear


def test_version(cli):
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout.startswith("hipcheck ")


def test_list_json_has_every_condition(cli, kb):
    r = cli("list", "--json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["schema_version"] and data["content_version"] == kb.meta.content_version
    assert {c["id"] for c in data["conditions"]} == {c.id for c in kb.conditions}


def test_list_table_shows_every_condition(cli, kb):
    r = cli("list")
    assert r.exit_code == 0
    for c in kb.conditions:
        assert c.id in r.stdout


@pytest.mark.parametrize(
    ("name", "cid"),
    [
        ("bursitis", "gtps"),
        ("trochanteric bursitis", "gtps"),
        ("GTPS", "gtps"),
        ("IT band", "itbs"),
        ("ITBS", "itbs"),
        ("FAI", "fai"),
        ("femoroacetabular impingement", "fai"),
        ("hip flexor strain", "muscle_strain"),
        ("sports hernia", "athletic_pubalgia"),
        ("DVT", "dvt"),
        ("piriformis", "piriformis"),
        ("stress fracture of the femoral neck", "femoral_neck_stress_fracture"),
    ],
)
def test_explain_resolves_names_and_aliases(cli, name, cid):
    r = cli("explain", name, "--json")
    assert r.exit_code == 0, r.stderr
    page = r.json()
    assert page["id"] == cid
    assert page["sources"] and page["symptoms"] and page["see_professional"]
    assert "evidence" not in page


def test_explain_page_reads_well(cli):
    r = cli("explain", "bursitis")
    assert r.exit_code == 0
    for heading in (
        "Typical symptoms",
        "Why runners get it",
        "What you can do",
        "See a professional if",
        "Sources",
    ):
        assert heading in r.stdout


def test_explain_takes_an_unmistakable_typo(cli):
    assert cli("explain", "bursitus", "--json").json()["id"] == "gtps"


def test_explain_unknown_name_suggests_and_exits_2(cli):
    r = cli("explain", "tronchanteric")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1
    assert "gtps" in r.stderr and "hipcheck list" in r.stderr


def test_questions_json_describes_the_bank(cli, kb):
    r = cli("questions", "--json")
    assert r.exit_code == 0
    qs = r.json()["questions"]
    assert [q["id"] for q in qs] == [q.id for q in kb.questions]
    for q in qs:
        assert q["kind"] in ("single", "multi", "scale")
        if q["kind"] == "scale":
            assert q["scale"] == {"min": 0, "max": 10} and q["options"] == []
        else:
            assert q["options"][-1] == {"id": "not_sure", "label": "Not sure", "offered_when": None}
        assert set(q["asked_when"]) == {"when_all", "when_any", "unless"}
    # an option offered only for some answers says so (issue 18: no testicle question for a woman)
    body = next(q for q in qs if q["id"] == "body_signs")
    testicle = next(o for o in body["options"] if o["id"] == "testicle")
    assert testicle["offered_when"] == {"when_all": [], "when_any": [], "unless": ["sex:female"]}


def test_triage_answers_file_gives_a_full_json_result(cli, kb, tmp_path):
    answers = {**all_clear(kb), "location": ["lateral"], "lateral_detail": ["tender_bone", "lying_side"]}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    r = cli("triage", "--answers", str(path), "--json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert set(data) >= {
        "schema_version",
        "answers",
        "level",
        "causes",
        "tips",
        "disclaimer",
        "content_version",
    }
    assert data["answers"] == answers
    assert data["level"]["id"] in ("self_care", "routine", "urgent", "emergency")
    assert data["level"]["reasons"]
    cause = data["causes"][0]
    assert set(cause) >= {"id", "name", "likelihood", "supporting", "conflicting"}
    assert cause["id"] == "gtps"
    assert abs(sum(c["likelihood"] for c in data["causes"]) - 1) < 1e-3


def test_triage_result_can_be_fed_back(cli, kb):
    answers = {**all_clear(kb), "location": ["groin"], "severity": 4}
    first = cli("triage", "-a", "-", "--json", input=json.dumps(answers)).json()
    again = cli("triage", "-a", "-", "--json", input=json.dumps(first["answers"])).json()
    assert first == again


def test_triage_text_puts_urgency_first_and_ends_with_disclaimer(cli, kb):
    r = cli("triage", "-a", "-", input=json.dumps({**all_clear(kb), "location": ["groin"]}))
    assert r.exit_code == 0
    out = r.stdout
    assert out.index("Likely causes") > out.index("What to do")
    assert "not a diagnosis" in out.splitlines()[-3] + out.splitlines()[-2] + out.splitlines()[-1]
    assert "\x1b[" not in out  # no escape codes in a pipe


def test_unscreened_red_flags_are_reported_in_json(cli):
    r = cli("triage", "-a", "-", "--json", input=json.dumps({"location": ["lateral"]}))
    data = r.json()
    assert data["red_flags_screened"] is False
    assert data["level"]["id"] != "self_care"
    assert "injury" in data["unscreened"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "answers are not valid JSON (-, line 1 column 2)"),
        ('{"pain_level": 3}', "unknown question id 'pain_level'"),
        ('{"injury": "yes"}', "injury: unknown option 'yes'; valid: no, minor, major, not_sure"),
        ('{"severity": 12}', "severity: 12 is out of range"),
        ('["injury"]', "must be a JSON object"),
    ],
)
def test_bad_answers_exit_2_with_one_line(cli, payload, message):
    r = cli("triage", "-a", "-", "--json", input=payload)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("hipcheck: error: ") and r.stderr.count("\n") == 1
    assert message in r.stderr


def test_missing_answers_file(cli, tmp_path):
    r = cli("triage", "-a", str(tmp_path / "nope.json"))
    assert r.exit_code == 2 and "answers file not found" in r.stderr


def test_no_terminal_points_to_answers(cli):
    r = cli("triage", input="")
    assert r.exit_code == 2
    assert "stdin is not a terminal" in r.stderr and "--answers" in r.stderr


def test_no_input_flag_never_prompts(cli):
    r = cli("triage", "--no-input")
    assert r.exit_code == 2 and "--no-input" in r.stderr


@pytest.mark.parametrize("name", ["triage", "explain", "list", "questions", "history"])
def test_schema_is_valid_json_schema(cli, name):
    """Every --json output has its schema, which says which JSON Schema dialect it is (pydantic writes
    2020-12) and carries no `$id`: the same text on every run, so it can be kept under version control."""
    r = cli("schema", name)
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert schema["type"] == "object" and "schema_version" in schema["properties"]
    assert next(iter(schema)) == "$schema"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$id" not in r.stdout
    assert cli("schema", name).stdout == r.stdout


def test_schema_history_describes_history_json(cli):
    """`hipcheck history --json` has a schema like every other --json output."""
    assert cli("log", "--pain", "3", "--no-input").exit_code == 0
    export = cli("history", "--json").json()
    schema = cli("schema", "history").json()
    assert set(export) == set(schema["properties"]) and set(schema["required"]) <= set(export)
    from hipcheck.history.models import HistoryExport

    HistoryExport.model_validate(export)


def test_schema_unknown(cli):
    r = cli("schema", "nope")
    assert r.exit_code == 2 and "triage, explain, list, questions, history" in r.stderr


def test_content_check_passes_on_shipped_content(cli):
    r = cli("content", "check")
    assert r.exit_code == 0, r.stdout
    assert r.stdout.startswith("content OK")


def test_broken_content_is_reported_with_breadcrumbs(cli, tmp_path):
    import shutil

    broken = tmp_path / "content"
    shutil.copytree(MINI, broken)
    cond = broken / "conditions" / "beta.toml"
    cond.write_text(cond.read_text().replace("side = 5.0", "sde = 5.0").replace("prior = 0.3", "prior = 3"))
    (broken / "rules.toml").write_text((broken / "rules.toml").read_text().replace("flag:yes", "flagg:yes"))
    r = cli("content", "check", str(broken))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert any("beta.toml → id=beta → prior" in line for line in lines)
    assert any("rule (id=flag_yes)" in line and "did you mean 'flag'" in line for line in lines)
    # every problem is listed at once, not just the first
    assert len(lines) >= 2
    # and the same broken directory makes other commands fail with exit 1 and one line
    r2 = cli("--content", str(broken), "list", "--json")
    assert r2.exit_code == 1 and r2.stderr.count("\n") == 1 and "content check" in r2.stderr


def test_content_env_var_selects_a_directory(cli):
    r = cli("list", "--json", env={"HIPCHECK_CONTENT": str(MINI)})
    assert {c["id"] for c in r.json()["conditions"]} == {"alpha", "beta", "gamma"}


def test_save_report_formats(cli, kb, tmp_path):
    answers = json.dumps({**all_clear(kb), "location": ["lateral"]})
    for ext in ("txt", "md", "html", "svg"):
        out = tmp_path / f"report.{ext}"
        r = cli("triage", "-a", "-", "--save", str(out), input=answers)
        assert r.exit_code == 0, r.stderr
        text = html.unescape(out.read_text()).replace("\xa0", " ")
        assert "hipcheck report" in text and "Likely causes" in text.replace("## ", "")
    bad = cli("triage", "-a", "-", "--save", str(tmp_path / "r.pdf"), input=answers)
    assert bad.exit_code == 2 and ".pdf" in bad.stderr


def test_answers_files_ignore_the_history_unless_asked(cli, kb, private_home, tmp_path):
    """Same answers, same result: a night-pain check-in in the history does not change --answers
    results, unless --history asks for it (then it raises the level: urgent, as no saved triage says
    where it hurts; issue 18 item 12)."""
    assert cli("log", "--pain", "6", "--night", "--no-input").exit_code == 0
    answers = {
        **all_clear(kb),
        "location": ["lateral"],
        "duration": "days",
        "onset": "gradual",
        "lateral_detail": ["tender_bone"],
        "timing": ["after"],
        "severity": 3,
    }
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    plain = cli("triage", "--answers", str(path), "--json").json()
    assert plain["level"]["id"] == "self_care"
    with_history = cli("triage", "--answers", str(path), "--json", "--history").json()
    assert with_history["level"]["id"] == "urgent"
    assert any(r["source"] == "history" for r in with_history["level"]["reasons"])


@pytest.mark.parametrize("answers", [["--answers", "docs/examples/outer-hip.json"], []])
def test_history_and_no_save_together_are_refused(cli, answers):
    """--history reads and saves the history, --no-save leaves it out: the pair was taken silently
    (--history ignored). One line, exit 2, before any question and with nothing on stdout."""
    from conftest import ROOT

    args = [a if a.startswith("-") else str(ROOT / a) for a in answers]
    r = cli("triage", *args, "--history", "--no-save", "--json")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("hipcheck: error: --history and --no-save cannot be used together")
    assert r.stderr.count("\n") == 1


def test_content_check_covers_the_history_rules(cli, tmp_path):
    """A typo in history.toml's answer tests is caught by `content check`, with a suggestion."""
    import shutil

    from conftest import CONTENT

    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    history = copy / "history.toml"
    history.write_text(
        history.read_text().replace('night_tests = ["timing:night"]', 'night_tests = ["timng:night"]')
    )
    r = cli("content", "check", str(copy))
    assert r.exit_code == 1
    assert (
        "history.toml → rest_night.night_tests: unknown question 'timng' (did you mean 'timing'?)" in r.stdout
    )


# --------------------------------------------------------------------------- options after the command


@pytest.mark.parametrize(
    "args",
    [
        ("explain", "alpha", "--content", str(MINI), "--json"),
        ("--content", "content", "explain", "alpha", "--content", str(MINI), "--json"),  # the later wins
    ],
)
def test_content_works_after_the_command(cli, args):
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    assert r.json()["id"] == "alpha"


def test_content_after_the_command_beats_the_environment(cli):
    r = cli("list", "--json", "--content", str(MINI), env={"HIPCHECK_CONTENT": "content"})
    assert {c["id"] for c in r.json()["conditions"]} == {"alpha", "beta", "gamma"}
    # and without it, the environment variable still applies
    r = cli("list", "--json", env={"HIPCHECK_CONTENT": str(MINI)})
    assert {c["id"] for c in r.json()["conditions"]} == {"alpha", "beta", "gamma"}


def test_no_color_works_after_the_command(cli, kb):
    answers = json.dumps({**all_clear(kb), "location": ["lateral"]})
    colour = re.compile(r"\x1b\[[0-9;]*3[0-7]m")
    coloured = cli("triage", "-a", "-", input=answers, env={"FORCE_COLOR": "1"})
    assert colour.search(coloured.stdout)
    for args in (("--no-color", "triage", "-a", "-"), ("triage", "-a", "-", "--no-color")):
        plain = cli(*args, input=answers, env={"FORCE_COLOR": "1"})
        assert plain.exit_code == 0 and not colour.search(plain.stdout), args


def _main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """Run hipcheck through main(), as the installed command does; (exit code, stderr)."""
    from hipcheck.commands.app import main

    monkeypatch.setattr("sys.argv", ["hipcheck", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("triage", "--version"), "--version goes before the command: hipcheck --version"),
        (("content", "--content", "x", "check"), "--content goes before the command: hipcheck --content DIR"),
    ],
)
def test_root_options_after_the_command_say_where_they_go(monkeypatch, capsys, args, hint):
    code, err = _main(monkeypatch, capsys, *args)
    assert code == 2
    assert err.startswith("hipcheck: error: ") and err.count("\n") == 1
    assert hint in err and "No such option" not in err


def test_other_unknown_options_still_point_to_help(monkeypatch, capsys):
    code, err = _main(monkeypatch, capsys, "triage", "--nope")
    assert code == 2 and "No such option: --nope" in err and "hipcheck triage --help" in err


# --------------------------------------------------------------------------- answers: empty input, batches


@pytest.mark.parametrize("extra", [(), ("--json",)])
@pytest.mark.parametrize("stdin", ["", "\n  \n"])
def test_empty_stdin_says_no_answers_were_given(cli, extra, stdin):
    r = cli("triage", "--answers", "-", *extra, input=stdin)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (
        "hipcheck: error: no answers were given on standard input; pipe in a JSON object "
        "(see `hipcheck questions`)\n"
    )


def test_empty_answers_file(cli, tmp_path):
    path = tmp_path / "a.json"
    path.write_text("")
    r = cli("triage", "--answers", str(path), "--json")
    assert r.exit_code == 2
    assert r.stderr == f"hipcheck: error: answers file {path} is empty\n"


def test_batch_summary_is_an_error_line_like_the_others(cli, kb, tmp_path):
    good = json.dumps({**all_clear(kb), "location": ["lateral"]})
    path = tmp_path / "cases.jsonl"
    path.write_text(f'{good}\nnot json\n{good}\n{{"severity": 12}}\n')
    r = cli("triage", "--answers", str(path), "--json")
    assert r.exit_code == 2 and len(r.stdout.splitlines()) == 2
    lines = r.stderr.splitlines()
    assert all(line.startswith("hipcheck: error: ") for line in lines), lines
    assert lines[-1] == "hipcheck: error: 2 of 4 answer sets failed; see the lines above"


@pytest.mark.parametrize("as_json", [False, True])
def test_explain_a_name_several_conditions_share_lists_them(cli, as_json):
    """The words "hip flexor" are in the names of four conditions: hipcheck says it could be any of them
    and lists each, rather than "no condition called 'hip flexor'" (or picking one silently)."""
    r = cli("explain", "hip flexor", *(["--json"] if as_json else []))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "no condition called" not in r.stderr
    assert "'hip flexor' could be more than one condition" in r.stderr
    for cid in ("iliopsoas", "muscle_strain", "muscle_bleed", "psoas_abscess"):
        assert f"{cid} (" in r.stderr
    assert cli("explain", "hip flexor tendon pain").exit_code == 0


def test_explain_says_when_it_took_a_close_match(cli):
    r = cli("explain", "bursitus")  # a misspelling of an alias
    assert r.exit_code == 0
    assert "closest match to 'bursitus'" in r.stderr and "gtps" in r.stderr
    r = cli("explain", "bursitis")  # an alias as written: no note
    assert r.exit_code == 0 and "closest match" not in r.stderr
    r = cli("explain", "bursitus", "--json")  # the note goes to stderr; stdout stays clean JSON
    assert r.exit_code == 0 and "closest match" in r.stderr and json.loads(r.stdout)["id"] == "gtps"


# --------------------------------------------------------------------------- content text is text


MARKUP = "[bold red]loud[/] [link=https://evil.example]click[/link] [/]"
SCRIPT = "<script>alert(1)</script> ![x](https://evil.example/t.png) [y](javascript:z)"


@pytest.fixture
def marked_up(tmp_path):
    """mini, with Rich markup and HTML in a condition's name and summary, a question, an option and a
    tip (all valid content: square brackets and angle brackets are ordinary characters)."""
    import shutil

    root = tmp_path / "marked"
    shutil.copytree(MINI, root)
    alpha = root / "conditions" / "alpha.toml"
    alpha.write_text(
        alpha.read_text()
        .replace('name = "Alpha condition"', f'name = "Alpha {MARKUP} {SCRIPT}"')
        .replace('summary = "Test."', f'summary = "Sum {MARKUP}"')
    )
    questions = root / "questions.toml"
    questions.write_text(
        questions.read_text()
        .replace('text = "Where?"', f'text = "Where {MARKUP}?"')
        .replace('short = "Where"', f'short = "Where {MARKUP} {SCRIPT}"')
        .replace('label = "Front"', f'label = "Front {MARKUP} {SCRIPT}"')
    )
    tips = root / "tips.toml"
    tips.write_text(tips.read_text().replace('text = "Alpha tip."', f'text = "Alpha tip {SCRIPT}"'))
    return root


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "args",
    [("explain", "alpha"), ("list",), ("questions",), ("triage", "--answers", "-")],
    ids=["explain", "list", "questions", "triage"],
)
def test_content_text_is_never_rich_markup(cli, marked_up, args):
    answers = json.dumps({"flag": "no", "where": ["front"], "pain": 2})
    r = cli(
        "--content",
        str(marked_up),
        *args,
        "--no-save" if args[0] == "triage" else "--no-color",
        input=answers,
        env={"COLUMNS": "400"},
    )
    assert r.exit_code == 0, r.stderr
    assert _flat(MARKUP) in _flat(r.stdout), r.stdout
    assert "\x1b]8;" not in r.stdout  # no hyperlink


def test_the_answers_summary_shows_content_text_as_text(marked_up):
    import io

    from hipcheck.knowledge.loader import load_content
    from hipcheck.screens.console import make_console
    from hipcheck.screens.result import answers_table

    kb = load_content(marked_up)
    out = io.StringIO()
    con = make_console(width=400)
    con.file = out
    con.print(answers_table(kb, {"flag": "no", "where": ["front"]}))
    assert out.getvalue().count(MARKUP) == 2


def test_markdown_reports_escape_html_and_markdown(cli, marked_up, tmp_path):
    answers = json.dumps({"flag": "no", "where": ["front"], "pain": 2})
    report = tmp_path / "report.md"
    r = cli(
        "--content",
        str(marked_up),
        "triage",
        "--answers",
        "-",
        "--no-save",
        "--save",
        str(report),
        input=answers,
    )
    assert r.exit_code == 0, r.stderr
    text = report.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "](" not in text.replace("\\](", "")  # no link or image survives
    assert "Alpha tip &lt;script&gt;" in text  # tips too
    assert text.count("&lt;script&gt;") >= 4  # the cause, the answer's question and option, the tip
