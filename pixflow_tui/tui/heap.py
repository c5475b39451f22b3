"""Keep Python's full garbage collections short, and the UI loop's waits for the GIL, while the app runs.

A full collection walks every tracked object. After start-up the heap holds ~130,000 long-lived objects
(Textual, Rich, the widgets of the first screen), and each full collection paused the UI for ~55 ms at
unpredictable moments: a mode switch, a batch's events. Freezing what exists after the first frame moves
those objects out of the collector's reach, so later full collections only walk what was made since.
"""
from __future__ import annotations

import gc
import sys

# How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). The UI loop shares
# the GIL with the engine's thread and the loading threads; each time it wakes (a timer, a key, a repaint) it
# waited up to a full interval per thread ahead of it, and a repaint that had to give the GIL back every 5 ms
# took twice as long on a busy machine: the batch benchmark's worst stalls were 100-400 ms at 5 ms, about a
# third of that at 1 ms. Threads doing long work in C (decoding, zlib, sqlite) release the GIL anyway.
_UI_SWITCH_INTERVAL = 0.001
_default_switch_interval = sys.getswitchinterval()


def pause_collector() -> None:
    """For the start-up: the collector would walk its long-lived objects again and again (~20 ms)."""
    gc.disable()


def settle_heap() -> None:
    """After the first frame: collect what start-up left behind, freeze the survivors (they live as long as the
    app), turn the collector back on and hand the GIL round in short turns."""
    gc.collect()
    gc.freeze()
    gc.enable()
    sys.setswitchinterval(_UI_SWITCH_INTERVAL)


def release_heap() -> None:
    """Hand the frozen objects back to the collector and the GIL's turns back to Python's default (the app is
    closing; a test may start another)."""
    gc.unfreeze()
    gc.enable()
    sys.setswitchinterval(_default_switch_interval)
