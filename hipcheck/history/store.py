"""The private history database: check-ins and saved triage results, in SQLite on this machine only.

- Where: `HIPCHECK_HOME` if set, else the user data directory (platformdirs), file `history.db`.
  A folder hipcheck creates is made 0700; one that already exists keeps its mode (a loose one is a
  warning in `conn.warnings`). The file is 0600 (SQLite gives its -wal/-shm files the same mode).
  A symbolic link in place of the folder, the file or a side file is refused, never followed.
- Writes: every write is one `BEGIN IMMEDIATE` transaction, so a crash or Ctrl-C leaves either the
  whole record or none of it. WAL journal and a busy timeout let several processes write at once;
  a write still blocked when the timeout ends is retried until then, then fails as `StoreBusy`.
- Repair: every connection holds a shared lock on `history.db.lock` (flock) from opening to closing;
  `repair()` takes it exclusively for the whole copy, rebuild and rename, so no record is written to a
  file a repair is about to replace. A repair waits for open connections up to the busy timeout, then
  refuses (`StoreBusy`), changing nothing; a connection waits for a repair the same way.
- Schema: versioned with `PRAGMA user_version`; `MIGRATIONS` upgrade older files in one transaction.
- Errors: anything SQLite or the file system reports becomes a `StoreError` with a one-line message
  naming the file and what to do: a lock (`StoreBusy`, try again), a full disk, or a damaged file
  (`StoreDamaged`, the only one that points to `repair`, which keeps a backup copy first). Bad values
  become an `InputError` before anything is written. A damaged record is skipped, never fatal: the
  loaders report it in their `damaged` list and leave it in the file.

No Rich, no printing: the CLI decides what to say.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import shlex
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from hipcheck.history.models import EARLIEST_DAY, SIDES, CheckIn, Clearance, PastResult
from hipcheck.knowledge.files import path_problem
from hipcheck.knowledge.text import echo, escape

if TYPE_CHECKING:
    from hipcheck.knowledge.models import TriageResult

ENV_VAR = "HIPCHECK_HOME"
APP_NAME = "hipcheck"
DB_NAME = "history.db"
BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write to finish
MAX_NOTE = 500
MAX_KM = 320.0  # km in one day: a little above the 24-hour world record (319.6 km, 2022)

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
    # 2 → 3: the back-to-running plan (issue 11): the session of the day and its pain scores, and the
    # clearances a runner records for the plan's steps.
    (
        "ALTER TABLE checkin ADD COLUMN session INTEGER CHECK (session IS NULL OR session IN (0, 1))",
        "ALTER TABLE checkin ADD COLUMN during INTEGER CHECK (during IS NULL OR during BETWEEN 0 AND 10)",
        "ALTER TABLE checkin ADD COLUMN morning INTEGER CHECK (morning IS NULL OR morning BETWEEN 0 AND 10)",
        """CREATE TABLE clearance (
            id          INTEGER PRIMARY KEY,
            day         TEXT NOT NULL,                       -- local date, YYYY-MM-DD
            recorded_at TEXT NOT NULL,                       -- UTC, ISO 8601
            plan        TEXT NOT NULL,                       -- the plan's id in content/plans.toml
            phase       TEXT NOT NULL                        -- the step cleared for
        )""",
    ),
    # 3 → 4: check-in ids are never given again (issue 19): SQLite gives the largest id + 1, so after
    # `history --remove` of the last check-in the next one took its id, and repeating the command
    # deleted it. AUTOINCREMENT needs the table made anew: every row is copied with its id.
    (
        """CREATE TABLE checkin_v4 (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            day         TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            pain        INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
            km          REAL CHECK (km IS NULL OR km >= 0),
            note        TEXT,
            side        TEXT CHECK (side IS NULL OR side IN ('left', 'right', 'both')),
            rest        INTEGER NOT NULL DEFAULT 0 CHECK (rest IN (0, 1)),
            night       INTEGER NOT NULL DEFAULT 0 CHECK (night IN (0, 1)),
            session     INTEGER CHECK (session IS NULL OR session IN (0, 1)),
            during      INTEGER CHECK (during IS NULL OR during BETWEEN 0 AND 10),
            morning     INTEGER CHECK (morning IS NULL OR morning BETWEEN 0 AND 10)
        )""",
        "INSERT INTO checkin_v4 (id, day, recorded_at, pain, km, note, side, rest, night, session, during,"
        " morning) SELECT id, day, recorded_at, pain, km, note, side, rest, night, session, during, morning"
        " FROM checkin",
        "DROP TABLE checkin",
        "ALTER TABLE checkin_v4 RENAME TO checkin",
        "CREATE INDEX checkin_day ON checkin (day)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The history database cannot be used. The message is one line, naming the file and a way out."""


class StoreBusy(StoreError):
    """Another process kept the database locked for longer than the busy timeout: try again later."""


