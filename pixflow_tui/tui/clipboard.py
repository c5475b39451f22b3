"""Copy text and say truthfully where it went: the one way every screen copies (`y` and its kin)."""
from __future__ import annotations

import os

from textual.dom import DOMNode

from pixflow_tui.workflows import terminal
from pixflow_tui.workflows.clipboard import copy_outcome, load_tmux_buffer


def copy_text(node: DOMNode, text: str, what: str) -> None:
    """Send `text` to the terminal's clipboard (OSC 52) and, inside tmux, to tmux's paste buffer; the message says
    where it went. When nothing can take it, a dialog shows the text to select with the terminal instead."""
    from pixflow_tui.tui.screens.dialogs import CopyTextDialog

    app = node.app
    loaded = bool(os.environ.get("TMUX")) and load_tmux_buffer(text)
    outcome = copy_outcome(terminal.last_report(), os.environ, loaded)
    app.copy_to_clipboard(text)  # tmux with `set-clipboard on` passes it on; a terminal that allows it takes it
    if outcome.where is not None:
        app.notify(f"{what} copied to {outcome.where}.", timeout=6)
    else:
        app.push_screen(CopyTextDialog(text, title=f"{what}: no clipboard here", reason=outcome.why_not))
