"""Start the TUI. Kept apart so that the CLI commands never import textual."""
from __future__ import annotations

from pixflow_tui.config import Settings


def launch_tui(settings: Settings) -> int:
    from pixflow_tui.tui.heap import pause_collector, release_heap

    # Start-up makes ~130,000 objects that live as long as the app; the app collects once after its first frame.
    pause_collector()
    try:
        from pixflow_tui.tui.app import run_app

        return run_app(settings)
    finally:
        release_heap()
