"""The content cache: TOML is parsed once, and the `--json` views of `list`, `explain` and `questions`
are rendered once, per distinct content.

- Key: SHA-256 over the bytes of every content file `load_content` reads (names and contents), the
  name, size, modification and change times and inode of every hipcheck source file, pydantic's version
  file, the hipcheck version and the Python version. Any
  change to any of them is a different key, so a stale entry is never even looked at.
- Entry: one file `content-<key>.bin` in the cache folder: a header line (magic, format, key, then the
  length and SHA-256 of each section), then two sections of JSON text: the views, then the parsed
  TOML. JSON is plain data: unlike `marshal` or `pickle` it cannot carry code objects, so an entry can
  never be more than text and numbers. A read checks the magic, format, key and the section's hash
  before decoding it (the `--json` views read only their own section), then the shape of what it
  decoded; any failure (missing, truncated, corrupt, unreadable, wrong shape) counts as a miss: the CLI
  loads content from TOML as if there were no cache and writes a fresh entry.
- The hash guards against damage, not against forgery: anyone who can write the folder could write a
  matching one. So the cache is used only in a folder that is the user's own: hipcheck creates it
  with mode 0700, and a folder (or entry) owned by another user, or writable by its group or by
  others, is neither read nor written (a symbolic link to an entry is refused too). Pruning removes
  only files that start with hipcheck's own header.
- Only content that validated is cached, and a hit is validated again by the same code (the cache
  spares the TOML parsing, which is most of the cost, not the checks); the views are served as stored.
- Writes go to a temporary file in the same folder, then `os.replace`, so readers see the old entry or
  the new one, never half of one. Failures to write are ignored: the cache is an optimisation only.
- Where: `HIPCHECK_CACHE` if set (`off` or `0` disables the cache), else the user cache folder
  (`$XDG_CACHE_HOME/hipcheck` or `~/.cache/hipcheck` on Linux; platformdirs elsewhere).

Content files are read by `files.read_files` (for the key, and for parsing: each file once), within
the limits documented there and in content/README.md. The views are built by `catalog.build_views`.

This module is imported on the fast paths, so it imports nothing heavy at module level (no pydantic,
no TOML parser, no Rich).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

from hipcheck import __version__
from hipcheck.knowledge.files import (
    BOOKS,
    MAX_CONDITION_FILES,
    PLAN_BOOKS,
    ContentFileError,
    content_files,
    read_files,
)

ENV_VAR = "HIPCHECK_CACHE"
FORMAT = 2  # 1 was marshal; 2 is JSON in two sections
KEEP = 8  # entries kept in the folder (one per distinct content: the source tree, test fixtures, ...)
_PREFIX = "content-"
_SUFFIX = ".bin"
_MAGIC = b"hipcheck-cache"
_SECTIONS = ("views", "data")

# --------------------------------------------------------------------------- where


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    env = os.environ.get(ENV_VAR)
    if env is not None:
        if env.strip().lower() in ("", "0", "off", "no", "false"):
            return None
        return Path(env).expanduser()
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
        return root / "hipcheck"
    import platformdirs

    return Path(platformdirs.user_cache_dir("hipcheck", appauthor=False))


# --------------------------------------------------------------------------- key


_code_digest: bytes | None = None


def _code() -> bytes:
    """Digest of the code that shapes a cache entry: hipcheck's sources and pydantic's version."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256()
        h.update(f"{FORMAT}\0{__version__}\0{sys.version}\0{sys.implementation.cache_tag}\0".encode())
        package = Path(__file__).resolve().parents[1]  # hipcheck/
        for path in sorted(package.rglob("*.py")):
            # A source file by its metadata, not its bytes (reading and hashing every source cost more
            # than the rest of a `list --json`): any write to a file changes its ctime, which no tool can
            # set back, so an edited, reinstalled or checked-out source is a different key.
            st = path.stat()
            h.update(
                b"%s\0%d:%d:%d:%d\0"
                % (
                    path.relative_to(package).as_posix().encode(),
                    st.st_size,
                    st.st_mtime_ns,
                    st.st_ctime_ns,
                    st.st_ino,
                )
            )
        import importlib.util

        spec = importlib.util.find_spec("pydantic")
        if spec is not None and spec.origin:
            h.update(Path(spec.origin).with_name("version.py").read_bytes())
        _code_digest = h.digest()
    return _code_digest


def fingerprint(
    root: Path, files: list[Path] | None = None, blobs: dict[Path, bytes | ContentFileError] | None = None
) -> str | None:
    """The cache key for a content folder, or None when a file cannot be used (then: no cache).
    `blobs`: the files as `read_files` returned them, when the caller has read them already."""
    try:
        files = files if files is not None else content_files(root)
        if len(files) > len(BOOKS) + len(PLAN_BOOKS) + 1 + MAX_CONDITION_FILES:  # + regions.toml
            return None
        blobs = blobs if blobs is not None else read_files(files)
        h = hashlib.sha256(_code())
        for path in files:
            name = path.relative_to(root).as_posix().encode()
            data = blobs[path]
            if isinstance(data, ContentFileError):
                return None
            h.update(b"%d:%s%d:" % (len(name), name, len(data)))
            h.update(data)
        return h.hexdigest()
    except (OSError, ValueError, KeyError):
        return None


# --------------------------------------------------------------------------- the folder: the user's own


def _private(st: os.stat_result) -> bool:
    """Owned by this user, and writable by nobody else (no group or other write bit). On Windows, where
    access is by ACL and the mode bits say nothing about it, the per-user cache folder is taken as is."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and st.st_uid == getuid()


def _usable_folder(folder: Path) -> bool:
    """The cache folder exists, is a folder, and is the user's own (see `_private`)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _private(st)


