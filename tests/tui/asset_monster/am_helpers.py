"""Helpers for driving Asset Monster under Pilot (imported as a plain module)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from textual.pilot import Pilot
from tui_helpers import wait_for  # noqa: F401  (the tests import it from here)

from pixflow_tui.core.jobs import JobState
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.tui.screens.asset_monster import AssetMonsterScreen
from pixflow_tui.tui.screens.asset_monster.batch_table import BatchJobTable
from pixflow_tui.tui.screens.asset_monster.setup_panel import SetupPanel

PROMPTS = ("a red fox in fresh snow, golden hour", "a blue whale under a violet dusk sky")




def screen_of(pilot: Pilot[Any]) -> AssetMonsterScreen:
    screen = pilot.app.screen_stack[0]  # the module screen, under any dialog or viewer
    assert isinstance(screen, AssetMonsterScreen), type(screen)
    return screen


async def open_asset_monster(pilot: Pilot[Any]) -> AssetMonsterScreen:
    await pilot.pause()
    await pilot.press("2")
    screen = await wait_for(pilot, lambda: isinstance(pilot.app.screen, AssetMonsterScreen) and pilot.app.screen,
                            what="the Asset Monster screen")
    await wait_for(pilot, lambda: screen._loaded, what="the first batch load")
    await pilot.pause()
    return screen


def send_prompts(app: Any, *texts: str, concept: str = "animals") -> None:
    app.context.handoff.send_prompts(concept, [PromptOutput(style=t) for t in texts])


def table(screen: AssetMonsterScreen) -> BatchJobTable:
    return screen.query_one(BatchJobTable)


def panel(screen: AssetMonsterScreen) -> SetupPanel:
    return screen.query_one(SetupPanel)


def cell(screen: AssetMonsterScreen, job_id: int, column: str) -> str:
    value = table(screen).get_cell(str(job_id), column)
    return value if isinstance(value, str) else value.plain


def jobs(app: Any, batch_id: int | None = None) -> list[Any]:
    return app.context.store.jobs.list(batch_id=batch_id)


def all_finished(app: Any, batch_id: int | None = None, count: int | None = None) -> bool:
    found = jobs(app, batch_id)
    return bool(found) and (count is None or len(found) == count) and all(j.status.finished for j in found)


def states(app: Any) -> dict[int, JobState]:
    return {j.id: j.status for j in jobs(app)}


def make_image(path: Path, size: tuple[int, int] = (64, 48), fmt: str = "PNG", colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path, format=fmt)
    return path


async def run_batch(pilot: Pilot[Any], screen: AssetMonsterScreen) -> None:
    """ctrl+r, then y in the confirmation."""
    from pixflow_tui.tui.screens.dialogs import ConfirmDialog

    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="the run confirmation")
    await pilot.press("y")
    await wait_for(pilot, lambda: screen.batch_id is not None and table(screen).row_count > 0,
                   what="the batch in the table")
