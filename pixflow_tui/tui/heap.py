"""Keep Python's full garbage collections short while the app runs.

A full collection walks every tracked object. After start-up the heap holds ~130,000 long-lived objects
(Textual, Rich, the widgets of the first screen), and each full collection paused the UI for ~55 ms at
unpredictable moments: a mode switch, a batch's events. Freezing what exists after the first frame moves
those objects out of the collector's reach, so later full collections only walk what was made since.
"""
from __future__ import annotations

import gc


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
