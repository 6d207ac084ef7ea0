"""`triage --save FILE` (issue 12 #17): the path is checked before the first question, an existing
file is replaced only when asked (keeping its mode), and a report that fails never costs the history
its result."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest
from conftest import all_clear

from hipcheck.commands import app as cli_module
from hipcheck.history import store
from hipcheck.screens import report


@pytest.fixture
def answers(kb, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**all_clear(kb), "location": ["lateral"]}))
    return str(path)


def one_line_error(r, code: int = 2) -> str:
    assert r.exit_code == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), r.stderr
    return lines[0]


posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def test_an_existing_file_is_not_replaced_without_overwrite(cli, answers, tmp_path):
    out = tmp_path / "report.md"
    out.write_text("my notes")
    line = one_line_error(cli("triage", "--answers", answers, "--save", str(out)))
    assert "already exists" in line and "--overwrite" in line
    assert out.read_text() == "my notes"


@posix_only
def test_overwrite_replaces_the_file_and_keeps_its_mode(cli, answers, tmp_path):
    out = tmp_path / "report.md"
    out.write_text("old")
    out.chmod(0o644)
    r = cli("triage", "--answers", answers, "--save", str(out), "--overwrite")
    assert r.exit_code == 0, r.stderr
    assert out.read_text().startswith("# hipcheck report") and stat.S_IMODE(out.stat().st_mode) == 0o644


@posix_only
def test_a_new_report_is_private(cli, answers, tmp_path):
    out = tmp_path / "new.txt"
    assert cli("triage", "--answers", answers, "--save", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_overwrite_without_save_is_a_usage_error(cli, answers):
    assert "--overwrite only goes with --save" in one_line_error(
        cli("triage", "--answers", answers, "--overwrite")
    )


@pytest.mark.parametrize("name", [".md", ".TXT", ".html", ".svg"])
def test_save_with_only_an_extension_asks_for_a_file_name(cli, answers, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    line = one_line_error(cli("triage", "--answers", answers, "--save", name))
    assert "has no file name" in line and "unknown report type" not in line
    assert f"report{name.lower()}" in line
    assert not list(tmp_path.glob("*.md")) and not list(tmp_path.glob(".*.tmp"))


def test_a_folder_as_the_report_path_is_refused_first(cli, answers, tmp_path):
    (tmp_path / "r.md").mkdir()
    assert "is a folder" in one_line_error(
        cli("triage", "--answers", answers, "--save", str(tmp_path / "r.md"))
    )


def test_a_missing_folder_fails_before_the_first_question(cli, tmp_path, monkeypatch):
    def interview(kb):
        raise AssertionError("the interview started before the --save path was checked")

    from typer import testing

    monkeypatch.setattr(cli_module, "_interview", interview)
    monkeypatch.setattr(testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)
    missing = tmp_path / "no such folder" / "report.md"
    r = cli("triage", "--save", str(missing))
    line = one_line_error(r)
    assert "does not exist" in line and str(missing.parent) in line
    assert not missing.parent.exists()


def test_a_missing_folder_fails_before_reading_answers(cli, tmp_path):
    r = cli("triage", "--answers", "-", "--save", str(tmp_path / "nope" / "r.md"), input="not json")
    assert "does not exist" in one_line_error(r)


def test_a_report_that_fails_to_write_never_loses_the_result_from_the_history(
    cli, answers, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(report, "save_report", broken)
    r = cli("triage", "--answers", answers, "--history", "--save", str(tmp_path / "r.md"))
    line = one_line_error(r, code=1)
    assert "could not save the report" in line and "saved to your history" in line
    conn = store.open_store()
    assert store.counts(conn) == (0, 1)
    conn.close()


def test_save_report_refuses_to_replace_a_file_that_appeared_since_the_check(kb, tmp_path):
    from hipcheck.engine.decide import assess

    result = assess(kb, {**all_clear(kb), "location": ["lateral"]})
    out = tmp_path / "r.md"
    out.write_text("appeared")
    with pytest.raises(FileExistsError):
        report.save_report(kb, result, out)
    assert out.read_text() == "appeared" and sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]


@posix_only
def test_overwrite_replaces_a_symlink_rather_than_writing_through_it(cli, answers, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    link = tmp_path / "r.md"
    link.symlink_to(target)
    assert cli("triage", "--answers", answers, "--save", str(link), "--overwrite").exit_code == 0
    assert target.read_text() == "keep me" and not link.is_symlink()


def test_answer_labels_in_a_report_are_text_never_markup(kb):
    from rich.console import Console

    from hipcheck.engine.decide import assess

    result = assess(kb, {**all_clear(kb), "location": ["lateral"]})
    out = io.StringIO()
    table = report.answers_table(kb, result.answers)
    Console(file=out, width=120).print(table)
    assert all(type(c).__name__ == "Text" for col in table.columns for c in col._cells)
