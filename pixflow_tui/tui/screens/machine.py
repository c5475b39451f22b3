"""The Machine: shows its jobs live; later issues add the controls."""
from __future__ import annotations

from pixflow_tui.tui.screens.base import JobModuleScreen


class MachineScreen(JobModuleScreen):
    MODULE = "machine"
    INTRO = "Run the whole chain end to end: concept → prompts → images → videos."
    EMPTY = "No pipeline runs yet — give The Machine a concept and its jobs will show here as they run."
