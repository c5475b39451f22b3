"""The preview panel: an output's facts and the keys that act on it, a rating that follows at once, and the actions
from the Liked grid (rate, favourite, export the marked images)."""
from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

from PIL import Image
from textual.widgets import Input
from textual_image.widget import HalfcellImage

from lib_helpers import COLOURS, open_library, open_store, record_notes, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import PathInputDialog, TextInputDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.thumbnail_grid import ThumbnailGrid


async def test_preview_shows_concept_date_aspect_model_prompt_and_the_action_keys(make_app, settings,
                                                                                   local_zone) -> None:
    local_zone("Asia/Tokyo")  # UTC+9 all year: the preview shows local time with its zone, the row's date cell too
    made = seed(settings, images=2, liked=())
    image = made.images[1]
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        meta = screen.query_one("#preview-meta")
        await wait_for(pilot, lambda: "video #" in str(meta.render()), what="the video first")
        video_facts = str(meta.render())
        assert "Rating" not in video_facts and "v its image to Img2Video" in video_facts

        await pilot.press("down")
        await wait_for(pilot, lambda: f"image #{image.id}" in str(meta.render()), what="the image's facts")
        text = str(meta.render())
        tokyo = (tab.current.created_at + timedelta(hours=9)).strftime("%Y-%m-%d %H:%M")
        assert str(table_of(tab).get_cell(f"image:{image.id}", "date")) == tokyo
        for expected in (f"Concept  {image.concept}", f"Date     {tokyo} JST", "Aspect   9:16",
                         "Model    fal-ai/nano-banana-pro", "Size     36×64", "Rating   not rated",
                         "l like", "f favourite prompt", "y copy", "r regenerate", "v to Img2Video", "e export"):
            assert expected in text, expected
        picture = screen.query_one(ImagePreview).query_one(HalfcellImage)
        await wait_for(pilot, lambda: isinstance(picture.image, Image.Image) and picture.image.convert("RGB")
                       .getpixel((1, 1)) == COLOURS[1], what="the image itself")
        style = screen.query_one("#section-style").query_one(".section-body")
        assert "red fox look number 1" in str(style.render())  # the full prompt in PromptView

        await pilot.press("l")
        await wait_for(pilot, lambda: "Rating   ♥ liked" in str(meta.render()), what="the rating in the preview")
        await settle(pilot)
        assert open_store(settings).ratings.get(image.id).rating == 1
        await pilot.press("d")
        await wait_for(pilot, lambda: "Rating   ✗ disliked" in str(meta.render()))
        await settle(pilot)
        assert open_store(settings).ratings.get(image.id).rating == -1
        assert str(table_of(tab).get_cell(f"image:{image.id}", "rating")) == "✗ -1"


async def test_liked_grid_favourite_and_export_of_the_marked_images(make_app, settings, tmp_path: Path) -> None:
    made = seed(settings, images=3, liked=(0, 1, 2))
    store = open_store(settings)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "liked")
        grid = tab.query_one(ThumbnailGrid)
        before = len(store.favorites.list())  # the seed's favourite
        await pilot.press("f")  # the newest liked image's prompt, under the name typed
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog))
        app.screen.query_one(Input).value = "neon hero"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(store.favorites.list()) == before + 1, what="the favourite")
        assert store.favorites.list()[0].prompt["style"] == made.images[2].prompt["style"]
        assert store.favorites.list()[0].name == "neon hero"

        await pilot.press("space", "right", "right", "space")  # mark the newest and the oldest
        assert grid.cursor == 2
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        assert "2 outputs" in str(dialog.query_one(".dialog-title").render())
        target = tmp_path / "liked.zip"
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists(), what="the zip")
        with zipfile.ZipFile(target) as archive:
            manifest = json.loads(archive.read("prompts.json"))
        assert [(e["image_id"], e["rating"]) for e in manifest["images"]] == [(made.images[2].id, 1),
                                                                            (made.images[0].id, 1)]


async def test_export_takes_videos_too_and_regenerate_needs_a_job(make_app, settings, tmp_path: Path,
                                                                  monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    made = seed(settings, images=1, liked=())
    Path(made.videos[0].local_path).write_bytes(b"not really a video")
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        await pilot.press("r")  # the video was imported, not made by a job here
        await wait_for(pilot, lambda: any("cannot be regenerated" in n for n in notes), what="the warning")
        assert len(open_store(settings).jobs.list()) == 1  # no new job

        await pilot.press("space", "space")
        assert tab.selected_keys() == [f"asset:{made.videos[0].id}", f"image:{made.images[0].id}"]
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        target = tmp_path / "both.zip"
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(n.startswith("Exported") for n in notes), what="the export")
        with zipfile.ZipFile(target) as archive:
            assert sorted(archive.namelist()) == ["files/video-0.mp4", "images/image-0.png", "prompts.json"]
