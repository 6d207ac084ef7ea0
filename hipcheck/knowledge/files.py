"""Reading a content folder's files, within limits: which files there are (`content_files`), where the
folder is (`default_content_dir`), and their bytes (`read_file`, `read_files`).

Only regular files are read (a FIFO, device or folder named `*.toml` is refused without being opened
for long: it is opened non-blocking and checked first), at most `MAX_FILE_BYTES` each, `MAX_TOTAL_BYTES`
together and `MAX_CONDITION_FILES` condition files. content/README.md documents these limits.

Imported on the fast paths: nothing heavy here (no pydantic, no TOML parser, no Rich).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

CONTENT_ENV_VAR = "HIPCHECK_CONTENT"
BOOKS = ("meta.toml", "questions.toml", "rules.toml", "tips.toml")
# The back-to-running plans: optional (a folder without them has no plans), read when either is there.
PLAN_BOOKS = ("exercises.toml", "plans.toml")
# Where to get help in each region (optional: a folder without it names services in its own words).
REGIONS_BOOK = "regions.toml"

# Limits on a content folder (content/README.md says them too). The shipped content is far inside them:
# its largest file is about 60 KB and the whole folder about 400 KB, in 44 condition files.
MAX_FILE_BYTES = 1024 * 1024  # one content file
MAX_TOTAL_BYTES = 8 * 1024 * 1024  # every content file together
MAX_CONDITION_FILES = 500  # the benchmarks load 4 times the shipped conditions


# --------------------------------------------------------------------------- where

NAME_MAX = 255  # bytes in one name of a path (Linux, macOS, Windows: 255 characters or bytes)
PATH_MAX = 4096  # bytes in a whole path (Linux)


def path_problem(path: Path | str) -> str | None:
    """Why the operating system would refuse `path` whatever is done with it, in a few words, or None.

    The one check every path a user gives goes through (--save, HIPCHECK_HOME, --content, content
    check and accuracy, the API's content folder), before anything asks the OS about it: a name in it
    longer than NAME_MAX bytes (ENAMETOOLONG), a whole path past PATH_MAX, or a folder on the way the
    account may not search (EACCES) or a loop of links (ELOOP). A path that does not exist yet is
    not a problem here: each caller says what it needs."""
    text = os.fspath(path)
    try:
        raw = os.fsencode(text)
    except (UnicodeError, ValueError):
        return "it is not a valid file name"
    if b"\x00" in raw:
        return "it holds a NUL character"
    if any(len(part) > NAME_MAX for part in raw.split(b"/")):
        return f"a name in it is too long (more than {NAME_MAX} bytes)"
    if len(raw) >= PATH_MAX:
        return f"it is too long (more than {PATH_MAX - 1} bytes)"
    try:
        os.stat(raw)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return _os_reason(exc)
    return None


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENAMETOOLONG:
        return "it is too long for the file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: your account may not open a folder on the way"
    if exc.errno == errno.ELOOP:
        return "it goes round a loop of symbolic links"
    return (exc.strerror or str(exc)).lower()


def default_content_dir() -> Path:
    """HIPCHECK_CONTENT if set; else the copy inside the installed package; else the source tree."""
    env = os.environ.get(CONTENT_ENV_VAR)
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]  # hipcheck/
    packaged = package / "content"  # where the wheel puts it
    if packaged.is_dir():
        return packaged
    return package.parent / "content"


def content_files(root: Path) -> list[Path]:
    """The files `load_content` reads, in the order it reads them: the four books, the plan books when
    either is there, regions.toml when it is there, then at most MAX_CONDITION_FILES + 1 condition files
    (one more than allowed is enough to say there are too many)."""
    cdir = root / "conditions"
    try:
        conditions = sorted(cdir.glob("*.toml")) if cdir.is_dir() else []
    except OSError:
        conditions = []
    plans = [root / name for name in PLAN_BOOKS]
    if not any(p.exists() or p.is_symlink() for p in plans):
        plans = []
    regions = root / REGIONS_BOOK
    books = [regions] if regions.exists() or regions.is_symlink() else []
    return [root / name for name in BOOKS] + plans + books + conditions[: MAX_CONDITION_FILES + 1]


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n / 1024:g} KiB"


class ContentFileError(Exception):
    """A content file that cannot be used; the message says why in a few words ("file is missing")."""


class _TooLarge(ContentFileError):
    pass


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a content file, or ContentFileError: missing, not a regular file (a FIFO, device or
    folder, checked before reading, and opened non-blocking so a FIFO cannot hang), unreadable, or
    larger than `limit` (never more than `limit` + 1 bytes are read)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ContentFileError("is not a regular file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the check above
                raise ContentFileError("is not a regular file")
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ContentFileError("file is missing") from None
    except OSError as exc:
        raise ContentFileError(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise _TooLarge(f"is larger than the limit of {_size(limit)} for a content file")
    return data


def read_files(files: list[Path]) -> dict[Path, bytes | ContentFileError]:
    """Each file's bytes, or why it cannot be used. At most MAX_TOTAL_BYTES are read in all."""
    out: dict[Path, bytes | ContentFileError] = {}
    left = MAX_TOTAL_BYTES
    for path in files:
        try:
            out[path] = data = read_file(path, min(MAX_FILE_BYTES, left))
            left -= len(data)
        except _TooLarge as exc:
            out[path] = (
                exc
                if left >= MAX_FILE_BYTES
                else ContentFileError(f"not read: the content files together pass {_size(MAX_TOTAL_BYTES)}")
            )
        except ContentFileError as exc:
            out[path] = exc
    return out
