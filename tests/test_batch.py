"""Batch scoring (`triage --answers cases.jsonl --json`): each line gets exactly the single-triage JSON,
one compact line per case with the input line number first, streaming; bad lines are reported by
number and the rest still scored."""

from __future__ import annotations

import io
import json
import random
import shutil

from conftest import MINI, all_clear
from hypothesis import given, settings
from test_properties import KB, answer_sets

from hipcheck.engine import batch, decide, result_json
from hipcheck.knowledge.loader import for_region, load_content
from hipcheck.knowledge.models import NOT_SURE


def _reference(kb, raw, line: int) -> str:
    """The single --json result of `raw`, compact, with the input line number first."""
    single = decide.assess(kb, decide.validate_answers(kb, raw)).model_dump_json()
    return f'{{"line":{line},{single[1:]}'


def _random_answers(kb, rng: random.Random) -> dict:
    out: dict = {}
    for q in kb.questions:
        if rng.random() < 0.75:
            if q.kind == "scale":
                out[q.id] = rng.choice([NOT_SURE, *range(q.scale_min, q.scale_max + 1)])
            elif q.kind == "single":
                out[q.id] = rng.choice(q.option_ids)
            else:
                plain = [o.id for o in q.options if o.id != q.none_option]
                r = rng.random()
                if r < 0.1:
                    out[q.id] = [NOT_SURE]
                elif r < 0.2 and q.none_option:
                    out[q.id] = [q.none_option]
                else:
                    out[q.id] = rng.sample(plain, rng.randint(1, min(4, len(plain))))
    keys = list(out)
    rng.shuffle(keys)  # any key order in the input
    return {k: out[k] for k in keys}


def test_run_streams_results_and_reports_bad_lines():
    good = json.dumps({**all_clear(KB), "location": ["lateral"]})
    text = "\n".join([good, "{not json", "", '{"injury": "maybe"}', "[1, 2]", good]) + "\n"
    out, err = io.StringIO(), io.StringIO()
    done, failed = batch.run(KB, io.StringIO(text), out, err)
    assert (done, failed) == (2, 3)
    lines = out.getvalue().splitlines()
    assert lines == [_reference(KB, json.loads(good), 1), _reference(KB, json.loads(good), 6)]
    messages = err.getvalue().splitlines()
    assert [m.split(":")[2].strip() for m in messages] == ["line 2", "line 4", "line 5"]
    assert all(m.startswith("hipcheck: error: line ") for m in messages)


def test_batch_mode_is_detected_by_extension_or_one_value_per_line():
    assert batch.is_batch("cases.jsonl", None, None)
    assert batch.is_batch("cases.NDJSON", None, None)
    assert batch.is_batch("cases.json", '{"a": 1}\n', '{"a": 2}\n')
    assert not batch.is_batch("one.json", '{"a": 1}\n', None)  # one object: the single result as before
    assert not batch.is_batch("pretty.json", "{\n", '  "a": 1\n')  # a pretty-printed object
    assert not batch.is_batch("-", '{"a": 1}\n', None)


def test_cli_batch_writes_one_compact_line_per_case(cli, tmp_path):
    rng = random.Random(3)
    cases = [_random_answers(KB, rng) for _ in range(40)]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    r = cli("triage", "--answers", str(path), "--json")
    assert r.exit_code == 0, r.stderr
    gb = for_region(KB, "GB")  # the region the tests set (HIPCHECK_REGION, conftest.py)
    assert r.stdout.splitlines() == [_reference(gb, c, n) for n, c in enumerate(cases, 1)]


def test_cli_batch_from_stdin_without_the_extension(cli):
    one = json.dumps({**all_clear(KB), "location": ["groin"]})
    r = cli("triage", "-a", "-", "--json", input=f"{one}\n{one}\n")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2


def test_cli_batch_goes_on_after_a_bad_line_and_exits_2(cli, tmp_path):
    one = json.dumps({**all_clear(KB), "location": ["groin"]})
    path = tmp_path / "cases.jsonl"
    path.write_text(f"{one}\n{{oops\n{one}\n")
    r = cli("triage", "--answers", str(path), "--json")
    assert r.exit_code == 2
    assert [json.loads(line)["line"] for line in r.stdout.splitlines()] == [1, 3]  # matched to the input
    assert "hipcheck: error: line 2: not valid JSON" in r.stderr
    assert "1 of 3 answer sets failed" in r.stderr


def test_cli_batch_needs_json_and_no_report(cli, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"injury": "no"}\n')
    r = cli("triage", "--answers", str(path))
    assert r.exit_code == 2 and "add --json" in r.stderr
    r = cli("triage", "--answers", str(path), "--json", "--save", str(tmp_path / "r.md"))
    assert r.exit_code == 2 and "--save" in r.stderr


def test_cli_batch_keeps_no_history(cli, tmp_path, private_home):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"injury": "no"}\n{"injury": "minor"}\n')
    assert cli("triage", "--answers", str(path), "--json").exit_code == 0
    assert not private_home.exists()


