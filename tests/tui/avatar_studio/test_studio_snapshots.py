"""Avatar Studio with a seeded gallery and script, at 80×24 and 160×48
(regenerate with `pytest tests/tui/avatar_studio --snapshot-update`)."""
from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot

from studio_helpers import RED, gallery, open_studio, portrait, text_of
from tui_helpers import settle, wait_for
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.thumbnail_grid import ThumbCell
from pixflow_tui.workflows import scripts
from pixflow_tui.workflows.context import AppContext

SCRIPT = ("Okay, so I tried vintage film portraits with my phone and honestly they look pretty real. "
          "Grain, soft light, that whole look. Try it if you are curious.")


def seed(settings) -> None:
    for name, backdrop in (("Anna", None), ("Ben", RED), ("Cleo", None)):
        portrait(settings.avatars_folder / f"{name}.png", **({"backdrop": backdrop} if backdrop else {}))
    ctx = AppContext(settings)
    try:
        asyncio.run(scripts.new_script(ctx, SCRIPT, settings={"duration": 10}))
    finally:
        ctx.close()


async def shown(pilot: Pilot[None]) -> None:
    app = pilot.app
    await open_studio(pilot)

    def pictures_up() -> bool:
        cells = [c for c in gallery(app).query(ThumbCell) if c.entry is not None]
        preview = gallery(app).query_one(ImagePreview)
        return bool(cells) and all(c.query_one("#picture").display for c in cells) and \
            preview.query_one("#image").display

    await wait_for(pilot, pictures_up, what="thumbnails and the preview")
    await wait_for(pilot, lambda: "green box: yes" in text_of(app, "#avatar-check"), what="the green check")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_avatar_studio_with_a_gallery_and_a_script(snap_compare, settings, size: tuple[int, int]) -> None:
    seed(settings)
    assert snap_compare(PixflowApp(settings), terminal_size=size, run_before=shown)
