"""Each module screen, empty, at 120x40 (regenerate with `pytest tests/tui --snapshot-update`)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.widgets.header import MODULES
from tui_helpers import settle


@pytest.mark.parametrize("number", range(1, 7), ids=[mode for mode, _, _ in MODULES])
def test_empty_module_screen(snap_compare, settings, number: int) -> None:
    async def open_module(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(str(number))
        await settle(pilot)

    if MODULES[number - 1][0] == "avatar_studio":  # its empty gallery names the avatars folder: not a temp path
        settings = replace(settings, avatars_dir=Path("/srv/avatars"))
    assert snap_compare(PixflowApp(settings), terminal_size=(120, 40), run_before=open_module)
