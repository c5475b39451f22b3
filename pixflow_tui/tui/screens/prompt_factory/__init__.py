"""Prompt Factory (module 1): concept → prompts, image → prompt, text → prompt; edit, favourite, send."""
from __future__ import annotations

from pixflow_tui.tui.screens.prompt_factory.screen import PromptFactoryScreen

__all__ = ["PromptFactoryScreen"]
