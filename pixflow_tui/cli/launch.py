"""Start the TUI. Kept apart so that the CLI commands never import textual."""
from __future__ import annotations

from pixflow_tui.config import Settings


def launch_tui(settings: Settings) -> int:
    from pixflow_tui.tui.app import run_app

    return run_app(settings)
