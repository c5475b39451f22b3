"""The Prompt Factory with written prompts at 120x40 and 80x24 (refresh with `pytest tests/tui/prompt_factory --snapshot-update`).

The demo text provider is deterministic per concept, so the picture is too."""
from __future__ import annotations

import pytest
from textual.pilot import Pilot

from pixflow_tui.tui.app import PixflowApp
from pf_helpers import settle, write_concept


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_prompt_factory_with_written_prompts(snap_compare, settings, size: tuple[int, int]) -> None:
    async def write(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await write_concept(pilot, "rainy neon street portrait", 3)
        await pilot.press("j", "s")  # the second prompt shown and selected for sending
        await pilot.press("k")
        await settle(pilot)

    assert snap_compare(PixflowApp(settings), terminal_size=size, run_before=write)


def test_the_research_report_fits_at_80x24(snap_compare, settings) -> None:
    async def write(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await write_concept(pilot, "rainy neon street portrait, vintage film", 2)
        await pilot.press("R")  # the research in the prompt view's place
        await settle(pilot)

    assert snap_compare(PixflowApp(settings), terminal_size=(80, 24), run_before=write)
