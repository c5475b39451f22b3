"""The Machine: one form (concept, avatars, voice, languages…) → a dry run or a whole run (prompts → images →
videos? → script → speech → lipsync), followed live, retried, resumed, started over and exported.
tui/app.py builds `MachineScreen` from this module by name."""
from pixflow_tui.tui.screens.machine.screen import MachineScreen

__all__ = ["MachineScreen"]
