"""Library: a shell that later issues fill in."""
from __future__ import annotations

from pixflow_tui.tui.screens.base import ModuleScreen


class LibraryScreen(ModuleScreen):
    MODULE = "library"
    INTRO = "Everything Pixflow made: history, favourites, liked and disliked images."
    EMPTY = "The library is empty — images, videos and prompts appear here as soon as you make them."
