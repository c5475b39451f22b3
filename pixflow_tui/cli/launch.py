"""Start the TUI. Kept apart so that the CLI commands never import textual."""
from __future__ import annotations

import gc

from pixflow_tui.config import Settings


def launch_tui(settings: Settings) -> int:
    # Start-up makes ~130,000 objects that live as long as the app; the collector would walk them again and again
    # while the first frame is built (~20 ms). The app collects once after that frame (and turns it back on).
    gc.disable()
    try:
        from pixflow_tui.tui.app import run_app

        return run_app(settings)
    finally:
        gc.enable()
