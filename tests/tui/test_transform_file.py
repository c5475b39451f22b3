"""Img2Img on an image file from the command palette: a file that is not an image is named in the dialog, which
stays open; an image goes on to the Img2Img dialog."""
from __future__ import annotations

from pathlib import Path

from PIL import Image
from textual.widgets import Input, Static

from pixflow_tui.tui.screens.dialogs import PathInputDialog
from pixflow_tui.tui.screens.transform_dialog import TransformDialog

from tui_helpers import wait_for


async def test_a_file_that_is_not_an_image_is_named_and_an_image_goes_on(make_app, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture", encoding="utf-8")
    photo = tmp_path / "street.png"
    Image.new("RGB", (64, 96), (200, 80, 40)).save(photo)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_transform_file()
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        dialog.query_one(Input).value = str(notes)
        await pilot.press("enter")
        error = dialog.query_one("#error", Static)
        await wait_for(pilot, lambda: "notes.txt" in str(error.render()), what="the file named in the dialog")
        assert app.screen is dialog and app.context.store.jobs.list() == []

        dialog.query_one(Input).value = str(photo)
        await pilot.press("enter")
        transform = await wait_for(pilot, lambda: isinstance(app.screen, TransformDialog) and app.screen)
        assert "1 image" in str(transform.query_one(".dialog-title", Static).render())
