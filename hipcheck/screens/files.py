"""Saving what a screen made to a file the user named (`--save`): the checks made before any work
(so a typo never costs an interview), and the private, all-or-nothing write. Reports and plans both
use these."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from hipcheck.knowledge.files import path_problem
from hipcheck.knowledge.text import echo, escape


def save_path_problem(
    path: Path, types: tuple[str, ...], kind: str, *, overwrite: bool = False
) -> str | None:
    """Why `--save PATH` cannot be written, in one line, or None. `types`: the suffixes this `kind`
    of file ("report", "plan file") can be saved as; the first names the example file."""
    shown = echo(str(path))
    problem = path_problem(path)
    if problem:
        return f"--save '{shown}' cannot be used: {problem}"
    suffix = path.suffix.lower()
    stem = kind.split()[0]
    if not suffix and path.name.lower() in types:  # `--save .md`: a type, but no name
        return f"--save '{shown}' has no file name; give one, such as {stem}{path.name.lower()}"
    if suffix not in types:
        listed = ", ".join(types[:-1]) + f" or {types[-1]}"
        return f"--save: unknown {kind} type '{escape(path.suffix or path.name)}'; use {listed}"
    folder = Path(os.path.abspath(path)).parent
    where = escape(str(folder))
    if not folder.is_dir():
        return f"--save: the folder {where} does not exist; create it first, or choose another"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"--save: you cannot write to the folder {where}"
    if path.is_dir():
        example = escape(str(path / f"{stem}{types[1] if len(types) > 1 else types[0]}"))
        return f"--save: {shown} is a folder; give a file name, such as {example}"
    if (path.exists() or path.is_symlink()) and not overwrite:
        return f"--save: {shown} already exists; add --overwrite to replace it, or choose another name"
    return None


def write_private(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` all at once: a new file is private (0600: it holds health data); an
    existing one is replaced only with `overwrite` (else FileExistsError), keeping its mode. A symbolic
    link is replaced, not followed. On any failure nothing is left behind."""
    folder = Path(os.path.abspath(path)).parent
    # A temporary name of fixed length (22 bytes): one built from the file's name did not fit when
    # the name was itself near the 255-byte limit, and failed after all the work.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".hipcheck-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            old = path.lstat()
        except FileNotFoundError:
            old = None
        if old is not None:
            if not overwrite:
                raise FileExistsError(17, "the file already exists (add --overwrite to replace it)")
            if stat.S_ISREG(old.st_mode):
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
