"""The private history database: check-ins and saved triage results, in SQLite on this machine only.

- Where: `HIPCHECK_HOME` if set, else the user data directory (platformdirs), file `history.db`.
  The folder is made 0700 and the file 0600 (SQLite gives its -wal/-shm files the same mode).
- Writes: every write is one `BEGIN IMMEDIATE` transaction, so a crash or Ctrl-C leaves either the
  whole record or none of it. WAL journal and a busy timeout let several processes write at once.
- Schema: versioned with `PRAGMA user_version`; `MIGRATIONS` upgrade older files in one transaction.
- Errors: anything SQLite or the file system reports becomes a `StoreError` with a one-line message
  naming the file and what to do; bad values become an `InputError` before anything is written.

No Rich, no printing: the CLI decides what to say.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from .history_models import SIDES, CheckIn, PastResult

if TYPE_CHECKING:
    from .models import TriageResult

ENV_VAR = "HIPCHECK_HOME"
APP_NAME = "hipcheck"
DB_NAME = "history.db"
BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write to finish
MAX_NOTE = 500
MAX_KM = 1000.0

# Each migration takes the database from version i to i + 1 (index i). Never edit a released one:
# add a new one, and a test that opens a file at the old version.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 → 1: the first layout.
    (
        """CREATE TABLE checkin (
            id          INTEGER PRIMARY KEY,
            day         TEXT NOT NULL,                       -- local date, YYYY-MM-DD
            recorded_at TEXT NOT NULL,                       -- UTC, ISO 8601
            pain        INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
            km          REAL CHECK (km IS NULL OR km >= 0),
            note        TEXT
        )""",
        """CREATE TABLE result (
            id              INTEGER PRIMARY KEY,
            day             TEXT NOT NULL,
            recorded_at     TEXT NOT NULL,
            level           TEXT NOT NULL,
            content_version TEXT NOT NULL,
            result_json     TEXT NOT NULL                    -- the TriageResult as --json prints it
        )""",
    ),
    # 1 → 2: which side hurt, and pain at rest or at night, for the escalation rules.
    (
        "ALTER TABLE checkin ADD COLUMN side TEXT CHECK (side IS NULL OR side IN ('left', 'right', 'both'))",
        "ALTER TABLE checkin ADD COLUMN rest INTEGER NOT NULL DEFAULT 0 CHECK (rest IN (0, 1))",
        "ALTER TABLE checkin ADD COLUMN night INTEGER NOT NULL DEFAULT 0 CHECK (night IN (0, 1))",
        "CREATE INDEX checkin_day ON checkin (day)",
        "CREATE INDEX result_day ON result (day)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The history database cannot be used. The message is one line, naming the file and a way out."""


class InputError(ValueError):
    """A check-in value is out of range. The message is one line, naming the option."""


class HistoryConnection(sqlite3.Connection):
    """A connection that remembers its file, for error messages."""

    path: Path


# --------------------------------------------------------------------------- where


def data_dir() -> Path:
    """HIPCHECK_HOME if set, else the platform's user data folder for hipcheck."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path() -> Path:
    return data_dir() / DB_NAME


def exists() -> bool:
    return db_path().is_file()


def _side_files(path: Path) -> list[Path]:
    return [path] + [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


# --------------------------------------------------------------------------- opening


def _unusable(path: Path, exc: BaseException) -> StoreError:
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return StoreError(
        f"the history database {path} cannot be used ({detail}); "
        "triage still works with --no-save; move the file aside or run `hipcheck history --forget --yes`"
    )


POSIX = os.name == "posix"  # elsewhere (Windows) the folder is private by its place in the user profile


def _secure_dir(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
        if POSIX and st.st_mode & 0o077 and st.st_uid == os.getuid():
            folder.chmod(0o700)
    except OSError as exc:
        raise StoreError(f"cannot create the history folder {folder} ({exc.strerror or exc})") from None


def _secure_file(path: Path) -> None:
    """Create the file 0600 before SQLite does (SQLite would use the umask), or tighten an old one."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if POSIX and os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _unusable(path, exc) from None


