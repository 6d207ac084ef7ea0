#!/usr/bin/env python3
"""hipcheck performance figures, each against a baseline measured side by side in the same run.

    python benchmarks/run.py            # ~3 minutes on a 2-core machine
    python benchmarks/run.py --quick    # the same table in under a minute
    python benchmarks/run.py --runs 31 --cases 50000

Uses only the standard library and the Python running it (the venv hipcheck is installed in).
Runs alternate (hipcheck, baseline, hipcheck, ...) so drift hits both; figures are medians; the
verdict is on ratios. Every process is fresh. Peak memory is `ru_maxrss` of RUSAGE_CHILDREN, read by a
small wrapper process per run, so each run's peak is its own.

Children run with a private bytecode cache (PYTHONPYCACHEPREFIX) and a warm-up run first, as an
installed hipcheck (whose .pyc files pip writes) would; PYTHONDONTWRITEBYTECODE is dropped for them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent

MINIMAL_TYPER = """
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world", as_json: bool = typer.Option(False, "--json")) -> None:
    print(f"hello {name}")


@app.command()
def other() -> None:
    print("other")


if __name__ == "__main__":
    app()
"""

MINIMAL_PROMPT = """
import typer

app = typer.Typer()


@app.command()
def ask() -> None:
    import questionary

    questionary.select("Pick one", choices=["a", "b", "c"], qmark="(1 of ~5)").unsafe_ask()


@app.command()
def other() -> None:
    pass


if __name__ == "__main__":
    app()
"""

# Runs a command, then reports its wall time and peak RSS (KiB) as JSON on stdout.
WRAPPER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "rss_kib": rss, "code": p.returncode, "err": p.stderr.decode()[-300:]}))
"""

LOAD_TIMER = """
import sys, time
import hipcheck.knowledge.models  # module import is not content loading
from hipcheck.knowledge.loader import load_content
t = time.perf_counter()
load_content(sys.argv[1], use_cache=True)
print(time.perf_counter() - t)
"""


def child_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPYCACHEPREFIX=str(work / "pycache"),
        HIPCHECK_CACHE=str(work / "cache"),
        HIPCHECK_HOME=str(work / "home"),
        NO_COLOR="1",
        TERM="xterm",
        COLUMNS="80",
        LINES="24",
    )
    env.pop("HIPCHECK_CONTENT", None)
    return env