class StoreDamaged(StoreError):
    """The file is damaged: `repair()` keeps a backup copy and rebuilds it from what can be read."""


class InputError(ValueError):
    """A check-in value is out of range. The message is one line, naming the option."""


class HistoryConnection(sqlite3.Connection):
    """A connection that remembers its file and busy timeout, for error messages, and the warnings
    opening it gave (a history folder others can read), for the CLI to show."""

    path: Path
    timeout: float
    warnings: list[str]
    lock_fd: int | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            fd, self.lock_fd = self.lock_fd, None
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)  # closing the file releases its flock


@dataclass(frozen=True)
class Damaged:
    """A record that could not be read: left in the file, out of the listing, and reported."""

    kind: str  # "check-in" or "saved result"
    id: int
    problem: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.problem})"


# --------------------------------------------------------------------------- where


def data_dir() -> Path:
    """HIPCHECK_HOME if set, else the platform's user data folder for hipcheck."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path() -> Path:
    """The history file; StoreError when the OS would refuse its path (a name over 255 bytes, a
    folder on the way the account may not search): one check before any other file operation."""
    path = data_dir() / DB_NAME
    problem = path_problem(path)
    if problem:
        raise StoreError(
            f"the history folder {echo(str(path.parent))} cannot be used ({problem}); "
            f"point {ENV_VAR} at another folder"
        )
    return path


def exists() -> bool:
    """A history file is there (a symbolic link counts, so that opening it refuses it by name)."""
    path = db_path()
    return path.is_file() or path.is_symlink()


def _side_files(path: Path) -> list[Path]:
    return [path] + [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


# --------------------------------------------------------------------------- opening


# SQLite's primary result codes (the low byte of `sqlite_errorcode`) that decide the message.
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_FULL_CODES = {13}  # SQLITE_FULL
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
REPAIR_HINT = (
    "run `hipcheck history --repair`: it keeps a copy of the file, then rebuilds it from what can be read"
)


# What SQLite can raise on a damaged file. Python's sqlite3 decodes SQLite's error message as UTF-8, so
# a damaged schema whose text (quoted in the message) holds a byte that is not UTF-8 comes out as a
# UnicodeDecodeError instead of a sqlite3.DatabaseError (issue 19).
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, UnicodeDecodeError)


def _kind(exc: BaseException) -> str:
    """busy, full, damaged or other: what went wrong, from SQLite's result code or the OS errno."""
    if isinstance(exc, UnicodeDecodeError):
        return "damaged"
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary in _BUSY_CODES or (primary is None and ("locked" in text or "busy" in text)):
        return "busy"
    if primary in _FULL_CODES or getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return "full"
    if primary is None and "disk is full" in text:
        return "full"
    if primary in _DAMAGED_CODES or (primary is None and ("malformed" in text or "not a database" in text)):
        return "damaged"
    if "no such column" in text or "no such table" in text:  # hipcheck's own queries: its schema was changed
        return "damaged"
    return "other"


NEARLY_FULL = 1 << 20  # bytes free below which a failed write or an I/O error is put down to a full disk


