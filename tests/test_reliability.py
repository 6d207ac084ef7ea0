"""Issue 19: nothing lost when the history file is damaged or two commands race, and no traceback
anywhere (damaged schema text, repair racing writers, paths the OS refuses, closed or broken standard
streams, hostile text). Each test reproduces one finding of the issue's table or of
tools/fuzz_surfaces.py; the fuzz harness itself is run on purpose, not here."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hipcheck.commands import history as history_cli
from hipcheck.commands.app import app
from hipcheck.history import store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 15)

if not any(c.name == "history" for c in app.registered_commands):
    history_cli.register(app)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv(store.ENV_VAR, str(h))
    monkeypatch.setenv("COLUMNS", "80")
    return h


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def cli(*args: str, env: dict | None = None, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """The real program in a process of its own (for streams, locks and signals)."""
    full = {**os.environ, "COLUMNS": "80", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *args], env=full, capture_output=True, timeout=timeout, **kw
    )


def one_line_error(r, code: int) -> str:
    stderr = r.stderr if isinstance(r.stderr, str) else r.stderr.decode("utf-8", "replace")
    assert (r.returncode if hasattr(r, "returncode") else r.exit_code) == code, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def _checkpoint() -> None:
    with sqlite3.connect(store.db_path()) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _fill(n: int) -> None:
    conn = store.open_store()
    try:
        for i in range(n):
            store.add_checkin(conn, pain=i % 11, day=TODAY, today=TODAY, note=f"n{i}")
        store.add_clearance(conn, plan="p", phase="s1", day=TODAY)
    finally:
        conn.close()
    _checkpoint()


def _flip_schema_byte(old: bytes = b"NULL", new: int = 0xCA, nth: int = -1) -> None:
    """One byte of the schema text (in sqlite_master, page 1) made a byte that is not UTF-8."""
    path = store.db_path()
    data = bytearray(path.read_bytes())
    page = data[:4096]
    at = page.rfind(old) if nth == -1 else page.find(old)
    assert at > 0
    data[at] = new
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- 1: schema not UTF-8


@pytest.mark.parametrize("table_text", [b"NULL", b'TABLE "checkin"', b"sqlite_sequence"])
def test_schema_text_that_is_not_utf8_is_the_damaged_message_and_repair_keeps_every_row(table_text):
    _fill(30)
    _flip_schema_byte(table_text)
    for args in (["history"], ["log", "--pain", "2"], ["report"]):
        r = run(*args)
        line = one_line_error(r, 1)
        assert "is damaged" in line and "--repair" in line, line
    r = run("history", "--repair")
    assert r.exit_code == 0, r.stderr
    assert "Kept a copy" in r.stdout
    conn = store.open_store(create=False)
    try:
        notes = sorted(c.note for c in store.load_checkins(conn))
        assert notes == sorted(f"n{i}" for i in range(30))
        assert len(store.load_clearances(conn)) == 1
    finally:
        conn.close()


def test_forget_deletes_a_history_whose_schema_is_not_utf8(home):
    _fill(3)
    _flip_schema_byte()
    r = run("history", "--forget", "--yes")
    assert r.exit_code == 0, r.stderr
    assert not store.exists()


def test_triage_still_runs_with_a_history_whose_schema_is_not_utf8(kb):
    from hipcheck.commands.history_hook import history_reasons_and_saver

    _fill(3)
    _flip_schema_byte()
    reasons, saver = history_reasons_and_saver(content_dir=None, today=TODAY)
    assert reasons == []
    r = cli("triage", "--answers", str(ROOT / "docs/examples/outer-hip.json"), "--history", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["level"]["id"]
    assert b"hipcheck: warning:" in r.stderr and b"Traceback" not in r.stderr


# --------------------------------------------------------------------------- 2: repair racing writers


def _damage_index(name: str = "result_day") -> None:
    """A damaged index page: repair rebuilds the file and every row is readable. The index of the
    saved results by default, which `log` does not use, so check-ins can still be logged."""
    with sqlite3.connect(store.db_path()) as c:
        root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        size = c.execute("PRAGMA page_size").fetchone()[0]
    with open(store.db_path(), "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\x0d" + b"\xff" * (size - 1))


def _log(note: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "log", "--pain", "1", "--note", note, "--no-input"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )


def _all_notes() -> set[str]:
    conn = store.open_store(create=False)
    try:
        return {c.note for c in store.load_checkins(conn)}
    finally:
        conn.close()


def test_a_check_in_logged_while_repair_rebuilds_is_never_lost(monkeypatch):
    """A `log` in another process while repair is between its copy and its rename: before the fix it
    wrote to the old file, printed "Logged", and the rename threw it away. Now it waits for the repair
    (the same lock every connection takes) and writes to the rebuilt file."""
    _fill(20)
    _damage_index()
    rebuild = store._rebuild
    started: list[subprocess.Popen] = []

    def slow_rebuild(src, dst):
        started.append(_log("during-repair"))
        deadline = time.monotonic() + 4
        while started[0].poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # before the fix the log finished here; after it, it waits for the lock
        return rebuild(src, dst)

    monkeypatch.setattr(store, "_rebuild", slow_rebuild)
    done = store.repair()
    assert done.backup is not None
    out, err = started[0].communicate(timeout=60)
    assert started[0].returncode == 0, err
    assert b"Logged" in out
    assert "during-repair" in _all_notes()
    assert {f"n{i}" for i in range(20)} <= _all_notes()


def test_repair_refuses_while_another_program_keeps_the_history_open(monkeypatch):
    _fill(3)
    _damage_index()
    holder = store._hold_lock(store.db_path(), exclusive=False, timeout=1)
    try:
        monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.3)
        before = store.db_path().read_bytes()
        with pytest.raises(store.StoreBusy, match="nothing was changed"):
            store.repair()
        assert store.db_path().read_bytes() == before
    finally:
        os.close(holder)


def test_repair_and_many_writers_at_once_lose_no_acknowledged_check_in():
    """Real processes: a repair and 12 `log` runs started together. Whatever the order, every run that
    printed "Logged" is in the repaired file."""
    _fill(3000)
    _damage_index()
    repair = subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "history", "--repair"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    logs = [(f"race-{i}", _log(f"race-{i}")) for i in range(12)]
    r_out, r_err = repair.communicate(timeout=120)
    assert repair.returncode == 0, r_err
    acknowledged = set()
    for note, p in logs:
        out, err = p.communicate(timeout=120)
        assert b"Traceback" not in err
        if p.returncode == 0:
            assert b"Logged" in out
            acknowledged.add(note)
    assert acknowledged, "no log run finished"
    assert acknowledged <= _all_notes()


# --------------------------------------------------------------------------- 3: paths the OS refuses

LONG = "a" * 300  # a name over 255 bytes: ENAMETOOLONG
EXAMPLE = str(ROOT / "docs/examples/outer-hip.json")


def _too_long(r, code: int = 2) -> str:
    line = one_line_error(r, code)
    assert "too long" in line, line
    assert len(line) < 400, "the path is shortened in the message"
    return line


@pytest.mark.parametrize(
    "args",
    [
        ["triage", "--answers", EXAMPLE, "--save", f"/tmp/{LONG}.md"],
        ["triage", "--answers", EXAMPLE, "--save", f"/tmp/{LONG}/r.md"],
        ["report", "--save", f"/tmp/{LONG}.md"],
        ["plan", "--answers", EXAMPLE, "--save", f"/tmp/{LONG}.md"],
    ],
)
def test_a_save_path_with_a_name_over_255_bytes_is_one_line(args):
    _too_long(run(*args))


@pytest.mark.parametrize(
    "args",
    [
        ["log", "--pain", "2"],
        ["history"],
        ["history", "--json"],
        ["report"],
        ["plan"],
        ["history", "--repair"],
        ["history", "--forget", "--yes"],
    ],
)
def test_a_hipcheck_home_with_a_name_over_255_bytes_is_one_line(monkeypatch, tmp_path, args):
    monkeypatch.setenv(store.ENV_VAR, str(tmp_path / LONG))
    _too_long(run(*args), 1)


def test_triage_with_a_hipcheck_home_too_long_warns_and_gives_the_result(tmp_path):
    r = cli("triage", "--answers", EXAMPLE, "--history", "--json", env={store.ENV_VAR: str(tmp_path / LONG)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["level"]["id"]
    assert r.stderr.count(b"hipcheck: warning:") >= 1 and b"too long" in r.stderr
    assert b"Traceback" not in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--content", f"/tmp/{LONG}", "triage", "--answers", EXAMPLE],
        ["--content", f"/tmp/{LONG}", "list"],
        ["content", "accuracy", f"/tmp/{LONG}"],
    ],
)
def test_a_content_path_with_a_name_over_255_bytes_is_one_line(args):
    r = run(*args)
    line = one_line_error(r, r.exit_code if r.exit_code in (1, 2) else -1)
    assert "too long" in line


def test_content_check_lists_a_content_path_too_long_as_its_problem():
    r = run("content", "check", f"/tmp/{LONG}")
    assert r.exit_code == 1 and "too long" in r.stdout and len(r.stdout.splitlines()) == 1


def test_the_api_says_a_content_path_is_too_long_as_a_content_error():
    from hipcheck.api import ContentError, load_knowledge

    with pytest.raises(ContentError, match="too long"):
        load_knowledge(f"/tmp/{LONG}")


def _as_nobody(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
    )


needs_setpriv = pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
    reason="EACCES needs a user who is refused: run as root with setpriv to drop to nobody",
)


@needs_setpriv
@pytest.mark.parametrize("which", ["home", "save", "content"])
def test_a_folder_that_cannot_be_searched_is_one_line_for_a_real_non_root_user(which):
    """EACCES for real: a folder of root's, mode 0700, and the command run as `nobody` (setpriv)."""
    import shutil
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="hipcheck-eacces-", dir="/tmp"))
    try:
        tmp_path.chmod(0o755)
        _refused_as_nobody(tmp_path, which)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _refused_as_nobody(tmp_path: Path, which: str) -> None:
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    locked.chmod(0o700)
    home = tmp_path / "nobody-home"
    home.mkdir()
    os.chown(home, 65534, 65534)
    env = {store.ENV_VAR: str(home), "PYTHONPATH": str(ROOT)}
    if which == "home":
        env[store.ENV_VAR] = str(locked / "inner")
        args = ["history"]
    elif which == "save":
        args = ["triage", "--answers", EXAMPLE, "--save", str(locked / "inner" / "r.md")]
    else:
        args = ["--content", str(locked / "inner"), "list"]
    code = f"import sys; sys.argv = ['hipcheck', *{args!r}]; from hipcheck.commands.app import main; main()"
    r = _as_nobody(code, env)
    assert r.returncode in (1, 2), r.stderr
    line = r.stderr.decode().strip()
    assert line.startswith("hipcheck: error: ") and "\n" not in line and "permission" in line.lower(), line


