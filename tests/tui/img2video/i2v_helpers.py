"""Helpers for driving Img2Video under Pilot (imported as a plain module)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_helpers import wait_for  # noqa: F401  (the tests import it from here)

from pixflow_tui.tui.screens.dialogs import (
    ChoiceDialog,
    ConfirmDialog,
    PathInputDialog,
    TextInputDialog,
)
from pixflow_tui.tui.screens.img2video import Img2VideoScreen
from pixflow_tui.tui.screens.img2video.queue_table import QueueTable
from pixflow_tui.tui.screens.img2video.settings_dialog import VideoSettingsDialog
from pixflow_tui.tui.widgets.camera_presets import CameraPresetList


def screen_of(pilot: Pilot[Any]) -> Img2VideoScreen:
    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, Img2VideoScreen), type(screen)
    return screen


async def open_img2video(pilot: Pilot[Any]) -> Img2VideoScreen:
    await pilot.pause()
    await pilot.press("3")
    screen = await wait_for(pilot, lambda: isinstance(pilot.app.screen, Img2VideoScreen) and pilot.app.screen,
                            what="the Img2Video screen")
    await wait_for(pilot, lambda: screen.queue is not None, what="the queue to load")
    await pilot.pause()
    return screen


async def dialog(pilot: Pilot[Any], kind: type, what: str = "") -> Any:
    return await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen,
                          what=what or kind.__name__)


async def type_text(pilot: Pilot[Any], text: str, *, keys: bool = False) -> None:
    """Put `text` into the focused Input (replacing what is there): key by key when `keys` (slow: every key
    of a path runs the path completer), else pasted as a whole."""
    field = pilot.app.focused
    assert isinstance(field, Input), field
    field.value = ""
    if keys:
        await pilot.press(*[("space" if ch == " " else ch) for ch in text])
    else:
        field.insert_text_at_cursor(text)
        await pilot.pause()


async def add_path(pilot: Pilot[Any], path: Path | str, *, keys: bool = False) -> PathInputDialog:
    """`a`, type the path, enter. Returns the dialog (still open when the path was refused)."""
    await pilot.press("a")
    add = await dialog(pilot, PathInputDialog)
    await type_text(pilot, str(path), keys=keys)
    await pilot.press("enter")
    await pilot.pause()
    return add


def dialog_error(add: Any) -> str:
    return str(add.query_one("#error", Static).render())


async def add_images(pilot: Pilot[Any], screen: Img2VideoScreen, paths: list[Path]) -> None:
    before = len(screen.queue.entries) if screen.queue else 0
    for path in paths:
        await add_path(pilot, path)
    await wait_for(pilot, lambda: screen.queue is not None and len(screen.queue.entries) == before + len(paths),
                   what=f"{len(paths)} images added")
    await pilot.pause()


async def select_row(pilot: Pilot[Any], screen: Img2VideoScreen, index: int) -> None:
    table = screen.query_one(QueueTable)
    table.focus()
    table.move_cursor(row=index, animate=False)
    await pilot.pause()
    assert screen.panel.selected is screen.queue.entries[index]  # type: ignore[union-attr]


async def choose(pilot: Pilot[Any], presets: CameraPresetList, option_id: str) -> None:
    """Move the highlight to `option_id` with the arrow keys, then press space."""
    target = presets.get_option_index(option_id)
    presets.focus()
    for _ in range(presets.option_count * 2):
        if presets.highlighted == target:
            break
        await pilot.press("down" if (presets.highlighted or 0) < target else "up")
    assert presets.highlighted == target, option_id
    await pilot.press("space")
    await pilot.pause()


async def open_settings(pilot: Pilot[Any]) -> VideoSettingsDialog:
    await pilot.press("s")
    return await dialog(pilot, VideoSettingsDialog)


async def confirm(pilot: Pilot[Any], answer: str = "y") -> ConfirmDialog:
    found = await dialog(pilot, ConfirmDialog)
    await pilot.press(answer)
    await pilot.pause()
    return found


async def pick(pilot: Pilot[Any], value: str) -> None:
    """Choose the option with id `value` in the open ChoiceDialog."""
    from textual.widgets import OptionList

    choice = await dialog(pilot, ChoiceDialog)
    options = choice.query_one(OptionList)
    options.highlighted = options.get_option_index(value)
    await pilot.press("enter")
    await pilot.pause()


async def name_it(pilot: Pilot[Any], name: str) -> None:
    await dialog(pilot, TextInputDialog)
    await type_text(pilot, name)
    await pilot.press("enter")
    await pilot.pause()


def states(screen: Img2VideoScreen) -> list[str]:
    assert screen.queue is not None
    return [screen.panel.status_of(e).state for e in screen.queue.entries]


def status_cell(screen: Img2VideoScreen, index: int) -> str:
    assert screen.queue is not None
    value = screen.query_one(QueueTable).get_cell(screen.queue.entries[index].id, "status")
    return value if isinstance(value, str) else value.plain


def videos_made(screen: Img2VideoScreen, count: int) -> bool:
    """`count` entries are done and their videos (file, first frame, length) are loaded."""
    assert screen.queue is not None
    made = [screen.panel.status_of(e) for e in screen.queue.entries]
    return sum(1 for s in made if s.state == "done" and s.video is not None) == count
