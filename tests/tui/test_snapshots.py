"""Each module's main screen, empty, at 80×24 and 160×48 (regenerate with `pytest tests/tui --snapshot-update`
and look at the SVGs before committing them)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.widgets.header import MODULES
from tui_helpers import settle

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("number", range(1, 7), ids=[mode for mode, _, _ in MODULES])
def test_empty_module_screen(snap_compare, settings, number: int, size: str) -> None:
    async def open_module(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(str(number))
        await settle(pilot)

    settings = replace(settings, avatars_dir=Path("/srv/avatars"))  # screens that name it show no temp path
    assert snap_compare(PixflowApp(settings), terminal_size=SIZES[size], run_before=open_module)