# --------------------------------------------------------------------------- 5-7: standard streams


def _shell(command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`hipcheck` run by a shell, for redirections Python's subprocess cannot make (`<&-`, `>&-`)."""
    return subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, "COLUMNS": "80", "HIPCHECK": f"{sys.executable} -m hipcheck", **(env or {})},
        capture_output=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    ["triage", "triage --answers -", "plan --answers -", "log", "history --forget", "log --pain 2 --side"],
)
def test_a_closed_stdin_is_one_line(args):
    _fill(1)
    r = _shell(f"$HIPCHECK {args} <&-")
    one_line_error(r, 2)


def test_a_closed_stdin_never_lets_the_history_file_take_its_place():
    """With fd 0 closed the next file opened would get it: the history must not be read as stdin."""
    _fill(1)
    before = store.db_path().read_bytes()
    r = _shell("$HIPCHECK log --pain 2 --note x <&- >/dev/null && $HIPCHECK history --json <&-")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["checkins"]) == 2 and store.db_path().read_bytes() != before


@pytest.mark.parametrize(
    "args",
    [
        "list",
        "--help",
        "history",
        "history --json",
        f"triage --answers {EXAMPLE}",
        "log --pain 2",
        "explain gtps",
    ],
)
def test_a_closed_stdout_is_a_quiet_exit(args):
    _fill(1)
    r = _shell(f"$HIPCHECK {args} >&-")
    assert r.returncode == 0, r.stderr
    assert r.stderr == b"", r.stderr


