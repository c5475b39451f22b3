"""Img2Video: an image-to-video queue with camera controls (see screen.py)."""
from pixflow_tui.tui.screens.img2video.screen import Img2VideoScreen

__all__ = ["Img2VideoScreen"]
