"""Where copied text can go from a terminal app, and saying so truthfully.

A program in a terminal reaches the clipboard only through the terminal (OSC 52), over SSH as well. Some terminals
refuse it (stock xterm: `disallowedWindowOps` includes SetSelection); tmux keeps it unless `set-clipboard on`
(the default `external` does not take it from programs), but its own paste buffer can be loaded with
`tmux load-buffer`, and `-w` has tmux pass it on to the terminal's clipboard itself.
"""
from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from pixflow_tui.workflows.terminal import TerminalReport

# Terminals (the start of their XTVERSION / tmux client_termtype name, lower case) that, as installed, take or
# refuse a program's clipboard write.
_TAKES_OSC52 = ("kitty", "wezterm", "iterm2", "foot", "ghostty", "contour", "alacritty", "rio")
_REFUSES_OSC52 = ("xterm",)


@dataclass(frozen=True)
class CopyOutcome:
    """Where the text went: `where` completes "copied to …"; None when nothing could be reached."""

    where: str | None
    why_not: str = ""  # when where is None: why no clipboard could be reached


def _terminal_takes_osc52(name: str) -> bool | None:
    """True or False when the terminal's default is known, None when not."""
    lower = name.lower()
    if lower.startswith(_TAKES_OSC52):
        return True
    if lower.startswith(_REFUSES_OSC52):
        return False
    return None


def load_tmux_buffer(text: str) -> bool:
    """Put `text` in tmux's paste buffer (and, with -w, have tmux send it on to the terminal's clipboard)."""
    for command in (["tmux", "load-buffer", "-w", "-"], ["tmux", "load-buffer", "-"]):  # -w: tmux 3.2+
        try:
            done = subprocess.run(command, input=text, text=True, capture_output=True, timeout=3, check=False)
        except (OSError, subprocess.SubprocessError):
            return False
        if done.returncode == 0:
            return True
    return False


def copy_outcome(report: TerminalReport | None, env: Mapping[str, str], tmux_loaded: bool) -> CopyOutcome:
    """Where text sent with OSC 52 (and to tmux's buffer when `tmux_loaded`) ends up, as far as can be known."""
    if env.get("TMUX"):
        outer = report.outer if report else ""
        takes = _terminal_takes_osc52(outer) if outer else None
        if not tmux_loaded:
            return CopyOutcome(None, "tmux did not take the text (the tmux command failed)")
        if takes:
            return CopyOutcome(f"tmux's paste buffer (prefix ] pastes it) and {outer}'s clipboard")
        if takes is False:
            return CopyOutcome(f"tmux's paste buffer only (prefix ] pastes it): {outer} refuses clipboard writes")
        return CopyOutcome("tmux's paste buffer (prefix ] pastes it); tmux passes it on to the terminal's clipboard "
                           "where the terminal allows it")
    name = report.terminal if report and report.answered else ""
    if name.lower().startswith("tmux"):  # a tmux on the other side of SSH: its buffer cannot be reached from here
        return CopyOutcome(f"{name}, which passes it on to the terminal's clipboard only with "
                           "`set -s set-clipboard on`")
    takes = _terminal_takes_osc52(name) if name else None
    if takes:
        return CopyOutcome(f"{name}'s clipboard")
    if takes is False:
        return CopyOutcome(None, f"{name} refuses clipboard writes from programs (its disallowedWindowOps)")
    return CopyOutcome("the terminal's clipboard, where the terminal allows programs to set it")
