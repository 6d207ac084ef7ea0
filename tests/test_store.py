"""The history database: where it lives, who can read it, its schema and migrations, and that every
write is whole even when two processes write at once or one is killed mid-write."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import all_clear

from hipcheck.engine.decide import assess
from hipcheck.history import store

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv(store.ENV_VAR, str(h))
    return h


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def count(table: str) -> int:
    with sqlite3.connect(store.db_path()) as c:
        return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --------------------------------------------------------------------------- where and who


def test_hipcheck_home_decides_where(home):
    assert store.db_path() == home / store.DB_NAME
    assert not store.exists()
    store.open_store().close()
    assert store.exists() and (home / store.DB_NAME).is_file()


def test_default_location_is_the_user_data_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv(store.ENV_VAR)
    assert store.data_dir() == Path(platformdirs.user_data_dir("hipcheck", appauthor=False))


posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@posix_only
def test_folder_is_0700_and_file_0600(home):
    conn = store.open_store()
    store.add_checkin(conn, pain=3, day=TODAY, today=TODAY)
    wal = home / (store.DB_NAME + "-wal")
    assert wal.exists(), "WAL journal expected while the connection is open"
    assert mode(wal) == 0o600
    conn.close()
    assert mode(home) == 0o700
    assert mode(home / store.DB_NAME) == 0o600


@posix_only
def test_a_loose_file_is_tightened_but_a_folder_hipcheck_did_not_create_keeps_its_mode(home):
    """Issue 12 #15: pointing HIPCHECK_HOME at an existing 0755 folder used to chmod it to 0700."""
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    (home / store.DB_NAME).touch()
    (home / store.DB_NAME).chmod(0o644)
    conn = store.open_store()
    conn.close()
    assert mode(home) == 0o755 and mode(home / store.DB_NAME) == 0o600
    [warning] = conn.warnings
    assert str(home) in warning and "0755" in warning and "chmod 700" in warning
    home.chmod(0o700)
    conn = store.open_store()
    conn.close()
    assert conn.warnings == []


@posix_only
def test_a_folder_hipcheck_creates_is_0700_whatever_the_umask(home):
    old = os.umask(0o022)
    try:
        store.open_store().close()
    finally:
        os.umask(old)
    assert mode(home) == 0o700


@posix_only
def test_a_folder_owned_by_another_user_is_refused(home, monkeypatch):
    home.mkdir(mode=0o700)
    monkeypatch.setattr(store.os, "geteuid", lambda: home.stat().st_uid + 1)
    with pytest.raises(store.StoreError, match="belongs to another user"):
        store.open_store()
    assert not (home / store.DB_NAME).exists()


# --------------------------------------------------------------------------- symbolic links (issue 12 #15)


@posix_only
def test_a_symlinked_database_is_refused_and_its_target_left_alone(home, tmp_path):
    target = tmp_path / "elsewhere.db"
    target.write_bytes(b"someone else's file")
    target.chmod(0o644)
    home.mkdir(mode=0o700)
    (home / store.DB_NAME).symlink_to(target)
    for create in (True, False):
        with pytest.raises(store.StoreError) as exc:
            store.open_store(create=create)
        assert "symbolic link" in str(exc.value) and "\n" not in str(exc.value)
    assert mode(target) == 0o644 and target.read_bytes() == b"someone else's file"
    with pytest.raises(store.StoreError, match="symbolic link"):
        store.repair()


@posix_only
def test_a_dangling_symlink_creates_nothing_outside_the_folder(home, tmp_path):
    target = tmp_path / "outside" / "history.db"
    target.parent.mkdir()
    home.mkdir(mode=0o700)
    (home / store.DB_NAME).symlink_to(target)
    assert store.exists()  # so that `history` names the link rather than saying "no history yet"
    with pytest.raises(store.StoreError, match="symbolic link"):
        store.open_store()
    assert list(target.parent.iterdir()) == []


@posix_only
@pytest.mark.parametrize("side", ["-wal", "-journal"])
def test_a_symlinked_side_file_is_refused(home, tmp_path, side):
    store.open_store().close()
    (home / (store.DB_NAME + side)).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(store.StoreError, match="symbolic link"):
        store.open_store()
    assert not (tmp_path / "elsewhere").exists()


