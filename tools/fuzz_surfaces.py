"""Fuzz the surfaces of issue 19 on purpose (not in CI): damaged history files, writers racing a
repair, closed and broken standard streams, hostile paths. Every case is made from the seed, so a
failure is replayed with the same `--seed` and `--cases` (and `--start` to go straight to it).

    python tools/fuzz_surfaces.py --surface damaged-db --seed 1 --cases 10000
    python tools/fuzz_surfaces.py --surface paths --seed 1 --cases 10000
    python tools/fuzz_surfaces.py --surface streams --seed 1 --cases 2000
    python tools/fuzz_surfaces.py --surface repair-race --seed 1 --cases 20

What each surface checks (a case that breaks it is printed with its number and what it did):
- damaged-db: a real history (check-ins, a saved result, a clearance) with 1 to 8 bytes changed
  (half the cases on page 1, where the schema text is; bytes that are not UTF-8 among them) or cut
  short. Opening, reading, repair and forget raise nothing but StoreError; after a repair that
  succeeds, the file opens, passes SQLite's integrity check and reads without error; `history`
  through the CLI exits 0 or 1 with no traceback and one line on stderr.
- repair-race: a damaged file of some thousand rows, `history --repair` and several `log` runs
  started together as real processes. Every `log` that printed "Logged" is in the file afterwards.
- streams: a command, with stdin, stdout and stderr each open, closed (as `<&-` leaves it), or a
  pipe whose reader has gone. In a forked child, so 10,000 cases take minutes, not hours. The exit
  code is 0, 1, 2 or 130 (0 when only stdout was broken or closed), nothing is printed but
  `hipcheck: ` lines on stderr, and the history file is still a valid database.
- paths: --save, HIPCHECK_HOME and --content made of long names (up to 300 bytes), control
  characters, bytes that are not UTF-8, `..`, symbolic links (loops too), files where a folder goes.
  The exit code is 0, 1 or 2; stderr has no traceback, each of its lines starts `hipcheck: `, no raw
  control character reaches the terminal, and no error line is longer than 1,000 characters.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipcheck.history import store  # noqa: E402

TODAY = date(2026, 6, 15)
EXAMPLE = str(ROOT / "docs/examples/outer-hip.json")
RAW_CONTROLS = set(chr(c) for c in range(0x20) if chr(c) not in "\n\t") | {"\x7f", "\x9b", "\u202e", "\u2066"}


class Finding(Exception):
    pass


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise Finding(what)


def _cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The CLI in-process (Typer's runner), with its exit code, stdout and stderr."""
    from typer.testing import CliRunner

    from hipcheck.commands import history as history_cli
    from hipcheck.commands.app import app

    if not any(c.name == "history" for c in app.registered_commands):
        history_cli.register(app)
    r = CliRunner().invoke(app, args, env=env, catch_exceptions=True)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        tb = "".join(traceback.format_exception(r.exception))
        raise Finding(f"{args!r}: {type(r.exception).__name__}: {r.exception}\n{tb[-1500:]}")
    return r.exit_code, r.stdout, r.stderr


def _stderr_ok(err: str, what: str, code: int = 0) -> None:
    """No traceback, no raw control character, no line over 1,000 characters; a failure (exit 1 or
    2) ends with one `hipcheck: error:` line (content check's count of problems aside)."""
    _check("Traceback" not in err, f"{what}: a traceback: {err[-500:]!r}")
    lines = [line for line in err.splitlines() if line and not line.endswith(" problem(s) found")]
    if code in (1, 2) and lines:
        _check(lines[-1].startswith("hipcheck: error: "), f"{what}: exit {code} ends {lines[-1][:200]!r}")
    for line in lines:
        _check(len(line) <= 1000, f"{what}: an error line of {len(line)} characters")
    _check(not (set(err) & RAW_CONTROLS), f"{what}: a raw control character on stderr: {err[:300]!r}")


# --------------------------------------------------------------------------- damaged-db


def _base_history(home: Path) -> bytes:
    from hipcheck.engine.decide import assess
    from hipcheck.knowledge.loader import load_content

    os.environ[store.ENV_VAR] = str(home)
    kb = load_content(None, use_cache=True)
    answers = {q.id: None for q in []}
    answers = {"injury": "no", "weight_bearing": "normal", "warning_signs": ["none"], "nerve_signs": ["none"]}
    answers |= {"body_signs": ["none"], "location": ["lateral"]}
    conn = store.open_store()
    try:
        for i in range(60):
            store.add_checkin(conn, pain=i % 11, day=TODAY, today=TODAY, note=f"note {i}", side="left")
        store.save_result(conn, assess(kb, answers))
        store.add_clearance(conn, plan="bone_stress", phase="rebuild", day=TODAY)
        store.remove_checkin(conn, 7)
    finally:
        conn.close()
    return store.db_path().read_bytes()