def test_a_closed_stdout_never_writes_output_into_the_history():
    _fill(1)
    r = _shell("$HIPCHECK log --pain 2 --note closed >&-")
    assert r.returncode == 0, r.stderr
    conn = store.open_store(create=False)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [c.note for c in store.load_checkins(conn)][-1] == "closed"
    finally:
        conn.close()


@pytest.mark.parametrize(
    "args",
    [
        ["history"],
        ["--help"],
        ["triage", "--help"],
        ["plan", "--answers", EXAMPLE],
        ["list"],
        ["explain", "gtps"],
        ["triage", "--answers", EXAMPLE, "--full"],
    ],
)
def test_a_reader_that_has_gone_is_a_quiet_exit_0(args):
    """`hipcheck ... | head -1`, made certain: the pipe's reading end is closed before the first write."""
    _fill(12)
    read, write = os.pipe()
    os.close(read)
    try:
        p = subprocess.run(
            [sys.executable, "-m", "hipcheck", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "80", "HIPCHECK_PAGER": "cat"},
            timeout=60,
        )
    finally:
        os.close(write)
    assert p.returncode == 0, p.stderr
    assert p.stderr == b""


# --------------------------------------------------------------------------- 8-9: hostile text


def _save_result(kb, name: str | None = None) -> None:
    from conftest import all_clear

    from hipcheck.engine.decide import assess

    result = assess(kb, {**all_clear(kb), "location": ["lateral"]})
    conn = store.open_store()
    try:
        rid = store.save_result(conn, result)
        if name is not None:
            data = json.loads(store.load_result_json(conn, rid))
            data["causes"][0]["name"] = "@@NAME@@"
            raw = json.dumps(data).replace('"@@NAME@@"', name)  # `name` is JSON text
            conn.execute("UPDATE result SET result_json = ? WHERE id = ?", (raw, rid))
    finally:
        conn.close()