def open_store(*, create: bool = True, timeout: float = BUSY_TIMEOUT) -> HistoryConnection:
    """Open (and create, or upgrade) the history database; raise StoreError if it cannot be used.

    With `create=False` a missing database is a StoreError too; check `exists()` first."""
    path = db_path()
    if create:
        _secure_dir(path.parent)
        _secure_file(path)
    elif not path.is_file():
        raise StoreError(f"no history database at {path}")
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, factory=HistoryConnection)
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    conn.path = path
    try:
        _use_wal(conn, timeout)
        conn.execute("PRAGMA synchronous = FULL")
        _migrate(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise _unusable(path, exc) from None
    except StoreError:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch a new file to WAL (it stays WAL). SQLite answers "database is locked" at once, without
    waiting, when two processes switch at the same moment, so retry until the busy timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: HistoryConnection) -> None:
    if schema_version(conn) == SCHEMA_VERSION:  # the common case: no write lock needed
        return
    with transaction(conn):
        version = schema_version(conn)  # again, inside the lock: another process may have migrated
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the history database {conn.path} was written by a newer hipcheck (schema {version}, "
                f"this one reads up to {SCHEMA_VERSION}); upgrade hipcheck"
            )
        for step in MIGRATIONS[version:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it is committed, or (on any exception, Ctrl-C included) none of it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


T = TypeVar("T")


def _guard(conn: HistoryConnection, action: Callable[[], T]) -> T:
    try:
        return action()
    except sqlite3.Error as exc:
        raise _unusable(getattr(conn, "path", Path(DB_NAME)), exc) from None


# --------------------------------------------------------------------------- check-ins


def validate_checkin(
    *,
    pain: Any,
    day: date,
    today: date,
    km: Any = None,
    side: str | None = None,
    note: str | None = None,
) -> None:
    """Raise InputError (one line, naming the option) for a value hipcheck will not store."""
    if isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10:
        raise InputError(f"--pain must be a whole number from 0 to 10, got {pain!r}")
    if km is not None:
        if isinstance(km, bool) or not isinstance(km, (int, float)) or not math.isfinite(km):
            raise InputError(f"--ran must be a distance in km, got {km!r}")
        if km < 0:
            raise InputError(f"--ran cannot be negative, got {km:g}")
        if km > MAX_KM:
            raise InputError(f"--ran {km:g} km is more than {MAX_KM:g} km in a day; check the number")
    if day > today:
        raise InputError(f"--date {day.isoformat()} is in the future (today is {today.isoformat()})")
    if side is not None and side not in SIDES:
        raise InputError(f"--side must be one of {', '.join(SIDES)}, got {side!r}")
    if note is not None and len(note) > MAX_NOTE:
        raise InputError(f"--note is {len(note)} characters; keep it to {MAX_NOTE}")


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def add_checkin(
    conn: HistoryConnection,
    *,
    pain: int,
    day: date,
    today: date,
    km: float | None = None,
    side: str | None = None,
    rest: bool = False,
    night: bool = False,
    note: str | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Validate and store one check-in in one transaction; return it with its id."""
    validate_checkin(pain=pain, day=day, today=today, km=km, side=side, note=note)
    note = (note or "").strip() or None
    recorded = _utc(now)

    def write() -> int:
        with transaction(conn):
            cur = conn.execute(
                "INSERT INTO checkin (day, recorded_at, pain, km, note, side, rest, night)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (day.isoformat(), recorded.isoformat(), pain, km, note, side, int(rest), int(night)),
            )
            return int(cur.lastrowid or 0)

    rowid = _guard(conn, write)
    return CheckIn(
        id=rowid,
        day=day,
        recorded_at=recorded,
        pain=pain,
        km=km,
        side=side,
        rest=rest,
        night=night,
        note=note,
    )  # type: ignore[arg-type]


def load_checkins(conn: HistoryConnection, since: date | None = None) -> list[CheckIn]:
    """Check-ins on or after `since` (all if None), oldest first."""
    rows = _guard(
        conn,
        lambda: conn.execute(
            "SELECT id, day, recorded_at, pain, km, side, rest, night, note FROM checkin"
            " WHERE day >= ? ORDER BY day, recorded_at, id",
            ((since or date.min).isoformat(),),
        ).fetchall(),
    )
    out = []
    for r in rows:
        try:
            out.append(
                CheckIn(
                    id=r[0],
                    day=r[1],
                    recorded_at=r[2],
                    pain=r[3],
                    km=r[4],
                    side=r[5],
                    rest=bool(r[6]),
                    night=bool(r[7]),
                    note=r[8],
                )
            )
        except ValidationError as exc:
            raise _unusable(
                conn.path, ValueError(f"check-in {r[0]} is damaged: {exc.errors()[0]['msg']}")
            ) from None
    return out


# --------------------------------------------------------------------------- triage results


def save_result(conn: HistoryConnection, result: TriageResult, *, now: datetime | None = None) -> int:
    """Store a triage result (as its --json form) in one transaction; return its id."""
    recorded = _utc(now)
    day = recorded.astimezone().date()  # the local day

    def write() -> int:
        with transaction(conn):
            cur = conn.execute(
                "INSERT INTO result (day, recorded_at, level, content_version, result_json)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    day.isoformat(),
                    recorded.isoformat(),
                    result.level.id.value,
                    result.content_version,
                    result.model_dump_json(),
                ),
            )
            return int(cur.lastrowid or 0)

    return _guard(conn, write)


def _past_result(row: tuple[Any, ...]) -> PastResult:
    rid, day, recorded_at, level, content_version, raw = row
    data = json.loads(raw)
    causes = data.get("causes") or []
    lvl = data.get("level") or {}
    return PastResult(
        id=rid,
        day=day,
        recorded_at=recorded_at,
        level=level,
        level_label=lvl.get("label") or level,
        content_version=content_version,
        reasons=[r["id"] for r in lvl.get("reasons", [])],
        top_cause=causes[0]["id"] if causes else None,
        top_cause_name=causes[0].get("name") if causes else None,
        answers=data.get("answers") or {},
    )


def load_results(conn: HistoryConnection, since: date | None = None) -> list[PastResult]:
    """Saved triage results on or after `since` (all if None), oldest first."""
    rows = _guard(
        conn,
        lambda: conn.execute(
            "SELECT id, day, recorded_at, level, content_version, result_json FROM result"
            " WHERE day >= ? ORDER BY day, recorded_at, id",
            ((since or date.min).isoformat(),),
        ).fetchall(),
    )
    out = []
    for row in rows:
        try:
            out.append(_past_result(row))
        except (ValueError, KeyError, TypeError, IndexError, ValidationError) as exc:
            # json.JSONDecodeError and pydantic's ValidationError are ValueErrors too.
            raise _unusable(
                conn.path, ValueError(f"saved result {row[0]} is damaged ({type(exc).__name__})")
            ) from None
    return out


def counts(conn: HistoryConnection) -> tuple[int, int]:
    """(check-ins, saved results)."""

    def count() -> tuple[int, int]:
        c = conn.execute("SELECT count(*) FROM checkin").fetchone()[0]
        r = conn.execute("SELECT count(*) FROM result").fetchone()[0]
        return int(c), int(r)

    return _guard(conn, count)


# --------------------------------------------------------------------------- forgetting


def forget() -> list[Path]:
    """Delete the database and its journal files (works on a damaged file too); return what was deleted.

    The folder goes too when nothing else is left in it."""
    path = db_path()
    removed = []
    for f in _side_files(path):
        try:
            f.unlink()
            removed.append(f)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreError(f"could not delete {f} ({exc.strerror or exc})") from None
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only succeeds when empty
    return removed