@posix_only
def test_a_symlinked_folder_is_refused(home, tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    home.symlink_to(real)
    with pytest.raises(store.StoreError, match="folder .* is a symbolic link"):
        store.open_store()
    assert list(real.iterdir()) == [] and mode(real) == 0o755


@posix_only
def test_a_database_that_is_not_a_regular_file_is_refused(home):
    home.mkdir(mode=0o700)
    os.mkfifo(home / store.DB_NAME)
    with pytest.raises(store.StoreError, match="not a regular file"):
        store.open_store()


def test_home_that_is_a_file_is_a_store_error(home):
    home.write_text("not a folder")
    with pytest.raises(store.StoreError) as exc:
        store.open_store()
    assert "\n" not in str(exc.value) and str(home) in str(exc.value)


# --------------------------------------------------------------------------- records


def test_checkins_round_trip_oldest_first():
    conn = store.open_store()
    store.add_checkin(
        conn, pain=5, day=date(2026, 6, 14), today=TODAY, km=8.5, side="left", night=True, note=" tight "
    )
    store.add_checkin(conn, pain=2, day=date(2026, 6, 10), today=TODAY)
    got = store.load_checkins(conn)
    assert [(c.day, c.pain) for c in got] == [(date(2026, 6, 10), 2), (date(2026, 6, 14), 5)]
    last = got[-1]
    assert (last.km, last.side, last.rest, last.night, last.note) == (8.5, "left", False, True, "tight")
    assert [c.pain for c in store.load_checkins(conn, since=date(2026, 6, 12))] == [5]
    assert store.counts(conn) == (2, 0)
    conn.close()


def test_results_round_trip(kb):
    result = assess(kb, {**all_clear(kb), "location": ["lateral"], "severity": 4})
    conn = store.open_store()
    rid = store.save_result(conn, result, now=NOW)
    [past] = store.load_results(conn)
    conn.close()
    assert past.id == rid and past.level == result.level.id and past.day == NOW.astimezone().date()
    assert past.answers["severity"] == 4
    assert past.top_cause == result.causes[0].id
    assert past.reasons == [r.id for r in result.level.reasons]
    # The full result is kept, as --json prints it.
    with sqlite3.connect(store.db_path()) as c:
        raw = c.execute("SELECT result_json FROM result").fetchone()[0]
    assert raw == result.model_dump_json()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"pain": 11}, "--pain"),
        ({"pain": -1}, "--pain"),
        ({"pain": True}, "--pain"),
        ({"pain": 3.5}, "--pain"),
        ({"km": -2.0}, "negative"),
        ({"km": float("nan")}, "--ran"),
        ({"km": 5000.0}, "--ran"),
        ({"day": date(2026, 6, 16)}, "future"),
        ({"day": date(1899, 12, 31)}, "before 1900"),
        ({"day": date.min}, "before 1900"),
        ({"side": "middle"}, "--side"),
        ({"note": "x" * 501}, "--note"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(kwargs, words):
    conn = store.open_store()
    args = {"pain": 3, "day": TODAY, "today": TODAY, **kwargs}
    with pytest.raises(store.InputError) as exc:
        store.add_checkin(conn, **args)
    conn.close()
    assert words in str(exc.value) and "\n" not in str(exc.value)
    assert count("checkin") == 0


# --------------------------------------------------------------------------- transactions


def test_an_interrupted_transaction_leaves_nothing():
    conn = store.open_store()
    with pytest.raises(KeyboardInterrupt):
        with store.transaction(conn):
            conn.execute("INSERT INTO checkin (day, recorded_at, pain) VALUES ('2026-06-15', 'x', 3)")
            raise KeyboardInterrupt
    assert store.counts(conn) == (0, 0)
    store.add_checkin(conn, pain=1, day=TODAY, today=TODAY)  # and the connection still works
    assert store.counts(conn) == (1, 0)
    conn.close()


def _python(code: str, home: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, store.ENV_VAR: str(home)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        **kw,
    )


@posix_only
def test_a_process_killed_mid_write_leaves_no_half_record(home):
    store.open_store().close()
    proc = _python(
        """
        import sys, time
        from datetime import date
        from hipcheck.history import store
        conn = store.open_store()
        for i in range(5):  # committed first: these must all survive the kill
            store.add_checkin(conn, pain=i, day=date(2026, 6, 1), today=date(2026, 6, 15))
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO checkin (day, recorded_at, pain) VALUES ('2026-06-15', 'x', 3)")
        print("inserted", flush=True)
        time.sleep(30)
        """,
        home,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "inserted"
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    conn = store.open_store()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.counts(conn) == (5, 0)  # every committed row, and nothing of the half-written one
    assert [c.pain for c in store.load_checkins(conn)] == [0, 1, 2, 3, 4]
    conn.close()


def test_two_processes_writing_at_once_lose_nothing(home):
    n = 100
    code = f"""
        import sys, time
        from datetime import date
        from hipcheck.history import store
        pain = int(sys.argv[1])
        print("ready", flush=True)
        sys.stdin.readline()  # start together
        start = time.time()
        for i in range({n}):
            conn = store.open_store()  # a new connection each time, as separate commands would
            store.add_checkin(conn, pain=pain, day=date(2026, 6, 1), today=date(2026, 6, 15), note=str(i))
            conn.close()
        print("done", start, time.time(), flush=True)
        """
    # No database yet: both also race to create and migrate it.
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), str(pain)],
            env={**os.environ, store.ENV_VAR: str(home)},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pain in (1, 2)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    spans = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        word, start, end = out.split()
        assert word == "done"
        spans.append((float(start), float(end)))
    assert max(s for s, _ in spans) < min(e for _, e in spans), "the two writers did not overlap in time"
    conn = store.open_store()
    rows = store.load_checkins(conn)
    conn.close()
    assert len(rows) == 2 * n and len({r.id for r in rows}) == 2 * n
    for pain in (1, 2):
        assert sorted(int(r.note or -1) for r in rows if r.pain == pain) == list(range(n))