def test_single_answers_file_keeps_its_indented_output(cli, tmp_path):
    answers = {**all_clear(KB), "location": ["lateral"]}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers))
    r = cli("triage", "--answers", str(path), "--json", "--no-save")
    assert r.exit_code == 0
    gb = for_region(KB, "GB")  # the region the tests set (HIPCHECK_REGION, conftest.py)
    assert (
        r.stdout == decide.assess(gb, decide.validate_answers(gb, answers)).model_dump_json(indent=2) + "\n"
    )


# --------------------------------------------------------------------------- the JSON writer


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_result_json_is_the_models_own_json(answers):
    """Batch writes the decision as text without building the models; the text must not differ by a byte."""
    valid = decide.validate_answers(KB, answers)
    assert result_json.dumps(KB, decide.decide(KB, valid)) == decide.assess(KB, valid).model_dump_json()
    us = for_region(KB, "US")  # with a region: its object, and its services in the texts
    assert result_json.dumps(us, decide.decide(us, valid)) == decide.assess(us, valid).model_dump_json()


def test_result_json_escapes_text_as_the_models_do(tmp_path):
    """Quotes, backslashes, non-ASCII and control characters in content come out as pydantic writes them."""
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    page = root / "conditions" / "alpha.toml"
    awkward = 'name = "Alpha \\"quoted\\" \\\\ caf\\u00e9 \\t ✓"'
    page.write_text(page.read_text().replace('name = "Alpha condition"', awkward))
    kb = load_content(root)
    assert "café" in kb.condition_by_id["alpha"].name
    for answers in ({"flag": "no", "where": ["front"], "pain": 2}, {"flag": "yes"}, {}):
        valid = decide.validate_answers(kb, answers)
        assert result_json.dumps(kb, decide.decide(kb, valid)) == decide.assess(kb, valid).model_dump_json()


# --------------------------------------------------------------------------- --json --brief


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_the_brief_result_is_the_full_results_own_values(answers):
    """`--brief` leaves parts out and changes none: its level, reason ids, top causes with likelihoods and
    causes not ruled out are the full result's; its text is the model's own JSON."""
    valid = decide.validate_answers(KB, answers)
    full = decide.assess(KB, valid)
    brief = decide.assess_brief(KB, valid)
    assert brief.level == full.level.id
    assert brief.reasons == [r.id for r in full.level.reasons]
    assert [(c.id, c.likelihood) for c in brief.causes] == [
        (c.id, c.likelihood) for c in full.causes[: KB.meta.top_causes]
    ]
    assert brief.not_ruled_out == full.level.not_ruled_out
    assert brief.content_version == full.content_version
    assert result_json.dumps_brief(KB, decide.decide_brief(KB, valid)) == brief.model_dump_json()


def test_cli_brief_lines_and_jobs(cli, tmp_path):
    rng = random.Random(5)
    cases = [_random_answers(KB, rng) for _ in range(70)]
    lines = [json.dumps(c) for c in cases]
    lines[3] = '{"injury": "maybe"}'
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")
    one = cli("triage", "--answers", str(path), "--json", "--brief")
    two = cli("triage", "--answers", str(path), "--json", "--brief", "--jobs", "2")
    assert one.exit_code == two.exit_code == 2  # the bad line
    assert one.stdout == two.stdout and one.stderr == two.stderr
    want = [
        f'{{"line":{n},{decide.assess_brief(KB, decide.validate_answers(KB, c)).model_dump_json()[1:]}'
        for n, c in enumerate(cases, 1)
        if n != 4
    ]
    assert one.stdout.splitlines() == want


def test_cli_brief_for_one_answers_file_and_its_limits(cli, tmp_path):
    answers = {**all_clear(KB), "location": ["lateral"]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(answers))
    r = cli("triage", "--answers", str(path), "--json", "--brief")
    assert r.exit_code == 0, r.stderr
    assert (
        r.stdout
        == decide.assess_brief(KB, decide.validate_answers(KB, answers)).model_dump_json(indent=2) + "\n"
    )
    for args in (["--brief"], ["--brief", "--json", "--full"], ["--brief", "--json", "--history"]):
        r = cli("triage", "--answers", str(path), *args)
        assert r.exit_code == 2 and r.stderr.startswith("hipcheck: error: --brief"), args


def test_the_brief_schema_and_api(cli):
    import hipcheck
    from hipcheck.knowledge.models import TriageBrief

    printed = json.loads(cli("schema", "triage-brief").stdout)
    printed.pop("$schema")
    assert printed == TriageBrief.model_json_schema(mode="serialization")
    sets = [_random_answers(KB, random.Random(s)) for s in range(20)]
    want = [decide.assess_brief(KB, decide.validate_answers(KB, a)) for a in sets]
    assert [hipcheck.triage_brief(a, KB) for a in sets] == want
    assert list(hipcheck.triage_many(sets, KB, brief=True)) == want
    assert list(hipcheck.triage_many(sets, KB, brief=True, jobs=2)) == want
