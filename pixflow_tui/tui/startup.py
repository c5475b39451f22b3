"""What happens before Textual takes the terminal: making textual-image ready for the chosen renderer.

textual-image queries the terminal when it is imported (Sixel and Kitty support, cell size in pixels). The
answers can arrive after its 0.1 s timeout, and then land in Textual's input as key presses (`?1;2c` opened
the help and switched modules in a loaded tmux). We pick the renderer ourselves, so the support queries are
never needed: they are skipped, and only the pixel renderers ask for the cell size.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from pixflow_tui.tui import compat
from pixflow_tui.workflows.logs import LOG_NAME, setup_logging
from pixflow_tui.workflows.terminal import TerminalReport, choose_renderer

__all__ = ["LOG_NAME", "setup_logging", "prepare_renderer", "colour_environment"]
log = logging.getLogger(__name__)
_FALLBACK_CELL = (10, 20)  # textual-image's own default (VT340)


class _NotATerminal:
    """sys.__stdout__ as textual-image's import-time checks see it: not a TTY, so nothing is queried."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _hidden_terminal() -> Iterator[None]:
    real = sys.__stdout__
    # Final in typeshed, and a stand-in rather than a TextIOWrapper: only while textual-image imports
    sys.__stdout__ = _NotATerminal(real)  # type: ignore[misc, assignment]
    try:
        yield
    finally:
        sys.__stdout__ = real  # type: ignore[misc]


def _terminal_has_zero_size() -> bool:
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno()) if sys.__stdout__ else None
    except (OSError, ValueError):
        return False
    return size is not None and (size.columns == 0 or size.lines == 0)


def _discard_late_answers() -> None:
    """Drop terminal answers that came in after textual-image stopped waiting for them."""
    if not sys.__stdin__ or not sys.__stdin__.isatty():
        return
    try:
        import termios

        time.sleep(0.05)
        termios.tcflush(sys.__stdin__.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError):
        pass


# Renderers that draw with characters need no terminal facts, so textual-image can load after start-up.
_CELL_RENDERERS = ("halfcell", "unicode")


def _import_textual_image(renderer: str) -> None:
    with _hidden_terminal():
        import textual_image.renderable  # noqa: F401  (its Sixel/Kitty support queries are skipped)
    if renderer in ("kitty", "sixel") and not _terminal_has_zero_size():
        compat.measure_cell_size()  # pixel renderers need the real cell size (ioctl, else a query)
        _discard_late_answers()
    compat.ensure_cell_size(_FALLBACK_CELL)
    with _hidden_terminal():
        import textual_image.widget  # noqa: F401  (its own get_cell_size() call now hits the cache)


def prepare_renderer(setting: str) -> str:
    """Resolve the renderer setting; the pixel renderers load textual-image now, before Textual owns stdin.

    Returns the renderer to use: "none" when textual-image cannot start in this terminal."""
    renderer = choose_renderer(setting)
    if renderer == "none" or renderer in _CELL_RENDERERS:
        return renderer
    try:
        _import_textual_image(renderer)
    except Exception:
        log.exception("textual-image cannot start; previews show text only")
        return "none"
    return renderer


@contextlib.contextmanager
def colour_environment(report: TerminalReport) -> Iterator[None]:
    """While the app is built (its console reads the environment then): the colours the terminal said it shows.

    Over SSH COLORTERM does not arrive, and TERM=xterm reads as 16 colours: the terminal's own answers are better.
    COLORTERM stays set (the app's own processes see it too); TERM is put back once the app is built."""
    term = os.environ.get("TERM", "")
    if report.colors == "truecolor" and os.environ.get("COLORTERM", "").lower() not in ("truecolor", "24bit"):
        os.environ["COLORTERM"] = "truecolor"
    raise_term = report.colors == "256" and "256color" not in term and "kitty" not in term and bool(term)
    if raise_term:
        os.environ["TERM"] = term.rsplit("-", 1)[0] + "-256color"
    try:
        yield
    finally:
        if raise_term:
            os.environ["TERM"] = term


def warm_up_renderer(renderer: str) -> None:
    """Load textual-image for a character renderer ahead of the first preview (call from a thread)."""
    if renderer in _CELL_RENDERERS:
        ensure_textual_image(renderer)


def ensure_textual_image(renderer: str) -> None:
    """Make sure textual-image is imported without it querying the terminal Textual now owns."""
    if "textual_image.widget" not in sys.modules:
        _import_textual_image(renderer)
