"""Which image renderer to use, from the setting and what the terminal can show."""
from __future__ import annotations

import os
from collections.abc import Mapping

RENDERER_CLASSES = ("kitty", "sixel", "halfcell", "unicode", "none")


def detect_graphics(env: Mapping[str, str] | None = None, *, is_tty: bool | None = None) -> str:
    """Best guess of the terminal's graphics support from the environment, without writing to the terminal."""
    env = os.environ if env is None else env
    if is_tty is None:
        is_tty = os.isatty(1)
    if not is_tty:
        return "unicode"
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if env.get("TMUX") or term.startswith(("screen", "tmux")):
        return "halfcell"  # kitty graphics do not pass through tmux; sixel only partly
    if env.get("KITTY_WINDOW_ID") or "kitty" in term or program in ("WezTerm", "ghostty") or "ghostty" in term:
        return "kitty"
    if program in ("iTerm.app",) or "mlterm" in term or "foot" in term or env.get("WT_SESSION") and "sixel" in term:
        return "sixel"
    if env.get("COLORTERM") in ("truecolor", "24bit") or "256color" in term:
        return "halfcell"
    return "unicode"


def choose_renderer(setting: str, env: Mapping[str, str] | None = None, *, is_tty: bool | None = None) -> str:
    return detect_graphics(env, is_tty=is_tty) if setting == "auto" else setting