def _open_entry(path: Path) -> bytes | None:
    """An entry's bytes, if it is a regular file of the user's own (not a symbolic link), else None."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not (stat.S_ISREG(st.st_mode) and _private(st)):
            return None
        return fh.read()


# --------------------------------------------------------------------------- read and write


def _entry(folder: Path, key: str) -> Path:
    return folder / f"{_PREFIX}{key}{_SUFFIX}"


def _section(key: str | None, name: str) -> Any:
    """One section of the entry for `key`, decoded, or None on any miss: absent, unreadable, corrupt,
    another key, or a folder or file that is not the user's own."""
    folder = cache_dir()
    if key is None or folder is None or not _usable_folder(folder):
        return None
    try:
        blob = _open_entry(_entry(folder, key))
        if blob is None:
            return None
        head, sep, body = blob.partition(b"\n")
        magic, fmt, stored_key, *sections = head.split(b" ")
        if not sep or magic != _MAGIC or fmt != b"%d" % FORMAT or stored_key != key.encode():
            return None
        offset = 0
        for section_name, section in zip(_SECTIONS, sections, strict=True):
            size, digest = section.split(b":")
            start, offset = offset, offset + int(size)
            if section_name == name:
                part = body[start:offset]
                if len(part) != int(size) or digest != hashlib.sha256(part).hexdigest().encode():
                    return None
                return _from_json(part, name == "data")
        return None
    except (OSError, ValueError, RecursionError):
        return None


def _from_json(text: bytes, heavy_path: bool) -> Any:
    """Decode JSON with pydantic-core's parser (about as fast as marshal, twice as fast as `json`) when
    it is loaded already: on the load path always, and on the `--json` views path too, as Typer loads
    pydantic. Otherwise the standard library's, so the fast path never pays for importing pydantic."""
    if heavy_path or "pydantic_core" in sys.modules:
        from pydantic_core import from_json

        return from_json(text)
    import json

    return json.loads(text)


def read_views(key: str | None) -> dict[str, Any] | None:
    """The cached `--json` views for `key` (see `build_views`), or None."""
    views = _section(key, "views")
    return views if _views_ok(views) else None


def read_data(key: str | None) -> dict[str, Any] | None:
    """The cached parsed TOML for `key` (file name → its table), or None."""
    data = _section(key, "data")
    return data if isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()) else None


def read(key: str | None) -> dict[str, Any] | None:
    """The whole cached entry for `key` ({"views": ..., "data": ...}), or None on any miss."""
    views, data = read_views(key), read_data(key)
    return {"views": views, "data": data} if views is not None and data is not None else None


def _views_ok(views: Any) -> bool:
    return (
        isinstance(views, dict)
        and isinstance(views.get("list"), str)
        and isinstance(views.get("questions"), str)
        and isinstance(views.get("explain"), dict)
        and isinstance(views.get("names"), list)
        and (views.get("regions") is None or isinstance(views["regions"], dict))
        and all(isinstance(v, str) for v in views["explain"].values())
        and all(
            isinstance(e, list)
            and len(e) == 2
            and isinstance(e[0], str)
            and e[0] in views["explain"]
            and isinstance(e[1], list)
            and all(isinstance(n, str) for n in e[1])
            for e in views["names"]
        )
    )


def write(key: str | None, entry: dict[str, Any]) -> bool:
    """Store an entry ({"views": ..., "data": ...}) atomically; True when it was written. Never raises
    for I/O problems. Creates the folder with mode 0700; never writes into one that is not the user's
    own (see `_private`)."""
    folder = cache_dir()
    if key is None or folder is None:
        return False
    import json

    try:
        parts = [
            json.dumps(entry[name], ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            for name in _SECTIONS
        ]
    except (TypeError, ValueError, KeyError, RecursionError):  # e.g. a TOML date: work without a cache
        return False
    header = b" ".join(
        (
            _MAGIC,
            b"%d" % FORMAT,
            key.encode(),
            *(b"%d:%s" % (len(p), hashlib.sha256(p).hexdigest().encode()) for p in parts),
        )
    )
    tmp: Path | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _usable_folder(folder):
            return False
        import tempfile

        fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)  # mode 0600
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + b"\n" + b"".join(parts))
        os.replace(tmp, _entry(folder, key))
        tmp = None
        _prune(folder)
        return True
    except OSError:
        return False
    finally:
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass


def _is_ours(path: Path) -> bool:
    """The file starts with hipcheck's cache header (any format), so hipcheck wrote it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as fh:
        return stat.S_ISREG(os.fstat(fh.fileno()).st_mode) and fh.read(len(_MAGIC) + 1) == _MAGIC + b" "


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently written entries. Only hipcheck's own entries are counted or removed:
    a file that merely matches the name pattern is left alone."""
    entries = []
    for path in folder.glob(f"{_PREFIX}*{_SUFFIX}"):
        try:
            entries.append((path.lstat().st_mtime_ns, path))
        except OSError:
            pass
    entries.sort(reverse=True)
    kept = 0
    for _, path in entries:
        if not _is_ours(path):
            continue
        kept += 1
        if kept > KEEP:
            try:
                path.unlink()
            except OSError:
                pass


def cached_views(root: Path) -> dict[str, Any] | None:
    """The views for a content folder straight from the cache (no TOML, no pydantic models), or None."""
    return read_views(fingerprint(root)) if root.is_dir() else None
