"""Avatar Studio: shows its jobs live; later issues add the controls."""
from __future__ import annotations

from pixflow_tui.tui.screens.base import JobModuleScreen


class AvatarStudioScreen(JobModuleScreen):
    MODULE = "avatar_studio"
    INTRO = "Make a talking avatar: a script, a voice, then lipsync onto an image."
    EMPTY = (
        "No avatar jobs yet — start with a script and an avatar image; speech "
        "and lipsync jobs will show here."
    )
