"""Avatar Studio: avatars (a gallery, generation, green-box versions) and scripts (write, generate, transcribe,
refine, undo/redo, translate). tui/app.py builds `AvatarStudioScreen` from this module by name."""
from pixflow_tui.tui.screens.avatar_studio.screen import AvatarStudioScreen

__all__ = ["AvatarStudioScreen"]
