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


def release_heap() -> None:
    """Hand the frozen objects back to the collector (the app is closing; a test may start another)."""
    gc.unfreeze()
    gc.enable()
