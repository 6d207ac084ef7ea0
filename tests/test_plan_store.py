"""The history store for plans (issue 11) and single check-in corrections (issue 14): the schema 3
migration keeps every record, clearances are kept, one check-in can be removed without touching the
others, and a distance past a plausible day's running is refused."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from hipcheck.history import store

TODAY = date(2026, 6, 15)


@pytest.fixture
def home(private_home):
    return private_home


def _version_2_database(home):
    """A database as the code before issue 11 made it: schema 2, with a check-in and a result."""
    home.mkdir(mode=0o700, exist_ok=True)
    old = sqlite3.connect(home / store.DB_NAME)
    for step in store.MIGRATIONS[:2]:
        for statement in step:
            old.execute(statement)
    old.execute(
        "INSERT INTO checkin (day, recorded_at, pain, km, note, side, rest, night)"
        " VALUES ('2026-06-01', '2026-06-01T08:00:00+00:00', 4, 6.0, 'old', 'left', 0, 1)"
    )
    old.execute(
        "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
        " VALUES ('2026-06-02', '2026-06-02T08:00:00+00:00', 'routine', '2026.11.1', '{\"causes\": []}')"
    )
    old.execute("PRAGMA user_version = 2")
    old.commit()
    old.close()


def test_a_version_2_database_is_upgraded_in_place_keeping_every_record(home):
    _version_2_database(home)
    conn = store.open_store()
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    [c] = store.load_checkins(conn)
    assert (c.pain, c.km, c.note, c.side, c.rest, c.night) == (4, 6.0, "old", "left", False, True)
    assert (c.session, c.during, c.morning) == (None, None, None)
    assert [r.level.value for r in store.load_results(conn)] == ["routine"]
    new = store.add_checkin(conn, pain=2, day=TODAY, today=TODAY, during=2, morning=1)
    assert (new.session, new.during, new.morning) == (True, 2, 1)
    store.add_clearance(conn, plan="bone_stress", phase="rebuild", day=TODAY)
    assert store.counts(conn) == (2, 1)
    conn.close()
    conn = store.open_store()  # opened again: nothing to migrate, everything there
    assert [c.during for c in store.load_checkins(conn)] == [None, 2]
    assert [(c.plan, c.phase) for c in store.load_clearances(conn)] == [("bone_stress", "rebuild")]
    conn.close()


def test_repair_keeps_plan_fields_and_clearances(home):
    conn = store.open_store()
    store.add_checkin(conn, pain=1, day=TODAY, today=TODAY, session=True, during=1, morning=0)
    store.add_clearance(conn, plan="bone_stress", phase="rebuild", day=TODAY)
    conn.close()
    path = store.db_path()
    raw = bytearray(path.read_bytes())
    raw[:16] = b"not a database!!"
    path.write_bytes(bytes(raw))
    done = store.repair()
    assert done.backup is not None and done.checkins == 1
    conn = store.open_store()
    [c] = store.load_checkins(conn)
    assert (c.session, c.during, c.morning) == (True, 1, 0)
    assert len(store.load_clearances(conn)) == 1
    conn.close()


def test_scores_out_of_range_are_refused_before_writing(home):
    conn = store.open_store()
    for bad in ({"during": 11}, {"morning": -1}, {"during": True}):
        with pytest.raises(store.InputError):
            store.add_checkin(conn, pain=1, day=TODAY, today=TODAY, **bad)
    assert store.counts(conn) == (0, 0)
    conn.close()


def test_removing_one_check_in_keeps_every_other_record(home):
    conn = store.open_store()
    a = store.add_checkin(conn, pain=1, day=TODAY, today=TODAY)
    b = store.add_checkin(conn, pain=9, day=TODAY, today=TODAY, km=50)
    c = store.add_checkin(conn, pain=2, day=date(2026, 6, 1), today=TODAY)
    assert store.latest_checkin(conn).id == c.id  # written last, whatever its day
    assert store.remove_checkin(conn, b.id)
    assert not store.remove_checkin(conn, b.id)
    assert [x.id for x in store.load_checkins(conn)] == [c.id, a.id]
    conn.close()


# --------------------------------------------------------------------------- the CLI


def test_a_distance_past_a_days_running_is_refused(cli):
    r = cli("log", "--pain", "3", "--ran", "500")
    assert r.exit_code == 2 and "500 km is more than 320 km in a day" in r.stderr
    assert cli("log", "--pain", "3", "--ran", "319.6").exit_code == 0


def test_log_undo_removes_the_last_check_in_and_says_how_to_log_it_again(cli):
    assert cli("log", "--pain", "2").exit_code == 0
    assert cli("log", "--pain", "3", "--ran", "50", "--note", "typo", "--during", "2").exit_code == 0
    r = cli("log", "--undo")
    assert r.exit_code == 0, r.stderr
    assert (
        "Removed check-in #2" in r.stdout
        and "hipcheck log --pain 3 --ran 50 --during 2 --note typo" in r.stdout
    )
    data = cli("history", "--json").json()
    assert [c["pain"] for c in data["checkins"]] == [2]
    assert cli("log", "--undo", "--pain", "3").exit_code == 2


def test_history_remove_takes_the_id_the_table_shows(cli):
    for pain in ("1", "2", "3"):
        cli("log", "--pain", pain)
    table = cli("history").stdout
    assert any(line.split()[:1] == ["2"] for line in table.splitlines())  # the row's id, first
    r = cli("history", "--remove", "#2")
    assert r.exit_code == 0 and "Removed check-in #2" in r.stdout
    assert [c["id"] for c in cli("history", "--json").json()["checkins"]] == [1, 3]
    missing = cli("history", "--remove", "2")
    assert missing.exit_code == 2 and "no check-in #2" in missing.stderr
    assert cli("history", "--remove", "two").exit_code == 2
    assert cli("history", "--remove", "1", "--json").exit_code == 2


def test_remove_with_no_history_is_a_one_line_error(cli, private_home):
    r = cli("log", "--undo")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert not private_home.exists()


def test_plan_fields_are_in_json_and_csv(cli):
    cli("log", "--pain", "2", "--during", "2")
    cli("log", "--pain", "1", "--morning", "1", "--no-session")
    data = cli("history", "--json").json()
    assert data["schema_version"] == "1.1" and data["clearances"] == []
    assert [(c["session"], c["during"], c["morning"]) for c in data["checkins"]] == [
        (True, 2, None),
        (False, None, 1),
    ]
    csv = cli("history", "--csv").stdout.splitlines()
    assert csv[0].endswith(",session,during,morning,checkin_kind,plan_step")
    assert csv[1].endswith(",1,2,,session,") and csv[2].endswith(",0,,1,morning,")  # no triage: no plan step
    assert cli("log", "--pain", "1", "--during", "11").exit_code == 2
    assert cli("log", "--pain", "1", "--during", "2", "--no-session").exit_code == 2