def _damage(rng: random.Random, base: bytes) -> tuple[bytes, str]:
    data = bytearray(base)
    how = rng.random()
    if how < 0.15:
        cut = rng.randrange(0, len(data))
        return bytes(data[:cut]), f"cut to {cut} bytes"
    page1 = how < 0.6
    flips = []
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(100, 4096) if page1 else rng.randrange(0, len(data))
        value = rng.choice([0xCA, 0xFF, 0x80, 0x00, rng.randrange(256)])
        data[at] = value
        flips.append(f"{at}={value:#04x}")
    return bytes(data), "bytes " + ", ".join(flips)


def surface_damaged_db(rng: random.Random, case: int, work: Path, state: dict) -> str:
    home = work / "home"
    if "base" not in state:
        state["base"] = _base_history(work / "base")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(mode=0o700)
    os.environ[store.ENV_VAR] = str(home)
    data, what = _damage(rng, state["base"])
    store.db_path().write_bytes(data)
    store.db_path().chmod(0o600)

    def guarded(label: str, action: Callable[[], object]) -> object:
        try:
            return action()
        except store.StoreError as exc:
            _check("\n" not in str(exc), f"{label}: a StoreError of more than one line")
            return exc
        except Exception as exc:  # noqa: BLE001
            tb = "".join(traceback.format_exception(exc))
            raise Finding(f"{label}: {type(exc).__name__}: {exc}\n{tb[-1500:]}") from None

    def read() -> tuple[int, int, int]:
        conn = store.open_store(create=False)
        try:
            damaged: list = []
            return (
                len(store.load_checkins(conn, None, damaged)),
                len(store.load_results(conn, None, damaged)),
                len(store.load_clearances(conn, damaged)),
            )
        finally:
            conn.close()

    guarded("read before repair", read)
    if case % 10 == 0:
        code, _out, err = _cli(["history"])
        _check(code in (0, 1), f"history exit {code}")
        _stderr_ok(err, "history", code)
    done = guarded("repair", store.repair)
    if isinstance(done, store.Repair):
        conn = guarded("open after repair", lambda: store.open_store(create=False))
        _check(not isinstance(conn, Exception), f"the repaired file does not open: {conn}")
        try:
            _check(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "repaired file not ok")
        finally:
            conn.close()
        got = guarded("read after repair", read)
        _check(not isinstance(got, Exception), f"the repaired file does not read: {got}")
    if case % 7 == 0:
        guarded("forget", store.forget)
        _check(not store.exists(), "forget left the file")
    return what


# --------------------------------------------------------------------------- repair-race


