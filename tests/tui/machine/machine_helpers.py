"""Helpers for driving The Machine under Pilot (imported as a plain module)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

import tui_helpers
from tui_helpers import screen_of, settle, wait_for
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.screens.machine import MachineScreen
from pixflow_tui.tui.screens.machine.form import MachineForm
from pixflow_tui.tui.screens.machine.run_view import RunView

GREEN = (30, 191, 26)
RED_SIZE = (72, 128)
CONCEPT = "a cozy coffee shop morning"


def portrait(path: Path, backdrop: tuple[int, int, int] = GREEN, size: tuple[int, int] = (144, 256)) -> Path:
    return tui_helpers.portrait(path, backdrop, size)


def machine(app: PixflowApp) -> MachineScreen:
    return screen_of(app, MachineScreen)


def form(app: PixflowApp) -> MachineForm:
    return machine(app).query_one(MachineForm)


def run_view(app: PixflowApp) -> RunView:
    return machine(app).query_one(RunView)


def text_of(app: PixflowApp, selector: str) -> str:
    return str(machine(app).query_one(selector, Static).render())


async def open_machine(pilot: Pilot[Any]) -> MachineScreen:
    app = pilot.app
    await settle(pilot)
    await pilot.press("5")
    await wait_for(pilot, lambda: isinstance(app.screen, MachineScreen), what="The Machine")
    await wait_for(pilot, lambda: machine(app).loaded and form(app).loaded, what="the Machine loaded")
    await settle(pilot)
    return machine(app)


async def type_concept(pilot: Pilot[Any], text: str = CONCEPT) -> None:
    await pilot.press("c")
    await pilot.press(*("space" if ch == " " else ch for ch in text))
    await pilot.press("enter")
    await pilot.pause()


async def pick_first_avatar(pilot: Pilot[Any]) -> None:
    from pixflow_tui.tui.screens.machine.dialogs import PickManyDialog

    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PickManyDialog), what="the avatar picker")
    await pilot.press("space", "enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, PickManyDialog), what="the picker closed")
    await wait_for(pilot, lambda: "green box" in text_of(pilot.app, "#machine-green"), what="the green check")
