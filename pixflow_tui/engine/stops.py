"""SIGINT, SIGTERM and SIGHUP (a dropped SSH session) ask a running engine to stop cleanly.

The engine then stops claiming and submitting, lets submits already on the wire answer and stores their request
ids, and returns; jobs at the provider keep running there and `pixflow jobs resume` picks them up.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable

from pixflow_tui.engine.runner import JobEngine

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def install_stop_signals(engine: JobEngine) -> Callable[[], None]:
    """Route the stop signals to `engine.request_stop` on the running loop; returns a function that undoes it."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, engine.request_stop, sig.name)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or not a POSIX loop
            continue
        installed.append(sig)

    def remove() -> None:
        for sig in installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)

    return remove
