"""Scoring on several processes, in input order and in bounded memory: what `hipcheck triage --answers
FILE.jsonl --json --jobs N` and `triage_many(..., jobs=N)` share.

- The knowledge base (or any state the function needs) goes to each worker once, when it starts, so
  every worker scores with exactly the parent's content (it is never reloaded from a folder that may
  have changed since).
- Items are read in the calling thread, `chunk` at a time, and at most `AHEAD` chunks per process are
  in flight: memory stays bounded however long the input, and results come out as soon as the chunk
  in front is done (in chunks, so a trickling stream is answered a chunk at a time: `--jobs 1`
  answers each line as it arrives).
- Workers ignore Ctrl-C: the parent takes the KeyboardInterrupt, cancels what has not started and
  shuts the pool down, so an interrupt ends the run without hanging or printing workers' tracebacks.
- Workers end when the parent process dies, however it dies (SIGTERM, SIGKILL): on Linux the kernel
  tells them (PR_SET_PDEATHSIG), elsewhere a thread watches the parent's process id. Otherwise they
  would wait for work forever, holding their memory.
- Closing the generator early (a reader that stopped, an exception) shuts the pool down the same way.

`ordered_map` returns each item's result through the pool. `ordered_chunks` is for results too large
to send back (a batch's result lines, tens of KB each): `fn` gets a whole chunk and a file of its own to
write to, and returns only what is small (counts, error lines); the caller copies each file to its
output in order (`splice`), so the parent moves bytes instead of decoding and re-encoding every line.

Imports of the process pool are inside the functions: the CLI imports this module for `MAX_JOBS`.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")

MAX_JOBS = 64  # processes for --jobs and triage_many(jobs=...); more than the cores only adds overhead
CHUNK = 16  # items handed to a worker at a time: enough to amortise the hand-over, few to stream
FILE_CHUNK = 32  # items a worker writes to one file in `ordered_chunks` (the file costs a little more)
AHEAD = 2  # chunks in flight per worker
_WATCH_SECONDS = 0.5  # where there is no parent-death signal: how often a worker looks at its parent

_state: Any = None  # in a worker: what `ordered_map` was given as `state`


def check_jobs(jobs: object) -> int:
    """`jobs` as a number of processes, or ValueError (one line) when it is not 1 to MAX_JOBS."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        shown = repr(jobs) if len(repr(jobs)) <= 40 else repr(jobs)[:37] + "..."
        raise ValueError(f"jobs must be a whole number from 1 to {MAX_JOBS}, not {shown}")
    return jobs


def _start_worker(state: Any, parent: int) -> None:
    global _state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _end_with_parent(parent)
    _state = state


def _end_with_parent(parent: int) -> None:
    """End this worker when process `parent` dies. On Linux the kernel sends SIGUSR1 when the thread
    that started the worker ends; the handler ends the worker only when the parent process is gone (a
    thread of a living parent may end too). Elsewhere a daemon thread polls the parent's id."""
    if sys.platform.startswith("linux") and _parent_death_signal(signal.SIGUSR1):

        def on_parent_death(signum: int, frame: object) -> None:
            if os.getppid() != parent:
                os._exit(1)

        signal.signal(signal.SIGUSR1, on_parent_death)
        if os.getppid() != parent:  # died before the signal was asked for
            os._exit(1)
        return
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="hipcheck-parent-watch", daemon=True).start()


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send `signum` when the parent dies (prctl PR_SET_PDEATHSIG); True if it took."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signum), 0, 0, 0) == 0  # 1 is PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _run_chunk(fn: Callable[[Any, T], R], items: list[T]) -> list[R]:
    return [fn(_state, item) for item in items]


def _run_whole_chunk(fn: Callable[[Any, Any], R], job: Any) -> R:
    return fn(_state, job)


def _pool(jobs: int, state: Any) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(state, os.getpid()))


def ordered_map(
    fn: Callable[[Any, T], R], state: Any, items: Iterable[T], jobs: int, chunk: int = CHUNK
) -> Iterator[R]:
    """`fn(state, item)` for each item, computed on `jobs` worker processes, yielded in input order.
    `fn` must be a module-level function (it is sent to the workers by name); `state` is sent to each
    worker once."""
    source = iter(items)
    pool = _pool(jobs, state)
    pending: deque[Future[list[R]]] = deque()

    def submit() -> None:
        batch = list(islice(source, chunk))
        if batch:
            pending.append(pool.submit(_run_chunk, fn, batch))

    try:
        for _ in range(jobs * AHEAD):
            submit()
        while pending:
            results = pending.popleft().result()
            yield from results
            submit()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def ordered_chunks(
    fn: Callable[[Any, tuple[str, list[T]]], R],
    state: Any,
    items: Iterable[T],
    jobs: int,
    chunk: int = FILE_CHUNK,
) -> Iterator[tuple[str, R]]:
    """`fn(state, (path, items))` for each chunk of items, on `jobs` worker processes: `fn` writes the
    chunk's output to the new file `path` (in a private temporary folder) and returns what is small.
    Yields (path, what fn returned) in input order; the file is deleted once the caller has taken the
    next one (or at the end), so only the chunks in flight are on disk."""
    import shutil
    import tempfile

    source = iter(items)
    folder = tempfile.mkdtemp(prefix="hipcheck-jobs-")  # mode 0700
    pool = _pool(jobs, state)
    pending: deque[tuple[str, Future[R]]] = deque()
    count = 0

    def submit() -> None:
        nonlocal count
        batch = list(islice(source, chunk))
        if batch:
            count += 1
            path = os.path.join(folder, f"{count}.out")
            pending.append((path, pool.submit(_run_whole_chunk, fn, (path, batch))))

    try:
        for _ in range(jobs * AHEAD):
            submit()
        while pending:
            path, future = pending.popleft()
            result = future.result()
            yield path, result
            try:
                os.unlink(path)
            except OSError:
                pass
            submit()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(folder, ignore_errors=True)


def splice(path: str, out: IO[str]) -> None:
    """Copy the UTF-8 text file `path` to `out` as it is: by the kernel (os.sendfile) when `out` is a
    UTF-8 stream with a file descriptor on a system that writes "\\n" as is; else as text through `out`
    (a test's stream, another encoding with its error handler, Windows' line ends)."""
    encoding = (getattr(out, "encoding", None) or "").lower().replace("_", "-")
    if os.linesep == "\n" and encoding in ("utf-8", "utf8") and hasattr(os, "sendfile"):
        try:
            fd = out.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None:
            out.flush()
            with open(path, "rb") as src:
                size = os.fstat(src.fileno()).st_size
                offset = 0
                try:
                    while offset < size:
                        sent = os.sendfile(fd, src.fileno(), offset, size - offset)
                        if sent == 0:
                            break
                        offset += sent
                    return
                except BrokenPipeError:
                    raise
                except OSError:  # this output cannot take sendfile: write the rest the usual way
                    src.seek(offset)
                    out.flush()
                    with os.fdopen(os.dup(fd), "wb", closefd=True) as raw:
                        _copy(src, raw)
                    return
    with open(path, encoding="utf-8", newline="") as src:
        for block in iter(lambda: src.read(1 << 20), ""):
            out.write(block)


def _copy(src: IO[bytes], dst: IO[bytes]) -> None:
    import shutil

    shutil.copyfileobj(src, dst, 1 << 20)
