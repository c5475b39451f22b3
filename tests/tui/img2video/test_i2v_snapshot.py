"""The queue at 80x24 with camera moves set: the camera wraps under the image name instead of being cut off
(regenerate with `pytest tests/tui/img2video/test_i2v_snapshot.py --snapshot-update`)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from textual.pilot import Pilot

from i2v_helpers import wait_for
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.screens.img2video.queue_table import QueueTable


@pytest.fixture
def pictures(tmp_path: Path) -> list[str]:
    made = []
    for name, size in (("portrait.jpg", (900, 1200)), ("landscape.jpg", (1200, 900))):
        Image.new("RGB", size, "teal").save(tmp_path / name)
        made.append(str(tmp_path / name))
    return made


@pytest.mark.parametrize("size", [(80, 24), (160, 40)], ids=["80x24", "160x40"])
def test_queue_with_camera_moves(snap_compare, settings, pictures: list[str], size: tuple[int, int]) -> None:
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.press("3")
        screen = await wait_for(pilot, lambda: getattr(pilot.app.screen, "queue", None) is not None
                                and pilot.app.screen)
        screen.panel.add_paths(pictures)
        await wait_for(pilot, lambda: len(screen.queue.entries) == 2, what="both drafts")
        for entry in screen.queue.entries:
            entry.settings.movements = ["the camera zooms in", "the camera pans left"]
            entry.settings.speed = "slow"
        screen.panel.show_queue()
        table = screen.query_one(QueueTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        pilot.app.clear_notifications()
        await wait_for(pilot, lambda: not pilot.app.screen.query("Toast"), what="the toasts gone")
        await pilot.pause(0.3)
        if size[0] == 80:
            assert table.stacked  # the camera reads whole on its own lines
        assert [e.settings.aspect_ratio for e in screen.queue.entries] == ["9:16", "16:9"]

    assert snap_compare(PixflowApp(settings), terminal_size=size, run_before=fill)
