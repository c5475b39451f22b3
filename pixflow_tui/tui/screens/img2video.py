"""Img2Video: shows its jobs live; later issues add the controls."""
from __future__ import annotations

from pixflow_tui.tui.screens.base import JobModuleScreen


class Img2VideoScreen(JobModuleScreen):
    MODULE = "img2video"
    INTRO = "Turn chosen images into short videos with camera moves."
    EMPTY = (
        "No videos yet — pick an image in Asset Monster (2) or the Library (6) "
        "and press v to send it here."
    )