def _free_bytes(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return None
    return st.f_bavail * st.f_frsize


def _nearly_full(path: Path) -> bool:
    """SQLite says "disk I/O error" (not "disk is full") when it cannot make its -shm file or grow
    the journal on a disk with a few KB left: the free space tells which it is."""
    free = _free_bytes(path.parent)
    return free is not None and free < NEARLY_FULL


def _unusable(path: Path, exc: BaseException, timeout: float | None = None) -> StoreError:
    """The one-line error for `exc`. Only a damaged file points to recovery; a lock or a full disk
    says what to do about that instead, since nothing is wrong with the history itself."""
    if isinstance(exc, UnicodeDecodeError):
        detail = "its structure holds bytes that are not text"
    else:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    detail = echo(detail, 200)  # SQLite quotes the damaged schema text, newlines and all
    where = escape(str(path))
    kind = _kind(exc)
    if kind == "other" and _nearly_full(path):
        kind = "full"
    if kind == "busy":
        waited = f"waited {timeout:g} s: " if timeout is not None else ""
        return StoreBusy(
            f"the history database {where} stayed locked by another program ({waited}{detail}); "
            "nothing was changed; try again in a moment"
        )
    if kind == "full":
        return StoreError(
            f"the disk holding the history database {where} is full ({detail}); "
            "nothing was changed and no record was lost; free some space and try again"
        )
    if kind == "damaged":
        return StoreDamaged(
            f"the history database {where} is damaged ({detail}); triage still works with --no-save; "
            + REPAIR_HINT
        )
    return StoreError(
        f"the history database {where} cannot be used ({detail}); triage still works with --no-save; "
        "check that it is a file your account can read and write"
    )


POSIX = os.name == "posix"  # elsewhere (Windows) the folder is private by its place in the user profile
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _refuse_link(path: Path, what: str) -> None:
    """A symbolic link in place of the history folder or file is refused: following it would put the
    history (or its chmod) somewhere else, or outside HIPCHECK_HOME when it dangles."""
    if path.is_symlink():
        try:
            target = f" (it points to {escape(os.readlink(path))})"
        except OSError:
            target = ""
        way_out = (
            f"point {ENV_VAR} at a real folder"
            if what == "folder"
            else "move the link aside (what it points to is left as it is)"
        )
        raise StoreError(
            f"the history {what} {escape(str(path))} is a symbolic link{target}; hipcheck does not "
            f"follow links for its history: {way_out}"
        )


def _secure_dir(folder: Path) -> list[str]:
    """Create the folder 0700, or check an existing one: never chmod a folder hipcheck did not create.
    Returns warnings (a folder others can read), for the CLI to show."""
    where = escape(str(folder))
    _refuse_link(folder, "folder")
    try:
        try:
            folder.mkdir(mode=0o700, parents=True)
            if POSIX:
                folder.chmod(0o700)  # exactly 0700, whatever the umask
            return []
        except FileExistsError:
            pass
        _refuse_link(folder, "folder")  # it may have appeared since the first look
        st = folder.lstat()
    except OSError as exc:
        if _kind(exc) == "full":
            raise _unusable(folder, exc) from None
        raise StoreError(f"cannot create the history folder {where} ({exc.strerror or exc})") from None
    if not stat.S_ISDIR(st.st_mode):
        raise StoreError(f"cannot create the history folder {where} (a file of that name exists)")
    if POSIX and st.st_uid != os.geteuid():
        raise StoreError(
            f"the history folder {where} belongs to another user; point {ENV_VAR} at a folder of your own"
        )
    if POSIX and st.st_mode & 0o077:
        mode = stat.S_IMODE(st.st_mode)
        return [
            f"the history folder {where} can be read by other users (mode {mode:04o}); hipcheck did not "
            f"create it, so it leaves it as it is; make it private with: chmod 700 {shlex.quote(where)}"
        ]
    return []


def _secure_file(path: Path) -> None:
    """Create the file 0600 before SQLite does (SQLite would use the umask), or tighten an old one.
    Never through a symbolic link, and only a regular file of its own."""
    where = escape(str(path))
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _refuse_link(path, "database")
        raise _unusable(path, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StoreError(f"the history database {where} is not a regular file; move it aside")
        if POSIX and st.st_nlink > 1:
            raise StoreError(
                f"the history database {where} has other names (hard links); hipcheck keeps its history "
                "in a file of its own: copy it to a new file"
            )
        if POSIX and st.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    except OSError as exc:
        raise _unusable(path, exc) from None
    finally:
        os.close(fd)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _hold_lock(path: Path, *, exclusive: bool, timeout: float) -> int | None:
    """The repair lock of the database `path`: shared for a connection, exclusive for `repair()`.
    Waits up to `timeout` seconds, then raises StoreBusy. Returns the open lock file (closing it
    releases the lock), or None where there is no flock (Windows)."""
    try:
        import fcntl
    except ImportError:
        return None
    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _refuse_link(lock, "file")
        raise _unusable(path, exc) from None
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                doing = "is still using" if exclusive else "is still repairing"
                raise StoreBusy(
                    f"another hipcheck {doing} the history database {escape(str(path))} (waited "
                    f"{timeout:g} s); nothing was changed; try again in a moment"
                ) from None
            time.sleep(RETRY_PAUSE)
        except OSError as exc:  # a file system without locks: go on as SQLite does
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                return fd
            os.close(fd)
            raise _unusable(path, exc) from None


def _check_place(path: Path) -> None:
    """No symbolic links for the folder, the database or its side files."""
    _refuse_link(path.parent, "folder")
    for f in _side_files(path):
        _refuse_link(f, "database" if f == path else "file")


def _read_text(raw: bytes) -> str:
    """Text from the file as it is: a damaged byte shows as U+FFFD rather than failing the query."""
    return raw.decode("utf-8", errors="replace")


def open_store(*, create: bool = True, timeout: float | None = None) -> HistoryConnection:
    """Open (and create, or upgrade) the history database; raise StoreError if it cannot be used.

    With `create=False` a missing database is a StoreError too; check `exists()` first. `timeout`
    (default `BUSY_TIMEOUT`) is how long a write waits for another process's lock."""
    timeout = BUSY_TIMEOUT if timeout is None else timeout
    path = db_path()
    warnings: list[str] = []
    _check_place(path)
    if create:
        warnings = _secure_dir(path.parent)
    elif not path.is_file():
        raise StoreError(f"no history database at {escape(str(path))}")
    lock = _hold_lock(path, exclusive=False, timeout=timeout)  # before the file: a repair may replace it
    try:
        if create:
            _secure_file(path)
        elif not path.is_file():
            raise StoreError(f"no history database at {escape(str(path))}")
        _check_place(path)
        try:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, factory=HistoryConnection)
        except DB_ERRORS as exc:
            raise _unusable(path, exc, timeout) from None
    except BaseException:
        if lock is not None:
            os.close(lock)
        raise
    conn.path, conn.timeout, conn.warnings, conn.lock_fd = path, timeout, warnings, lock
    conn.text_factory = _read_text
    try:
        _use_wal(conn, timeout)
        conn.execute("PRAGMA synchronous = FULL")
        _retrying(conn, lambda: _migrate(conn))
    except DB_ERRORS as exc:
        conn.lock_fd = None  # kept for a read-only connection, else closed below
        conn.close()
        error = _unusable(path, exc, timeout)
        reader = None if create or not _nearly_full(path) else _read_only(path, timeout, warnings, error)
        if reader is None:
            if lock is not None:
                os.close(lock)
            raise error from None
        reader.lock_fd = lock
        return reader
    except StoreError:
        conn.close()
        raise
    return conn


def _read_only(
    path: Path, timeout: float, warnings: list[str], error: StoreError
) -> HistoryConnection | None:
    """On a disk too full for SQLite's -shm file, a connection that reads the file as it is, writing
    nothing: `history`, `report` and `plan` still work. Only when every committed record is in the
    file itself (no -wal file with records in it) and it is at the current schema; else None."""
    from urllib.parse import quote

    wal = path.with_name(path.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return None
        uri = "file:" + quote(str(path.absolute())) + "?mode=ro&immutable=1"
        conn = sqlite3.connect(
            uri, uri=True, timeout=timeout, isolation_level=None, factory=HistoryConnection
        )
    except (OSError, *DB_ERRORS):
        return None
    conn.path, conn.timeout, conn.lock_fd = path, timeout, None
    conn.warnings = [*warnings, f"{error}; your history is shown as it is, read-only"]
    conn.text_factory = _read_text
    try:
        if schema_version(conn) != SCHEMA_VERSION:
            conn.close()
            return None
    except DB_ERRORS:
        conn.close()
        return None
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
                f"the history database {escape(str(conn.path))} was written by a newer hipcheck "
                f"(schema {version}, this one reads up to {SCHEMA_VERSION}); upgrade hipcheck"
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
        conn.execute("COMMIT")  # a COMMIT that fails (a full disk, a lock) is rolled back too
    except BaseException:
        with contextlib.suppress(*DB_ERRORS):
            conn.execute("ROLLBACK")
        raise


T = TypeVar("T")
RETRY_PAUSE = 0.05  # seconds between attempts while another process holds the lock


def _retrying(conn: HistoryConnection, action: Callable[[], T]) -> T:
    """Run `action`; while SQLite answers busy or locked, try again until the busy timeout is spent.

    SQLite's own busy handler already waits for most locks, but some (a lock held across a schema
    change, WAL recovery) are answered at once; the whole transaction is retried then."""
    deadline = time.monotonic() + getattr(conn, "timeout", BUSY_TIMEOUT)
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if _kind(exc) != "busy" or time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_PAUSE)


def _guard(conn: HistoryConnection, action: Callable[[], T]) -> T:
    try:
        return _retrying(conn, action)
    except DB_ERRORS as exc:
        raise _unusable(getattr(conn, "path", Path(DB_NAME)), exc, getattr(conn, "timeout", None)) from None


# --------------------------------------------------------------------------- check-ins


def validate_checkin(
    *,
    pain: Any,
    day: date,
    today: date,
    km: Any = None,
    side: str | None = None,
    note: str | None = None,
    during: Any = None,
    morning: Any = None,
) -> None:
    """Raise InputError (one line, naming the option) for a value hipcheck will not store."""
    if isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10:
        raise InputError(f"--pain must be a whole number from 0 to 10, got {pain!r}")
    for option, score in (("--during", during), ("--morning", morning)):
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10
        ):
            raise InputError(f"{option} must be a whole number from 0 to 10, got {score!r}")
    if km is not None:
        if isinstance(km, bool) or not isinstance(km, (int, float)) or not math.isfinite(km):
            raise InputError(f"--ran must be a distance in km, got {km!r}")
        if km < 0:
            raise InputError(f"--ran cannot be negative, got {km:g}")
        if km > MAX_KM:
            raise InputError(f"--ran {km:g} km is more than {MAX_KM:g} km in a day; check the number")
    if day > today:
        raise InputError(f"--date {day.isoformat()} is in the future (today is {today.isoformat()})")
    if day < EARLIEST_DAY:
        raise InputError(f"--date {day.isoformat()} is before {EARLIEST_DAY.year}; check the date")
    if side is not None and side not in SIDES:
        raise InputError(f"--side must be one of {', '.join(SIDES)}, got {side!r}")
    if note is not None:
        if not isinstance(note, str):
            raise InputError(f"--note must be text, got {type(note).__name__}")
        if len(note) > MAX_NOTE:
            raise InputError(f"--note is {len(note)} characters; keep it to {MAX_NOTE}")
        try:
            note.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("--note is not valid text (it holds bytes that are not UTF-8)") from None


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
    session: bool | None = None,
    during: int | None = None,
    morning: int | None = None,
) -> CheckIn:
    """Validate and store one check-in in one transaction; return it with its id. `session`: the
    plan's session of the day was done (True) or not (False); `during`: pain during it (implies
    done); `morning`: pain on waking that morning."""
    validate_checkin(
        pain=pain, day=day, today=today, km=km, side=side, note=note, during=during, morning=morning
    )
    note = (note or "").strip() or None
    recorded = _utc(now)
    if during is not None and session is None:
        session = True

    def write() -> int:
        with transaction(conn):
            cur = conn.execute(
                "INSERT INTO checkin (day, recorded_at, pain, km, note, side, rest, night, session, during,"
                " morning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    day.isoformat(),
                    recorded.isoformat(),
                    pain,
                    km,
                    note,
                    side,
                    int(rest),
                    int(night),
                    None if session is None else int(session),
                    during,
                    morning,
                ),
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
        session=session,
        during=during,
        morning=morning,
    )  # type: ignore[arg-type]


