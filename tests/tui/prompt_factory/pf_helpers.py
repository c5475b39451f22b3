"""Helpers for the Prompt Factory tests (imported as a plain module: the test folders are not packages)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from pixflow_tui.tui.screens.prompt_factory import PromptFactoryScreen
from pixflow_tui.tui.screens.prompt_factory.actions import ResultsPane
from pixflow_tui.tui.screens.prompt_factory.results import PromptList
from pixflow_tui.tui.widgets.prompt_view import PromptView
from tui_helpers import settle, wait_for  # noqa: F401  (settle: the PF tests import it from here)


def pf(app: Any) -> PromptFactoryScreen:
    screen = app.screen
    assert isinstance(screen, PromptFactoryScreen), type(screen)
    return screen


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    await wait_for(pilot, condition, timeout=timeout)


async def fill(pilot: Pilot[Any], selector: str, text: str, *, typed: bool = True) -> None:
    """Focus a field, clear it and enter `text` (typed key by key unless `typed` is False)."""
    widget = pf(pilot.app).query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, TextArea):
        widget.text = text
    elif typed:
        widget.value = ""
        await pilot.press(*text) if text else None
    else:
        widget.value = text
    await pilot.pause()


async def write_concept(pilot: Pilot[Any], concept: str, count: int | str = 3, *, settle_after: bool = True) -> None:
    """The concept flow as a user does it: c, type the concept, the count, enter."""
    await pilot.press("c")
    await fill(pilot, "#concept", concept)
    await fill(pilot, "#count", str(count))
    await pilot.press("enter")
    if settle_after:
        await settle(pilot)


def message(app: Any) -> str:
    return str(pf(app).query_one("#message", Static).render())


def rows(app: Any) -> list[str]:
    prompt_list = pf(app).query_one(PromptList)
    return [str(prompt_list.get_option_at_index(i).prompt) for i in range(prompt_list.option_count)]


def prompt_list(app: Any) -> PromptList:
    return pf(app).query_one(PromptList)


def results(app: Any) -> ResultsPane:
    return pf(app).query_one(ResultsPane)


def view(app: Any) -> PromptView:
    return pf(app).query_one(PromptView)


def field_value(app: Any, selector: str) -> str:
    return pf(app).query_one(selector, Input).value


def make_image(folder: Path, name: str = "ref.png", size: tuple[int, int] = (64, 96),
               color: tuple[int, int, int] = (200, 30, 30), fmt: str = "PNG") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, fmt)
    return path