def test_history_json_skips_a_saved_result_with_a_lone_surrogate_with_a_warning(kb):
    _save_result(kb)
    _save_result(kb, '"\\ud800"')  # the JSON escape of a lone surrogate, as a tampered file may hold
    r = run("history", "--json")
    assert r.exit_code == 0, r.stderr
    assert len(json.loads(r.stdout)["results"]) == 1
    assert "hipcheck: warning:" in r.stderr and "saved result 2" in r.stderr


CONTROLS = "\u202e\u009b\x1b"


def _raw_controls(text: str) -> list[str]:
    return [c for c in CONTROLS if c in text]


def test_history_json_escapes_bidi_and_c1_controls_in_notes_and_stays_valid_json():
    conn = store.open_store()
    try:
        store.add_checkin(conn, pain=2, day=TODAY, today=TODAY, note="gnitsoc\u202e at \u009b31m")
    finally:
        conn.close()
    r = run("history", "--json")
    assert r.exit_code == 0, r.stderr
    assert _raw_controls(r.stdout) == []
    assert "\\u202e" in r.stdout and "\\u009b" in r.stdout
    assert json.loads(r.stdout)["checkins"][0]["note"] == "gnitsoc\u202e at \u009b31m"


def test_forget_and_the_newer_schema_warning_escape_a_hipcheck_home_with_controls(monkeypatch, tmp_path, kb):
    from hipcheck.commands.history_hook import history_reasons_and_saver

    home = tmp_path / f"ho{CONTROLS}me"
    monkeypatch.setenv(store.ENV_VAR, str(home))
    r = run("history", "--forget", "--yes")
    assert r.exit_code == 0 and _raw_controls(r.stdout + r.stderr) == [], r.stdout
    _fill(1)
    with sqlite3.connect(store.db_path()) as c:
        c.execute("PRAGMA user_version = 99")
    r = _shell("$HIPCHECK triage --answers " + EXAMPLE + " --history --json", env={store.ENV_VAR: str(home)})
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert "newer hipcheck" in err and _raw_controls(err) == [], err
    monkeypatch.setattr(sys, "stderr", captured := __import__("io").StringIO())
    history_reasons_and_saver(content_dir=None, today=TODAY)
    assert "newer hipcheck" in captured.getvalue() and _raw_controls(captured.getvalue()) == []
    with sqlite3.connect(store.db_path()) as c:
        c.execute("PRAGMA user_version = 3")
    r = run("history", "--forget", "--yes")
    assert r.exit_code == 0 and "Deleted" in r.stdout and _raw_controls(r.stdout + r.stderr) == [], r.stdout