def load_checkins(
    conn: HistoryConnection, since: date | None = None, damaged: list[Damaged] | None = None
) -> list[CheckIn]:
    """Check-ins on or after `since` (all if None), oldest first. A row that is not a valid check-in
    is left out, and added to `damaged` when a list is given: one bad record never hides the rest."""
    rows = _guard(
        conn,
        lambda: conn.execute(
            "SELECT id, day, recorded_at, pain, km, side, rest, night, note, session, during, morning"
            " FROM checkin WHERE day >= ? ORDER BY day, recorded_at, id",
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
                    session=None if r[9] is None else bool(r[9]),
                    during=r[10],
                    morning=r[11],
                )
            )
        except Exception as exc:  # noqa: BLE001  (whatever is wrong with it, the row is damaged)
            if damaged is not None:
                damaged.append(Damaged("check-in", _id(r[0]), _problem(exc)))
    return out


def _id(value: Any) -> int:
    """A damaged record's id for the report: 0 when the id itself is damaged (not a whole number)."""
    return value if isinstance(value, int) else 0


def _problem(exc: Exception) -> str:
    """A short, safe description of what is wrong with a record, for one line of output."""
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic's ValidationError: the first field and message
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return escape(f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", "")))[:120]
    return escape(str(exc) or type(exc).__name__)[:120]


def latest_checkin(conn: HistoryConnection) -> CheckIn | None:
    """The check-in written last (by when it was written, whatever day it is about), or None."""
    rows = _guard(
        conn,
        lambda: conn.execute("SELECT id FROM checkin ORDER BY recorded_at DESC, id DESC LIMIT 1").fetchall(),
    )
    if not rows:
        return None
    return get_checkin(conn, int(rows[0][0]))


def get_checkin(conn: HistoryConnection, checkin_id: int) -> CheckIn | None:
    """One check-in by id (None when there is none, or it cannot be read)."""
    found = [c for c in load_checkins(conn) if c.id == checkin_id]
    return found[0] if found else None


def remove_checkin(conn: HistoryConnection, checkin_id: int) -> bool:
    """Delete one check-in, in one transaction; every other record stays. False when there was none."""

    def delete() -> bool:
        with transaction(conn):
            return conn.execute("DELETE FROM checkin WHERE id = ?", (checkin_id,)).rowcount == 1

    return _guard(conn, delete)


# --------------------------------------------------------------------------- clearances


def add_clearance(
    conn: HistoryConnection, *, plan: str, phase: str, day: date, now: datetime | None = None
) -> Clearance:
    """Record that a clinician cleared the runner for a step of a plan; return it with its id.

    Idempotent for a day: when that step of that plan already has a clearance of that day (another
    `plan --cleared` got there first), that one is returned and nothing is written. The look and the
    insert are one write transaction, so processes clearing at once store one row."""
    recorded = _utc(now)

    def write() -> tuple[int, str]:
        with transaction(conn):
            found = conn.execute(
                "SELECT id, recorded_at FROM clearance WHERE plan = ? AND phase = ? AND day = ?"
                " ORDER BY id LIMIT 1",
                (plan, phase, day.isoformat()),
            ).fetchone()
            if found is not None:
                return int(found[0]), found[1]
            cur = conn.execute(
                "INSERT INTO clearance (day, recorded_at, plan, phase) VALUES (?, ?, ?, ?)",
                (day.isoformat(), recorded.isoformat(), plan, phase),
            )
            return int(cur.lastrowid or 0), recorded.isoformat()

    rowid, at = _guard(conn, write)
    return Clearance(id=rowid, day=day, recorded_at=at, plan=plan, phase=phase)


def load_clearances(conn: HistoryConnection, damaged: list[Damaged] | None = None) -> list[Clearance]:
    """Every recorded clearance, oldest first; an unreadable one is left out (and added to `damaged`)."""
    rows = _guard(
        conn,
        lambda: conn.execute(
            "SELECT id, day, recorded_at, plan, phase FROM clearance ORDER BY day, recorded_at, id"
        ).fetchall(),
    )
    out = []
    for r in rows:
        try:
            out.append(Clearance(id=r[0], day=r[1], recorded_at=r[2], plan=r[3], phase=r[4]))
        except Exception as exc:  # noqa: BLE001  (whatever is wrong with it, the row is damaged)
            if damaged is not None:
                damaged.append(Damaged("clearance", _id(r[0]), _problem(exc)))
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


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    return value


def _past_result(row: tuple[Any, ...]) -> PastResult:
    rid, day, recorded_at, level, content_version, raw = row
    if not isinstance(raw, str):
        raise ValueError("the saved result is not text")
    try:
        data = _obj(json.loads(raw), "the saved result")
    except RecursionError:
        raise ValueError("the saved result is nested too deeply") from None
    except json.JSONDecodeError:
        raise ValueError("the saved result is not valid JSON") from None
    if "\\u" in raw:  # only a \u escape can make a lone surrogate, which no output can write
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the saved result holds text that is not valid Unicode") from None
    causes = data.get("causes") or []
    lvl = _obj(data.get("level") or {}, "its level")
    reasons = lvl.get("reasons") or []
    if not isinstance(causes, list) or not isinstance(reasons, list):
        raise ValueError("its causes or reasons are not a list")
    top = _obj(causes[0], "its first cause") if causes else None
    return PastResult(
        id=rid,
        day=day,
        recorded_at=recorded_at,
        level=level,
        level_label=lvl.get("label") or level,
        content_version=content_version,
        reasons=[_obj(r, "a reason")["id"] for r in reasons],
        top_cause=top["id"] if top else None,
        top_cause_name=top.get("name") if top else None,
        answers=_obj(data.get("answers") or {}, "its answers"),
    )


def load_results(
    conn: HistoryConnection, since: date | None = None, damaged: list[Damaged] | None = None
) -> list[PastResult]:
    """Saved triage results on or after `since` (all if None), oldest first. A row that cannot be read
    as a result (not JSON, not an object, a field of the wrong kind) is left out, and added to
    `damaged` when a list is given: one bad record never hides the rest."""
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
        except Exception as exc:  # noqa: BLE001  (whatever is wrong with it, the row is damaged)
            if damaged is not None:
                problem = f"missing {exc}" if isinstance(exc, KeyError) else _problem(exc)
                damaged.append(Damaged("saved result", _id(row[0]), problem))
    return out


def load_result_json(conn: HistoryConnection, result_id: int) -> str | None:
    """Saved result `result_id` in full, as it was stored (the TriageResult's --json text), or None
    when there is no such record. ValueError when what is stored is not text."""
    row = _guard(
        conn, lambda: conn.execute("SELECT result_json FROM result WHERE id = ?", (result_id,)).fetchone()
    )
    if row is None:
        return None
    if not isinstance(row[0], str):
        raise ValueError("the saved result is not text")
    return row[0]


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
    for f in [*_side_files(path), lock_path(path)]:
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


# --------------------------------------------------------------------------- repair

SQLITE_MAGIC = b"SQLite format 3\x00"
# The columns kept by a repair, at the current schema (an older file lacks some: they get defaults).
_COLUMNS = {
    "checkin": (
        "id",
        "day",
        "recorded_at",
        "pain",
        "km",
        "note",
        "side",
        "rest",
        "night",
        "session",
        "during",
        "morning",
    ),
    "result": ("id", "day", "recorded_at", "level", "content_version", "result_json"),
    "clearance": ("id", "day", "recorded_at", "plan", "phase"),
}
MAX_PROBE = 1_000_000  # rowids tried one by one between the readable ends of a damaged table


@dataclass(frozen=True)
class Repair:
    """What `repair()` did. `backup` is None when the file was healthy and nothing was changed."""

    backup: Path | None
    checkins: int
    results: int
    unreadable: int = 0  # rows the damaged file would not give up (still in the backup copy)


def _copy_private(src: Path, dst: Path) -> None:
    """Copy a file to a new file (never over an existing one, never through a link), 0600, synced."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with open(src, "rb") as fin:
            while chunk := fin.read(1 << 20):
                os.write(fd, chunk)
        os.fsync(fd)
    finally:
        os.close(fd)


def _backup_name(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        candidate = path.with_name(f"{path.name}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))
        if not any(f.exists() or f.is_symlink() for f in _side_files(candidate)):
            return candidate
    raise StoreError(f"cannot choose a name for the backup copy of {escape(str(path))}")


def _inspect(source: Path) -> tuple[int, int] | None:
    """(check-ins, results) when the copy opens, passes SQLite's integrity check and has both tables;
    None when it is damaged. A file from a newer hipcheck is refused: rebuilding it here would drop
    what this version does not know."""
    try:
        conn = sqlite3.connect(source, isolation_level=None)
    except DB_ERRORS:
        return None
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the history database {escape(str(db_path()))} was written by a newer hipcheck "
                f"(schema {version}); upgrade hipcheck rather than repair it"
            )
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            return None
        known = _schemas()
        rows = _schema_rows(source)
        if rows is None or any(r not in known for r in rows):
            return None  # a CREATE statement changed: the file reads, but not as hipcheck's history
        c = conn.execute("SELECT count(*) FROM checkin").fetchone()[0]
        r = conn.execute("SELECT count(*) FROM result").fetchone()[0]
        return int(c), int(r)
    except DB_ERRORS:
        return None
    finally:
        conn.close()


def _salvage(conn: sqlite3.Connection, table: str) -> tuple[list[dict[str, Any]], int]:
    """Every row of `table` that can be read: a scan from each end, then the ids between the two
    readable ends one by one (a damaged page loses only its own rows). Returns (rows, unreadable):
    `unreadable` counts the ids in damaged parts, each of which may or may not have held a record."""
    try:
        present = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    except DB_ERRORS:
        present = set(_COLUMNS[table])
    if not present:
        return [], 0
    cols = [c for c in _COLUMNS[table] if c in present]
    select = f"SELECT {', '.join(cols)} FROM {table} NOT INDEXED"
    rows: dict[int, tuple[Any, ...]] = {}
    front, back = 0, None  # the last id read from the front, the first id read from the back
    try:
        for r in conn.execute(f"{select} ORDER BY id"):
            rows[r[0]] = r
            front = r[0]
        return [dict(zip(cols, rows[k], strict=True)) for k in sorted(rows)], 0  # all of it
    except DB_ERRORS:
        pass
    try:
        for r in conn.execute(f"{select} ORDER BY id DESC"):
            rows[r[0]] = r
            back = r[0]
    except DB_ERRORS:
        pass
    if not rows:
        return [], 1  # not one row from either end: the table (or the file) cannot be read at all
    unreadable = 0
    # Without a readable end, try ids past the front until a long run gives nothing.
    stop = front + 1 + MAX_PROBE if back is None else min(back, front + 1 + MAX_PROBE)
    run = 0
    for rowid in range(front + 1, stop):
        if rowid in rows:
            continue
        try:
            r = conn.execute(f"{select} WHERE id = ?", (rowid,)).fetchone()
        except DB_ERRORS:
            unreadable += 1
            r = None
        if r is not None:
            rows[r[0]], run = r, 0
        elif back is None:
            run += 1
            if run >= 10_000:
                break
    return [dict(zip(cols, rows[k], strict=True)) for k in sorted(rows)], unreadable


def _schemas() -> list[tuple[bytes, bytes, bytes, bytes]]:
    """(type, name, tbl_name, sql) of every table and index at every schema version, as SQLite writes
    them (ALTER TABLE edits the CREATE text): what a damaged schema row is mended to."""
    seen: list[tuple[bytes, bytes, bytes, bytes]] = []
    for version in range(1, SCHEMA_VERSION + 1):
        mem = sqlite3.connect(":memory:", isolation_level=None)
        mem.text_factory = bytes
        try:
            for step in MIGRATIONS[:version]:
                for statement in step:
                    mem.execute(statement)
            query = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            for row in mem.execute(query):
                if row not in seen:
                    seen.append(row)
        finally:
            mem.close()
    return seen


def _schema_rows(src: Path) -> list[tuple[bytes, bytes, bytes, bytes]] | None:
    """(type, name, tbl_name, sql) of each row of the file's schema, as bytes; None if unreadable."""
    try:
        conn = sqlite3.connect(src, isolation_level=None)
    except DB_ERRORS:
        return None
    conn.text_factory = bytes
    try:
        conn.execute("PRAGMA writable_schema = ON")  # reads the rows without parsing them
        return [tuple(r) for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")]
    except DB_ERRORS:
        return None
    finally:
        conn.close()


def _mend_schema(src: Path) -> None:
    """When a row of the scratch copy's schema is not one hipcheck wrote (a damaged byte in a CREATE
    statement: every query fails, or a column has another name), put back the text it must have held:
    the closest of the known schema rows. A row like none of them is dropped. Only the scratch copy
    is changed; the data pages, which the CREATE text only describes, are read as they are."""
    import difflib

    known = _schemas()
    rows = _schema_rows(src)
    if rows is not None and all(r in known for r in rows):
        return
    try:
        conn = sqlite3.connect(src, isolation_level=None)
    except DB_ERRORS:
        return
    conn.text_factory = bytes
    try:
        conn.execute("PRAGMA writable_schema = ON")
        rows = conn.execute("SELECT rowid, type, name, tbl_name, sql FROM sqlite_master").fetchall()
        with transaction(conn):
            for rowid, *entry in rows:
                if tuple(entry) in known:
                    continue

                def likeness(k: tuple[bytes, ...], entry: list = entry) -> float:
                    mine = b"\x00".join(e if isinstance(e, bytes) else b"" for e in entry)
                    return difflib.SequenceMatcher(None, mine, b"\x00".join(k), autojunk=False).ratio()

                best = max(known, key=likeness)
                if likeness(best) >= 0.8:
                    conn.execute(
                        "UPDATE sqlite_master SET type = ?, name = ?, tbl_name = ?, sql = ? WHERE rowid = ?",
                        (*(b.decode() for b in best), rowid),
                    )
                else:
                    conn.execute("DELETE FROM sqlite_master WHERE rowid = ?", (rowid,))
    except DB_ERRORS:
        pass  # what cannot be mended is read as far as it can be
    finally:
        conn.close()


def _rebuild(src: Path, dst: Path) -> tuple[int, int, int]:
    """Write every readable row of `src` into a new database `dst`; (check-ins, results, unreadable)."""
    with open(src, "r+b") as fh:  # a damaged header's first 16 bytes are fixed: SQLite needs them
        head = fh.read(len(SQLITE_MAGIC))
        if head != SQLITE_MAGIC and os.fstat(fh.fileno()).st_size >= 512:
            fh.seek(0)
            fh.write(SQLITE_MAGIC)
    _mend_schema(src)
    found: dict[str, list[dict[str, Any]]] = {"checkin": [], "result": [], "clearance": []}
    unreadable = 0
    try:
        old = sqlite3.connect(src, isolation_level=None)
        old.text_factory = _read_text
    except DB_ERRORS:
        old = None
    if old is not None:
        try:
            for table in found:
                try:
                    found[table], lost = _salvage(old, table)
                except DB_ERRORS:
                    continue  # this table cannot be read at all
                unreadable += lost
        finally:
            old.close()
    fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    os.close(fd)
    new = sqlite3.connect(dst, isolation_level=None)
    kept = {"checkin": 0, "result": 0, "clearance": 0}
    try:
        with transaction(new):
            for step in MIGRATIONS:
                for statement in step:
                    new.execute(statement)
            new.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for table, rows in found.items():
                for row in rows:
                    insert = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
                    try:
                        new.execute(insert, list(row.values()))
                        kept[table] += 1
                    except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError):
                        unreadable += 1  # a value the schema refuses: it stays in the backup copy
        if new.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise StoreError(f"the rebuilt history {escape(str(dst))} did not pass its check")
    finally:
        new.close()
    return kept["checkin"], kept["result"], unreadable


def repair() -> Repair:
    """Rebuild a damaged history from every record it still holds, after keeping a backup copy.

    The live file is never opened before the backup exists: it is copied (with its -wal and -journal)
    into a scratch folder, and checked there. A healthy file is left untouched. Otherwise the file and
    its side files are copied, 0600, to `history.db.damaged-YYYYMMDD-HHMMSS` (and -wal, -journal);
    the records that can be read from the scratch copy go into a new file, which replaces the damaged
    one in one rename. Records that cannot be read stay in the backup. All of it holds the repair lock
    exclusively, so no other hipcheck writes to the file meanwhile (StoreBusy when one keeps it open
    past the busy timeout; nothing is changed then)."""
    path = db_path()
    _check_place(path)
    if not path.is_file():
        raise StoreError(f"no history database at {escape(str(path))}")
    lock = _hold_lock(path, exclusive=True, timeout=BUSY_TIMEOUT)  # no writer while it works
    try:
        return _repair_locked(path)
    finally:
        if lock is not None:
            os.close(lock)


def _repair_locked(path: Path) -> Repair:
    import shutil
    import tempfile

    if not path.is_file():
        raise StoreError(f"no history database at {escape(str(path))}")
    try:
        work = Path(tempfile.mkdtemp(prefix=".repair-", dir=path.parent))
    except OSError as exc:
        raise _unusable(path, exc) from None
    try:
        originals = [f for f in _side_files(path) if f.exists()]
        source = work / "source.db"
        for f in originals:
            _copy_private(f, source.with_name(f.name.replace(path.name, source.name, 1)))
        healthy = _inspect(source)
        if healthy is not None:
            return Repair(None, *healthy)
        backup = _backup_name(path)
        for f in originals:  # the backup, before anything changes
            _copy_private(f, backup.with_name(f.name.replace(path.name, backup.name, 1)))
        rebuilt = work / "rebuilt.db"
        n_checkins, n_results, unreadable = _rebuild(source, rebuilt)
        for f in _side_files(path)[1:]:  # the old journal must not be applied to the new file
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
        os.replace(rebuilt, path)
        if POSIX:
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except OSError as exc:
        raise _unusable(path, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Repair(backup, n_checkins, n_results, unreadable)
