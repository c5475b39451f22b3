"""Helpers for driving Avatar Studio under Pilot (imported as a plain module)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tui_helpers import portrait, screen_of, settle, wait_for  # noqa: F401  (portrait: tests import it from here)
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.screens.avatar_studio import AvatarStudioScreen
from pixflow_tui.tui.screens.avatar_studio.gallery import AvatarGallery
from pixflow_tui.tui.screens.avatar_studio.script_panel import ScriptPanel

RED = (200, 30, 30)


async def open_studio(pilot: Pilot[Any]) -> AvatarStudioScreen:
    app = pilot.app
    await settle(pilot)
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(app.screen, AvatarStudioScreen), what="Avatar Studio")
    screen = app.screen
    assert isinstance(screen, AvatarStudioScreen)
    await wait_for(pilot, lambda: gallery(app).loaded and panel(app).loaded, what="the studio loaded")
    await settle(pilot)
    return screen


def studio(app: PixflowApp) -> AvatarStudioScreen:
    """The studio screen (under any dialog open on it)."""
    return screen_of(app, AvatarStudioScreen)


def gallery(app: PixflowApp) -> AvatarGallery:
    return studio(app).query_one(AvatarGallery)


def panel(app: PixflowApp) -> ScriptPanel:
    return studio(app).query_one(ScriptPanel)


def text_of(app: PixflowApp, selector: str) -> str:
    return str(studio(app).query_one(selector, Static).render())


def grid_keys(app: PixflowApp) -> list[str]:
    return [entry.key for entry in gallery(app).grid.entries]


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def wait_screen(pilot: Pilot[Any], kind: type, what: str = "") -> Any:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind), what=what or kind.__name__)
    return pilot.app.screen


def write_wav(path: Path, seconds: float = 2.0, rate: int = 16_000) -> Path:
    """A short mono 16-bit tone (PyAV reads it like any audio file)."""
    import math
    import struct
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 220 * i / rate)))
                      for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path