# --------------------------------------------------------------------------- 10: long input in errors

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    "args", [["explain", HUGE], ["schema", HUGE], ["plan", "--cause", HUGE, "--answers", EXAMPLE]]
)
def test_a_huge_name_is_quoted_cut_to_about_80_characters(args):
    line = one_line_error(run(*args), 2)
    assert len(line) < 400 and "xxx..." in line, len(line)


# --------------------------------------------------------------------------- 11: --save names near the limit


@pytest.mark.parametrize("length", [242, 250, 255])
@pytest.mark.parametrize("command", [["triage", "--answers", EXAMPLE], ["plan", "--answers", EXAMPLE]])
def test_a_save_name_of_242_to_255_bytes_is_saved(tmp_path, length, command):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / ("r" * (length - 3) + ".md")
    assert len(target.name.encode()) == length
    r = run(*command, "--save", str(target))
    assert r.exit_code == 0, r.stderr
    assert target.is_file() and target.stat().st_size > 0
    assert [p.name for p in target.parent.iterdir()] == [target.name], "no temporary file left behind"


# --------------------------------------------------------------------------- 12: a nearly full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KB tmpfs (root only; skipped elsewhere), to be filled to the last few KB."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True
        ).returncode
    ):
        pytest.skip("needs root and tmpfs to make a small disk")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill_disk(mnt: Path, leave: int = 20 * 1024) -> None:
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    with open(mnt / "filler", "wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))
    assert os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize <= 28 * 1024


def test_a_nearly_full_disk_is_the_disk_full_message_and_reads_still_work(small_disk, monkeypatch):
    monkeypatch.setenv(store.ENV_VAR, str(small_disk / "h"))
    for pain in ("2", "3"):
        assert run("log", "--pain", pain).exit_code == 0
    _fill_disk(small_disk)
    r = run("log", "--pain", "4")
    line = one_line_error(r, 1)
    assert "is full" in line and "no record was lost" in line, line
    r = run("history", "--json")
    assert r.exit_code == 0, r.stderr
    assert [c["pain"] for c in json.loads(r.stdout)["checkins"]] == [2, 3]
    r = run("history")
    assert r.exit_code == 0, r.stderr
    (small_disk / "filler").unlink()
    assert run("log", "--pain", "4").exit_code == 0
    assert len(json.loads(run("history", "--json").stdout)["checkins"]) == 3


def test_a_disk_io_error_with_the_disk_nearly_full_is_the_disk_full_message(monkeypatch, tmp_path):
    """The same without a small disk: SQLite says "disk I/O error" when it cannot grow its files."""
    monkeypatch.setattr(store, "_free_bytes", lambda folder: 4096)
    error = store._unusable(tmp_path / "history.db", sqlite3.OperationalError("disk I/O error"))
    assert "is full" in str(error)
    monkeypatch.setattr(store, "_free_bytes", lambda folder: 10**9)
    error = store._unusable(tmp_path / "history.db", sqlite3.OperationalError("disk I/O error"))
    assert "is full" not in str(error)


# --------------------------------------------------------------------------- 13: content check reasons


def test_content_check_shows_the_reason_for_a_long_name_with_a_newline(tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cond = content / "conditions" / "gtps.toml"
    text = cond.read_text(encoding="utf-8")
    cond.write_text(text.replace('name = "', 'name = "' + "Long " * 70 + "\\n", 1), encoding="utf-8")
    r = run("content", "check", str(content))
    assert r.exit_code == 1
    [line] = [x for x in r.stdout.splitlines() if "gtps.toml" in x]
    assert "must be one line" in line and len(line) <= 300, line


# --------------------------------------------------------------------------- 14: ids and clearances


def test_a_removed_check_in_id_is_never_given_again():
    conn = store.open_store()
    try:
        ids = [store.add_checkin(conn, pain=1, day=TODAY, today=TODAY).id for _ in range(3)]
        assert store.remove_checkin(conn, ids[-1])
        new = store.add_checkin(conn, pain=2, day=TODAY, today=TODAY)
        assert new.id not in ids, "repeating `history --remove 3` would delete this one"
        assert not store.remove_checkin(conn, ids[-1])
    finally:
        conn.close()


def test_the_migration_to_ids_never_reused_keeps_every_row_and_its_id(home):
    """A file at schema 3 (made with the migrations of that release), with gaps in its ids."""
    home.mkdir(mode=0o700)
    with sqlite3.connect(store.db_path()) as c:
        for step in store.MIGRATIONS[:3]:
            for statement in step:
                c.execute(statement)
        c.execute("PRAGMA user_version = 3")
        for i in (1, 2, 5, 9):
            c.execute(
                "INSERT INTO checkin (id, day, recorded_at, pain, note, side, rest, night, session, during,"
                " morning) VALUES (?, ?, ?, ?, ?, 'left', 1, 0, 1, 3, 2)",
                (i, TODAY.isoformat(), f"2026-06-15T09:0{i}:00+00:00", i, f"n{i}"),
            )
        c.execute("INSERT INTO clearance VALUES (4, '2026-06-15', '2026-06-15T10:00:00+00:00', 'p', 's2')")
    conn = store.open_store()
    try:
        assert store.schema_version(conn) == store.SCHEMA_VERSION
        got = store.load_checkins(conn)
        assert [(c.id, c.note, c.side, c.rest, c.session, c.during, c.morning) for c in got] == [
            (i, f"n{i}", "left", True, True, 3, 2) for i in (1, 2, 5, 9)
        ]
        assert [c.id for c in store.load_clearances(conn)] == [4]
        assert store.remove_checkin(conn, 9)
        assert store.add_checkin(conn, pain=1, day=TODAY, today=TODAY).id == 10
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_clearances_recorded_at_once_by_ten_processes_are_one_row():
    store.open_store().close()
    code = (
        "from datetime import date; from hipcheck.history import store; c = store.open_store(); "
        "print(store.add_clearance(c, plan='bone', phase='s2', day=date(2026, 6, 15)).id); c.close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(10)
    ]
    ids = set()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        ids.add(int(out))
    conn = store.open_store()
    try:
        rows = store.load_clearances(conn)
        assert len(rows) == 1 and ids == {rows[0].id}
        # Another day is another clearance (a step cleared again after a step back).
        store.add_clearance(conn, plan="bone", phase="s2", day=date(2026, 6, 16))
        assert len(store.load_clearances(conn)) == 2
    finally:
        conn.close()


# --------------------------------------------------------------------------- found by tools/fuzz_surfaces.py


def test_fuzz_a_column_renamed_by_a_damaged_byte_is_damaged_and_repair_keeps_every_row():
    """damaged-db seed 1 case 8: a byte in the schema text that renames a column (content_version)
    left a file that passed SQLite's check, so repair called it healthy and every read failed with
    "no such column", pointing nowhere."""
    _fill(5)
    conn = store.open_store()
    try:
        from hipcheck.engine.decide import assess
        from hipcheck.knowledge.loader import load_content

        kb = load_content(None, use_cache=True)
        answers = {"injury": "no", "weight_bearing": "normal", "warning_signs": ["none"]}
        store.save_result(conn, assess(kb, {**answers, "nerve_signs": ["none"], "location": ["lateral"]}))
    finally:
        conn.close()
    _checkpoint()
    _flip_schema_byte(b"content_version", ord("K"), nth=0)
    with pytest.raises(store.StoreDamaged):
        conn = store.open_store(create=False)
        try:
            store.load_results(conn)
        finally:
            conn.close()
    done = store.repair()
    assert done.backup is not None and (done.checkins, done.results, done.unreadable) == (5, 1, 0)
    conn = store.open_store(create=False)
    try:
        assert len(store.load_results(conn)) == 1
    finally:
        conn.close()


def test_fuzz_a_record_whose_id_is_damaged_is_reported_not_a_type_error():
    """damaged-db seed 1 case 142: a byte of "PRIMARY KEY" changed in the schema text makes `id` a
    plain column, which reads NULL; the damaged-record report did `int(None)`, a TypeError."""
    conn = store.open_store()
    try:
        with store.transaction(conn):
            conn.execute(
                "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
                " VALUES ('2026-06-15', 'x', 'routine', 'v', 'not json')"
            )
    finally:
        conn.close()
    _checkpoint()
    _flip_schema_byte(b"PRIMARY KEY,\n            day             TEXT", ord("Z"), nth=0)
    damaged: list = []
    conn = sqlite3.connect(store.db_path(), factory=store.HistoryConnection, isolation_level=None)
    conn.path, conn.timeout, conn.lock_fd = store.db_path(), 1.0, None
    try:
        assert store.load_results(conn, None, damaged) == []
        assert [d.id for d in damaged] == [0], damaged
    finally:
        conn.close()


def test_fuzz_a_store_error_quoting_schema_text_with_a_newline_is_one_line(tmp_path):
    """damaged-db seed 1 case 91: SQLite quotes the damaged CREATE text, newline and all."""
    error = store._unusable(
        tmp_path / "history.db",
        sqlite3.DatabaseError('malformed database schema (x) - near "\n  id": syntax'),
    )
    assert "\n" not in str(error) and "\\n" in str(error)


def test_fuzz_content_accuracy_on_a_long_missing_path_is_a_short_line(tmp_path):
    """paths seed 7 case 715: a missing vignette file with a long (valid) path gave a 1,012-character
    line: the path whole, then again inside the OSError's text."""
    path = tmp_path / ("n" * 250) / ("n" * 250) / ("n" * 250) / "case.toml"
    line = one_line_error(run("content", "accuracy", str(path)), 2)
    assert len(line) < 400 and "No such file" in line, line


def test_fuzz_stdin_none_with_its_descriptor_reused_reads_as_empty(monkeypatch):
    """streams seed 7 case 84: fd 0 closed at start and then reused by another file leaves sys.stdin
    None with fd 0 open: the wrapper must still give a stdin (the null device), never read fd 0."""
    from hipcheck.commands import common

    monkeypatch.setattr(sys, "stdin", None)
    monkeypatch.setattr(sys, "__stdin__", None)
    common._closed_streams_to_devnull()
    assert sys.stdin is not None and sys.stdin.read() == ""
    sys.stdin.close()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["triage", "--answers", "docs/examples/outer-hip.json", "--json"],
        ["triage", "--answers", "BATCH", "--json"],
        ["triage", "--answers", "BATCH", "--json", "--jobs", "2"],
        ["explain", "bursitis", "--json"],
    ],
    ids=["one", "batch", "jobs", "explain"],
)
def test_output_that_cannot_be_written_is_one_line_not_a_traceback(args, tmp_path):
    """Cold review of issue 19: `> /dev/full` gave a traceback, and a batch blamed the answers file."""
    batch = tmp_path / "three.jsonl"
    one = json.dumps(json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text()))
    batch.write_text((one + "\n") * 3)
    args = [str(batch) if a == "BATCH" else a for a in args]
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "hipcheck", *args],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert r.returncode == 1
    assert r.stderr == "hipcheck: error: cannot write the output: No space left on device\n"
