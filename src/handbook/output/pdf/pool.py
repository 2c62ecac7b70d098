"""The worker processes that render PDFs: how many, how they start, and how they end with the build.

Workers start all at once from the thread that makes the pool, forked while that process has one
thread (cheap and safe) or spawned otherwise. Each arms a parent-death signal, so a build killed
even with SIGKILL takes its workers with it, and reports its pid as it starts, so that an
abandoned job stops exactly its own workers and no other child of the build.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Sequence

MAX_CHUNK = 100  # files per WeasyPrint document: bounds the memory a worker needs
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def default_workers() -> int:
    """Return how many processes render PDFs: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Sequence[Any], workers: int, limit: int = MAX_CHUNK) -> list[list[Any]]:
    """Split `items` into equal lists of at most `limit`, as many as a multiple of `workers`."""
    if not items:
        return []
    if len(items) < 16:  # a document's start-up costs more than sharing a few between workers
        return [list(items)]
    count = workers * -(-len(items) // (workers * limit))
    size = -(-len(items) // count)
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _single_threaded() -> bool:
    """Return whether this process runs one thread, waiting a moment for threads about to end."""
    for _attempt in range(20):  # the threads of a pool just shut down linger for a few milliseconds
        try:
            if len(os.listdir("/proc/self/task")) == 1:
                return True
        except OSError:
            return False
        time.sleep(0.01)
    return False


def _context() -> Any:
    """Return the cheapest safe way to start workers: fork while this process has one thread."""
    single = _single_threaded()
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if single and "fork" in methods else "spawn")


def _worker_setup(parent: int, started: Any) -> None:
    """Start a PDF worker: it ends when the build that started it ends, even one killed with SIGKILL.

    Otherwise a killed build leaves its workers blocked on a pipe for ever, holding memory and,
    through the lock they inherited at fork, the project's build lock (the build lets go of it
    in every forked child).
    """
    for name in ("SIGTERM", "SIGHUP"):  # a fork inherits the build's handlers, which clean up the build
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:  # pragma: no cover - no parent-death signal: watch the parent instead
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the build died before the signal was armed
        os._exit(1)
    started.put(os.getpid())


class Workers:
    """A pool of `count` PDF worker processes, started now from the calling thread."""

    def __init__(self, count: int) -> None:
        context = _context()
        self._started = context.SimpleQueue()  # each worker's pid, put there as it starts
        self._executor = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_worker_setup,
                                             initargs=(os.getpid(), self._started))
        # Start every worker now, from this thread: later submissions come from other threads, and
        # a worker's parent-death signal follows the thread that started it. (A forking pool starts
        # them all at the first submission; a spawning one starts one per submission while none is idle.)
        for started in [self._executor.submit(os.getpid) for _ in range(count)]:
            started.result()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `function(*args)` in a worker; raises RuntimeError once the pool is closed."""
        return self._executor.submit(function, *args)

    def close(self, *, abandon: bool = False) -> None:
        """Let the workers finish their work and end; with `abandon`, stop them at once."""
        self._executor.shutdown(wait=not abandon, cancel_futures=True)
        if abandon:  # a worker that has not reported its pid has not started any work: it ends on its own
            pids = set()
            while not self._started.empty():
                pids.add(self._started.get())
            processes = [p for p in multiprocessing.active_children() if p.pid in pids]
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)
        self._started.close()
