"""CPU-heavy media work (drawing demo outputs, decoding and thumbnailing downloads) in worker processes.

Threads would share the app's GIL and make the UI stutter while a batch finishes; processes do not. The pool is
made on first use, sized to the machine, and started with "spawn" because the app runs threads (fork would copy
their locks mid-flight).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import resource_tracker
from typing import Any, TypeVar

T = TypeVar("T")
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def prepare() -> None:
    """Start multiprocessing's helper process now, while this process still has a real stderr.

    Started later inside the TUI (which replaces sys.stderr), it fails with "bad value(s) in fds_to_keep"."""
    resource_tracker.ensure_running()


WORKER_NICENESS = 10
PARENT_CHECK_INTERVAL = 0.2


def _follow_parent(parent: int) -> None:
    """End this worker when the process that made it is gone (a kill -9 gives it no chance to say so).

    A worker holds no pipe that would tell it: the call queue's write end lives in the worker too. PR_SET_PDEATHSIG
    is not used because it fires when the *thread* that spawned the worker ends, and pools are grown from
    whichever thread calls them."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_INTERVAL)
        os._exit(0)

    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=watch, name="pixflow-parent-watch", daemon=True).start()


def _quiet_worker(parent: int | None = None) -> None:
    """Workers must never write to the terminal the TUI is drawing on; their errors come back as exceptions.
    Nor may they keep the parent's stdout open: `pixflow ... | tee` would wait for them after the parent died.

    They also run at a lower priority: on a small machine, decoding a batch's downloads otherwise takes the
    cores from the UI thread for hundreds of ms at a time. Their work only waits a little longer."""
    if parent is not None:
        _follow_parent(parent)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice on Windows
        os.nice(WORKER_NICENESS)


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            workers = max(1, min(4, os.cpu_count() or 1))
            _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_quiet_worker, initargs=(os.getpid(),))
            atexit.register(shutdown)
        return _pool


def shutdown(wait: bool = False) -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


async def run_in_process(function: Callable[..., T], *args: Any, retry_if_broken: bool = True) -> T:
    """Run a module-level function with picklable arguments in the worker pool.

    A worker that dies (killed, out of memory) breaks the pool: a fresh one is made, and the call made again unless
    `retry_if_broken` is False (a function that changes its files in place may have left them half-written; then
    BrokenProcessPool reaches the caller)."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_get_pool(), function, *args)
    except BrokenProcessPool:
        shutdown()
        if not retry_if_broken:
            raise
        return await loop.run_in_executor(_get_pool(), function, *args)