def measure(cmd: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run([PY, "-c", WRAPPER, *cmd], capture_output=True, text=True, env=env, check=True)
    result = json.loads(out.stdout)
    if result["code"] not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed ({result['code']}): {result['err']}")
    return result


def first_prompt(cmd: list[str], env: dict[str, str], marker: bytes, timeout: float = 20.0) -> float:
    """Seconds from spawn until `marker` appears on a pseudo-terminal (the prompt is on screen)."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - t)
            if left <= 0:
                raise SystemExit(f"no prompt from {' '.join(cmd)}; screen so far: {seen[-400:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise SystemExit(f"{' '.join(cmd)} ended before a prompt: {seen[-400:]!r}")
                seen += chunk
                if marker in seen:
                    return time.perf_counter() - t
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        os.close(master)


def alternate(runs: int, *fns):
    """Call each fn in turn, `runs` rounds; return the list of results per fn."""
    results = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            results[i].append(fn())
    return results


def med(xs):
    return statistics.median(xs)


def make_cases(path: Path, n: int, env: dict[str, str], seed: int = 1) -> None:
    code = textwrap.dedent(
        f"""
        import json, random, sys
        from hipcheck.knowledge.loader import load_content
        kb = load_content()
        rng = random.Random({seed})

        def sample_answers(kb, rng):
            # A random valid answer set: any subset of questions, each with any valid answer.
            out = {{}}
            for q in kb.questions:
                if rng.random() < 0.3:
                    continue
                if q.kind == "scale":
                    out[q.id] = rng.choice(["not_sure", *range(q.scale_min, q.scale_max + 1)])
                elif q.kind == "single":
                    out[q.id] = rng.choice(q.option_ids)
                else:
                    plain = [o.id for o in q.options if o.id != q.none_option]
                    r = rng.random()
                    if r < 0.1:
                        out[q.id] = ["not_sure"]
                    elif r < 0.2 and q.none_option:
                        out[q.id] = [q.none_option]
                    else:
                        out[q.id] = rng.sample(plain, rng.randint(1, min(4, len(plain))))
            return out

        with open(sys.argv[1], "w") as f:
            for _ in range({n}):
                f.write(json.dumps(sample_answers(kb, rng)) + "\\n")
        """
    )
    subprocess.run([PY, "-c", code, str(path)], env=env, check=True)


def make_realistic_cases(path: Path, n: int) -> bool:
    """`n` realistic answer sets: the held-out vignettes' answers (every question a real interview asks
    answered), cycled. False when the vignettes are not there (an installed hipcheck without its tests)."""
    import itertools
    import tomllib

    pages = sorted((ROOT / "tests" / "vignettes" / "holdout").glob("*.toml"))
    sets = [tomllib.loads(p.read_text(encoding="utf-8")).get("answers") for p in pages]
    sets = [a for a in sets if a]
    if not sets:
        return False
    with open(path, "w", encoding="utf-8") as f:
        for answers in itertools.islice(itertools.cycle(sets), n):
            f.write(json.dumps(answers) + "\n")
    return True


def bigger_content(src: Path, dest: Path, copies: int) -> None:
    """The real content with every condition copied `copies` times (new ids, names and aliases)."""
    shutil.copytree(src, dest)
    for page in sorted((src / "conditions").glob("*.toml")):
        text = page.read_text(encoding="utf-8")
        for k in range(1, copies):
            new = page.stem + f"_copy{k}"
            lines = []
            for line in text.splitlines():
                if line.startswith("id = "):
                    line = f'id = "{new}"'
                elif line.startswith("name = "):
                    line = line[:-1] + f' (copy {k})"'
                elif line.startswith("aliases = "):
                    line = "aliases = []"
                lines.append(line)
            (dest / "conditions" / f"{new}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, help="alternating runs per figure (default 15; --quick: 5)")
    ap.add_argument("--cases", type=int, help="answer sets in the batch file (default 20000; --quick: 2000)")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="the same table in under a minute: fewer runs and cases (run it after changing the engine, the "
        "content or a start-up path)",
    )
    args = ap.parse_args()
    args.runs = args.runs or (5 if args.quick else 15)
    args.cases = args.cases or (2000 if args.quick else 20_000)
    args.batch_runs = 3

    script = Path(PY).with_name("hipcheck")
    hip = [str(script)] if script.exists() else [PY, "-m", "hipcheck"]
    rows: list[tuple[str, str, str, str, str, bool]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hipcheck-bench-") as tmp:
        work = Path(tmp)
        env = child_env(work)
        (work / "minimal_typer.py").write_text(MINIMAL_TYPER)
        (work / "minimal_prompt.py").write_text(MINIMAL_PROMPT)
        typer_app = [PY, str(work / "minimal_typer.py"), "hello"]
        prompt_app = [PY, str(work / "minimal_prompt.py"), "ask"]

        print(
            f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs", flush=True
        )
        # Warm-up: bytecode and the content cache, as after the first run on a user's machine.
        for cmd in (
            typer_app,
            [*hip, "explain", "bursitis", "--json"],
            [*hip, "list", "--json"],
            [*hip, "--version"],
        ):
            measure(cmd, env)
        first_prompt([*hip, "triage"], env, b"(1 of ~")
        first_prompt(prompt_app, env, b"(1 of ~")

        def startup_row(label: str, cmd: list[str]) -> None:
            print(f"  measuring {label} ...", flush=True)
            h, b = alternate(args.runs, lambda: measure(cmd, env), lambda: measure(typer_app, env))
            hw, bw = med([r["wall"] for r in h]), med([r["wall"] for r in b])
            rows.append(
                (
                    f"{label}: wall",
                    f"{hw * 1000:.0f} ms",
                    f"{bw * 1000:.0f} ms",
                    f"{hw / bw:.2f}",
                    "<= 1.10",
                    hw / bw <= 1.10,
                )
            )
            if "explain" in label:
                hm, bm = med([r["rss_kib"] for r in h]), med([r["rss_kib"] for r in b])
                rows.append(
                    (
                        f"{label}: peak memory",
                        f"{hm / 1024:.1f} MiB",
                        f"{bm / 1024:.1f} MiB",
                        f"{hm / bm:.2f}",
                        "<= 1.20",
                        hm / bm <= 1.20,
                    )
                )

        startup_row("explain bursitis --json", [*hip, "explain", "bursitis", "--json"])
        startup_row("list --json", [*hip, "list", "--json"])
        startup_row("--version", [*hip, "--version"])

        print("  measuring time to the first prompt ...", flush=True)
        h, b = alternate(
            args.runs,
            lambda: first_prompt([*hip, "triage"], env, b"(1 of ~"),
            lambda: first_prompt(prompt_app, env, b"(1 of ~"),
        )
        hw, bw = med(h), med(b)
        rows.append(
            (
                "triage: first prompt on screen",
                f"{hw * 1000:.0f} ms",
                f"{bw * 1000:.0f} ms",
                f"{hw / bw:.2f}",
                "<= 1.10",
                hw / bw <= 1.10,
            )
        )

        print("  measuring content loading ...", flush=True)
        answers = work / "one.json"
        make_cases(work / "one.jsonl", 1, env, seed=5)
        answers.write_text((work / "one.jsonl").read_text())
        big = work / "content-x4"
        bigger_content(ROOT / "content" if (ROOT / "content").is_dir() else Path(_content_dir(env)), big, 4)
        for label, root in (("27 conditions", None), ("108 conditions", big)):
            cenv = dict(env)
            if root is not None:
                cenv["HIPCHECK_CONTENT"] = str(root)
            triage = [*hip, "triage", "--answers", str(answers), "--json", "--no-save"]
            measure(triage, cenv)  # warm the cache for this content
            root_arg = str(root) if root is not None else _content_dir(cenv)
            loads, walls = alternate(
                args.runs,
                lambda root_arg=root_arg, cenv=cenv: float(
                    subprocess.run(
                        [PY, "-c", LOAD_TIMER, root_arg], capture_output=True, text=True, env=cenv, check=True
                    ).stdout
                ),
                lambda triage=triage, cenv=cenv: measure(triage, cenv)["wall"],
            )
            share = med(loads) / med(walls)
            rows.append(
                (
                    f"content load+validate, {label}: share of triage start-up",
                    f"{med(loads) * 1000:.1f} ms",
                    f"{med(walls) * 1000:.0f} ms",
                    f"{share:.1%}",
                    "< 10%",
                    share < 0.10,
                )
            )

        print(f"  measuring batch scoring ({args.cases} realistic cases) ...", flush=True)
        big_n, small_n = args.cases, max(1, args.cases // 5)
        cases, small = work / "cases.jsonl", work / "cases-small.jsonl"
        realistic = make_realistic_cases(cases, big_n)
        make_realistic_cases(small, small_n)
        if not realistic:
            notes.append("batch: no held-out vignettes found (tests/vignettes/holdout): random answer sets")
            make_cases(cases, big_n, env)
            make_cases(small, small_n, env)

        # --brief is several times faster: five times the answer sets, so the difference stays well above
        # the noise of start-up.
        brief_cases, brief_small = work / "brief.jsonl", work / "brief-small.jsonl"
        if realistic:
            make_realistic_cases(brief_cases, 5 * big_n)
            make_realistic_cases(brief_small, 5 * small_n)
        else:
            make_cases(brief_cases, 5 * big_n, env)
            make_cases(brief_small, 5 * small_n, env)

        def batch_rates(extra: list[str], jobs: int) -> tuple[float, dict, dict]:
            """Answer sets a second, start-up excluded: the difference between a big and a small file."""
            big_file, small_file, scale = (brief_cases, brief_small, 5) if extra else (cases, small, 1)
            big_cmd = [*hip, "triage", "--answers", str(big_file), "--json", *extra, "--jobs", str(jobs)]
            small_cmd = [*hip, "triage", "--answers", str(small_file), "--json", *extra, "--jobs", str(jobs)]
            big_runs, small_runs = alternate(
                args.batch_runs, lambda: measure(big_cmd, env), lambda: measure(small_cmd, env)
            )
            bw, sw = med([r["wall"] for r in big_runs]), med([r["wall"] for r in small_runs])
            return scale * (big_n - small_n) / max(bw - sw, 1e-9), big_runs[0], small_runs[0]

        def identical(extra: list[str]) -> bool:
            """--jobs 2 writes the same bytes as one process (compared by SHA-256, as the output is large)."""
            import hashlib

            digests = []
            for jobs in (1, 2):
                cmd = [*hip, "triage", "--answers", str(cases), "--json", *extra, "--jobs", str(jobs)]
                h = hashlib.sha256()
                with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as p:
                    for block in iter(lambda p=p: p.stdout.read(1 << 20), b""):
                        h.update(block)
                digests.append((p.returncode, h.hexdigest()))
            return digests[0] == digests[1] and digests[0][0] == 0

        for label, extra, target, scale in (
            ("full result", [], 4000, 1.7),
            ("--brief", ["--brief"], 15000, 1.8),
        ):
            one, big_run, small_run = batch_rates(extra, 1)
            two, _, _ = batch_rates(extra, 2)
            rows.append(
                (
                    f"batch, {label}: answer sets a second, 1 process",
                    f"{one:,.0f}/s",
                    f"{target:,}/s",
                    f"{one / target:.2f}",
                    ">= 1.00",
                    one >= target,
                )
            )
            rows.append(
                (
                    f"batch, {label}: --jobs 2 vs 1 process",
                    f"{two:,.0f}/s",
                    f"{one:,.0f}/s",
                    f"{two / one:.2f}",
                    f">= {scale:.2f}",
                    two / one >= scale,
                )
            )
            same = identical(extra)
            rows.append(
                (f"batch, {label}: --jobs 2 output identical", "yes" if same else "NO", "", "", "yes", same)
            )
            if not extra:
                out_bytes = len(
                    subprocess.run(
                        [*hip, "triage", "--answers", str(small), "--json"],
                        capture_output=True,
                        env=env,
                        check=False,
                    ).stdout
                )
                notes.append(
                    f"batch output: {out_bytes / small_n / 1024:.1f} KiB a full result line on average, so "
                    f"{one * out_bytes / small_n / 2**20:,.0f} MiB/s of JSON from one process"
                )
                bm, sm = big_run["rss_kib"], small_run["rss_kib"]
                rows.append(
                    (
                        f"batch: peak memory, {big_n} vs {small_n} cases",
                        f"{bm / 1024:.1f} MiB",
                        f"{sm / 1024:.1f} MiB",
                        f"{bm / sm:.2f}",
                        "<= 1.05",
                        bm / sm <= 1.05,
                    )
                )

    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'figure'.ljust(width)}  {'hipcheck':>12}  {'baseline':>12}  {'ratio':>6}  {'target':>8}  result")
    for fig, h, b, ratio, target, ok in rows:
        print(f"{fig.ljust(width)}  {h:>12}  {b:>12}  {ratio:>6}  {target:>8}  {'pass' if ok else 'FAIL'}")
    print(
        "\nbaselines: a minimal Typer app running one command; for the prompt, a minimal Typer script "
        "showing one questionary prompt;\nfor content loading, the whole `triage --answers one.json --json` "
        "start-up; "
        f"medians of {args.runs} alternating runs (batch: {args.batch_runs});\nbatch rates are per answer "
        "set with start-up left out (the difference between the big file and one a fifth its size), on "
        "realistic answer sets\n(every question a real interview asks answered: the held-out vignettes' "
        "answers, cycled)."
    )
    for note in notes:
        print(note)
    return 0 if all(r[5] for r in rows) else 1


def _content_dir(env: dict[str, str]) -> str:
    code = "from hipcheck.knowledge.files import default_content_dir; print(default_content_dir())"
    return subprocess.run(
        [PY, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
