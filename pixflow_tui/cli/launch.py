"""Start the TUI. Kept apart so that the CLI commands never import textual."""
from __future__ import annotations

import atexit
import gc
import os
import sys
import threading

from pixflow_tui.config import Settings


def launch_tui(settings: Settings) -> int:
    from pixflow_tui.tui.heap import pause_collector, release_heap

    # Start-up makes ~130,000 objects that live as long as the app; the app collects once after its first frame.
    pause_collector()
    try:
        from pixflow_tui.tui.app import run_app

        code = run_app(settings)
    finally:
        release_heap()
    exit_at_once(code)
    return code


def exit_at_once(code: int) -> None:
    """End the process now that the app has closed its store and released its jobs: the exit handlers run (logs
    flushed, worker processes stopped), then the process ends without tearing down every module and object one
    by one, which took longer than the rest of quitting (~0.7 s under load). Nothing is lost: everything that
    matters is in the database already, as it must be for a kill -9. Only from a terminal, and only when no other
    thread still works (the interpreter would wait for it)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return
    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
           if thread is not threading.main_thread()):
        return
    gc.collect()  # the store's connections of finished threads close: the last one folds the WAL into the file
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
