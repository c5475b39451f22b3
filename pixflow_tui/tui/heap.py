"""Keep Python's full garbage collections short while the app runs.

A full collection walks every tracked object. After start-up the heap holds ~130,000 long-lived objects
(Textual, Rich, the widgets of the first screen), and each full collection paused the UI for ~55 ms at
unpredictable moments: a mode switch, a batch's events. Freezing what exists after the first frame moves
those objects out of the collector's reach, so later full collections only walk what was made since; and
`QuietCollector` runs those full collections when the app is quiet rather than where CPython would start them.
"""
from __future__ import annotations

import asyncio
import gc
import time

from pixflow_tui.core.jobs import RESUMABLE_STATES, JobEvent


def pause_collector() -> None:
    """For the start-up: the collector would walk its long-lived objects again and again (~20 ms)."""
    gc.disable()


def settle_heap() -> None:
    """After the first frame: collect what start-up left behind, freeze the survivors (they live as long as the
    app) and turn the collector back on."""
    gc.collect()
    gc.freeze()
    gc.enable()


def keep_what_was_built() -> None:
    """After a module's first build: its widgets and the modules its visit imported live as long as the app, so
    they are frozen too (no collection first: a full one costs 50-100 ms by then). Otherwise each later full
    collection walks them again: such pauses landed in first visits and in the middle of batches. Not while the
    start-up has the collector paused: its garbage is collected (`settle_heap`) before anything is frozen."""
    if gc.isenabled():
        gc.freeze()


def release_heap() -> None:
    """Hand the frozen objects back to the collector (the app is closing; a test may start another)."""
    gc.unfreeze()
    gc.enable()


# -- when full collections run ------------------------------------------------------------------------------------

DUE = 10  # generation-1 collections since the last full one: CPython's own cadence (its third threshold)
OVERDUE = 100  # past this, a full collection no longer waits for the jobs to finish, only for the keys
LIMIT = 400  # past this, it runs at once: what cycles of garbage hold stays bounded even under endless input
QUIET = 2.0  # seconds without a key, a mouse event or a job event before a due full collection runs
NEVER = 1_000_000  # a third threshold CPython never reaches: it no longer starts a full collection itself


class QuietCollector:
    """Runs Python's full garbage collections when the app is quiet instead of where CPython would.

    CPython starts a full collection from whichever allocation crosses its thresholds, in any thread, holding the
    GIL throughout: a pause of 50-120 ms of the UI loop in the middle of a batch's downloads or as a batch opened.
    Here CPython keeps running the young collections (about 1 ms), never a full one. Once DUE collections of the
    middle generation have run since the last full one, the loop is asked to collect at the first moment with no
    job of this process in flight and no input or job event for QUIET seconds: nobody is typing or watching a
    batch move. A long batch leaves no such moment: past OVERDUE only input delays it, past LIMIT nothing does, so
    what cycles of garbage hold stays bounded. An idle app allocates next to nothing, so nothing wakes it: the
    check is asked for by a collection, and runs on timers only while a full collection is due."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._asked = False
        self._timer: asyncio.TimerHandle | None = None
        self._thresholds = gc.get_threshold()
        self.last_input = self.last_job_event = 0.0  # time.monotonic(); written from any thread
        self._in_flight: set[int] = set()  # job ids; changed on the engine's thread, read on the loop

    def start(self) -> None:
        """On the app's loop, once the start-up's objects are frozen (settle_heap)."""
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._thresholds = gc.get_threshold()
        gc.set_threshold(self._thresholds[0], self._thresholds[1], NEVER)
        gc.callbacks.append(self._collected)

    def stop(self) -> None:
        if self._loop is None:
            return
        if self._collected in gc.callbacks:
            gc.callbacks.remove(self._collected)
        gc.set_threshold(*self._thresholds)
        if self._timer is not None:
            self._timer.cancel()
        self._loop, self._timer, self._asked = None, None, False

    def note_input(self) -> None:
        self.last_input = time.monotonic()

    def note_job_event(self, event: JobEvent) -> None:
        """A sink of the app's JobEventRouter (on the engine's thread)."""
        self.last_job_event = time.monotonic()
        if event.state in RESUMABLE_STATES:
            self._in_flight.add(event.job_id)
        else:
            self._in_flight.discard(event.job_id)

    def _collected(self, phase: str, info: dict[str, int]) -> None:
        """gc's callback, in whichever thread collected: only hands the check to the loop."""
        loop = self._loop
        if phase != "stop" or info["generation"] != 1 or self._asked or loop is None or gc.get_count()[2] < DUE:
            return
        self._asked = True
        try:
            loop.call_soon_threadsafe(self._check)
        except RuntimeError:  # the loop has closed: the app is gone
            self._asked = False

    def _check(self) -> None:
        self._timer = None
        if self._loop is None:
            return
        young = gc.get_count()[2]
        now = time.monotonic()
        wait = self.last_input + QUIET - now
        if young < OVERDUE:
            wait = max(wait, self.last_job_event + QUIET - now, QUIET if self._in_flight else 0.0)
        if wait > 0 and young < LIMIT:
            self._timer = self._loop.call_later(wait, self._check)
            return
        self._asked = False
        gc.collect()
