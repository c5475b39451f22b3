"""The Library screen and its tabs."""
from __future__ import annotations

from pixflow_tui.tui.screens.library.screen import LibraryScreen

__all__ = ["LibraryScreen"]