# --------------------------------------------------------------------------- schema and damage


def test_new_database_is_at_the_current_schema():
    conn = store.open_store()
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    conn.close()


def test_a_version_1_database_is_migrated_keeping_its_records(home):
    home.mkdir(mode=0o700)
    old = sqlite3.connect(home / store.DB_NAME)
    for statement in store.MIGRATIONS[0]:
        old.execute(statement)
    old.execute(
        "INSERT INTO checkin (day, recorded_at, pain, km, note)"
        " VALUES ('2026-06-01', '2026-06-01T08:00:00+00:00', 4, 6.0, 'old')"
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()

    conn = store.open_store()
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    [c] = store.load_checkins(conn)
    assert (c.pain, c.km, c.note, c.side, c.rest, c.night) == (4, 6.0, "old", None, False, False)
    store.add_checkin(conn, pain=2, day=TODAY, today=TODAY, side="right", rest=True)
    assert store.counts(conn) == (2, 0)
    conn.close()


def test_a_newer_schema_is_refused_clearly(home):
    store.open_store().close()
    with sqlite3.connect(store.db_path()) as c:
        c.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(store.StoreError, match="newer hipcheck"):
        store.open_store()


def test_a_corrupted_database_is_a_one_line_store_error_pointing_to_repair_not_forget(home):
    home.mkdir(mode=0o700)
    (home / store.DB_NAME).write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(store.StoreDamaged) as exc:
        store.open_store()
    msg = str(exc.value)
    assert "\n" not in msg and str(store.db_path()) in msg
    assert "--repair" in msg and "--forget" not in msg


def _insert_result(conn, raw: str, level: str = "routine") -> None:
    conn.execute(
        "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
        " VALUES ('2026-06-01', '2026-06-01T08:00:00+00:00', ?, 'x', ?)",
        (level, raw),
    )


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('"text"', "not a JSON object"),
        ("null", "not a JSON object"),
        ('{"level": [1]}', "not a JSON object"),
        ('{"level": {"reasons": [1]}}', "not a JSON object"),
        ('{"level": {"reasons": "x"}}', "not a list"),
        ('{"causes": [{"name": "x"}]}', "missing"),
        ('{"answers": {"severity": {"x": 1}}}', "answers"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_a_damaged_saved_result_is_skipped_and_reported_never_fatal(kb, raw, words):
    """Issue 12 #5: `[]` as a saved result was an AttributeError in every view."""
    conn = store.open_store()
    good = store.save_result(conn, assess(kb, {**all_clear(kb), "location": ["lateral"]}), now=NOW)
    _insert_result(conn, raw)
    damaged: list[store.Damaged] = []
    [past] = store.load_results(conn, damaged=damaged)
    assert past.id == good
    [bad] = damaged
    assert bad.kind == "saved result" and bad.id == good + 1 and words in str(bad), str(bad)
    assert "\n" not in str(bad)
    assert store.load_results(conn) == [past]  # without a list: skipped all the same
    assert store.counts(conn) == (0, 2)  # reported, never deleted
    conn.close()


def test_a_saved_result_with_an_unknown_level_is_skipped(kb):
    conn = store.open_store()
    _insert_result(conn, assess(kb, all_clear(kb)).model_dump_json(), level="whatever")
    damaged: list[store.Damaged] = []
    assert store.load_results(conn, damaged=damaged) == [] and [d.id for d in damaged] == [1]
    conn.close()


def test_a_damaged_check_in_is_skipped_and_reported(home):
    conn = store.open_store()
    store.add_checkin(conn, pain=2, day=TODAY, today=TODAY)
    conn.execute("INSERT INTO checkin (day, recorded_at, pain) VALUES ('not a day', 'x', 3)")
    damaged: list[store.Damaged] = []
    [good] = store.load_checkins(conn, damaged=damaged)
    assert good.pain == 2 and [(d.kind, d.id) for d in damaged] == [("check-in", 2)]
    conn.close()


def test_a_note_that_is_not_utf8_in_the_file_is_read_with_a_replacement_character(home):
    conn = store.open_store()
    conn.execute(
        "INSERT INTO checkin (day, recorded_at, pain, note)"
        " VALUES ('2026-06-01', '2026-06-01T08:00:00+00:00', 3, CAST(x'61ff62' AS TEXT))"
    )
    [c] = store.load_checkins(conn)
    assert c.note == "a\ufffdb"
    conn.close()


def test_a_note_with_bytes_that_are_not_utf8_is_refused_before_writing():
    conn = store.open_store()
    with pytest.raises(store.InputError, match="not valid text"):
        store.add_checkin(conn, pain=3, day=TODAY, today=TODAY, note="a\udcffb")
    assert store.counts(conn) == (0, 0)
    conn.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_database_is_a_store_error(home):
    store.open_store().close()
    store.db_path().chmod(0)
    try:
        with pytest.raises(store.StoreError):
            store.open_store()
    finally:
        store.db_path().chmod(0o600)


def test_forget_deletes_everything_even_a_damaged_file(home):
    home.mkdir(mode=0o700)
    (home / store.DB_NAME).write_bytes(b"garbage")
    (home / (store.DB_NAME + "-wal")).write_bytes(b"garbage")
    removed = store.forget()
    assert {p.name for p in removed} == {store.DB_NAME, store.DB_NAME + "-wal"}
    assert not home.exists()
    assert store.forget() == []


# ------------------------------------------------------------------ a long lock, a full disk (issue 12 #4)


def _fill(n: int) -> None:
    conn = store.open_store()
    for i in range(n):
        store.add_checkin(conn, pain=i % 11, day=TODAY, today=TODAY, note=f"n{i}")
    conn.close()


def _notes() -> list[str]:
    conn = store.open_store()
    try:
        return [c.note or "" for c in store.load_checkins(conn)]
    finally:
        conn.close()


def _no_recovery_advice(message: str) -> None:
    assert "\n" not in message
    assert "--forget" not in message and "--repair" not in message and "damaged" not in message


def test_a_lock_held_past_the_timeout_is_store_busy_and_loses_nothing(home):
    """Another process holding the write lock (BEGIN EXCLUSIVE) longer than the busy timeout."""
    _fill(3)
    holder = sqlite3.connect(store.db_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        conn = store.open_store(timeout=0.2)  # reading still works in WAL mode
        assert len(store.load_checkins(conn)) == 3
        with pytest.raises(store.StoreBusy) as exc:
            store.add_checkin(conn, pain=5, day=TODAY, today=TODAY, note="blocked")
        conn.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(exc.value)
    _no_recovery_advice(message)
    assert "stayed locked by another program" in message and "try again" in message and "0.2 s" in message
    assert _notes() == ["n0", "n1", "n2"]
    _fill(1)  # and once the lock is gone, writing works again
    assert len(_notes()) == 4


def test_a_lock_released_within_the_timeout_is_waited_for(home):
    import threading

    _fill(1)
    holder = sqlite3.connect(store.db_path(), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.2, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        conn = store.open_store(timeout=5)
        store.add_checkin(conn, pain=4, day=TODAY, today=TODAY, note="after the lock")
        conn.close()
    finally:
        release.join()
        holder.close()
    assert _notes() == ["n0", "after the lock"]


def test_a_busy_answer_given_at_once_is_retried(home, monkeypatch):
    """SQLite answers some locks at once, without its busy handler (WAL recovery, a schema change):
    the whole transaction is tried again until the timeout."""
    conn = store.open_store(timeout=2)
    real = conn.execute
    refusals = []

    def execute(sql, *args):
        if sql == "BEGIN IMMEDIATE" and len(refusals) < 3:
            refusals.append(sql)
            raise sqlite3.OperationalError("database is locked")
        return real(sql, *args)

    monkeypatch.setattr(conn, "execute", execute, raising=False)
    monkeypatch.setattr(store, "RETRY_PAUSE", 0.001)
    store.add_checkin(conn, pain=3, day=TODAY, today=TODAY, note="retried")
    conn.close()
    assert len(refusals) == 3 and _notes() == ["retried"]


def test_a_full_disk_is_its_own_error_and_loses_nothing(home):
    """SQLITE_FULL, for real: the file may not grow past its current size (PRAGMA max_page_count)."""
    _fill(5)
    conn = store.open_store()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(store.StoreError) as exc:
        for i in range(500):
            store.add_checkin(conn, pain=1, day=TODAY, today=TODAY, note=f"big{i} " + "x" * 400)
    message = str(exc.value)
    _no_recovery_advice(message)
    assert "is full (" in message and "nothing was changed" in message
    written = store.counts(conn)[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    notes = _notes()
    assert notes[:5] == ["n0", "n1", "n2", "n3", "n4"] and len(notes) == written
    _fill(1)  # space again (a new connection has no limit): writing works
    assert len(_notes()) == written + 1


def test_a_full_disk_when_creating_the_folder_is_the_full_disk_message(home, monkeypatch):
    import errno

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "mkdir", no_space)
    with pytest.raises(store.StoreError) as exc:
        store.open_store()
    _no_recovery_advice(str(exc.value))
    assert "is full (" in str(exc.value)


def test_a_failed_commit_is_rolled_back_and_the_connection_still_works(home):
    conn = store.open_store()
    real = conn.execute
    state = {"fail": True}

    def execute(sql, *args):
        if sql == "COMMIT" and state.pop("fail", False):
            raise sqlite3.OperationalError("database or disk is full")
        return real(sql, *args)

    conn.execute = execute  # type: ignore[method-assign]
    with pytest.raises(store.StoreError, match="is full"):
        store.add_checkin(conn, pain=3, day=TODAY, today=TODAY)
    assert store.counts(conn) == (0, 0)
    store.add_checkin(conn, pain=4, day=TODAY, today=TODAY)
    assert store.counts(conn) == (1, 0)
    conn.close()


# ------------------------------------------------------------------ a damaged file: repair keeps a backup


def _page(n: int) -> tuple[int, int]:
    """(offset, size) of page n (1-based) of the history file."""
    with contextlib.closing(sqlite3.connect(store.db_path())) as c:
        size = c.execute("PRAGMA page_size").fetchone()[0]
    return (n - 1) * size, size


def _root(name: str) -> int:
    with contextlib.closing(sqlite3.connect(store.db_path())) as c:
        return c.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]


def _damage(offset: int, data: bytes) -> bytes:
    """Overwrite bytes of the (checkpointed, closed) history file; return the damaged file."""
    with open(store.db_path(), "r+b") as fh:
        fh.seek(offset)
        fh.write(data)
    return store.db_path().read_bytes()


def _history(kb, n_checkins: int = 40) -> None:
    _fill(n_checkins)
    conn = store.open_store()
    store.save_result(conn, assess(kb, {**all_clear(kb), "location": ["lateral"]}), now=NOW)
    conn.close()  # the last connection checkpoints the WAL into the file


def test_repair_leaves_a_healthy_file_alone(home, kb):
    _history(kb)
    before = store.db_path().read_bytes()
    done = store.repair()
    assert done.backup is None and (done.checkins, done.results) == (40, 1)
    assert store.db_path().read_bytes() == before
    # Nothing but the file and its repair lock (issue 19): no backup, no scratch folder left behind.
    assert sorted(p.name for p in home.iterdir()) == [store.DB_NAME, store.DB_NAME + ".lock"]


@posix_only
def test_a_damaged_index_is_repaired_with_a_backup_kept_and_no_row_lost(home, kb):
    _history(kb)
    offset, size = _page(_root("checkin_day"))
    damaged = _damage(offset, b"\x0d" + b"\xff" * (size - 1))
    with pytest.raises(store.StoreDamaged):
        conn = store.open_store()
        try:
            store.load_checkins(conn)
        finally:
            conn.close()
    done = store.repair()
    assert done.backup is not None and done.backup.parent == home
    assert done.backup.read_bytes() == damaged, "the backup is the damaged file as it was"
    assert mode(done.backup) == 0o600
    assert (done.checkins, done.results, done.unreadable) == (40, 1, 0)
    conn = store.open_store()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [c.note for c in store.load_checkins(conn)] == [f"n{i}" for i in range(40)]
    assert len(store.load_results(conn)) == 1
    conn.close()
    assert mode(store.db_path()) == 0o600


def test_a_damaged_header_is_repaired_with_no_row_lost(home, kb):
    _history(kb)
    _damage(0, b"NOT A DATABASE!!")
    with pytest.raises(store.StoreDamaged, match="--repair"):
        store.open_store()
    done = store.repair()
    assert done.backup is not None and done.backup.read_bytes()[:16] == b"NOT A DATABASE!!"
    assert (done.checkins, done.results, done.unreadable) == (40, 1, 0)
    assert _notes() == [f"n{i}" for i in range(40)]


def test_a_destroyed_data_page_loses_only_its_own_rows_and_the_backup_keeps_the_file(home, kb):
    with sqlite3.connect(":memory:") as c:
        try:
            c.execute("SELECT * FROM dbstat").fetchall()
        except sqlite3.Error:
            pytest.skip("this SQLite has no dbstat table to find a data page")
    _fill(300)
    with contextlib.closing(sqlite3.connect(store.db_path())) as c:
        leaves = c.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = 'checkin' AND pagetype = 'leaf'"
        ).fetchall()
    assert len(leaves) >= 3
    page, rows_on_it = leaves[len(leaves) // 2]
    offset, size = _page(page)
    damaged = _damage(offset, b"\xff" * size)
    done = store.repair()
    assert done.backup is not None and done.backup.read_bytes() == damaged
    notes = _notes()
    assert 300 - len(notes) == rows_on_it and done.unreadable >= rows_on_it and done.checkins == len(notes)
    # Everything outside the destroyed page is back, in order, on both sides of it.
    assert notes[0] == "n0" and notes[-1] == "n299" and notes == sorted(notes, key=lambda n: int(n[1:]))


def test_repair_keeps_the_records_only_in_the_wal(home, kb):
    """The backup and the rebuild take the -wal file too: records committed but not yet copied into
    the main file (as a crash leaves them) are kept."""
    _history(kb)
    offset, size = _page(_root("result_day"))  # a page the WAL will not hold
    wal = store.db_path().with_name(store.DB_NAME + "-wal")
    holder = store.open_store()  # while it is open, closing the writer below does not checkpoint
    try:
        _fill(2)  # n0 and n1 once more: only in the WAL
        crash = {f: f.read_bytes() for f in (store.db_path(), wal)}
    finally:
        holder.close()
    for f, data in crash.items():  # the files as a kill -9 would have left them
        f.write_bytes(data)
    store.db_path().with_name(store.DB_NAME + "-shm").unlink(missing_ok=True)
    _damage(offset, b"\x0a" + b"\xff" * (size - 1))
    done = store.repair()
    assert done.backup is not None
    assert done.backup.with_name(done.backup.name + "-wal").read_bytes() == crash[wal]
    assert (done.checkins, done.results, done.unreadable) == (42, 1, 0)
    assert _notes() == [f"n{i}" for i in range(40)] + ["n0", "n1"]


def test_repair_of_a_file_that_is_all_garbage_keeps_it_and_starts_afresh(home):
    home.mkdir(mode=0o700)
    garbage = b"definitely not a database" * 100
    store.db_path().write_bytes(garbage)
    done = store.repair()
    assert done.backup is not None and done.backup.read_bytes() == garbage
    assert (done.checkins, done.results) == (0, 0) and done.unreadable > 0
    _fill(1)
    assert _notes() == ["n0"]


@posix_only
def test_forget_removes_a_symlink_never_what_it_points_to(home, tmp_path):
    target = tmp_path / "precious.db"
    target.write_bytes(b"not hipcheck's")
    home.mkdir(mode=0o700)
    store.db_path().symlink_to(target)
    assert [p.name for p in store.forget()] == [store.DB_NAME]
    assert target.read_bytes() == b"not hipcheck's"
