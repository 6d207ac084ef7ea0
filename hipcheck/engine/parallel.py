"""Scoring on several processes, in input order and in bounded memory: what `hipcheck triage --answers
FILE.jsonl --json --jobs N` and `triage_many(..., jobs=N)` share.

- The knowledge base (or any state the function needs) goes to each worker once, when it starts, so
  every worker scores with exactly the parent's content (it is never reloaded from a folder that may
  have changed since).
- Items are read in the calling thread, `CHUNK` at a time, and at most `AHEAD` chunks per process are
  in flight: memory stays bounded however long the input, and results come out as soon as the chunk
  in front is done (in chunks, so a trickling stream is answered `CHUNK` lines at a time: `--jobs 1`
  answers each line as it arrives).
- Workers ignore Ctrl-C: the parent takes the KeyboardInterrupt, cancels what has not started and
  shuts the pool down, so an interrupt ends the run without hanging or printing workers' tracebacks.
- Closing the generator early (a reader that stopped, an exception) shuts the pool down the same way.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 16  # items handed to a worker at a time: enough to amortise the hand-over, few to stream
AHEAD = 2  # chunks in flight per worker

_state: Any = None  # in a worker: what `ordered_map` was given as `state`


def _start_worker(state: Any) -> None:
    global _state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _state = state


def _run_chunk(fn: Callable[[Any, T], R], items: list[T]) -> list[R]:
    return [fn(_state, item) for item in items]


def ordered_map(
    fn: Callable[[Any, T], R], state: Any, items: Iterable[T], jobs: int, chunk: int = CHUNK
) -> Iterator[R]:
    """`fn(state, item)` for each item, computed on `jobs` worker processes, yielded in input order.
    `fn` must be a module-level function (it is sent to the workers by name); `state` is sent to each
    worker once."""
    source = iter(items)
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(state,))
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
