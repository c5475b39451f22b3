"""Prompt Factory: a shell that later issues fill in."""
from __future__ import annotations

from pixflow_tui.tui.screens.base import ModuleScreen


class PromptFactoryScreen(ModuleScreen):
    MODULE = "prompt_factory"
    INTRO = "Turn a concept or a reference photo into structured 9-section prompts."
    EMPTY = (
        "No prompts yet — prompts you generate from a concept or a reference "
        "photo will be listed here, ready to send to Asset Monster (2)."
    )
