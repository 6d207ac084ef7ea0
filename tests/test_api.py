"""The public Python API (`from hipcheck import ...`): the same knowledge, engine and JSON as the CLI.

Also runs the README's Python examples (the code blocks under "## Python API"), so they cannot go stale,
and checks that `--jobs N` and `triage_many(..., jobs=N)` give the same results, in the same order, as
one process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, all_clear

import hipcheck
from hipcheck.engine import decide
from hipcheck.knowledge.loader import for_region

VIGNETTES = sorted((ROOT / "tests" / "vignettes" / "dev").glob("*.toml"))


def _answers(path: Path) -> dict:
    return tomllib.loads(path.read_text())["answers"]


@pytest.fixture(scope="module")
def knowledge():
    return hipcheck.load_knowledge()


def test_the_api_names_are_exported_and_typed():
    assert set(hipcheck.__all__) >= {"load_knowledge", "triage", "triage_many", "questions", "conditions"}
    for name in hipcheck.__all__:
        assert getattr(hipcheck, name) is not None
    with pytest.raises(AttributeError):
        hipcheck.no_such_name  # noqa: B018


def test_importing_hipcheck_loads_no_engine_until_an_api_name_is_used():
    code = "import sys, hipcheck; print('hipcheck.engine.decide' in sys.modules, 'pydantic' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["False", "False"]


def test_triage_gives_the_json_the_cli_prints(knowledge, cli, tmp_path):
    for path in VIGNETTES[:10]:
        answers = _answers(path)
        result = hipcheck.triage(answers, knowledge)
        file = tmp_path / "a.json"
        file.write_text(json.dumps(answers))
        printed = cli("triage", "--answers", str(file), "--json")
        assert printed.exit_code == 0, printed.stderr
        assert result.model_dump_json(indent=2) + "\n" == printed.stdout


def test_triage_without_knowledge_loads_the_shipped_content_once(knowledge):
    a = hipcheck.triage(all_clear(knowledge))
    b = hipcheck.triage(all_clear(knowledge), knowledge)
    assert a.model_dump() == b.model_dump()


def test_a_bad_answer_set_raises_answer_error_with_one_line(knowledge):
    with pytest.raises(hipcheck.AnswerError, match="unknown question id 'pian'") as exc:
        hipcheck.triage({"pian": 3}, knowledge)
    assert "\n" not in str(exc.value)
    assert isinstance(exc.value, ValueError)  # callers catching ValueError keep working


def test_triage_many_keeps_input_order_and_can_return_errors(knowledge):
    sets = [_answers(p) for p in VIGNETTES[:6]]
    sets.insert(2, {"injury": "maybe"})
    with pytest.raises(hipcheck.AnswerError):
        list(hipcheck.triage_many(sets, knowledge))
    out = list(hipcheck.triage_many(sets, knowledge, errors="return"))
    assert isinstance(out[2], hipcheck.AnswerError)
    good = [r for r in out if not isinstance(r, Exception)]
    assert [r.model_dump() for r in good] == [
        hipcheck.triage(s, knowledge).model_dump() for s in sets if s != sets[2]
    ]


def test_triage_many_on_two_processes_matches_one(knowledge):
    sets = [_answers(p) for p in VIGNETTES] * 2
    sets.insert(5, {"injury": "maybe"})
    one = list(hipcheck.triage_many(sets, knowledge, errors="return"))
    two = list(hipcheck.triage_many(sets, knowledge, jobs=2, errors="return"))
    assert [str(r) if isinstance(r, Exception) else r.model_dump_json() for r in one] == [
        str(r) if isinstance(r, Exception) else r.model_dump_json() for r in two
    ]


def test_triage_many_refuses_nonsense_settings(knowledge):
    with pytest.raises(ValueError, match="jobs"):
        next(hipcheck.triage_many([{}], knowledge, jobs=0))
    # Issue 19 row 15: jobs=400 started at least 147 processes, and 2**40 was an OverflowError. The API
    # has the CLI's cap, and says so in one line, before any process starts.
    import multiprocessing

    for jobs in (65, 400, 2**40, 2.0, True, "2"):
        with pytest.raises(ValueError, match="from 1 to 64") as caught:
            hipcheck.triage_many([{}], knowledge, jobs=jobs)  # type: ignore[arg-type]
        assert "\n" not in str(caught.value) and len(str(caught.value)) < 100
    assert multiprocessing.active_children() == []
    assert len(list(hipcheck.triage_many([all_clear(knowledge)] * 3, knowledge, jobs=64))) == 3
    with pytest.raises(ValueError, match="errors"):
        next(hipcheck.triage_many([{}], knowledge, errors="ignore"))  # type: ignore[call-overload]


def test_question_and_condition_views_are_the_cli_views(knowledge, cli):
    assert hipcheck.questions(knowledge).model_dump_json(indent=2) + "\n" == cli("questions", "--json").stdout
    assert hipcheck.conditions(knowledge).model_dump_json(indent=2) + "\n" == cli("list", "--json").stdout
    page = hipcheck.condition("bursitis", knowledge)
    assert page.model_dump_json(indent=2) + "\n" == cli("explain", "bursitis", "--json").stdout
    with pytest.raises(LookupError, match="no condition called"):
        hipcheck.condition("no such thing at all", knowledge)


def test_load_knowledge_reports_invalid_content(tmp_path):
    (tmp_path / "meta.toml").write_text("not = [valid")
    with pytest.raises(hipcheck.ContentError) as exc:
        hipcheck.load_knowledge(tmp_path)
    assert exc.value.problems


def test_the_api_result_schema_is_the_cli_schema(cli):
    printed = json.loads(cli("schema", "triage").stdout)
    printed.pop("$schema", None)  # the printed document names its JSON Schema dialect
    assert printed == hipcheck.TriageResult.model_json_schema(mode="serialization")


# --------------------------------------------------------------------------- --jobs


def test_jobs_2_gives_the_same_lines_in_the_same_order_as_jobs_1(cli, tmp_path):
    lines = [json.dumps(_answers(p)) for p in VIGNETTES] * 3
    lines[7] = '{"injury": "maybe"}'
    lines[20] = "{not json"
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n")
    one = cli("triage", "--answers", str(cases), "--json", "--jobs", "1")
    two = cli("triage", "--answers", str(cases), "--json", "--jobs", "2")
    assert one.exit_code == two.exit_code == 2  # two bad lines
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    assert len(two.stdout.splitlines()) == len(lines) - 2
    assert [json.loads(line)["line"] for line in two.stdout.splitlines()][:8] == [1, 2, 3, 4, 5, 6, 7, 9]


def test_jobs_is_refused_where_there_is_nothing_to_share_out(cli, tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"injury": "no"}))
    r = cli("triage", "--answers", str(one), "--json", "--jobs", "2")
    assert r.exit_code == 2 and r.stderr.startswith(
        "hipcheck: error: --jobs is for a file of many answer sets"
    )
    r = cli("triage", "--answers", str(one), "--jobs", "0")
    assert r.exit_code == 2


# --------------------------------------------------------------------------- the README's examples


def _readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_python_examples_run(tmp_path, monkeypatch):
    blocks = _readme_python_blocks()
    assert len(blocks) >= 3
    monkeypatch.chdir(ROOT)
    for block in blocks:
        # A block that starts processes runs under "spawn" too, as on macOS and Windows, where a script
        # without an `if __name__ == "__main__":` guard fails.
        starts = ["fork", "spawn"] if "jobs=" in block else ["fork"]
        for start in starts:
            script = tmp_path / f"example_{start}.py"
            script.write_text(
                f"import multiprocessing\nmultiprocessing.set_start_method({start!r}, force=True)\n{block}"
            )
            r = subprocess.run(
                [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=300
            )
            assert r.returncode == 0, f"{start}:\n{block}\n{r.stderr}"
            assert r.stdout.strip(), block


def test_the_engine_is_what_the_api_runs(knowledge):
    answers = _answers(VIGNETTES[0])
    regional = for_region(knowledge, "GB")
    assert (
        hipcheck.triage(answers, knowledge, region="GB").model_dump()
        == decide.assess(regional, answers).model_dump()
    )


def test_the_api_takes_a_region(knowledge, monkeypatch):
    """region= names the services; without it, HIPCHECK_REGION, then the locale, as on the command line."""
    emergency = {"injury": "major", "weight_bearing": "cannot"}
    us = hipcheck.triage(emergency, knowledge, region="us")
    assert us.region.code == "US" and "Call 911" in us.level.advice[0]
    monkeypatch.setenv("HIPCHECK_REGION", "AU")
    assert "Call 000" in hipcheck.triage(emergency, knowledge).level.advice[0]
    monkeypatch.delenv("HIPCHECK_REGION")
    monkeypatch.setenv("LC_ALL", "en_NZ.UTF-8")
    assert hipcheck.triage(emergency, knowledge).region.code == "NZ"
    assert [r.region.code for r in hipcheck.triage_many([emergency], knowledge, region="IE")] == ["IE"]
    assert "{emergency" not in hipcheck.condition("dvt", knowledge, region="CA").model_dump_json()
    with pytest.raises(ValueError, match="unknown region 'XX'.*choose one of: GB, IE, US"):
        hipcheck.triage(emergency, knowledge, region="XX")


# --------------------------------------------------------------------------- processes (engine/parallel.py)


def _double(state, item):
    return state * item


def test_ordered_map_keeps_order_and_reads_ahead_only_a_few_chunks():
    """Bounded memory: when the consumer has taken k results, at most (jobs * AHEAD + 1) chunks more
    than k have been read from the input, however long it is."""
    from hipcheck.engine import parallel

    pulled = 0

    def source():
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield i

    results = parallel.ordered_map(_double, 2, source(), jobs=2)
    taken = [next(results) for _ in range(50)]
    assert taken == [2 * i for i in range(50)]
    assert pulled <= 50 + (2 * parallel.AHEAD + 1) * parallel.CHUNK
    results.close()  # stopping early shuts the pool down
    assert pulled < 10_000


def test_stopping_early_leaves_no_worker_processes(knowledge):
    import multiprocessing

    sets = [_answers(p) for p in VIGNETTES] * 20
    results = hipcheck.triage_many(sets, knowledge, jobs=2)
    next(results)
    results.close()
    assert multiprocessing.active_children() == []


def test_ctrl_c_during_jobs_ends_promptly_with_130_and_no_worker_tracebacks(tmp_path):
    """The review found `--jobs 2` could hang on Ctrl-C (workers killed holding the pool's locks) and
    printed each worker's traceback. Workers now ignore SIGINT; the parent stops the pool."""
    import os
    import signal
    import time

    line = json.dumps(_answers(VIGNETTES[0]))
    big = tmp_path / "big.jsonl"
    big.write_text((line + "\n") * 30_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "triage", "--answers", str(big), "--json", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "HIPCHECK_HOME": str(tmp_path / "home")},
    )
    time.sleep(3)  # the pool is up and scoring
    assert proc.poll() is None, "the batch ended before the interrupt: make the file longer"
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("hipcheck --jobs 2 did not end after Ctrl-C")
    assert proc.returncode == 130
    assert "Traceback" not in err


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(c) for c in text.split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_workers_end_when_the_parent_is_killed(tmp_path, how):
    """Issue 19 row 4: `--jobs 4` workers outlived a parent killed with SIGTERM or SIGKILL (13 minutes
    later, 36 MB each). They now end with it."""
    import os
    import signal
    import time

    line = json.dumps(_answers(VIGNETTES[0]))
    big = tmp_path / "big.jsonl"
    big.write_text((line + "\n") * 20_000)
    proc = subprocess.Popen(  # stdout is a pipe nobody reads: the batch stalls with its workers up
        [sys.executable, "-m", "hipcheck", "triage", "--answers", str(big), "--json", "--jobs", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HIPCHECK_HOME": str(tmp_path / "home")},
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) >= 3, "the workers did not start"
        time.sleep(1)
        proc.send_signal(getattr(signal, how))
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
        for w in left:
            os.kill(w, signal.SIGKILL)
        assert not left, f"{len(left)} worker(s) outlived a parent killed with {how}"
    finally:
        proc.kill()
        proc.stdout.close()
        proc.wait()


# --------------------------------------------------------------------------- the README's Dask line


def _readme_dask_line() -> str:
    text = (ROOT / "README.md").read_text()
    found = re.findall(r"`(db\.read_text\([^`]*)`", text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_the_readme_dask_line_gives_the_json_results(cli, tmp_path, monkeypatch, scheduler):
    """Issue 21 item 4: the distributed path the README gives, run on a local Dask scheduler (one process,
    or two worker processes), equals `--json` for the same lines."""
    db = pytest.importorskip("dask.bag")
    import dask

    lines = [json.dumps(_answers(p)) for p in VIGNETTES[:12]]
    (tmp_path / "cases-1.jsonl").write_text("\n".join(lines[:7]) + "\n")
    (tmp_path / "cases-2.jsonl").write_text("\n".join(lines[7:]) + "\n")
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n")
    cli_run = cli("triage", "--answers", str(tmp_path / "all.jsonl"), "--json")
    assert cli_run.exit_code == 0, cli_run.stderr
    want = [
        {k: v for k, v in json.loads(line).items() if k != "line"} for line in cli_run.stdout.splitlines()
    ]
    monkeypatch.chdir(tmp_path)
    bag = eval(_readme_dask_line(), {"db": db, "json": json, "triage": hipcheck.triage})  # noqa: S307
    options = {"num_workers": 2} if scheduler == "processes" else {}
    with dask.config.set(scheduler=scheduler, **options):
        got = bag.compute()
    assert got == want
