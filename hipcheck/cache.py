"""The content cache: TOML is parsed once, and the `--json` views of `list`, `explain` and `questions`
are rendered once, per distinct content.

- Key: SHA-256 over the bytes of every content file `load_content` reads (names and contents), every
  hipcheck source file, pydantic's version file, the hipcheck version and the Python version. Any
  change to any of them is a different key, so a stale entry is never even looked at.
- Entry: one file `content-<key>.bin` in the cache folder: a header line (magic, format, key, SHA-256
  of the body), then the body in `marshal` format (the format of Python's own `__pycache__`; the key
  includes the Python version). A read checks the magic, format, key and the body's hash before
  decoding it, then the shape of what it decoded; any failure (missing, truncated, corrupt,
  unreadable, wrong shape) counts as a miss: the CLI loads content from TOML as if there were no
  cache and writes a fresh entry.
- Only content that validated is cached, and a hit is validated again by the same code (the cache
  spares the TOML parsing, which is most of the cost, not the checks); the views are served as stored.
- Writes go to a temporary file in the same folder, then `os.replace`, so readers see the old entry or
  the new one, never half of one. Failures to write are ignored: the cache is an optimisation only.
- Where: `HIPCHECK_CACHE` if set (`off` or `0` disables the cache), else the user cache folder
  (`$XDG_CACHE_HOME/hipcheck` or `~/.cache/hipcheck` on Linux; platformdirs elsewhere).

This module is imported on the fast paths, so it imports nothing heavy at module level (no pydantic,
no TOML parser, no Rich).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .content import KnowledgeBase

ENV_VAR = "HIPCHECK_CACHE"
CONTENT_ENV_VAR = "HIPCHECK_CONTENT"
FORMAT = 1
KEEP = 8  # entries kept in the folder (one per distinct content: the source tree, test fixtures, ...)
BOOKS = ("meta.toml", "questions.toml", "rules.toml", "tips.toml")
_PREFIX = "content-"
_SUFFIX = ".bin"
_MAGIC = b"hipcheck-cache"


# --------------------------------------------------------------------------- where


def default_content_dir() -> Path:
    """HIPCHECK_CONTENT if set; else the copy inside the installed package; else the source tree."""
    env = os.environ.get(CONTENT_ENV_VAR)
    if env:
        return Path(env)
    packaged = Path(__file__).resolve().parent / "content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "content"


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


def content_files(root: Path) -> list[Path]:
    """The files `load_content` reads, in the order it reads them."""
    cdir = root / "conditions"
    conditions = sorted(cdir.glob("*.toml")) if cdir.is_dir() else []
    return [root / name for name in BOOKS] + conditions


# --------------------------------------------------------------------------- key


_code_digest: bytes | None = None


def _code() -> bytes:
    """Digest of the code that shapes a cache entry: hipcheck's sources and pydantic's version."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256()
        h.update(f"{FORMAT}\0{__version__}\0{sys.version}\0{sys.implementation.cache_tag}\0".encode())
        here = Path(__file__).resolve().parent
        for path in sorted(here.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        import importlib.util

        spec = importlib.util.find_spec("pydantic")
        if spec is not None and spec.origin:
            h.update(Path(spec.origin).with_name("version.py").read_bytes())
        _code_digest = h.digest()
    return _code_digest


def fingerprint(root: Path, files: list[Path] | None = None) -> str | None:
    """The cache key for a content folder, or None when a file cannot be read (then: no cache)."""
    try:
        h = hashlib.sha256(_code())
        for path in files if files is not None else content_files(root):
            name = path.relative_to(root).as_posix().encode()
            data = path.read_bytes()
            h.update(b"%d:%s%d:" % (len(name), name, len(data)))
            h.update(data)
        return h.hexdigest()
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- read and write


def _entry(folder: Path, key: str) -> Path:
    return folder / f"{_PREFIX}{key}{_SUFFIX}"


def read(key: str | None) -> dict[str, Any] | None:
    """The cached entry for `key`, or None on any miss: absent, unreadable, corrupt, or another key."""
    folder = cache_dir()
    if key is None or folder is None:
        return None
    try:
        blob = _entry(folder, key).read_bytes()
        head, sep, body = blob.partition(b"\n")
        magic, fmt, stored_key, digest = head.split(b" ")
        if (
            not sep
            or magic != _MAGIC
            or fmt != b"%d" % FORMAT
            or stored_key != key.encode()
            or digest != hashlib.sha256(body).hexdigest().encode()
        ):
            return None
        entry = marshal.loads(body)
        ok = isinstance(entry, dict) and isinstance(entry.get("data"), dict) and _views_ok(entry.get("views"))
        return entry if ok else None
    except (OSError, ValueError, EOFError, AttributeError, TypeError, RecursionError):
        return None


def _views_ok(views: Any) -> bool:
    return (
        isinstance(views, dict)
        and isinstance(views.get("list"), str)
        and isinstance(views.get("questions"), str)
        and isinstance(views.get("explain"), dict)
        and isinstance(views.get("names"), list)
        and all(isinstance(v, str) for v in views["explain"].values())
        and all(
            isinstance(e, list) and len(e) == 2 and e[0] in views["explain"] and isinstance(e[1], list)
            for e in views["names"]
        )
    )


def write(key: str | None, entry: dict[str, Any]) -> bool:
    """Store an entry atomically; True when it was written. Never raises for I/O problems."""
    folder = cache_dir()
    if key is None or folder is None:
        return False
    try:
        body = marshal.dumps(entry)
    except ValueError:  # e.g. a TOML date: keep working without a cache
        return False
    header = b" ".join((_MAGIC, b"%d" % FORMAT, key.encode(), hashlib.sha256(body).hexdigest().encode()))
    tmp: Path | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        import tempfile

        fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + b"\n" + body)
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


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently written entries."""
    entries = []
    for path in folder.glob(f"{_PREFIX}*{_SUFFIX}"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            pass
    entries.sort(reverse=True)
    for _, path in entries[KEEP:]:
        try:
            path.unlink()
        except OSError:
            pass


# --------------------------------------------------------------------------- what is cached


def build_views(kb: KnowledgeBase) -> dict[str, Any]:
    """The exact text `list --json`, `questions --json` and `explain ID --json` print (without the final
    newline), and the names `explain` resolves."""
    from .catalog import condition_list, condition_page, question_list

    return {
        "list": condition_list(kb).model_dump_json(indent=2),
        "questions": question_list(kb).model_dump_json(indent=2),
        "explain": {c.id: condition_page(kb, c).model_dump_json(indent=2) for c in kb.conditions},
        "names": [[c.id, [c.id, c.name, *c.aliases]] for c in kb.conditions],
    }


def cached_views(root: Path) -> dict[str, Any] | None:
    """The views for a content folder straight from the cache (no TOML, no pydantic), or None."""
    entry = read(fingerprint(root)) if root.is_dir() else None
    return entry["views"] if entry is not None else None