def surface_repair_race(rng: random.Random, case: int, work: Path, state: dict) -> str:
    home = work / f"race{case}"
    os.environ[store.ENV_VAR] = str(home)
    n = rng.randint(500, 4000)
    conn = store.open_store()
    try:
        with store.transaction(conn):
            for i in range(n):
                conn.execute(
                    "INSERT INTO checkin (day, recorded_at, pain, note) VALUES (?, ?, ?, ?)",
                    (TODAY.isoformat(), f"2026-06-15T09:00:{i % 60:02d}+00:00", i % 11, f"n{i}"),
                )
    finally:
        conn.close()
    with sqlite3.connect(store.db_path()) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'result_day'").fetchone()[0]
        size = c.execute("PRAGMA page_size").fetchone()[0]
    with open(store.db_path(), "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\x0d" + b"\xff" * (size - 1))
    env = {**os.environ}
    hip = [sys.executable, "-m", "hipcheck"]
    k = rng.randint(3, 10)
    delays = [rng.random() * 1.5 for _ in range(k)]
    repair = subprocess.Popen(
        [*hip, "history", "--repair"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    logs = []
    start = time.monotonic()
    for i, delay in enumerate(sorted(delays)):
        time.sleep(max(0.0, delay - (time.monotonic() - start)))
        cmd = [*hip, "log", "--pain", "1", "--note", f"race{i}", "--no-input"]
        logs.append(
            (f"race{i}", subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        )
    out, err = repair.communicate(timeout=300)
    _stderr_ok(err.decode(), "repair")
    acknowledged = set()
    for note, p in logs:
        o, e = p.communicate(timeout=300)
        _stderr_ok(e.decode(), "log")
        if p.returncode == 0 and b"Logged" in o:
            acknowledged.add(note)
    conn = store.open_store(create=False)
    try:
        notes = {c.note for c in store.load_checkins(conn)}
    finally:
        conn.close()
    lost = acknowledged - notes
    _check(not lost, f"acknowledged check-ins lost: {sorted(lost)}")
    _check({f"n{i}" for i in range(n)} <= notes, "rows of the damaged file lost")
    shutil.rmtree(home, ignore_errors=True)
    return f"{n} rows, {k} logs, {len(acknowledged)} acknowledged, repair exit {repair.returncode}"


# --------------------------------------------------------------------------- streams

STREAM_COMMANDS = [
    ["list"],
    ["--help"],
    ["triage", "--help"],
    ["history"],
    ["history", "--json"],
    ["history", "--csv"],
    ["history", "--forget"],
    ["log", "--pain", "3"],
    ["log"],
    ["triage"],
    ["triage", "--answers", "-"],
    ["triage", "--answers", EXAMPLE, "--json"],
    ["triage", "--answers", EXAMPLE, "--full"],
    ["plan", "--answers", EXAMPLE],
    ["plan", "--answers", "-"],
    ["explain", "gtps"],
    ["questions"],
    ["schema", "triage"],
    ["report"],
]


def _child(args: list[str], stdin: str, stdout: str, stderr_file: int) -> None:
    """In a forked child: the streams as the case says, then the entry point."""
    os.dup2(stderr_file, 2)
    if stdin == "closed":
        os.close(0)
        sys.stdin = None  # type: ignore[assignment]  (as Python starts with fd 0 closed)
    elif stdin == "empty":
        r, w = os.pipe()
        os.close(w)
        os.dup2(r, 0)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    if stdout == "closed":
        os.close(1)
        sys.stdout = None  # type: ignore[assignment]
    elif stdout == "broken":
        r, w = os.pipe()
        os.close(r)
        os.dup2(w, 1)
        os.close(w)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=False)
    else:  # a pipe read by nobody: to /dev/null
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
    sys.__stdin__, sys.__stdout__ = sys.stdin, sys.stdout
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    sys.argv = ["hipcheck", *args]
    code = 0
    try:
        from hipcheck.commands.app import main

        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        code = 99
    try:
        sys.stdout.flush() if sys.stdout else None
    except Exception:  # noqa: BLE001
        pass
    os._exit(code)


def surface_streams(rng: random.Random, case: int, work: Path, state: dict) -> str:
    home = work / "home"
    os.environ[store.ENV_VAR] = str(home)
    os.environ["HIPCHECK_PAGER"] = "cat"
    if "warm" not in state:
        from hipcheck.commands.app import app  # noqa: F401  (imported once, before the forks)

        code, _o, _e = _cli(["log", "--pain", "2"])
        state["warm"] = code == 0
    args = rng.choice(STREAM_COMMANDS)
    stdin = rng.choice(["closed", "empty", "devnull"])
    stdout = rng.choice(["closed", "broken", "pipe"])
    err_path = work / "stderr"
    fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    pid = os.fork()
    if pid == 0:
        try:
            _child(args, stdin, stdout, fd)
        finally:
            os._exit(98)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    err = err_path.read_text(encoding="utf-8", errors="replace")
    what = f"{' '.join(args)} stdin={stdin} stdout={stdout}"
    _check(code in (0, 1, 2, 130), f"{what}: exit {code}: {err[-800:]}")
    _stderr_ok(err, what, code)
    if (
        stdout in ("closed", "broken")
        and stdin != "closed"
        and args[:1] in (["list"], ["--help"], ["explain"])
    ):
        _check(code == 0, f"{what}: exit {code}, not a quiet 0")
    if store.exists():
        with sqlite3.connect(store.db_path()) as c:
            _check(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{what}: history damaged")
    return what


# --------------------------------------------------------------------------- paths


def _hostile_name(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.2:
        return "n" * rng.choice([200, 242, 250, 255, 256, 300])
    if kind < 0.35:
        return "x" + "".join(rng.choice(["\x1b[31m", "\u202e", "\x9b", "\n", "\t", "\x07"]) for _ in range(3))
    if kind < 0.5:
        return os.fsdecode(bytes([0x61, rng.choice([0xCA, 0xFF, 0x80]), 0x62]))  # not UTF-8
    if kind < 0.6:
        return ".."
    if kind < 0.7:
        return "é" * rng.randint(100, 140)  # 2 bytes each: over 255 bytes at 128
    return rng.choice(["a", "b b", "-dash", "report", "ümlaut"])


def _hostile_path(rng: random.Random, work: Path) -> Path:
    parts = [_hostile_name(rng) for _ in range(rng.randint(1, 3))]
    base = work / "paths"
    base.mkdir(exist_ok=True)
    path = base.joinpath(*parts)
    extra = rng.random()
    try:
        if extra < 0.15:  # a loop of links on the way
            loop = base / "loop"
            if not loop.is_symlink():
                loop.symlink_to(loop)
            path = loop / parts[-1]
        elif extra < 0.25:  # a file where a folder goes
            f = base / "afile"
            f.write_text("x")
            path = f / parts[-1]
        elif extra < 0.4:  # the folders exist
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return path


def surface_paths(rng: random.Random, case: int, work: Path, state: dict) -> str:
    path = _hostile_path(rng, work)
    home = work / "home"
    which = rng.choice(["save", "home", "content", "check", "accuracy", "api"])
    env = {store.ENV_VAR: str(home)}
    if which == "save":
        suffix = rng.choice([".md", ".html", ".txt", ".ics", ""])
        command = rng.choice([["triage", "--answers", EXAMPLE], ["plan", "--answers", EXAMPLE], ["report"]])
        args = [*command, "--save", str(path) + suffix]
    elif which == "home":
        env = {store.ENV_VAR: str(path)}
        args = rng.choice(
            [["log", "--pain", "2"], ["history"], ["history", "--json"], ["report"], ["plan"]]
            + [["history", "--repair"], ["history", "--forget", "--yes"]]
            + [["triage", "--answers", EXAMPLE, "--history", "--json"]]
        )
    elif which == "content":
        args = ["--content", str(path), rng.choice(["list", "questions"])]
    elif which == "check":
        args = ["content", "check", str(path)]
    elif which == "accuracy":
        args = ["content", "accuracy", str(path)]
    else:
        from hipcheck.api import ContentError, load_knowledge

        try:
            load_knowledge(path)
        except ContentError as exc:
            _check(all("\n" not in p for p in exc.problems), "a ContentError problem of two lines")
        except Exception as exc:  # noqa: BLE001
            raise Finding(f"load_knowledge({path!r}): {type(exc).__name__}: {exc}") from None
        return f"api {path!r}"
    code, out, err = _cli(args, env=env)
    what = f"{which}: {args!r} {env!r}"[:400]
    _check(code in (0, 1, 2), f"{what}: exit {code}")
    _stderr_ok(err, what, code)
    _check(not (set(out) & (RAW_CONTROLS - {"\x1b"})), f"{what}: a raw control character on stdout")
    shutil.rmtree(work / "paths", ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return what


SURFACES = {
    "damaged-db": surface_damaged_db,
    "repair-race": surface_repair_race,
    "streams": surface_streams,
    "paths": surface_paths,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--surface", choices=sorted(SURFACES), required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0, help="the first case to run (to replay one)")
    parser.add_argument("--stop-after", type=int, default=5, help="stop after this many findings")
    parser.add_argument("--quiet", action="store_true")
    opts = parser.parse_args()
    surface = SURFACES[opts.surface]
    findings = 0
    state: dict = {}
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hipcheck-fuzz-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("XDG_CACHE_HOME", str(work / "cache"))
        for case in range(opts.start, opts.cases):
            rng = random.Random(f"{opts.seed}:{opts.surface}:{case}")
            try:
                what = surface(rng, case, work, state)
            except Finding as exc:
                findings += 1
                print(f"FINDING case {case} (--seed {opts.seed} --start {case}): {exc}", flush=True)
                if findings >= opts.stop_after:
                    break
                continue
            if not opts.quiet and (case + 1) % max(1, opts.cases // 20) == 0:
                rate = (case + 1 - opts.start) / (time.monotonic() - began)
                print(f"{case + 1}/{opts.cases} cases, {rate:.1f}/s, last: {what[:100]!r}", flush=True)
    ran = case + 1 - opts.start if opts.cases > opts.start else 0
    elapsed = time.monotonic() - began
    print(
        json.dumps(
            {
                "surface": opts.surface,
                "seed": opts.seed,
                "cases": ran,
                "findings": findings,
                "seconds": round(elapsed, 1),
            }
        )
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
