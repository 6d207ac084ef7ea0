"""The history database: where it lives, who can read it, its schema and migrations, and that every
write is whole even when two processes write at once or one is killed mid-write."""

from __future__ import annotations

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

from hipcheck import store
from hipcheck.engine import assess

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
def test_loose_permissions_are_tightened(home):
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    (home / store.DB_NAME).touch()
    (home / store.DB_NAME).chmod(0o644)
    store.open_store().close()
    assert mode(home) == 0o700 and mode(home / store.DB_NAME) == 0o600


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
        from hipcheck import store
        conn = store.open_store()
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
    assert store.counts(conn) == (0, 0)
    conn.close()


def test_two_processes_writing_at_once_lose_nothing(home):
    n = 100
    code = f"""
        import sys, time
        from datetime import date
        from hipcheck import store
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


def test_a_corrupted_database_is_a_one_line_store_error(home):
    home.mkdir(mode=0o700)
    (home / store.DB_NAME).write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(store.StoreError) as exc:
        store.open_store()
    msg = str(exc.value)
    assert "\n" not in msg and str(store.db_path()) in msg and "--forget" in msg


def test_a_damaged_saved_result_is_a_store_error(home):
    conn = store.open_store()
    conn.execute(
        "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
        " VALUES ('2026-06-01', '2026-06-01T08:00:00+00:00', 'routine', 'x', '{not json')"
    )
    with pytest.raises(store.StoreError, match="damaged"):
        store.load_results(conn)
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
